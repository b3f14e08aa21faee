// `wasm-tcp web`: what it serves, what it refuses, and its usage errors (no browser needed).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeb, type WebProcess } from './launch.js';

const built = existsSync('dist/cli.js') && existsSync('dist/web/app.js');

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli.js', 'web', ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe.skipIf(!built)('wasm-tcp web', () => {
  let web: WebProcess;

  beforeAll(async () => {
    web = await startWeb();
  });

  afterAll(async () => {
    await web?.close();
  });

  it('prints a loopback URL with the port it picked', () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(new URL(web.url).port).not.toBe('0');
  });

  it('serves the page, its script, the stylesheet and the core bundle', async () => {
    const get = async (path: string) => {
      const r = await fetch(new URL(path, web.url));
      return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
    };
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toContain('<script type="module" src="app.js">');
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//); // no external assets
    const app = await get('/app.js');
    expect(app.type).toMatch(/^text\/javascript/);
    expect(app.body).toContain('./wasm-tcp.js');
    const core = await get('/wasm-tcp.js');
    expect(core.status).toBe(200);
    expect(core.body).toContain('runScenario');
    expect((await get('/style.css')).type).toMatch(/^text\/css/);
  });

  it('serves nothing else', async () => {
    for (const path of ['/package.json', '/../package.json', '/web/app.ts', '/dist/cli.js', '/%2e%2e/package.json']) {
      expect((await fetch(new URL(path, web.url))).status, path).toBe(404);
    }
    expect((await fetch(web.url, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('bad --port is a usage error (exit 2, one line)', () => {
    const r = cli('--port', 'eighty');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--port');
    for (const args of [['--bogus'], ['extra'], ['--port'], ['--port', '99999'], ['--port', '']]) {
      const bad = cli(...args);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(bad.stderr, args.join(' ')).toMatch(/^wasm-tcp web: /);
    }
  });

  it('an unknown --host is one clear error line, exit 1', () => {
    const r = cli('--port', '0', '--host', 'no-such-host.invalid');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('wasm-tcp web: cannot resolve --host no-such-host.invalid');
  });

  it('a port in use is one clear error line, exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;
    const r = spawnSync(process.execPath, ['dist/cli.js', 'web', '--port', String(port)], { encoding: 'utf8', timeout: 20_000 });
    blocker.close();
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`wasm-tcp web: port ${port} is in use (try --port 0)`);
  });

  it('--help documents the options', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--port P');
  });
});
