// `wasm-tcp scenario`: run one scenario: ladder diagram, JSON, pcap, HTML. Not implemented yet.

/** Placeholder until the command lands; exits 1. */
export async function run(_argv: string[]): Promise<number> {
  console.error('wasm-tcp scenario: not implemented yet');
  return 1;
}
