// The event loop: a listening server or an open socket keeps Node alive unless unref()'d, over node:net and wasm-tcp/net alike.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const WASM_NET = pathToFileURL(resolve('dist/net.js')).href;

/** Runs `body` as an ES module with `net` bound to node:net or wasm-tcp/net; returns when it exited and after how many ms. */
async function exitAfter(impl: 'node:net' | 'wasm', body: string): Promise<number> {
  const src = `import net from '${impl === 'wasm' ? WASM_NET : 'node:net'}';
const t0 = performance.now();
process.on('exit', () => console.log('exit ' + Math.round(performance.now() - t0)));
${body}`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', src], { timeout: 20_000 });
  const m = /exit (\d+)/.exec(stdout);
  if (!m) throw new Error(`no exit line: ${stdout}`);
  return Number(m[1]);
}

const cases: [string, string, (ms: number) => boolean][] = [
  ['a listening server keeps the process alive until closed',
    `const srv = net.createServer().listen(0, '127.0.0.1'); setTimeout(() => srv.close(), 400).unref();`,
    (ms) => ms >= 390],
  ['an unref()d server lets it exit at once',
    `net.createServer().listen(0, '127.0.0.1').unref();`,
    (ms) => ms < 300],
  ['an idle open connection keeps it alive until destroyed',
    `const srv = net.createServer((s) => { s.on('close', () => srv.close()); }).listen(0, '127.0.0.1', () => {
       const c = net.connect(srv.address().port, '127.0.0.1');
       setTimeout(() => c.destroy(), 1600).unref();
     });`,
    (ms) => ms >= 1590],
  ['unref()d sockets and server let it exit while the connection is open',
    `const srv = net.createServer((s) => s.unref()).listen(0, '127.0.0.1', () => {
       const c = net.connect(srv.address().port, '127.0.0.1', () => c.unref());
       srv.unref();
     });`,
    (ms) => ms < 500],
  ['ref() after unref() keeps it alive again',
    `const srv = net.createServer().listen(0, '127.0.0.1'); srv.unref(); srv.ref(); setTimeout(() => srv.close(), 400).unref();`,
    (ms) => ms >= 390],
];

describe('event loop: ref/unref as node:net', () => {
  for (const [name, body, ok] of cases) {
    it(name, async () => {
      const [n, w] = await Promise.all([exitAfter('node:net', body), exitAfter('wasm', body)]);
      expect({ node: ok(n), wasm: ok(w), n, w }).toEqual({ node: true, wasm: true, n, w });
    });
  }
});
