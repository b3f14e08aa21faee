// What the package ships besides the bundles of scripts/build.mjs: the type declarations (tsc) and
// a CommonJS build for `require('wasm-tcp')` / `require('wasm-tcp/net')` on Node versions without require(esm).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const quiet = process.argv.includes('--quiet');
const require = createRequire(import.meta.url);

rmSync('dist/types', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.types.json'], { stdio: 'inherit' });

// engine.d.ts names WebAssembly.Memory: declare the little it uses for consumers whose `lib` has no DOM
// (lib.dom.d.ts declares the same member; the interfaces merge), referenced from every entry point.
writeFileSync('dist/types/wasm-globals.d.ts', '// WebAssembly.Memory as engine.d.ts uses it (merges with lib.dom.d.ts).\ndeclare namespace WebAssembly {\n  interface Memory {\n    readonly buffer: ArrayBuffer;\n  }\n}\n');
for (const entry of ['index', 'net', 'browser']) {
  const file = `dist/types/${entry}.d.ts`;
  writeFileSync(file, `/// <reference path="./wasm-globals.d.ts" />\n${readFileSync(file, 'utf8')}`);
}

// A resolver with the `browser` condition lands on dist/browser.js: its declarations sit beside it.
writeFileSync('dist/browser.d.ts', "export * from './types/browser.js';\n");

// One CommonJS bundle for the Node entry points, so require('wasm-tcp').Stack is require('wasm-tcp/net').Stack.
rmSync('dist/cjs', { recursive: true, force: true });
await build({
  stdin: {
    contents: "export * as core from './src/index.ts'; export * as net from './src/net.ts'; export * as tun from './src/tun/index.ts';",
    resolveDir: process.cwd(), sourcefile: 'cjs-entry.ts', loader: 'ts',
  },
  bundle: true, format: 'cjs', platform: 'node', target: 'node20', outfile: 'dist/cjs/wasm-tcp.cjs',
  loader: { '.wasm': 'binary' }, logLevel: quiet ? 'error' : 'warning',
});
// wasm-tcp/v86 shares no state with the core: its own CommonJS file.
await build({
  entryPoints: ['src/v86/index.ts'], bundle: true, format: 'cjs', platform: 'neutral', target: 'es2022',
  outfile: 'dist/cjs/v86.cjs', logLevel: quiet ? 'error' : 'warning',
});
writeFileSync('dist/cjs/index.cjs', "'use strict';\nmodule.exports = require('./wasm-tcp.cjs').core;\n");
writeFileSync('dist/cjs/net.cjs', "'use strict';\nmodule.exports = require('./wasm-tcp.cjs').net;\n");
writeFileSync('dist/cjs/tun.cjs', "'use strict';\nmodule.exports = require('./wasm-tcp.cjs').tun;\n");
if (!quiet) console.error('package: dist/types/*.d.ts, dist/browser.d.ts, dist/cjs/{index,net,tun,v86}.cjs');
