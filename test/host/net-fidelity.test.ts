// wasm-tcp/net against node:net: the same code over both, the same observable events in the same order.
import { once } from 'node:events';
import * as nodeNet from 'node:net';
import { describe, expect, it } from 'vitest';
import * as wasmNet from '../../src/net.js';
import { realPair } from './helpers.js';

type Net = typeof nodeNet;
const impls: [string, Net][] = [['node:net', nodeNet], ['wasm-tcp/net', wasmNet as unknown as Net]];
const HOST = '127.0.0.1'; // the wasm default stack answers there too, so the code is the same

/** Runs `fn` over Node's net and over ours; the results must be equal. */
async function same<T>(fn: (net: Net) => Promise<T>): Promise<T> {
  const [a, b] = [await fn(impls[0][1]), await fn(impls[1][1])];
  expect(b).toEqual(a);
  return a;
}

/** Records a socket's events as strings ('data' as a byte count at 'end'). */
function record(s: nodeNet.Socket, log: string[], tag = ''): void {
  let bytes = 0;
  s.on('connect', () => log.push(`${tag}connect`));
  s.on('data', (d: Buffer) => (bytes += d.length));
  s.on('end', () => log.push(`${tag}end ${bytes}`));
  s.on('finish', () => log.push(`${tag}finish`));
  s.on('timeout', () => log.push(`${tag}timeout`));
  s.on('error', (e: NodeJS.ErrnoException) => log.push(`${tag}error ${e.code ?? e.name}`));
  s.on('close', (hadError: boolean) => log.push(`${tag}close ${hadError}`));
}

async function listening(net: Net, srv: nodeNet.Server, ...args: unknown[]): Promise<number> {
  (srv.listen as (...a: unknown[]) => unknown)(...(args.length ? args : [0, HOST]));
  await once(srv, 'listening');
  return (srv.address() as nodeNet.AddressInfo).port;
}

const closeServer = (srv: nodeNet.Server) => new Promise<void>((r) => srv.close(() => r()));
/** Resolves at 'close' (events.once would reject at an 'error' before it). */
const closed = (s: { once(e: 'close', f: () => void): unknown }) => new Promise<void>((r) => s.once('close', () => r()));

describe('wasm-tcp/net behaves as node:net', () => {
  it("both ends end() at once: every socket emits 'finish', 'end' and 'close' (20 connections)", async () => {
    await same(async (net) => {
      const logs: string[][] = [];
      const all: Promise<unknown>[] = [];
      const srv = net.createServer((s) => {
        const log: string[] = [];
        logs.push(log);
        record(s, log, 'server ');
        all.push(closed(s));
        s.end('bye');
      });
      const port = await listening(net, srv);
      for (let i = 0; i < 20; i++) {
        const c = net.connect(port, HOST);
        const log: string[] = [];
        logs.push(log);
        record(c, log, 'client ');
        all.push(closed(c));
        c.on('connect', () => c.end('hi'));
      }
      await Promise.all(all);
      await closeServer(srv);
      // Per socket: what happened, in an order both stacks agree on ('end'/'finish' may swap: sorted).
      return logs.map((l) => [...l.slice(0, -1)].sort().concat(l.slice(-1))).sort();
    });
  });

  it("core sockets: end(cb)'s callback runs even when the peer's FIN closes the socket first", async () => {
    const { a, b } = realPair(3);
    let callbacks = 0;
    const finishes: string[] = [];
    const done: Promise<unknown>[] = [];
    b.listen(7, {}, (s) => { s.on('data', () => s.end(() => callbacks++)); done.push(closed(s)); });
    for (let i = 0; i < 20; i++) {
      const s = a.connect({ host: '10.3.0.2', port: 7 });
      s.resume();
      s.on('connect', () => { s.write('x'); s.end(() => callbacks++); });
      s.on('finish', () => finishes.push('finish'));
      done.push(closed(s));
    }
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(done);
    expect(callbacks).toBe(40);
    expect(finishes.length).toBe(20);
  });

  it("'close' carries hadError; ECONNREFUSED comes with syscall and port", async () => {
    await same(async (net) => {
      const srv = net.createServer((s) => s.end());
      const port = await listening(net, srv);
      await closeServer(srv);
      const log: string[] = [];
      const c = net.connect(port, HOST);
      record(c, log);
      const done = closed(c);
      const [err] = (await once(c, 'error')) as [NodeJS.ErrnoException];
      await done;
      return { log, syscall: err.syscall, port: (err as { port?: number }).port === port };
    });
  });

  it('socket.timeout, and setTimeout/setKeepAlive/setNoDelay before connect() are kept', async () => {
    await same(async (net) => {
      const srv = net.createServer((s) => s.on('data', () => {}));
      const port = await listening(net, srv);
      const c = new net.Socket();
      const before = c.timeout;
      c.setNoDelay(true);
      c.setKeepAlive(true, 100);
      c.setTimeout(60);
      const log: string[] = [];
      record(c, log);
      c.connect(port, HOST);
      await once(c, 'timeout');
      const after = c.timeout;
      const done = closed(c);
      c.destroy();
      await done;
      await closeServer(srv);
      return { before, after, log };
    });
  });

  it('keepalive set before connect() is applied at connect (probes go out)', async () => {
    const { a, b } = realPair(4);
    const srv = wasmNet.createServer({ stack: b }, () => {}).listen(9);
    await once(srv, 'listening');
    const c = new wasmNet.Socket({ stack: a });
    c.setKeepAlive(true, 30);
    c.connect(9, '10.4.0.2');
    await once(c, 'connect');
    await new Promise((r) => setTimeout(r, 150));
    expect(a.engine.stats.keepaliveProbes).toBeGreaterThan(0);
    c.destroy();
    srv.close();
  });

  it("server.maxConnections: extra connections are closed and 'drop' is emitted", async () => {
    await same(async (net) => {
      const events: string[] = [];
      const srv = net.createServer((s) => { events.push('connection'); s.on('data', () => {}); });
      srv.maxConnections = 1;
      srv.on('drop', (d?: { remotePort?: number; localPort?: number }) => events.push(`drop ${typeof d?.remotePort} ${d?.localPort === port}`));
      const port = await listening(net, srv);
      const clients: nodeNet.Socket[] = [];
      const logs: string[][] = [];
      for (let i = 0; i < 3; i++) {
        const c = net.connect(port, HOST);
        const log: string[] = [];
        logs.push(log);
        record(c, log);
        clients.push(c);
        await once(c, 'connect');
        await new Promise((r) => setTimeout(r, 30));
      }
      await Promise.all(clients.slice(1).map((c) => (c.closed ? Promise.resolve() : closed(c))));
      clients[0].destroy();
      await closed(clients[0]);
      await closeServer(srv);
      return { events, logs };
    });
  });

  it('listen on an address the host does not have: EADDRNOTAVAIL', async () => {
    await same(async (net) => {
      const srv = net.createServer();
      srv.listen(0, '10.9.9.9');
      const [err] = (await once(srv, 'error')) as [NodeJS.ErrnoException];
      return { code: err.code, syscall: err.syscall, listening: srv.listening };
    });
  });

  it('signal: aborting destroys a connecting socket with AbortError and closes a server', async () => {
    await same(async (net) => {
      const srv = net.createServer((s) => s.on('data', () => {}));
      const port = await listening(net, srv);
      const ac = new AbortController();
      const log: string[] = [];
      const c = net.connect({ port, host: HOST, signal: ac.signal });
      record(c, log);
      await once(c, 'connect');
      ac.abort();
      await closed(c);
      await closeServer(srv);
      const ac2 = new AbortController();
      const srv2 = net.createServer();
      const srv2Closed = once(srv2, "close");
      srv2.listen({ port: 0, host: HOST, signal: ac2.signal });
      await once(srv2, 'listening');
      ac2.abort();
      await srv2Closed;
      return { log, listening: srv2.listening };
    });
  });

  it('destroySoon(): the written data arrives, then FIN; finish before close', async () => {
    await same(async (net) => {
      const got: string[] = [];
      const srv = net.createServer((s) => {
        record(s, got, 'server ');
        s.on('end', () => s.end());
      });
      const port = await listening(net, srv);
      const log: string[] = [];
      const c = net.connect(port, HOST);
      record(c, log);
      await once(c, 'connect');
      c.write(Buffer.alloc(100_000, 1));
      const done = closed(c);
      c.destroySoon();
      await done;
      await closeServer(srv);
      return { log, got, destroyed: c.destroyed };
    });
  });
});
