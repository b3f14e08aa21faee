// TCP_LINGER2 (SockOpt.Linger2Ms): the lifetime of an orphaned FIN_WAIT_2 per connection, as Linux's
// tcp_fin_time computes it (at least 3.5·RTO), and −1 for no orphaned FIN_WAIT_2 at all.
import { describe, expect, it } from 'vitest';
import { SockOpt } from '../../src/engine/engine.js';
import { ACK, FIN, Harness } from './harness.js';

/** An ESTABLISHED connection whose RTO is the 200 ms floor (the handshake took no time). */
function established(config = {}): Harness {
  const h = new Harness({ finWait2TimeoutMs: 60000, ...config });
  h.inState('ESTABLISHED');
  expect(h.e.info(h.conn).rto).toBe(200);
  return h;
}

/** close(), then the peer acknowledges our FIN: an orphan in FIN_WAIT_2. */
function orphanInFinWait2(h: Harness): void {
  h.close();
  h.expectSegment({ flags: 'F.', seq: h.ours(0) });
  h.send(h.seg(ACK, 1));
}

describe('TCP_LINGER2', () => {
  it('replaces finWait2TimeoutMs for this connection only', () => {
    const h = established();
    expect(h.e.setOption(h.conn, SockOpt.Linger2Ms, 2000, h.now)).toBe(0);
    orphanInFinWait2(h);
    expect(h.stateName()).toBe('FIN_WAIT_2');
    h.expectClosedAfter('FIN_WAIT_2', 2_000);
    h.expectNone(); // the orphan disappears silently (Linux: the FIN_WAIT_2 timewait socket expires)
  });

  it('keeps the engine default when 0, and reports the lifetime in effect', () => {
    const h = established({ finWait2TimeoutMs: 30000 });
    expect(h.e.getOption(h.conn, SockOpt.Linger2Ms)).toBe(30000);
    h.e.setOption(h.conn, SockOpt.Linger2Ms, 5000, h.now);
    expect(h.e.getOption(h.conn, SockOpt.Linger2Ms)).toBe(5000);
    h.e.setOption(h.conn, SockOpt.Linger2Ms, 0, h.now);
    expect(h.e.getOption(h.conn, SockOpt.Linger2Ms)).toBe(30000);
    h.e.setOption(h.conn, SockOpt.Linger2Ms, 10_000_000, h.now);
    expect(h.e.getOption(h.conn, SockOpt.Linger2Ms)).toBe(120000); // TCP_FIN_TIMEOUT_MAX
    h.e.setOption(h.conn, SockOpt.Linger2Ms, -5, h.now);
    expect(h.e.getOption(h.conn, SockOpt.Linger2Ms)).toBe(-1);
    expect(h.e.setOption(h.conn, SockOpt.Linger2Ms, NaN, h.now)).toBe(-22);
    orphanInFinWait2(h);
    expect(h.stateName()).toBe('CLOSED'); // −1: no FIN_WAIT_2
  });

  it('never ends an orphan before 3.5·RTO (Linux tcp_fin_time)', () => {
    const h = established();
    h.e.setOption(h.conn, SockOpt.Linger2Ms, 100, h.now);
    orphanInFinWait2(h);
    h.expectClosedAfter('FIN_WAIT_2', 700);
  });

  it('−1: the ACK of an orphan\'s FIN ends it and is answered with a RST', () => {
    const h = established();
    h.e.setOption(h.conn, SockOpt.Linger2Ms, -1, h.now);
    orphanInFinWait2(h);
    h.expectSegment({ flags: 'R', seq: h.ours(1) });
    expect(h.stateName()).toBe('CLOSED');
    h.send(h.seg(FIN | ACK, 1)); // the peer's FIN finds no connection
    h.expectSegment({ flags: 'R', seq: h.ours(1) });
  });

  it('−1: close() in FIN_WAIT_2 (after shutdown) resets the connection', () => {
    const h = established();
    h.e.setOption(h.conn, SockOpt.Linger2Ms, -1, h.now);
    h.e.shutdown(h.conn, h.now);
    h.collect();
    h.expectSegment({ flags: 'F.' });
    h.send(h.seg(ACK, 1));
    expect(h.stateName()).toBe('FIN_WAIT_2'); // not orphaned yet: it waits for the peer
    h.tick(100_000);
    expect(h.stateName()).toBe('FIN_WAIT_2');
    h.close();
    h.expectSegment({ flags: 'R.', seq: h.ours(1) });
    expect(h.stateName()).toBe('CLOSED');
  });
});
