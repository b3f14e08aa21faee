/** `.wasm` files are imported as their bytes (esbuild `binary` loader, and the vitest plugin). */
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
