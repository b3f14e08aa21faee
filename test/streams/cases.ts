// The web-streams API cases, framework-free so the same file runs under vitest in Node and inside a
// Chromium page (test/streams/browser.test.ts bundles it with the browser build of the core).
import type * as Lib from '../../src/browser.js';

type LibT = typeof Lib;
type Conn = Lib.TcpConnection;

/** Options of a run: `bigBytes` is the size of the large echo. */
export interface CaseEnv {
  lib: LibT;
  bigBytes: number;
}

export interface Case {
  name: string;
  run(env: CaseEnv): Promise<void>;
}

export function fail(msg: string): never {
  throw new Error(msg);
}
export function eq<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}
export function ok(cond: unknown, what: string): void {
  if (!cond) fail(what);
}
async function rejectsWith(p: Promise<unknown>, code: string, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    const c = (err as { code?: string; name?: string }).code ?? (err as Error).name;
    return eq(c, code, what);
  }
  fail(`${what}: expected a rejection with ${code}, it resolved`);
}

/** Pseudo-random bytes from a seed (xorshift32), filled in place. */
function fill(buf: Uint8Array, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < buf.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = x & 255;
  }
  return buf;
}

/** Two stacks over a zero-delay DirectLink on one virtual clock. */
function pair(lib: LibT, config: Partial<Lib.EngineConfig> = {}) {
  const clock = new lib.VirtualClock();
  const a = new lib.Stack({ address: '10.0.0.1', clock, config, name: 'a' });
  const b = new lib.Stack({ address: '10.0.0.2', clock, config, name: 'b' });
  lib.DirectLink.connect(a, b, clock);
  return { clock, a, b };
}

/**
 * Runs the virtual clock in 1 ms slices, letting promise callbacks (the streams' machinery) run in
 * between, until `p` settles; `each` is called after every slice.
 */
export async function drive<T>(clock: Lib.VirtualClock, p: Promise<T>, each?: () => void, limitMs = 3_600_000): Promise<T> {
  let settled = false;
  const q = p.finally(() => (settled = true));
  q.catch(() => {});
  const end = clock.now() + limitMs;
  while (!settled) {
    if (clock.now() > end) fail('drive: nothing settled within the virtual time limit');
    const before = clock.events;
    clock.runFor(1);
    each?.();
    for (let i = 0; i < 40 && !settled; i++) await null;
    // Nothing ran on the clock: let macrotasks run (zlib in Node, CompressionStream in a page finish there).
    if (clock.events === before && !settled) await new Promise((r) => setTimeout(r, 0));
  }
  return q;
}

/** Reads a readable to its end, hashing; returns [bytes, hex]. */
export async function drain(lib: LibT, r: ReadableStream<Uint8Array>): Promise<[number, string]> {
  const h = new lib.Sha256();
  let n = 0;
  const reader = r.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    h.update(value);
    n += value.length;
  }
  return [n, h.digestHex()];
}

/** A readable of `total` seeded bytes in 64 KiB chunks, and the hash of what it yields. */
export function source(lib: LibT, total: number, seed: number): { stream: ReadableStream<Uint8Array>; hash: string } {
  const chunk = 65536;
  const h = new lib.Sha256();
  const block = fill(new Uint8Array(chunk), seed);
  for (let off = 0; off < total; off += chunk) h.update(block.subarray(0, Math.min(chunk, total - off)));
  let off = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (off >= total) return c.close();
      const n = Math.min(chunk, total - off);
      off += n;
      c.enqueue(block.slice(0, n));
    },
  });
  return { stream, hash: h.digestHex() };
}

/** A pair with a listener on `port` and one connection to it: the client's side `c`, the server's `peer`. */
async function connected(lib: LibT, port: number) {
  const { clock, a, b } = pair(lib);
  const listener = await drive(clock, b.listenTcp({ port }));
  const accepted = acceptOne(listener);
  const c = await drive(clock, a.connectTcp({ host: '10.0.0.2', port }));
  const peer = await drive(clock, accepted);
  return { clock, a, b, listener, c, peer };
}

export async function acceptOne(l: Lib.TcpListener): Promise<Conn> {
  const it = l[Symbol.asyncIterator]();
  const r = await it.next();
  if (r.done) fail('listener ended');
  return r.value;
}

export const CASES: Case[] = [
  {
    name: 'connectTcp/listenTcp: addresses, ports, a round trip and an orderly close',
    async run({ lib }) {
      const { clock, a, b } = pair(lib);
      const listener = await drive(clock, b.listenTcp({ port: 7 }));
      eq(listener.port, 7, 'listener.port');
      const server = (async () => {
        for await (const conn of listener) {
          eq([conn.remoteAddress, conn.localAddress, conn.localPort], ['10.0.0.1', '10.0.0.2', 7], 'server side addresses');
          await conn.readable.pipeTo(conn.writable); // echo, then FIN after the peer's
          return;
        }
      })();
      const c = await drive(clock, a.connectTcp({ host: '10.0.0.2', port: 7, noDelay: true }));
      eq([c.remoteAddress, c.remotePort, c.localAddress], ['10.0.0.2', 7, '10.0.0.1'], 'client side addresses');
      ok(c.localPort > 1023, 'ephemeral local port');
      const w = c.writable.getWriter();
      await drive(clock, w.write(new TextEncoder().encode('hello')));
      await drive(clock, w.close());
      const chunks: string[] = [];
      await drive(clock, (async () => { for await (const chunk of c) chunks.push(new TextDecoder().decode(chunk)); })());
      eq(chunks.join(''), 'hello', 'echoed');
      await drive(clock, server);
      await drive(clock, c.close());
      await drive(clock, listener.close());
      eq(a.openSockets + b.openSockets, 0, 'no socket left open');
    },
  },
  {
    name: 'big echo through readable.pipeTo(writable): bit-exact, host memory bounded, engine memory fixed',
    async run({ lib, bigBytes }) {
      const { clock, a, b } = pair(lib);
      const mem = [a.engine.memory.buffer.byteLength, b.engine.memory.buffer.byteLength];
      const listener = await drive(clock, b.listenTcp({ port: 9 }));
      let serverConn: Conn | undefined;
      const echo = (async () => {
        serverConn = await acceptOne(listener);
        await serverConn.readable.pipeTo(serverConn.writable);
      })();
      const c = await drive(clock, a.connectTcp({ host: '10.0.0.2', port: 9 }));
      const src = source(lib, bigBytes, 7);
      let maxHeld = 0;
      const sample = () => {
        maxHeld = Math.max(maxHeld, c.hostBufferedBytes + (serverConn?.hostBufferedBytes ?? 0));
      };
      const [[n, hash]] = await drive(clock, Promise.all([drain(lib, c.readable), src.stream.pipeTo(c.writable), echo]), sample);
      eq(n, bigBytes, 'bytes echoed');
      eq(hash, src.hash, 'sha256 of the echo');
      ok(maxHeld <= 4 * 65536, `host-side buffering stays bounded (max ${maxHeld} bytes)`);
      eq([a.engine.memory.buffer.byteLength, b.engine.memory.buffer.byteLength], mem, 'engine memory did not grow');
      await drive(clock, listener.close());
    },
  },
  {
    name: 'a slow reader closes the receive window to 0, it reopens, nothing is lost',
    async run({ lib }) {
      const { clock, a, b } = pair(lib, { recvBufferSize: 16384 });
      const listener = await drive(clock, b.listenTcp({ port: 10 }));
      const total = 1_000_000;
      const src = source(lib, total, 3);
      const sender = (async () => {
        const conn = await acceptOne(listener);
        await src.stream.pipeTo(conn.writable);
      })();
      const c = await drive(clock, a.connectTcp({ host: '10.0.0.2', port: 10 }));
      const reader = c.readable.getReader();
      const h = new lib.Sha256();
      let n = 0;
      let sawZero = false;
      for (;;) {
        // read one chunk, then let 50 ms of virtual time pass without reading
        const { value, done } = await drive(clock, reader.read());
        if (done) break;
        h.update(value);
        n += value.length;
        clock.runFor(500); // longer than the sender's SWS override: it fills the window to the last byte
        for (let i = 0; i < 10; i++) await null;
        if (c.socket.conn >= 0 && c.socket.info().rcvWnd === 0) sawZero = true;
      }
      await drive(clock, sender);
      eq(n, total, 'bytes received');
      eq(h.digestHex(), src.hash, 'sha256');
      ok(sawZero, 'the receive window closed to 0 while the reader slept');
      ok(b.engine.stats.zeroWindowProbes > 0, 'the sender probed the zero window');
      await drive(clock, listener.close());
    },
  },
  {
    name: "pipeThrough(new CompressionStream('gzip')) and back through DecompressionStream",
    async run({ lib }) {
      const { clock, a, b } = pair(lib);
      const listener = await drive(clock, b.listenTcp({ port: 11 }));
      const total = 3_000_000;
      const text = new TextEncoder().encode('wasm-tcp web streams '.repeat(100));
      const h = new lib.Sha256();
      const chunks: Uint8Array[] = [];
      for (let off = 0; off < total; off += text.length) {
        const part = text.subarray(0, Math.min(text.length, total - off));
        chunks.push(part);
        h.update(part);
      }
      let wireBytes = 0;
      const server = (async () => {
        const conn = await acceptOne(listener);
        const counted = conn.readable.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform(c, ctl) { wireBytes += c.length; ctl.enqueue(c); } }));
        return drain(lib, counted.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>));
      })();
      const c = await drive(clock, a.connectTcp({ host: '10.0.0.2', port: 11 }));
      let i = 0;
      const plain = new ReadableStream<Uint8Array>({ pull(ctl) { if (i < chunks.length) ctl.enqueue(chunks[i++]); else ctl.close(); } });
      const [, [n, hash]] = await drive(clock, Promise.all([
        plain.pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>).pipeTo(c.writable),
        server,
      ]));
      eq(n, total, 'bytes after decompression');
      eq(hash, h.digestHex(), 'sha256 after the round trip');
      ok(wireBytes > 0 && wireBytes < total / 10, `gzip went over the wire (${wireBytes} bytes)`);
      await drive(clock, c.close());
      await drive(clock, listener.close());
    },
  },
  {
    name: 'writable backpressure: desiredSize falls to 0 while the peer does not read, ready waits, then resumes',
    async run({ lib }) {
      const { clock, a, listener, c, peer } = await connected(lib, 12);
      const w = c.writable.getWriter();
      const sendBuf = a.engine.config.sendBufferSize;
      eq(w.desiredSize, sendBuf, 'desiredSize starts at the send buffer size');
      let written = 0;
      const block = new Uint8Array(16384);
      // the peer reads nothing: its receive window and our send buffer fill up
      while ((w.desiredSize ?? 0) > 0) {
        void w.write(block).catch(() => {});
        written += block.length;
        clock.runFor(5);
        for (let i = 0; i < 20; i++) await null;
        ok(written < 10_000_000, 'backpressure never came');
      }
      let ready = false;
      void w.ready.then(() => (ready = true));
      clock.runFor(1000);
      for (let i = 0; i < 20; i++) await null;
      ok(!ready, 'ready stays pending while nothing drains');
      ok(written <= 65536 + 65536 + sendBuf + 4 * block.length, `the host took only about one send buffer beyond the engine (${written})`);
      const drained = drain(lib, peer.readable);
      await drive(clock, w.ready);
      await drive(clock, w.close());
      const [n] = await drive(clock, drained);
      eq(n, written, 'every byte written arrived');
      await drive(clock, listener.close());
    },
  },
  {
    name: 'errors: ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, EADDRINUSE, EADDRNOTAVAIL, AbortError; bad options throw coded errors',
    async run({ lib }) {
      const { clock, a, b } = pair(lib, { synRetries: 2, rtoInitialMs: 100 });
      await rejectsWith(drive(clock, a.connectTcp({ host: '10.0.0.2', port: 1 })), 'ECONNREFUSED', 'no listener');
      await rejectsWith(drive(clock, a.connectTcp({ host: '10.0.0.77', port: 80 })), 'ETIMEDOUT', 'silent host');
      const l = await drive(clock, b.listenTcp({ port: 13 }));
      await rejectsWith(drive(clock, b.listenTcp({ port: 13 })), 'EADDRINUSE', 'port taken');
      await rejectsWith(drive(clock, b.listenTcp({ port: 14, host: '10.9.9.9' })), 'EADDRNOTAVAIL', 'foreign address');
      const ac = new AbortController();
      const p = a.connectTcp({ host: '10.0.0.77', port: 80, signal: ac.signal });
      ac.abort();
      await rejectsWith(drive(clock, p), 'ABORT_ERR', 'aborted connect');
      await rejectsWith(a.connectTcp({ host: '10.0.0.2', port: 0 }), 'ERR_SOCKET_BAD_PORT', 'port 0');
      await rejectsWith(a.connectTcp(undefined as never), 'ERR_INVALID_ARG_TYPE', 'no options');
      await rejectsWith(b.listenTcp({ port: 15, backlog: -1 }), 'ERR_OUT_OF_RANGE', 'negative backlog');
      await drive(clock, l.close());
      // ICMP host unreachable while connecting (SimNetwork's router answers for a partitioned path)
      const clock2 = new lib.VirtualClock();
      const net = new lib.SimNetwork({ clock: clock2, seed: 1, delay: 5 });
      const x = new lib.Stack({ address: '10.0.0.1', clock: clock2, link: net });
      new lib.Stack({ address: '10.0.0.2', clock: clock2, link: net });
      net.partition('10.0.0.1', '10.0.0.2', { icmp: true });
      await rejectsWith(drive(clock2, x.connectTcp({ host: '10.0.0.2', port: 80 })), 'EHOSTUNREACH', 'ICMP unreachable');
    },
  },
  {
    name: 'a connection that dies (ETIMEDOUT) rejects the pending read and write with that code; close() flushes queued writes',
    async run({ lib }) {
      const clock = new lib.VirtualClock();
      const net = new lib.SimNetwork({ clock, seed: 2, delay: 5 });
      const config = { dataRetries: 3, rtoInitialMs: 100, rtoMaxMs: 400 };
      const x = new lib.Stack({ address: '10.0.0.1', clock, link: net, config });
      const y = new lib.Stack({ address: '10.0.0.2', clock, link: net, config });
      const listener = await drive(clock, y.listenTcp({ port: 20 }));
      const accepted = acceptOne(listener);
      const c = await drive(clock, x.connectTcp({ host: '10.0.0.2', port: 20 }));
      const peer = await drive(clock, accepted);
      // close() with the writable unlocked: what was written still goes out before the FIN
      const pw = peer.writable.getWriter();
      await drive(clock, pw.write(new Uint8Array(5000).fill(1)));
      pw.releaseLock();
      const closing = peer.close();
      const reader = c.readable.getReader();
      const first = await drive(clock, reader.read());
      ok(!first.done && first.value.length > 0, 'data before the FIN');
      let got = first.value!.length;
      for (;;) {
        const r = await drive(clock, reader.read());
        if (r.done) break;
        got += r.value.length;
      }
      eq(got, 5000, 'all written bytes arrived before the FIN');
      await drive(clock, closing);
      // now the path fails: our pending write times out, and so does a read on a second connection
      const accepted2 = acceptOne(listener);
      const c2 = await drive(clock, x.connectTcp({ host: '10.0.0.2', port: 20 }));
      await drive(clock, accepted2);
      net.partition('10.0.0.1', '10.0.0.2');
      const pendingRead = c2.readable.getReader().read();
      const w2 = c2.writable.getWriter();
      // more than the send buffer holds: the rest waits on the host for room that never comes
      const pendingWrite = w2.write(new Uint8Array(x.engine.config.sendBufferSize + 100_000));
      await rejectsWith(drive(clock, pendingRead), 'ETIMEDOUT', 'pending read on a dead path');
      await rejectsWith(drive(clock, pendingWrite), 'ETIMEDOUT', 'pending write on a dead path');
      await rejectsWith(w2.write(new Uint8Array(1)), 'ETIMEDOUT', 'a write after the failure');
      net.heal();
      await drive(clock, listener.close());
    },
  },
  {
    name: 'writer.abort() and readable.cancel() send RST: the peer sees ECONNRESET on its pending read and write',
    async run({ lib }) {
      const { clock, a, b } = pair(lib);
      const listener = await drive(clock, b.listenTcp({ port: 16 }));
      for (const how of ['abort', 'cancel'] as const) {
        const accepted = acceptOne(listener);
        const c = await drive(clock, a.connectTcp({ host: '10.0.0.2', port: 16 }));
        const peer = await drive(clock, accepted);
        const reader = peer.readable.getReader();
        const pending = reader.read();
        const rstBefore = b.engine.stats.rstIn;
        if (how === 'abort') await drive(clock, c.writable.abort(new Error('stop')));
        else await drive(clock, c.readable.cancel());
        await rejectsWith(drive(clock, pending), 'ECONNRESET', `peer's pending read after ${how}`);
        await rejectsWith(drive(clock, peer.writable.getWriter().write(new Uint8Array(10))), 'ECONNRESET', `peer's write after ${how}`);
        ok(b.engine.stats.rstIn > rstBefore, `${how} sent a RST`);
      }
      await drive(clock, listener.close());
    },
  },
  {
    name: 'half-close: writer.close() sends FIN after the queued data; the other direction keeps flowing',
    async run({ lib }) {
      const { clock, a, b, listener, c, peer } = await connected(lib, 17);
      const w = c.writable.getWriter();
      void w.write(new Uint8Array(200_000).fill(5));
      const closing = w.close();
      const [n] = await drive(clock, drain(lib, peer.readable)); // done = the FIN came after all 200 000 bytes
      eq(n, 200_000, 'bytes before the FIN');
      await drive(clock, closing);
      const pw = peer.writable.getWriter();
      await drive(clock, pw.write(new TextEncoder().encode('still open')));
      await drive(clock, pw.close());
      const reader = c.readable.getReader();
      const r = await drive(clock, reader.read());
      eq(new TextDecoder().decode(r.value), 'still open', 'data after our FIN');
      eq((await drive(clock, reader.read())).done, true, 'then the end');
      await drive(clock, c.close());
      await drive(clock, listener.close());
      eq(a.openSockets + b.openSockets, 0, 'both sides closed');
    },
  },
  {
    name: 'TcpListener accepts only when asked (the engine backlog holds the rest); close() ends the iteration',
    async run({ lib }) {
      const { clock, a, b } = pair(lib);
      const listener = await drive(clock, b.listenTcp({ port: 18, backlog: 2 }));
      const conns = [0, 1, 2].map(() => a.connectTcp({ host: '10.0.0.2', port: 18 }));
      conns.forEach((p) => p.catch(() => {}));
      clock.runFor(100);
      for (let i = 0; i < 20; i++) await null;
      eq(b.openSockets, 0, 'nothing accepted before the iterator asks');
      const first = await drive(clock, acceptOne(listener));
      eq(b.openSockets, 1, 'one accepted');
      const it = listener[Symbol.asyncIterator]();
      const second = await drive(clock, it.next());
      ok(!second.done, 'second connection');
      const next = it.next();
      await drive(clock, listener.close());
      eq((await next).done, true, 'iteration ends at close()');
      await drive(clock, first.close());
      await drive(clock, (second.value as Conn).close());
    },
  },
];
