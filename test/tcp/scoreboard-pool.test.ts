// The scoreboard pool (assembly/tcp/sbpool.ts): the sender's scoreboard keeps 2 extents in the
// record and takes a pool slot only while it needs more; a connection that finds the pool empty
// fits its scoreboard to 2 extents (a SACK mark forgotten: resends may be spurious, data is never
// lost), counted in sbPoolFull, and a slot goes back as soon as the scoreboard fits the record again.
import { describe, expect, it } from 'vitest';
import { ACK, Harness, SYN, type Opt, type SegOut } from './harness.js';
import { LOSSY_NETWORK } from '../../bench/lossy.js';
import { Transfer } from '../../src/scenario/transfer.js';
import { testModule } from '../support/test-engine.js';
import { SELF_CHECKS } from '../../src/engine/abi.js';

const SACK_PEER: Opt[] = [{ kind: 'mss', value: 1000 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }];
const M = 1000;
const B_PORT = 40001;

interface Hooks { testSelfCheck(): number; testSbState(slot: number): number; testPoke(slot: number, field: number, value: number): void }

/** Bytes `from`.. of a connection's stream (`salt` tells the two connections apart). */
function pattern(from: number, n: number, salt: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, k) => ((from + k) * 7 + salt) & 255);
}

/** Two accepted SACK connections of the test build: a (the harness's, peer port 40000) and b (peer port 40001). */
function twoConns(config = {}) {
  const h = new Harness({ sack: true, ...config }, 1, testModule());
  const hooks = h.e.exports as unknown as Hooks;
  h.openWith(SACK_PEER);
  const a = h.conn;
  h.send({ sport: B_PORT, seq: 5000, flags: SYN, opts: SACK_PEER });
  const sa = h.expectSegment({ flags: 'S.' });
  h.send({ sport: B_PORT, seq: 5001, ack: sa.seq + 1, flags: ACK });
  const b = h.e.accept(h.listener);
  expect(b).toBeGreaterThanOrEqual(0);
  h.clear();
  const bOurs = (off: number) => (sa.seq + 1 + off) >>> 0;
  /** The peer of a (port 40000) or b acknowledges `ack` bytes with SACK blocks `blocks` (offsets). */
  const ackWith = (conn: 'a' | 'b', ack: number, blocks: [number, number][] = []) => {
    const ours = conn === 'a' ? (o: number) => h.ours(o) : bOurs;
    const opts: Opt[] = blocks.length ? [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: blocks.map(([l, r]) => [ours(l), ours(r)] as [number, number]) }] : [];
    h.send(conn === 'a' ? h.seg(ACK, ack, { opts }) : { sport: B_PORT, seq: 5001, ack: ours(ack), flags: ACK, opts });
  };
  /** [pool slot + 1, extents] of a connection's scoreboard. */
  const sb = (c: number) => { const v = hooks.testSbState(c); return [v >> 8, v & 255]; };
  return { h, a, b, bOurs, ackWith, sb, hooks, check: () => hooks.testSelfCheck() };
}

describe('scoreboard pool', () => {
  it('one slot, two connections in SACK recovery: the second degrades, data stays intact, the slot moves on', () => {
    const { h, a, b, bOurs, ackWith, sb, check } = twoConns({ sbPoolSize: 1 });
    // Four segments each, sent at one tick: one extent, in the record.
    h.write(pattern(0, 4 * M, 1));
    expect(h.e.send(b, pattern(0, 4 * M, 2), h.now)).toBe(4 * M);
    h.collect();
    expect(h.out.splice(0).length).toBe(8);
    expect([sb(a), sb(b)]).toEqual([[0, 1], [0, 1]]);
    // a: the third segment SACKed: in flight, SACKed, in flight is three extents: a takes the slot.
    ackWith('a', 0, [[2 * M, 3 * M]]);
    expect(sb(a)).toEqual([1, 3]);
    expect(h.e.stats.sbPoolFull).toBe(0);
    // b the same: no slot left. It keeps what fits the record (the SACK mark forgotten), counted.
    ackWith('b', 0, [[2 * M, 3 * M]]);
    expect(sb(b)[0]).toBe(0);
    expect(sb(b)[1]).toBeLessThanOrEqual(2);
    expect(h.e.stats.sbPoolFull).toBe(1);
    expect(sb(a)).toEqual([1, 3]); // a keeps its slot
    expect(check()).toBe(0);
    // b repairs from what it still knows: whatever it resends is its own data at its offsets.
    for (let t = 0; t < 3000 && !h.out.some((s) => s.dport === B_PORT); t++) h.tick(1);
    const resent = h.out.filter((s) => s.dport === B_PORT && s.len > 0);
    expect(resent.length).toBeGreaterThan(0);
    for (const s of resent) {
      const off = (s.seq - bOurs(0)) >>> 0;
      expect(Array.from(s.data)).toEqual(Array.from(pattern(off, s.len, 2)));
    }
    h.out.splice(0);
    // a is acknowledged in full: its slot goes back at once.
    ackWith('a', 4 * M);
    expect(sb(a)).toEqual([0, 0]);
    expect(check()).toBe(0);
    // Now b can take it: the second segment SACKed splits b's scoreboard in three again.
    ackWith('b', 0, [[M, 2 * M]]);
    expect(sb(b)).toEqual([1, 3]);
    expect(h.e.stats.sbPoolFull).toBe(1);
    expect(check()).toBe(0);
    ackWith('b', 4 * M);
    expect(sb(b)).toEqual([0, 0]);
    expect(check()).toBe(0);
  });

  it('a connection that dies gives its slot back at once (no release needed)', () => {
    const { h, a, b, ackWith, sb, check } = twoConns({ sbPoolSize: 1 });
    h.write(4 * M);
    h.e.send(b, new Uint8Array(4 * M), h.now);
    h.collect();
    ackWith('a', 0, [[2 * M, 3 * M]]);
    expect(sb(a)).toEqual([1, 3]);
    h.e.abort(a, h.now); // CLOSED, still the host's until released
    h.clear();
    expect(sb(a)).toEqual([0, 0]);
    expect(check()).toBe(0);
    ackWith('b', 0, [[2 * M, 3 * M]]);
    expect(sb(b)).toEqual([1, 3]);
    expect(h.e.stats.sbPoolFull).toBe(0);
    expect(check()).toBe(0);
  });

  it('the self-check holds the pool to its owners', () => {
    const SCOREBOARD = SELF_CHECKS.findIndex(([name]) => name === 'SCOREBOARD') + 1;
    /** a holds the one slot (three extents), b has one extent in its record. */
    const holding = () => {
      const t = twoConns({ sbPoolSize: 1 });
      t.h.write(4 * M);
      t.h.e.send(t.b, new Uint8Array(4 * M), t.h.now);
      t.h.collect();
      t.ackWith('a', 0, [[2 * M, 3 * M]]);
      expect([t.sb(t.a), t.sb(t.b), t.check()]).toEqual([[1, 3], [0, 1], 0]);
      return t;
    };
    const cases: [string, (t: ReturnType<typeof holding>) => void, 'a' | 'b'][] = [
      ['a slot kept though the record holds every extent', (t) => t.hooks.testPoke(t.a, 5, 2), 'a'],
      ['extents past the record without a slot', (t) => t.hooks.testPoke(t.a, 9, 0), 'a'],
      ['a slot another connection holds', (t) => { t.hooks.testPoke(t.b, 9, 1); t.hooks.testPoke(t.b, 5, 3); }, 'b'],
      ['a slot past the pool', (t) => t.hooks.testPoke(t.a, 9, 2), 'a'],
    ];
    for (const [what, corrupt, who] of cases) {
      const t = holding();
      corrupt(t);
      expect(t.check(), what).toBe((SCOREBOARD << 16) | (who === 'a' ? t.a : t.b));
    }
  });

  it('a lossy transfer with no scoreboard pool at all still arrives bit-exact', () => {
    const t = new Transfer({ bytes: 300_000, serverBytes: 0, seed: 1, config: { sbPoolSize: 0 }, ...LOSSY_NETWORK });
    t.clock.runUntil(() => t.settled, { timeout: 86_400_000 });
    expect(t.result().ok).toBe(true);
    const s = t.client.engine.stats;
    expect(s.retransmits).toBeGreaterThan(0);
    expect(s.sbPoolFull).toBeGreaterThan(0);
  });
});
