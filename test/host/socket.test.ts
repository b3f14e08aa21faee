import { describe, expect, it } from 'vitest';
import type { Socket } from '../../src/socket.js';
import type { Transition } from '../../src/stack.js';
import { concat, directPair, drive, SERVER, CLIENT, simPair, tcpOf } from './helpers.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('Socket and Server over a SimNetwork', () => {
  it('connects, exchanges data both ways and closes in order', () => {
    const { clock, client, server } = simPair();
    const log: string[] = [];
    let serverSide: Socket | undefined;
    const srv = server.listen(80, {}, (s) => {
      serverSide = s;
      log.push(`connection from ${s.remoteAddress}:${s.remotePort}`);
      s.on('data', (d: Uint8Array) => {
        log.push(`server got ${text(d)}`);
        s.write(`echo:${text(d)}`);
      });
      s.on('end', () => log.push('server end'));
      s.on('close', (hadError: boolean) => log.push(`server close ${hadError}`));
    });
    expect(srv.address()).toEqual({ address: SERVER, family: 'IPv4', port: 80 });
    const c = client.connect({ host: SERVER, port: 80 });
    expect(c.connecting).toBe(true);
    c.on('connect', () => {
      log.push('connect');
      c.write('hello');
    });
    c.on('data', (d: Uint8Array) => {
      log.push(`client got ${text(d)}`);
      c.end();
    });
    c.on('end', () => log.push('client end'));
    c.on('close', (hadError: boolean) => log.push(`client close ${hadError}`));
    expect(log).toEqual([]); // nothing happens inside API calls
    clock.runFor(1000);
    expect(log).toEqual([
      'connect', `connection from ${CLIENT}:${c.localPort}`, 'server got hello', 'client got echo:hello',
      // the server's FIN is queued as soon as it reads ours, so it is done before its FIN reaches us
      'server end', 'server close false', 'client end', 'client close false',
    ]);
    expect(c.remoteAddress).toBe(SERVER);
    expect(c.remotePort).toBe(80);
    expect(c.localPort).toBeGreaterThan(1023);
    expect([c.bytesWritten, c.bytesRead]).toEqual([5, 10]);
    expect([serverSide!.bytesRead, serverSide!.bytesWritten]).toEqual([5, 10]);
    // the active closer sits in TIME_WAIT for 2·MSL, then CLOSED
    const last = (tr: Transition[], conn: number) => tr.filter((t) => t.conn === conn).map((t) => t.to);
    expect(last(client.transitions, 0)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    clock.runFor(61_000);
    expect(client.transitions.at(-1)!.to).toBe('CLOSED');
    expect(server.transitions.map((t) => t.to)).toEqual(expect.arrayContaining(['SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']));
  });

  it("hands 'data' listeners copies they own", () => {
    const { clock, client, server } = directPair();
    const chunks: Uint8Array[] = [];
    server.listen(80, {}, (s) => s.on('data', (d: Uint8Array) => chunks.push(d)));
    const c = client.connect({ host: SERVER, port: 80, noDelay: true });
    c.on('connect', () => c.write(new Uint8Array(100).fill(1)));
    clock.runFor(10);
    c.write(new Uint8Array(100).fill(2));
    clock.runFor(10);
    expect(chunks.length).toBe(2);
    expect(chunks[0].every((b) => b === 1)).toBe(true);
    expect(chunks[1].every((b) => b === 2)).toBe(true);
  });

  it("write() returns false above the high-water mark while the peer is paused; 'drain' follows", () => {
    const { clock, client, server } = simPair();
    let peer: Socket | undefined;
    const got: Uint8Array[] = [];
    server.listen(80, {}, (s) => {
      peer = s;
      s.pause();
      s.on('data', (d: Uint8Array) => got.push(d));
    });
    const c = client.connect({ host: SERVER, port: 80 });
    clock.runFor(100);
    const block = new Uint8Array(64 * 1024).map((_, i) => i * 7);
    let writes = 0;
    while (c.write(block)) if (++writes > 100) break;
    expect(writes).toBeLessThan(100); // the engine buffers fill; the host queue passes the mark
    // more than the peer's receive window and our send buffer can absorb while the peer is paused
    for (let i = 0; i < 3; i++) expect(c.write(block)).toBe(false);
    writes += 3;
    let drained = false;
    c.on('drain', () => (drained = true));
    clock.runFor(5000);
    expect(drained).toBe(false); // receiver paused: window closed, nothing moves
    expect(got.length).toBe(0);
    peer!.resume();
    clock.runFor(5000);
    expect(drained).toBe(true);
    const all = concat(got);
    expect(all.length).toBe((writes + 1) * block.length);
    expect(all.subarray(block.length, 2 * block.length)).toEqual(block);
  });

  it('iterates received chunks with for await', async () => {
    const { clock, client, server } = simPair();
    const done = new Promise<Uint8Array>((resolve, reject) => {
      server.listen(80, {}, async (s) => {
        try {
          const parts: Uint8Array[] = [];
          for await (const chunk of s) parts.push(chunk);
          resolve(concat(parts));
        } catch (e) {
          reject(e);
        }
      });
    });
    const payload = new Uint8Array(300_000).map((_, i) => (i * 13) ^ (i >> 8));
    const c = client.connect({ host: SERVER, port: 80 });
    c.on('connect', () => c.end(payload));
    const got = await drive(clock, done);
    expect(got).toEqual(payload);
  });

  it('half-close: the server keeps sending after the client FIN when allowHalfOpen', () => {
    const { clock, client, server } = simPair();
    server.listen(80, { allowHalfOpen: true }, (s) => {
      s.on('data', () => undefined);
      s.on('end', () => {
        s.write('after your FIN');
        s.end();
      });
    });
    const c = client.connect({ host: SERVER, port: 80, allowHalfOpen: true });
    let got = '';
    c.on('connect', () => c.end('bye'));
    c.on('data', (d: Uint8Array) => (got += text(d)));
    let closed = false;
    c.on('close', () => (closed = true));
    clock.runFor(2000);
    expect(got).toBe('after your FIN');
    expect(closed).toBe(true);
  });

  it('keepalive probes an idle connection only when enabled', () => {
    const { clock, client, server, taps } = simPair();
    server.listen(80, {}, (s) => s.on('data', () => undefined));
    const quiet = client.connect({ host: SERVER, port: 80 });
    const probing = client.connect({ host: SERVER, port: 80 });
    probing.setKeepAlive(true, 10_000);
    clock.runFor(1000);
    const before = taps.length;
    clock.runFor(30_000);
    const later = taps.slice(before).map((e) => tcpOf(e.bytes));
    expect(later.some((t) => t.srcPort === probing.localPort)).toBe(true);
    expect(later.some((t) => t.srcPort === quiet.localPort || t.dstPort === quiet.localPort)).toBe(false);
  });

  it('server.close() stops listening and emits close after its connections end; port reuse and EADDRINUSE', () => {
    const { clock, client, server } = simPair();
    const srv = server.listen(80, {}, (s) => s.on('data', () => undefined));
    let err: (Error & { code?: string }) | undefined;
    server.listen(80).on('error', (e: Error) => (err = e));
    const c = client.connect({ host: SERVER, port: 80 });
    clock.runFor(100);
    expect(err?.code).toBe('EADDRINUSE');
    let closed = false;
    srv.close(() => (closed = true));
    expect(srv.listening).toBe(false);
    clock.runFor(100);
    expect(closed).toBe(false); // one connection still open
    c.end();
    clock.runFor(1000);
    expect(closed).toBe(true);
    const again = server.listen(0);
    expect(again.address()!.port).toBeGreaterThanOrEqual(49152);
  });

  it('stack.close() ("process killed") closes every socket with FIN: the peer reads end of stream, no error', () => {
    const { clock, client, server } = simPair();
    server.listen(80, {}, (s) => s.on('data', () => undefined));
    const c = client.connect({ host: SERVER, port: 80 });
    let ended = false;
    let error: unknown;
    c.on('data', () => undefined);
    c.on('end', () => (ended = true));
    c.on('error', (e: unknown) => (error = e));
    clock.runFor(100);
    server.close();
    clock.runFor(1000);
    expect(ended).toBe(true);
    expect(error).toBeUndefined();
    clock.runFor(120_000);
    expect(client.transitions.at(-1)!.to).toBe('CLOSED');
    expect(server.transitions.at(-1)!.to).toBe('CLOSED');
  });

  it("setTimeout emits 'timeout' after idle virtual time; activity pushes it back", () => {
    const { clock, client, server } = simPair();
    server.listen(80, {}, (s) => s.on('data', () => undefined));
    const c = client.connect({ host: SERVER, port: 80 });
    const at: number[] = [];
    clock.runFor(100);
    c.on('timeout', () => at.push(clock.now()));
    c.setTimeout(5000);
    clock.runFor(3000);
    c.write('keep me busy');
    clock.runFor(4000);
    expect(at).toEqual([]);
    clock.runFor(2000);
    expect(at).toEqual([3100 + 5000]);
    expect(c.destroyed).toBe(false); // like Node: a timeout closes nothing
    clock.runFor(20_000);
    expect(at.length).toBe(1); // once per idle period
    c.write('again');
    clock.runFor(6000);
    expect(at.length).toBe(2);
    c.setTimeout(0);
    c.write('and again');
    clock.runFor(20_000);
    expect(at.length).toBe(2);
  });

  it('connects to its own address over loopback', () => {
    const { clock, server } = simPair();
    let got = '';
    server.listen(7, {}, (s) => s.on('data', (d: Uint8Array) => s.end(d)));
    const c = server.connect({ host: 'localhost', port: 7 });
    c.on('connect', () => c.write('ping'));
    c.on('data', (d: Uint8Array) => (got += text(d)));
    clock.runFor(100);
    expect(got).toBe('ping');
  });

  it('memory never grows across 300 connections', () => {
    const { clock, client, server } = directPair({ maxConnections: 32 });
    const mem = [client.engine.memory.buffer.byteLength, server.engine.memory.buffer.byteLength];
    server.listen(80, {}, (s) => s.on('data', () => undefined));
    let done = 0;
    const start = () => {
      const c = client.connect({ host: SERVER, port: 80 });
      c.on('connect', () => c.end('x'));
      c.on('data', () => undefined);
      c.on('close', () => {
        done++;
        if (done < 300) start();
      });
    };
    for (let i = 0; i < 8; i++) start();
    clock.runUntil(() => done >= 300);
    expect(done).toBeGreaterThanOrEqual(300);
    expect([client.engine.memory.buffer.byteLength, server.engine.memory.buffer.byteLength]).toEqual(mem);
  });
});
