// `wasm-tcp script`: run packetdrill scripts against the engine. Not implemented yet.

/** Placeholder until the command lands; exits 1. */
export async function run(_argv: string[]): Promise<number> {
  console.error('wasm-tcp script: not implemented yet');
  return 1;
}
