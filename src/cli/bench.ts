// `wasm-tcp bench`: throughput benchmark: WASM stacks vs Node net on loopback. Not implemented yet.

/** Placeholder until the command lands; exits 1. */
export async function run(_argv: string[]): Promise<number> {
  console.error('wasm-tcp bench: not implemented yet');
  return 1;
}
