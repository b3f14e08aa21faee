// `wasm-tcp scenarios`: list the failure scenarios. Not implemented yet.

/** Placeholder until the command lands; exits 1. */
export async function run(_argv: string[]): Promise<number> {
  console.error('wasm-tcp scenarios: not implemented yet');
  return 1;
}
