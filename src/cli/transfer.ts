// `wasm-tcp transfer`: two stacks over SimNetwork: N bytes each way, then close. Not implemented yet.

/** Placeholder until the command lands; exits 1. */
export async function run(_argv: string[]): Promise<number> {
  console.error('wasm-tcp transfer: not implemented yet');
  return 1;
}
