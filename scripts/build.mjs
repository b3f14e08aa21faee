// Builds the WASM engine (asc, release + debug) and the host bundles (esbuild) into build/ and dist/.
import { build } from 'esbuild';
import asc from 'assemblyscript/asc';
import { mkdirSync, chmodSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { noNodeBuiltins } from './no-node-builtins.mjs';
import { generateAbi } from './gen-abi.mjs';
import { spawnSync } from 'node:child_process';
import { POST_OPT_TARGETS } from './post-opt.mjs';

const quiet = process.argv.includes('--quiet');
const asconfig = JSON.parse(readFileSync('asconfig.json', 'utf8'));
mkdirSync('build', { recursive: true });
mkdirSync('dist', { recursive: true });

// Both sides of the engine/host boundary from the one spec (files rewritten only when they change).
for (const [path, text] of Object.entries(generateAbi())) {
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
}

// The release engine, its debug twin, the portable engine (no SIMD, levels chosen for the size of its
// C: the module the C ports run through wasm2c, docs/porting.md), its reduced profile (build/engine.tcp.wasm: TCP + IPv4, NewReno;
// assembly/options.ts), the wire decoder (build/wire.wasm, for `decode` and
// recordings) and the test build: the engine and the decoder plus assembly/testing.ts (test hooks and
// the wire layer's views), which only tests and the checksum benchmark load. Every release and portable
// module then gets a second binaryen pass at its target's levels (scripts/post-opt.mjs).
const engines = [
  ['release', ['assembly/index.ts']],
  ['debug', ['assembly/index.ts']],
  ['portable', ['assembly/index.ts']],
  ['portable-tcp', ['assembly/index.ts']],
  ['release', ['assembly/wire.ts'], ['--outFile', 'build/wire.wasm']],
  ['release', ['assembly/index.ts', 'assembly/wire.ts', 'assembly/testing.ts'], ['--outFile', 'build/engine.test.wasm']],
];
for (const [target, entries, extra = []] of engines) {
  const { error } = await asc.main([...entries, '--config', 'asconfig.json', '--target', target, ...extra], {
    stdout: process.stdout,
    stderr: process.stderr,
  });
  if (error) {
    console.error(`asc (${target}${extra.length ? ', test build' : ''}) failed: ${error.message}`);
    process.exit(1);
  }
  // In a process of its own: asc leaves binaryen's global options (inlining sizes, …) set its way.
  if (target in POST_OPT_TARGETS) {
    const outFile = extra.length ? extra[extra.indexOf('--outFile') + 1] : asconfig.targets[target].outFile;
    const post = spawnSync(process.execPath, ['scripts/post-opt.mjs', '--target', target, outFile], { stdio: 'inherit' });
    if (post.status !== 0) process.exit(1);
  }
}

const common = {
  bundle: true,
  format: 'esm',
  sourcemap: false,
  loader: { '.wasm': 'binary' },
  logLevel: quiet ? 'error' : 'warning',
  target: 'es2022',
};

// Node bundles: the CLI and the library entry points.
await build({
  ...common,
  platform: 'node',
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts', net: 'src/net.ts', tun: 'src/tun/index.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
chmodSync('dist/cli.js', 0o755);

// Browser bundle of the core, and wasm-tcp/v86 (standalone: the user brings the emulator; Node imports
// the same file): a Node built-in reaching either is a build error.
await build({
  ...common,
  platform: 'browser',
  entryPoints: { browser: 'src/browser.ts', v86: 'src/v86/index.ts' },
  outdir: 'dist',
  plugins: [noNodeBuiltins('the browser bundle')],
}).catch(() => process.exit(1)); // esbuild has printed the errors
// The demo page's script: imports of src/browser.ts stay external and load /wasm-tcp.js (= dist/browser.js).
await build({
  ...common,
  platform: 'browser',
  entryPoints: { app: 'web/app.ts', guest: 'web/guest.ts' },
  outdir: 'dist/web',
  plugins: [noNodeBuiltins('the page'), {
    name: 'core-from-bundle',
    setup(b) {
      b.onResolve({ filter: /\/src\/browser\.js$/ }, () => ({ path: './wasm-tcp.js', external: true }));
      b.onResolve({ filter: /\/src\/v86\/index\.js$/ }, () => ({ path: './v86.js', external: true }));
      b.onResolve({ filter: /\/src\// }, (args) => ({
        errors: [{ text: `${args.importer} must import the core through src/browser.ts, not ${args.path}` }],
      }));
    },
  }],
}).catch(() => process.exit(1));
if (!quiet) console.error('build: build/{engine,engine.portable,engine.tcp,wire,engine.test}.wasm, dist/{cli,index,net,tun,browser,v86}.js, dist/web/{app,guest}.js');
