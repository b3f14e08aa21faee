import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { EventKind, TcpState } from '../../src/engine/engine.js';
import { Pair, A_ADDR, B_ADDR } from './pair.js';
import { Errno } from '../../src/engine/errno.js';
import { setNextIss, testModule } from '../support/test-engine.js';

/** Deterministic pseudo-random bytes. */
function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; b[i] = x & 255; }
  return b;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Transfers `size` bytes each way between two engines, then closes both; returns what each side received. */
function transfer(p: Pair, size: number, opts: { until?: number } = {}) {
  const l = p.b.listen(80);
  const ca = p.a.connect(B_ADDR, 80, p.now);
  expect(ca).toBeGreaterThanOrEqual(0);
  let cb = -1;
  const dataA = pattern(size, 1), dataB = pattern(size, 2);
  let sentA = 0, sentB = 0;
  const gotA: Uint8Array[] = [], gotB: Uint8Array[] = [];
  let lenA = 0, lenB = 0, eofA = false, eofB = false, closedA = false, closedB = false;
  const buf = new Uint8Array(65536);
  p.run(() => {
    if (cb < 0) { const c = p.b.accept(l); if (c >= 0) cb = c; }
    if (p.a.state(ca) >= TcpState.ESTABLISHED && sentA < size) {
      const n = p.a.send(ca, dataA.subarray(sentA, Math.min(size, sentA + 200000)), p.now);
      if (n > 0) sentA += n;
      if (sentA === size) p.a.shutdown(ca, p.now);
    }
    if (cb >= 0 && sentB < size) {
      const n = p.b.send(cb, dataB.subarray(sentB, Math.min(size, sentB + 200000)), p.now);
      if (n > 0) sentB += n;
      if (sentB === size) p.b.shutdown(cb, p.now);
    }
    for (;;) { const n = p.a.recv(ca, buf, p.now); if (n > 0) { gotA.push(buf.slice(0, n)); lenA += n; } else { if (n === 0) eofA = true; break; } }
    if (cb >= 0) for (;;) { const n = p.b.recv(cb, buf, p.now); if (n > 0) { gotB.push(buf.slice(0, n)); lenB += n; } else { if (n === 0) eofB = true; break; } }
    closedA = p.a.state(ca) === TcpState.TIME_WAIT || p.a.state(ca) === TcpState.CLOSED;
    closedB = cb >= 0 && (p.b.state(cb) === TcpState.TIME_WAIT || p.b.state(cb) === TcpState.CLOSED);
    return eofA && eofB && closedA && closedB;
  }, opts.until ?? 1e7);
  const join = (parts: Uint8Array[], n: number) => { const o = new Uint8Array(n); let k = 0; for (const x of parts) { o.set(x, k); k += x.length; } return o; };
  return { ca, cb, l, recvA: join(gotA, lenA), recvB: join(gotB, lenB), dataA, dataB, eofA, eofB };
}

describe('engine to engine', () => {
  it('handshake, data both ways, orderly close', () => {
    const p = new Pair();
    const r = transfer(p, 100_000);
    expect(r.eofA && r.eofB).toBe(true);
    expect(equalBytes(r.recvB, r.dataA)).toBe(true);
    expect(equalBytes(r.recvA, r.dataB)).toBe(true);
    expect(p.evA.some((e) => e.kind === EventKind.Connected && e.conn === r.ca)).toBe(true);
    expect(p.evB.some((e) => e.kind === EventKind.Accept)).toBe(true);
  });

  it('connect to a closed port gets RST and ECONNREFUSED', () => {
    const p = new Pair();
    const ca = p.a.connect(B_ADDR, 81, 0);
    p.run(() => p.a.state(ca) === TcpState.CLOSED);
    expect(p.evA.find((e) => e.kind === EventKind.Closed)?.arg).toBe(-Errno.ECONNREFUSED);
  });

  it('bulk transfer survives random loss', () => {
    const p = new Pair();
    let x = 12345;
    p.filter = () => { x = (x * 1103515245 + 12345) >>> 0; return (x >>> 16) % 100 >= 5; };
    const r = transfer(p, 300_000);
    expect(equalBytes(r.recvB, r.dataA)).toBe(true);
    expect(equalBytes(r.recvA, r.dataB)).toBe(true);
    expect(p.a.stats.retransmits + p.b.stats.retransmits).toBeGreaterThan(0);
  });

  it('addresses are used', () => {
    expect(A_ADDR).not.toBe(B_ADDR);
  });

  it('2 MB each way with loss, duplication, reordering and corruption arrive bit-exact (sha256)', () => {
    for (const seed of [1, 2]) {
      const cfg = { timestamps: true, sack: true, sendBufferSize: 256 * 1024, recvBufferSize: 256 * 1024 };
      const p = new Pair(cfg, seed);
      let x = seed * 7919;
      const rnd = () => { x = (x * 1103515245 + 12345) >>> 0; return (x >>> 8) / 16777216; };
      const held: { to: 'a' | 'b'; pkt: Uint8Array }[] = [];
      p.filter = (from, pkt) => {
        const r = rnd();
        if (r < 0.03) return false; // loss
        const to = from === 'a' ? 'b' : 'a';
        if (r < 0.05) { held.push({ to, pkt: pkt.slice() }); return false; } // reorder: deliver later
        if (r < 0.06) { const c = pkt.slice(); c[20 + Math.floor(rnd() * (c.length - 20))] ^= 1 << Math.floor(rnd() * 8); (to === 'a' ? p.a : p.b).input(c, p.now); return true; } // corrupt copy
        if (r < 0.08) (to === 'a' ? p.a : p.b).input(pkt, p.now); // duplicate
        if (held.length > 0 && r > 0.9) { const h = held.shift()!; (h.to === 'a' ? p.a : p.b).input(h.pkt, p.now); }
        return true;
      };
      const r = transfer(p, 2_000_000);
      const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      expect(r.recvB.length).toBe(2_000_000);
      expect(sha(r.recvB)).toBe(sha(r.dataA));
      expect(sha(r.recvA)).toBe(sha(r.dataB));
      expect(p.a.stats.badChecksum + p.b.stats.badChecksum).toBeGreaterThan(0);
    }
  });

  it('sequence numbers wrap past 2^32 in the middle of a bulk transfer', () => {
    const p = new Pair({ timestamps: true }, 7, undefined, testModule());
    setNextIss(p.a, 0xffff0000);
    setNextIss(p.b, 0xfffff000);
    const r = transfer(p, 500_000);
    expect(equalBytes(r.recvB, r.dataA)).toBe(true);
    expect(equalBytes(r.recvA, r.dataB)).toBe(true);
    // Both ISNs sat just below 2^32 and both directions moved 500 000 bytes past them.
    const ia = p.a.info(r.ca), ib = p.b.info(r.cb);
    expect([ia.iss, ib.iss]).toEqual([0xffff0000, 0xfffff000]);
    expect([ia.irs, ib.irs]).toEqual([0xfffff000, 0xffff0000]);
    expect(ia.sndUna).toBeLessThan(ia.iss);
    expect(ia.rcvNxt).toBeLessThan(ia.irs);
  });

  it('large MSS (64 KiB MTU) and window scaling', () => {
    const cfg = { mss: 65495 - 40, sendBufferSize: 1 << 20, recvBufferSize: 1 << 20, txQueueSize: 4 << 20, timestamps: true };
    const p = new Pair(cfg);
    const r = transfer(p, 5_000_000);
    expect(equalBytes(r.recvB, r.dataA)).toBe(true);
    expect(p.a.info(r.ca).rcvWscale).toBeGreaterThan(0);
  });
});

describe('engine to engine: closing and flow control', () => {
  it('simultaneous close: FIN_WAIT_1 → CLOSING → TIME_WAIT on both sides', () => {
    const p = new Pair();
    const l = p.b.listen(80);
    const ca = p.a.connect(B_ADDR, 80, 0);
    p.pump();
    const cb = p.b.accept(l);
    p.a.close(ca, p.now);
    p.b.close(cb, p.now); // both FINs cross on the wire
    p.pump();
    expect(p.a.state(ca)).toBe(TcpState.TIME_WAIT);
    expect(p.b.state(cb)).toBe(TcpState.TIME_WAIT);
    const seq = (ev: typeof p.evA, c: number) => ev.filter((e) => e.kind === EventKind.State && e.conn === c).map((e) => e.arg & 255);
    expect(seq(p.evA, ca)).toEqual([TcpState.SYN_SENT, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.CLOSING, TcpState.TIME_WAIT]);
    expect(seq(p.evB, cb)).toEqual([TcpState.SYN_RCVD, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.CLOSING, TcpState.TIME_WAIT]);
    p.run(() => p.a.state(ca) === TcpState.CLOSED && p.b.state(cb) === TcpState.CLOSED);
    expect(p.now).toBe(60_000);
  });

  it('a receiver that stops reading closes the window; persist probes keep it alive; all data arrives', () => {
    const p = new Pair({ recvBufferSize: 16384, sendBufferSize: 65536 });
    const l = p.b.listen(80);
    const ca = p.a.connect(B_ADDR, 80, 0);
    p.pump();
    const cb = p.b.accept(l);
    const data = pattern(200_000, 9);
    let sent = 0;
    p.run(() => { if (sent < data.length) { const n = p.a.send(ca, data.subarray(sent), p.now); if (n > 0) sent += n; } return p.now >= 10_000; }, 10_000);
    expect(p.b.readable(cb)).toBeGreaterThan(16000); // the SYN's window: whole MSS below the buffer size
    expect(p.a.stats.zeroWindowProbes).toBeGreaterThan(2);
    expect(p.a.state(ca)).toBe(TcpState.ESTABLISHED);
    const got: number[] = [];
    const buf = new Uint8Array(5000);
    p.run(() => {
      if (sent < data.length) { const n = p.a.send(ca, data.subarray(sent), p.now); if (n > 0) sent += n; }
      for (;;) { const n = p.b.recv(cb, buf, p.now); if (n <= 0) break; for (let i = 0; i < n; i++) got.push(buf[i]); }
      return got.length === data.length;
    });
    expect(equalBytes(Uint8Array.from(got), data)).toBe(true);
  });

  it('SYN and SYN-ACK losses are recovered by retransmission', () => {
    const p = new Pair();
    let n = 0;
    p.filter = () => { n++; return n > 2; }; // drop the first SYN and the first SYN-ACK
    const l = p.b.listen(80);
    const ca = p.a.connect(B_ADDR, 80, 0);
    p.run(() => p.a.state(ca) === TcpState.ESTABLISHED && p.b.accept(l) >= 0);
    expect(p.now).toBeGreaterThanOrEqual(1000);
    expect(p.a.stats.retransmits + p.b.stats.retransmits).toBeGreaterThanOrEqual(1);
  });

  it('peer reboot: the next segment draws RST and the connection dies with ECONNRESET', () => {
    const p = new Pair();
    const l = p.b.listen(80);
    const ca = p.a.connect(B_ADDR, 80, 0);
    p.pump();
    expect(p.b.accept(l)).toBeGreaterThanOrEqual(0);
    const rebooted = new Pair(); // a fresh B with no memory of the connection
    p.filter = (from, pkt) => { if (from === 'a') { rebooted.b.input(pkt, p.now); rebooted.b.drainTx((r) => p.a.input(r, p.now)); } return false; };
    p.a.send(ca, new Uint8Array(100), p.now);
    p.pump();
    expect(p.a.state(ca)).toBe(TcpState.CLOSED);
    expect(p.evA.find((e) => e.kind === EventKind.Closed)?.arg).toBe(-Errno.ECONNRESET);
  });
});
