// The test build's self-check (testSelfCheck, assembly/tcp/selfcheck.ts): it passes on healthy tables
// in every state the harness reaches, and it names the invariant a corrupted record breaks.
import { describe, expect, it } from 'vitest';
import { SELF_CHECKS } from '../../src/engine/abi.js';
import { ConnFlag } from '../../src/engine/engine.js';
import { testModule } from '../support/test-engine.js';
import { Harness, ACK, PSH } from './harness.js';

type Hooks = { testSelfCheck(): number; testPoke(slot: number, field: number, value: number): void };
const hooks = (h: Harness) => h.e.exports as unknown as Hooks;
/** The name of the first broken invariant and its slot, or 'ok'. */
function verdict(h: Harness): string {
  const r = hooks(h).testSelfCheck();
  return r === 0 ? 'ok' : `${SELF_CHECKS[(r >>> 16) - 1][0]}@${r & 0xffff}`;
}

/** An ESTABLISHED passive connection with 3000 bytes of ours in flight and 100 of the peer's unread. */
function busy(): Harness {
  const h = new Harness({}, 1, testModule());
  h.inState('ESTABLISHED');
  h.write(3000);
  h.send({ seq: h.peerSeq, ack: h.ours(0), flags: ACK | PSH, data: 100 });
  return h;
}

describe('self-check', () => {
  it('holds through a connection\'s life', () => {
    for (const state of ['SYN_RCVD', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSING']) {
      const h = new Harness({}, 1, testModule());
      h.inState(state);
      expect(verdict(h), state).toBe('ok');
      h.tick(200_000);
      expect(verdict(h), `${state} after the timers ran`).toBe('ok');
    }
    const h = busy();
    expect(verdict(h)).toBe('ok');
  });

  it('names the invariant a corrupted record breaks', () => {
    const cases: [string, (h: Harness) => void, string][] = [
      ['SND.NXT past SND.MAX', (h) => hooks(h).testPoke(h.conn, 0, (h.e.info(h.conn).sndMax + 10) >>> 0), 'SEQ_ORDER'],
      ['rcvBufLen beyond the ring', (h) => hooks(h).testPoke(h.conn, 1, 1 << 30), 'RECV_RING'],
      ['a heap position that lies', (h) => hooks(h).testPoke(h.conn, 2, 5), 'HEAP'],
      ['a used slot in LISTEN', (h) => hooks(h).testPoke(h.conn, 3, 1), 'STATE'],
      ['a state past TIME_WAIT', (h) => hooks(h).testPoke(h.conn, 3, 11), 'STATE'],
      ['not hashed', (h) => hooks(h).testPoke(h.conn, 4, ConnFlag.USED | ConnFlag.HOST), 'HASH'],
      ['more scoreboard extents than the record holds', (h) => hooks(h).testPoke(h.conn, 5, 7), 'SCOREBOARD'],
      ['a scoreboard extent past SND.MAX', (h) => hooks(h).testPoke(h.conn, 6, (h.e.info(h.conn).sndMax + 10) >>> 0), 'SCOREBOARD'],
      ['an empty scoreboard extent', (h) => hooks(h).testPoke(h.conn, 6, h.e.info(h.conn).sndUna >>> 0), 'SCOREBOARD'],
    ];
    for (const [what, corrupt, check] of cases) {
      const h = busy();
      corrupt(h);
      expect(verdict(h), what).toBe(`${check}@${h.conn}`);
    }
  });

  it('holds the out-of-order pool to its owners (assembly/tcp/ooopool.ts)', () => {
    /** busy() plus 100 bytes out of order: the connection takes a pool slot. */
    const holding = (): Harness => {
      const h = busy();
      h.send({ seq: (h.peerSeq + 1000) >>> 0, ack: h.ours(0), flags: ACK, data: 100 });
      expect(h.e.info(h.conn).oooRanges).toBe(1);
      expect(verdict(h)).toBe('ok');
      return h;
    };
    const cases: [string, (h: Harness) => void][] = [
      ['ranges without a slot', (h) => hooks(h).testPoke(h.conn, 7, 0)],
      ['a slot kept with nothing in it', (h) => hooks(h).testPoke(h.conn, 8, 0)],
      ['a slot its owner does not hold', (h) => hooks(h).testPoke(h.conn, 7, 2)],
    ];
    for (const [what, corrupt] of cases) {
      const h = holding();
      corrupt(h);
      expect(verdict(h), what).toBe(`OOO_POOL@${h.conn}`);
    }
    // The hole filled: the slot goes back and the check still holds.
    const h = holding();
    h.send({ seq: h.peerSeq, ack: h.ours(0), flags: ACK, data: 1000 });
    expect(h.e.info(h.conn).oooRanges).toBe(0);
    expect(verdict(h)).toBe('ok');
  });
});
