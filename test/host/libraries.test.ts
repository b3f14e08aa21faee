// Real libraries over wasm-tcp/net, each also over Node's own net in the same test: node:http, node:tls,
// ws and undici. Bodies are sha256-checked; closing must take at most 2x Node's time + 100 ms.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as nodeNet from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import * as wasmNet from '../../src/net.js';
import { realPair } from './helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MB5 = randomBytes(5_000_000);

/** Where a test's sockets come from: Node's kernel TCP on loopback, or two wasm-tcp stacks over a DirectLink. */
interface Transport {
  name: string;
  /** Listens; every accepted socket goes to `onSocket`. */
  listen(onSocket: (s: nodeNet.Socket) => void): Promise<{ port: number; close(): Promise<void> }>;
  /** A connecting socket (net.Socket-shaped). */
  connect(port: number): nodeNet.Socket;
}

const nodeTransport: Transport = {
  name: 'node:net',
  async listen(onSocket) {
    const srv = nodeNet.createServer(onSocket);
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    return { port: (srv.address() as nodeNet.AddressInfo).port, close: () => new Promise<void>((r) => srv.close(() => r())) };
  },
  connect: (port) => nodeNet.connect(port, '127.0.0.1'),
};

function wasmTransport(): Transport {
  const { a: client, b: server } = realPair(5);
  return {
    name: 'wasm-tcp/net',
    async listen(onSocket) {
      const srv = wasmNet.createServer({ stack: server }, onSocket as unknown as (s: wasmNet.Socket) => void);
      srv.listen(0);
      await once(srv, 'listening');
      return { port: srv.address()!.port, close: () => new Promise<void>((r) => srv.close(() => r())) };
    },
    connect: (port) => wasmNet.connect({ stack: client, host: '10.5.0.2', port }) as unknown as nodeNet.Socket,
  };
}

/** Runs `fn` over both transports; returns both results (Node's first). */
async function both<T>(fn: (t: Transport) => Promise<T>): Promise<[T, T]> {
  const n = await fn(nodeTransport);
  const w = await fn(wasmTransport());
  return [n, w];
}

/** ms since `t0`. */
const since = (t0: number) => performance.now() - t0;
const closed = (s: { once(e: 'close', f: () => void): unknown }) => new Promise<void>((r) => s.once('close', () => r()));
/** Our close may take at most twice Node's, plus 100 ms. */
function closeTimeOk(node: number, wasm: number): void {
  expect({ node: Math.round(node), wasm: Math.round(wasm), ok: wasm <= 2 * node + 100 }).toMatchObject({ ok: true });
}

describe('node:http over wasm-tcp/net', () => {
  it('GET and POST of 5 MB, 100 keep-alive requests on one connection, a chunked response; close timing', async () => {
    const [n, w] = await both(async (t) => {
      let connections = 0;
      const serverSockets: nodeNet.Socket[] = [];
      const httpServer = http.createServer((req, res) => {
        if (req.url === '/big') return res.end(MB5);
        if (req.url === '/chunked') {
          res.write('part one, ');
          setTimeout(() => res.end('part two'), 5);
          return;
        }
        if (req.method === 'POST') {
          const h = createHash('sha256');
          req.on('data', (d) => h.update(d));
          req.on('end', () => res.end(h.digest('hex')));
          return;
        }
        res.end(`hello ${req.url}`);
      });
      const srv = await t.listen((s) => {
        connections++;
        serverSockets.push(s);
        httpServer.emit('connection', s);
      });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      (agent as unknown as { createConnection: () => nodeNet.Socket }).createConnection = () => t.connect(srv.port);
      const request = (path: string, method = 'GET', body?: Buffer) =>
        new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const req = http.request({ host: 'test', port: srv.port, path, method, agent }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (d: Buffer) => parts.push(d));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
          });
          req.on('error', reject);
          req.end(body);
        });
      const get = await request('/big');
      const post = await request('/upload', 'POST', MB5);
      const texts: string[] = [];
      for (let i = 0; i < 100; i++) texts.push((await request(`/r${i}`)).body.toString());
      const chunked = await request('/chunked');
      const t0 = performance.now();
      const done = Promise.all(serverSockets.map(closed));
      agent.destroy();
      await done;
      const closeMs = since(t0);
      await srv.close();
      return {
        result: {
          get: [get.status, get.body.length, sha(get.body) === sha(MB5)],
          post: [post.status, post.body.toString() === sha(MB5)],
          keepAlive: texts.every((s, i) => s === `hello /r${i}`),
          chunked: [chunked.headers['transfer-encoding'], chunked.body.toString()],
          connections,
        },
        closeMs,
      };
    });
    expect(w.result).toEqual(n.result);
    expect(n.result).toEqual({ get: [200, 5_000_000, true], post: [200, true], keepAlive: true, chunked: ['chunked', 'part one, part two'], connections: 1 });
    closeTimeOk(n.closeMs, w.closeMs);
  });
});

describe('node:tls over wasm-tcp/net', () => {
  let dir: string;
  let key: Buffer;
  let cert: Buffer;
  beforeAll(() => {
    // A throwaway certificate made by Debian's openssl for this run.
    dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=wasm-tcp.test', '-addext', 'subjectAltName=DNS:wasm-tcp.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('TLS 1.3 both ways, 5 MB each way, both ends see close; close timing', async () => {
    const [n, w] = await both(async (t) => {
      // Each side writes 5 MB and ends once it has received the other's 5 MB.
      let lastEnd = 0;
      const receive = (s: tls.TLSSocket) =>
        new Promise<string>((resolve) => {
          const h = createHash('sha256');
          let bytes = 0;
          s.on('data', (d: Buffer) => {
            h.update(d);
            bytes += d.length;
            if (bytes === MB5.length) {
              lastEnd = performance.now();
              s.end();
              resolve(h.digest('hex'));
            }
          });
        });
      const tlsServer = tls.createServer({ key, cert, minVersion: 'TLSv1.3' });
      const server = new Promise<[Promise<string>, Promise<void>]>((resolve) => {
        tlsServer.on('secureConnection', (s) => {
          resolve([receive(s), closed(s)]);
          s.write(MB5);
        });
      });
      const srv = await t.listen((raw) => tlsServer.emit('connection', raw));
      const client = tls.connect({ socket: t.connect(srv.port) as Duplex as nodeNet.Socket, servername: 'wasm-tcp.test', ca: cert, minVersion: 'TLSv1.3' });
      const clientClosed = closed(client);
      await once(client, 'secureConnect');
      const protocol = client.getProtocol();
      const clientGot = receive(client);
      client.write(MB5);
      const [serverGot, serverClosed] = await server;
      const hashes = await Promise.all([serverGot, clientGot]);
      await Promise.all([clientClosed, serverClosed]);
      const closeMs = since(lastEnd);
      await srv.close();
      return { result: { protocol, authorized: client.authorized, serverGot: hashes[0] === sha(MB5), clientGot: hashes[1] === sha(MB5) }, closeMs };
    });
    expect(w.result).toEqual(n.result);
    expect(n.result).toEqual({ protocol: 'TLSv1.3', authorized: true, serverGot: true, clientGot: true });
    closeTimeOk(n.closeMs, w.closeMs);
  });
});

describe('ws over wasm-tcp/net', () => {
  it('echo of text and a 1 MB binary message, then a clean close (1000); close timing', async () => {
    const [n, w] = await both(async (t) => {
      const httpServer = http.createServer();
      const wss = new WebSocketServer({ server: httpServer });
      wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
      const srv = await t.listen((s) => httpServer.emit('connection', s));
      const ws = new WebSocket(`ws://wasm-tcp.test:${srv.port}/`, { createConnection: () => t.connect(srv.port) } as never);
      await once(ws, 'open');
      const next = () => once(ws, 'message') as Promise<[Buffer, boolean]>;
      ws.send('hello');
      const [text] = await next();
      const blob = randomBytes(1_000_000);
      ws.send(blob);
      const [echo, isBinary] = await next();
      const t0 = performance.now();
      const closing = once(ws, 'close');
      ws.close(1000, 'done');
      const [code] = (await closing) as [number];
      const closeMs = since(t0);
      wss.close();
      await srv.close();
      return { result: { text: text.toString(), binary: isBinary, same: sha(echo) === sha(blob), code }, closeMs };
    });
    expect(w.result).toEqual(n.result);
    expect(n.result).toEqual({ text: 'hello', binary: true, same: true, code: 1000 });
    closeTimeOk(n.closeMs, w.closeMs);
  });
});

describe("undici's fetch over wasm-tcp/net", () => {
  it('fetch through Agent({ connect }) that returns our socket: GET and POST of 5 MB; close timing', async () => {
    const [n, w] = await both(async (t) => {
      const serverSockets: nodeNet.Socket[] = [];
      const httpServer = http.createServer((req, res) => {
        if (req.method === 'POST') {
          const h = createHash('sha256');
          req.on('data', (d) => h.update(d));
          req.on('end', () => res.end(h.digest('hex')));
        } else res.end(MB5);
      });
      const srv = await t.listen((s) => {
        serverSockets.push(s);
        httpServer.emit('connection', s);
      });
      const agent = new Agent({
        connect: (_opts, cb) => {
          const s = t.connect(srv.port);
          s.once('connect', () => cb(null, s));
          s.once('error', (e) => cb(e, null));
          return s;
        },
      });
      const res = await fetch(`http://wasm-tcp.test:${srv.port}/big`, { dispatcher: agent });
      const body = new Uint8Array(await res.arrayBuffer());
      const posted = await fetch(`http://wasm-tcp.test:${srv.port}/up`, { method: 'POST', body: MB5, dispatcher: agent });
      const postHash = await posted.text();
      const t0 = performance.now();
      const done = Promise.all(serverSockets.map(closed));
      await agent.close();
      await done;
      const closeMs = since(t0);
      await srv.close();
      return { result: { status: res.status, get: sha(body) === sha(MB5), post: postHash === sha(MB5) }, closeMs };
    });
    expect(w.result).toEqual(n.result);
    expect(n.result).toEqual({ status: 200, get: true, post: true });
    closeTimeOk(n.closeMs, w.closeMs);
  });
});
