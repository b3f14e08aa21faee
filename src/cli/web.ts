// `wasm-tcp web`: serve the browser demo page. Not implemented yet.

/** Placeholder until the command lands; exits 1. */
export async function run(_argv: string[]): Promise<number> {
  console.error('wasm-tcp web: not implemented yet');
  return 1;
}
