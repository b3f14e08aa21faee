// Fixed memory: churning 10 000 connections never grows WASM memory; a full table is a clean error.
import { describe, expect, it } from 'vitest';
import { EventKind, TcpState } from '../../src/engine/engine.js';
import { Pair, B_ADDR } from './pair.js';
import { Harness, SYN, PEER_ISS, REMOTE } from './harness.js';
import { Errno } from '../../src/engine/errno.js';

describe('memory', () => {
  it('10 000 connections churn without memory growth', () => {
    const cfg = { maxConnections: 64, sendBufferSize: 4096, recvBufferSize: 4096, txQueueSize: 131072 };
    const p = new Pair(cfg);
    const sizeA = p.a.memory.buffer.byteLength, sizeB = p.b.memory.buffer.byteLength;
    const l = p.b.listen(80);
    const one = new Uint8Array([42]);
    const buf = new Uint8Array(16);
    let done = 0;
    for (let i = 0; i < 10_000; i++) {
      const c = p.a.connect(B_ADDR, 80, p.now);
      expect(c).toBeGreaterThanOrEqual(0);
      p.pump();
      const s = p.b.accept(l);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(p.a.send(c, one, p.now)).toBe(1);
      p.pump();
      expect(p.b.recv(s, buf, p.now)).toBe(1);
      p.a.close(c, p.now);
      p.pump();
      expect(p.b.recv(s, buf, p.now)).toBe(0);
      p.b.close(s, p.now);
      p.pump();
      expect(p.b.state(s)).toBe(TcpState.CLOSED);
      expect(p.a.state(c)).toBe(TcpState.TIME_WAIT);
      p.a.release(c, p.now);
      p.b.release(s, p.now);
      p.now += 1;
      done++;
    }
    expect(done).toBe(10_000);
    expect(p.a.memory.buffer.byteLength).toBe(sizeA);
    expect(p.b.memory.buffer.byteLength).toBe(sizeB);
    expect(p.b.connectionsInUse).toBe(0);
    expect(p.a.stats.timeWaitRecycled).toBeGreaterThan(9000);
  });

  it('full table: connect gives EMFILE, an inbound SYN is dropped silently (without SYN cookies)', () => {
    const h = new Harness({ maxConnections: 4, recycleTimeWait: false, synCookies: false });
    const l = h.e.listen(80);
    for (let i = 0; i < 4; i++) expect(h.e.connect(REMOTE, 1000 + i, 0)).toBeGreaterThanOrEqual(0);
    expect(h.e.connect(REMOTE, 2000, 0)).toBe(-Errno.EMFILE);
    h.collect();
    h.clear();
    h.send({ seq: PEER_ISS, flags: SYN });
    h.expectNone();
    expect(h.e.stats.synDropped).toBe(1);
    expect(l).toBeGreaterThanOrEqual(0);
  });

  it('listener table full gives EMFILE', () => {
    const h = new Harness({ maxListeners: 2 });
    expect(h.e.listen(1)).toBe(0);
    expect(h.e.listen(2)).toBe(1);
    expect(h.e.listen(3)).toBe(-Errno.EMFILE);
  });

  it('garbage input never traps', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    let x = 99;
    const rnd = () => { x = (x * 1103515245 + 12345) >>> 0; return x >>> 16; };
    for (let i = 0; i < 3000; i++) {
      const n = rnd() % 120;
      const b = new Uint8Array(n);
      for (let j = 0; j < n; j++) b[j] = rnd() & 255;
      if (n > 0 && i % 2 === 0) b[0] = 0x45;
      h.e.input(b, h.now);
    }
    h.e.input(new Uint8Array(200_000), h.now);
    h.collect();
    expect(h.stateName()).toBe('ESTABLISHED');
    expect(h.e.stats.badPackets).toBeGreaterThan(0);
  });

  it('reports the size of a connection record', () => {
    const h = new Harness();
    expect(h.e.connStateBytes).toBeGreaterThan(100);
    // 240 B: 2 scoreboard extents in the record (the other 4 in the scoreboard pool), u32 timer clocks.
    // A field added without moving one out shows here.
    expect(h.e.connStateBytes).toBeLessThanOrEqual(240);
    expect(EventKind.Closed).toBe(6);
  });

  it('keeps the record at 224 bytes (issue 17: no SND.WL2, the user timeout start in tlpHigh, no listener or accept link, packed shifts)', () => {
    expect(new Harness().e.connStateBytes).toBeLessThanOrEqual(224);
  });
});
