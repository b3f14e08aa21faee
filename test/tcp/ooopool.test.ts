// The out-of-order pool (assembly/tcp/ooopool.ts): a connection holds a slot only while it has
// out-of-order data, a D-SACK block or an early FIN; an empty pool degrades safely (the data is
// dropped as if the ring were full, no D-SACK block, the early FIN ignored) and is counted.
import { describe, expect, it } from 'vitest';
import { ACK, FIN, Harness, PSH, SYN, type Opt, type SegOut } from './harness.js';
import { runLossyOnce } from '../../bench/lossy.js';
import { testModule } from '../support/test-engine.js';

const SACK_PEER: Opt[] = [{ kind: 'mss', value: 1000 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackOK' }];

/** Peer data [from, to) relative to its first byte (PEER_ISS + 1 = 1001). */
function data(h: Harness, from: number, to: number, flags = ACK | PSH): void {
  h.send({ seq: 1001 + from, ack: h.ours(0), flags, data: new Uint8Array(to - from).fill(0x30 + (from % 10)) });
}

/** The SACK blocks of `s`, relative to the peer's first data byte. */
function blocks(s: SegOut): [number, number][] {
  const o = s.opts.find((x) => x.kind === 'sack') as { blocks: [number, number][] } | undefined;
  return (o?.blocks ?? []).map(([l, r]) => [l - 1001, r - 1001]);
}

function sackConn(config = {}): Harness {
  const h = new Harness({ sack: true, quickAcks: 16, ...config });
  h.openWith(SACK_PEER);
  return h;
}

describe('out-of-order pool', () => {
  it('an empty pool drops out-of-order data and D-SACK blocks, and counts it', () => {
    const h = sackConn({ oooPoolSize: 0 });
    data(h, 1000, 2000); // out of order: no slot
    expect(blocks(h.expectSegment({ flags: '.', ack: 1001 }))).toEqual([]);
    expect(h.e.info(h.conn).oooRanges).toBe(0);
    expect(h.e.stats.oooPoolFull).toBe(1);
    data(h, 0, 1000);
    h.expectSegment({ flags: '.', ack: 2001 }); // only the in-order part: the rest was dropped
    data(h, 0, 1000); // a duplicate: no D-SACK block without a slot
    expect(blocks(h.expectSegment({ flags: '.', ack: 2001 }))).toEqual([]);
    expect(h.e.stats.oooPoolFull).toBe(2);
    expect(h.e.stats.dsacksOut).toBe(0);
    data(h, 1000, 2000);
    h.expectSegment({ flags: '.', ack: 3001 });
    expect(h.read().length).toBe(2000);
  });

  it('an empty pool ignores an early FIN; the FIN counts once in order', () => {
    const h = sackConn({ oooPoolSize: 0 });
    data(h, 1000, 1500, ACK | PSH | FIN);
    h.expectSegment({ flags: '.', ack: 1001 });
    expect(h.stateName()).toBe('ESTABLISHED');
    data(h, 0, 1000);
    h.expectSegment({ flags: '.', ack: 2001 });
    data(h, 1000, 1500, ACK | PSH | FIN);
    h.expectSegment({ flags: '.', ack: 2502 });
    expect(h.stateName()).toBe('CLOSE_WAIT');
  });

  it('one slot: taken with a hole, given back when it fills, taken again', () => {
    const h = sackConn({ oooPoolSize: 1 });
    data(h, 1000, 2000);
    expect(blocks(h.expectSegment({ flags: '.', ack: 1001 }))).toEqual([[1000, 2000]]);
    data(h, 0, 1000); // fills the hole: the slot goes back
    h.expectSegment({ flags: '.', ack: 3001 });
    data(h, 4000, 5000); // a new hole takes it again
    expect(blocks(h.expectSegment({ flags: '.', ack: 3001 }))).toEqual([[4000, 5000]]);
    data(h, 0, 1000); // a duplicate while the slot is held: a D-SACK block first
    expect(blocks(h.expectSegment({ flags: '.', ack: 3001 }))).toEqual([[0, 1000], [4000, 5000]]);
    expect(h.e.stats.oooPoolFull).toBe(0);
  });

  it('two connections share one slot: the second waits until the first gives it back', () => {
    const h = new Harness({ sack: true, quickAcks: 16, oooPoolSize: 1 }, 1, testModule());
    const check = () => (h.e.exports as unknown as { testSelfCheck(): number }).testSelfCheck();
    h.openWith(SACK_PEER);
    const a = h.conn;
    // A second peer port: its own handshake, accepted.
    h.send({ sport: 40001, seq: 5000, flags: SYN, opts: SACK_PEER });
    const sa = h.expectSegment({ flags: 'S.' });
    h.send({ sport: 40001, seq: 5001, ack: sa.seq + 1, flags: ACK });
    const b = h.e.accept(h.listener);
    expect(b).toBeGreaterThanOrEqual(0);
    h.clear();
    const bData = (from: number, to: number) =>
      h.send({ sport: 40001, seq: 5001 + from, ack: sa.seq + 1, flags: ACK | PSH, data: new Uint8Array(to - from).fill(0x41) });
    data(h, 1000, 2000); // a takes the slot
    bData(1000, 2000); // b finds none: dropped
    expect([h.e.info(a).oooRanges, h.e.info(b).oooRanges, h.e.stats.oooPoolFull]).toEqual([1, 0, 1]);
    expect(check()).toBe(0);
    data(h, 0, 1000); // a's hole fills: the slot goes back
    bData(1000, 2000); // now b gets it
    expect([h.e.info(a).oooRanges, h.e.info(b).oooRanges, h.e.stats.oooPoolFull]).toEqual([0, 1, 1]);
    expect(check()).toBe(0);
    h.e.abort(b, h.now); // a connection that dies gives its slot back at once (no release needed)
    h.clear();
    data(h, 4000, 5000);
    expect([h.e.info(a).oooRanges, h.e.stats.oooPoolFull]).toEqual([1, 1]);
    expect(check()).toBe(0);
  });

  it('a lossy transfer with no pool at all still arrives bit-exact', () => {
    const r = runLossyOnce(300_000, { oooPoolSize: 0 });
    expect(r.ok).toBe(true);
    expect(r.retransmits).toBeGreaterThan(0);
  });
});
