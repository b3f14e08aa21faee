import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';

// Load `.wasm` imports as bytes, as esbuild's `binary` loader does for the bundles.
const wasmBinary = {
  name: 'wasm-binary',
  enforce: 'pre' as const,
  load(id: string) {
    if (!id.endsWith('.wasm')) return null;
    const b64 = readFileSync(id).toString('base64');
    return `export default Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));`;
  },
};

export default defineConfig({
  plugins: [wasmBinary],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
