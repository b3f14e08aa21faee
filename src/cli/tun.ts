// `wasm-tcp tun`: talk TCP to the Linux kernel through a TUN device. Not implemented yet.

/** Placeholder until the command lands; exits 1. */
export async function run(_argv: string[]): Promise<number> {
  console.error('wasm-tcp tun: not implemented yet');
  return 1;
}
