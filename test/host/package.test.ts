// The packed tarball as a user gets it: what it ships, a clean install, strict type-checks of a consumer
// (nodenext and bundler, skipLibCheck false), and the entry points at run time (import and require).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let dir = '';
let tarball = '';
let installLog = '';

const CONSUMER = `import { Stack, VirtualClock, DirectLink, type TcpConnection, type Socket } from 'wasm-tcp';
import net, { Socket as NetSocket } from 'wasm-tcp/net';
import { attachV86, v86Frames, type V86Emulator, type V86Attachment } from 'wasm-tcp/v86';

const clock = new VirtualClock();
const a = new Stack({ address: '10.0.0.1', clock });
const b = new Stack({ address: '10.0.0.2', clock });
DirectLink.connect(a, b, clock);
b.listen(80, {}, (s: Socket) => s.end('hi'));
const sock: Socket = a.connect({ host: '10.0.0.2', port: 80 });
let text = '';
sock.on('data', (d: Uint8Array) => (text += new TextDecoder().decode(d)));
clock.runFor(100);
const conn: Promise<TcpConnection> = a.connectTcp({ host: '10.0.0.2', port: 81 });
conn.catch((e: NodeJS.ErrnoException) => e.code);
const n: NetSocket = new net.Socket({ stack: a });
n.destroy();
// wasm-tcp/v86 without the optional v86 package installed: types and a clear error for a non-emulator.
let v86Error = '';
try {
  v86Frames({} as V86Emulator);
} catch (e) {
  v86Error = (e as Error).name;
}
export const attach: (e: V86Emulator, t: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }) => V86Attachment = attachV86;
export const result: string = text + v86Error;
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-pack-'));
  // pretest built dist/ (bundles, declarations, CommonJS): pack it as it is.
  expect(existsSync('dist/types/index.d.ts') && existsSync('dist/cjs/index.cjs'), 'run npm run build first').toBe(true);
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { encoding: 'utf8' });
  tarball = join(dir, (JSON.parse(out) as { filename: string }[])[0].filename);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: app, encoding: 'utf8' });
  installLog = `${r.stdout}\n${r.stderr}`;
  expect(r.status, installLog).toBe(0);
  writeFileSync(join(app, 'index.ts'), CONSUMER);
  writeFileSync(join(app, 'run.mjs'), `import { result } from './out/index.js'; console.log(JSON.stringify(result));`);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Type-checks the consumer with `options` (strict, skipLibCheck false); returns tsc's output. */
function typecheck(name: string, options: Record<string, unknown>): { status: number | null; out: string } {
  const app = join(dir, 'app');
  writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({
    compilerOptions: {
      strict: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022'], types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')], outDir: 'out', ...options,
    },
    files: ['index.ts'],
  }));
  const r = spawnSync(process.execPath, [TSC, '-p', `tsconfig.${name}.json`], { cwd: app, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the packed tarball', () => {
  it('ships the bundles, declarations, the CommonJS build and the engine; no sources, no debug builds', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const f of ['dist/index.js', 'dist/net.js', 'dist/browser.js', 'dist/cli.js', 'dist/types/index.d.ts', 'dist/types/net.d.ts',
      'dist/cjs/index.cjs', 'dist/cjs/net.cjs', 'dist/v86.js', 'dist/cjs/v86.cjs', 'dist/types/v86/index.d.ts', 'build/engine.wasm', 'web/index.html', 'dist/web/app.js', 'package.json', 'README.md', 'LICENSE']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /debug|\.map$|\.wat$|^src\/|^assembly\/|^test\/|^scripts\//.test(f))).toEqual([]);
  });

  it('installs without a warning about lifecycle scripts', () => {
    expect(installLog).not.toMatch(/prepare|install-scripts|scripts\/build/);
  });

  it('a strict consumer type-checks under module nodenext (skipLibCheck false) and runs', () => {
    const r = typecheck('nodenext', { module: 'nodenext', moduleResolution: 'nodenext', noEmit: false });
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
    const run = spawnSync(process.execPath, ['run.mjs'], { cwd: join(dir, 'app'), encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('"hiTypeError"');
  });

  it('and under moduleResolution bundler', () => {
    const r = typecheck('bundler', { module: 'esnext', moduleResolution: 'bundler', noEmit: true });
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('and with the DOM library too (browser and Deno-style projects)', () => {
    const r = typecheck('dom', { module: 'esnext', moduleResolution: 'bundler', noEmit: true, lib: ['ES2022', 'DOM'] });
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('require() works through the CommonJS condition (one instance for both entry points)', () => {
    const code = "const w = require('wasm-tcp'); const n = require('wasm-tcp/net'); " +
      "console.log(typeof w.Stack, w.Stack === n.Stack, typeof n.connect, typeof n.default.createServer, typeof w.TcpConnection, typeof require('wasm-tcp/v86').attachV86)";
    const r = spawnSync(process.execPath, ['-e', code], { cwd: join(dir, 'app'), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function true function function function function');
  });
});
