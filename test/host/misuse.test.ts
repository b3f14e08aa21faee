// API misuse gives clean results (negative errno, Node-coded errors), never a WASM trap or a corrupted engine.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { Sha256 } from '../../src/util/sha256.js';
import { CLIENT, SERVER, concat, directPair } from './helpers.js';
import { Errno } from '../../src/engine/errno.js';

const EBADF = -Errno.EBADF, EINVAL = -Errno.EINVAL;
const A = 0x0a000001, B = 0x0a000002;

describe('engine calls with bad arguments', () => {
  it('invalid, out-of-range and released handles give EBADF (or nothing), never a trap', () => {
    const e = Engine.create({ addr: A, seed: 1 });
    const before = e.memory.buffer.byteLength;
    const c = e.connect(B, 80, 0);
    expect(c).toBeGreaterThanOrEqual(0);
    e.release(c, 0);
    const buf = new Uint8Array(16);
    for (const h of [-1, 1, 127, 128, 1e9, NaN, 2 ** 31, -(2 ** 31), c]) {
      expect(e.send(h, buf, 0)).toBe(EBADF);
      expect(e.recv(h, buf, 0)).toBe(EBADF);
      expect(e.close(h, 0)).toBe(EBADF);
      expect(e.abort(h, 0)).toBe(EBADF);
      expect(e.shutdown(h, 0)).toBe(EBADF);
      expect(e.accept(h)).toBe(EBADF);
      expect(() => { e.release(h, 0); e.unlisten(h, 0); e.setNoDelay(h, true, 0); e.setKeepAlive(h, true, 5, 0); e.setLinger0(h, true, 0); e.setUserTimeout(h, 5, 0); }).not.toThrow();
      expect(() => e.info(h)).toThrow(expect.objectContaining({ code: 'EBADF' }));
      expect(e.readable(h)).toBe(0);
      expect(e.bufferedSend(h)).toBe(0);
    }
    expect(e.connectionsInUse).toBe(0); // releasing a SYN_SENT connection deletes it (RFC 9293 §3.10.4)
    expect(e.memory.buffer.byteLength).toBe(before);
  });

  it('bad ports, addresses and times are EINVAL or harmless', () => {
    const e = Engine.create({ addr: A, seed: 1 });
    expect(e.connect(B, 0, 0)).toBe(EINVAL);
    expect(e.connect(B, 65536, 0)).toBe(EINVAL);
    expect(e.connect(0, 80, 0)).toBe(EINVAL);
    expect(e.connect(0xffffffff, 80, 0)).toBe(-Errno.ENETUNREACH); // ENETUNREACH, as Linux for broadcast
    expect(e.connect(0xe0000001, 80, 0)).toBe(-Errno.ENETUNREACH); // and multicast
    expect(e.connectionsInUse).toBe(0);
    expect(e.connect(B, 80, 0, 70000)).toBe(EINVAL);
    expect(e.connect(B, 80, 0, -5)).toBe(EINVAL);
    expect(e.listen(-1)).toBe(EINVAL);
    expect(e.listen(65536, 1e9)).toBe(EINVAL);
    for (const t of [NaN, -Infinity, Infinity, -1]) expect(() => e.poll(t)).not.toThrow();
    expect(() => { e.input(new Uint8Array(0), 0); e.input(new Uint8Array(1 << 20), 0); }).not.toThrow();
  });

  it('a send larger than the ring queues what fits and reports the count', () => {
    const e = Engine.create({ addr: A, seed: 1 });
    const c = e.connect(B, 80, 0);
    expect(e.send(c, new Uint8Array(10_000_000), 0)).toBe(e.config.sendBufferSize);
    expect(e.send(c, new Uint8Array(1), 0)).toBe(-Errno.EAGAIN);
    expect(e.recv(c, new Uint8Array(0), 0)).toBe(0);
  });

  it('invalid configurations are EINVAL at create', () => {
    for (const config of [
      { maxConnections: -1 }, { maxConnections: 1e9 }, { mss: NaN }, { mss: 0 }, { sendBufferSize: 0 }, { recvBufferSize: 1 },
      { rtoMinMs: 5000, rtoMaxMs: 1000 }, { ephemeralLow: 50000, ephemeralHigh: 40000 },
    ]) {
      expect(() => Engine.create({ addr: A, seed: 1, config })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
  });
});

describe('socket misuse', () => {
  it('write after end or destroy: EPIPE via error/callback; end/destroy twice are no-ops; bad chunks throw', () => {
    const { clock, client, server } = directPair();
    server.listen(80, {}, (s) => s.resume());
    const s = client.connect({ host: SERVER, port: 80 });
    const errors: string[] = [];
    const cbErrors: string[] = [];
    s.on('error', (e) => errors.push((e as { code: string }).code));
    clock.runFor(10);
    expect(() => s.write(123 as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => s.write({} as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(s.write(new Uint16Array([1, 2]) as unknown as Uint8Array)).toBe(true); // any ArrayBufferView is bytes
    s.end();
    s.end();
    expect(s.write('late', (e) => cbErrors.push((e as unknown as { code: string }).code))).toBe(false);
    clock.runFor(10);
    expect(cbErrors).toEqual(['EPIPE']);
    expect(errors).toEqual(['EPIPE']);
    s.destroy();
    s.destroy();
    expect(() => { s.setNoDelay(true); s.setKeepAlive(true, 100); s.write('x'); }).not.toThrow();
    clock.runFor(1000);
    expect(errors).toEqual(['EPIPE']); // destroyed: no more errors
  });

  it('a huge write is delivered whole and intact', () => {
    const { clock, client, server } = directPair();
    const got: Uint8Array[] = [];
    let ended = false;
    server.listen(80, {}, (s) => { s.on('data', (d: Uint8Array) => got.push(d)); s.on('end', () => { ended = true; s.end(); }); });
    const big = new Uint8Array(8_000_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const s = client.connect({ host: SERVER, port: 80 });
    const mem = client.engine.memory.buffer.byteLength;
    expect(s.write(big)).toBe(false); // far above the high-water mark
    s.end();
    expect(clock.runUntil(() => ended, { timeout: 60_000 })).toBe(true);
    const all = concat(got);
    expect(all.length).toBe(big.length);
    expect(new Sha256().update(all).digestHex()).toBe(new Sha256().update(big).digestHex());
    expect(client.engine.memory.buffer.byteLength).toBe(mem);
  });

  it('connect to self: ECONNREFUSED without a listener; same local and remote port is a simultaneous open with itself', () => {
    const { clock, client } = directPair();
    const codes: string[] = [];
    client.connect({ host: CLIENT, port: 9 }).on('error', (e) => codes.push((e as { code: string }).code));
    const self = client.connect({ host: CLIENT, port: 40000, localPort: 40000 });
    let connected = false;
    self.on('connect', () => { connected = true; self.end('me'); });
    const data: string[] = [];
    self.on('data', (d: Uint8Array) => data.push(new TextDecoder().decode(d)));
    clock.runFor(1000);
    expect(codes).toEqual(['ECONNREFUSED']);
    expect(connected).toBe(true);
    expect(data.join('')).toBe('me');
  });

  it('a full connection or listener table is an EMFILE error on the socket or server, not a throw', () => {
    const { clock, client, server } = directPair({ maxConnections: 2, maxListeners: 1, recycleTimeWait: false });
    server.listen(80, {}, (s) => s.resume());
    const codes: string[] = [];
    const socks = [1, 2, 3].map(() => client.connect({ host: SERVER, port: 80 }));
    socks.forEach((s) => s.on('error', (e) => codes.push((e as { code: string }).code)));
    const srv2 = server.listen(81);
    srv2.on('error', (e) => codes.push(`server ${(e as { code: string }).code}`));
    clock.runFor(100);
    expect(codes.sort()).toEqual(['EMFILE', 'server EMFILE']);
    expect(socks.filter((s) => s.tcpState === 'ESTABLISHED').length).toBe(2);
  });

  it('bad host and bad port give Node codes', () => {
    const { clock, client } = directPair();
    const codes: string[] = [];
    client.connect({ host: 'no..such', port: 80 }).on('error', (e) => codes.push((e as { code: string }).code));
    expect(() => client.connect({ host: SERVER, port: 0 })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
    expect(() => client.connect({ host: SERVER, port: 1.5 })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
    clock.runFor(10);
    expect(codes).toEqual(['ENOTFOUND']);
  });
});
