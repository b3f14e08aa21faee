// `wasm-tcp decode`: decode a pcap/pcapng capture, tcpdump-style or --json. Not implemented yet.

/** Placeholder until the command lands; exits 1. */
export async function run(_argv: string[]): Promise<number> {
  console.error('wasm-tcp decode: not implemented yet');
  return 1;
}
