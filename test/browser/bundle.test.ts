// The browser bundle: what it exports, where package.json points browsers, and that a Node built-in fails its build.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { isNodeBuiltin, noNodeBuiltins } from '../../scripts/no-node-builtins.mjs';

/** Bundles `contents` (resolved from the repository root) for the browser with the build's plugin. */
function bundle(contents: string) {
  return build({
    stdin: { contents, resolveDir: process.cwd(), sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true, write: false, format: 'esm', platform: 'browser', metafile: true, logLevel: 'silent',
    loader: { '.wasm': 'binary' }, plugins: [noNodeBuiltins('the browser bundle')],
  });
}

/** The build error's text, or '' when the build succeeded. */
async function buildError(contents: string): Promise<string> {
  try {
    await bundle(contents);
    return '';
  } catch (err) {
    return ((err as { errors?: { text: string }[] }).errors ?? []).map((e) => e.text).join('\n') || String(err);
  }
}

describe('no Node built-in reaches the browser bundle', () => {
  it.each(['node:fs', 'fs', 'fs/promises', 'events', 'buffer', 'node:crypto', 'zlib'])('importing %s fails the build', async (mod) => {
    expect(await buildError(`import * as m from '${mod}'; console.log(m);`)).toContain(`Node built-in "${mod}" imported by`);
  });

  it('a built-in imported deep inside a project file fails the build and names that file', async () => {
    // src/net.ts is the Node adapter (node:net, node:stream): it must never be pulled into the core.
    const text = await buildError(`export * from './src/net.ts';`);
    expect(text).toMatch(/Node built-in "node:\w+" imported by src\/net\.ts must not reach the browser bundle/);
  });

  it('knows the built-ins from Node itself, not a hand-written list', () => {
    for (const m of ['fs', 'dgram', 'worker_threads', 'assert/strict', 'node:test', 'perf_hooks']) expect(isNodeBuiltin(m), m).toBe(true);
    for (const m of ['esbuild', 'playwright-core', 'fsx', 'eventsource']) expect(isNodeBuiltin(m), m).toBe(false);
  });

  it('src/browser.ts builds with the plugin and exports the core with the engine inlined', async () => {
    const r = await bundle(`export * from './src/browser.ts';`);
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs).toContain('build/engine.wasm');
    expect(inputs.filter((p) => p.startsWith('node:') || p.includes('node_modules'))).toEqual([]);
    const exported = Object.values(r.metafile.outputs)[0].exports;
    for (const name of ['Stack', 'Socket', 'Server', 'SimNetwork', 'DirectLink', 'VirtualClock', 'RealClock',
      'runScenario', 'prepareScenario', 'SCENARIOS', 'renderSvg', 'PcapWriter', 'recordingToPcap', 'Engine']) {
      expect(exported, name).toContain(name);
    }
  });

  it("package.json's browser condition points at dist/browser.js", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, Record<string, string>> };
    expect(pkg.exports['.'].browser).toBe('./dist/browser.js');
    // Conditions are tried in order: browser must come before node/default.
    expect(Object.keys(pkg.exports['.']).indexOf('browser')).toBeLessThan(Object.keys(pkg.exports['.']).indexOf('default'));
  });
});
