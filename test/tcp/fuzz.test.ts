// Random segments near the windows of a connection in every state: no trap, and the control block
// keeps its invariants (SND.UNA ≤ SND.NXT ≤ SND.MAX, buffers within their rings).
import { describe, expect, it } from 'vitest';
import { Harness, ACK, SYN, FIN, RST, PSH, type Opt } from './harness.js';

describe('fuzz', () => {
  for (const st of ['SYN_SENT', 'SYN_RCVD', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT']) {
    it(`random segments in ${st}`, () => {
      let x = st.length * 7919 + 17;
      const rnd = (n: number) => { x = (x * 1103515245 + 12345) >>> 0; return (x >>> 8) % n; };
      const h = new Harness({ timestamps: true, sack: true, windowScaling: true, recvBufferSize: 8192, sendBufferSize: 8192, rstOnDataAfterClose: false });
      h.inState(st);
      const seqBase = h.peerSeq, ackBase = h.ours(0);
      let iters = 0;
      for (let i = 0; i < 3000; i++, iters++) {
        if (h.e.state(h.conn) === 0) break;
        const flagsPick = [ACK, ACK | PSH, ACK | FIN, RST, SYN, ACK | RST, SYN | ACK, 0, ACK | SYN | FIN][rnd(9)];
        const opts: Opt[] = [];
        if (rnd(3) === 0) opts.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 1000 + rnd(2000), ecr: rnd(5) });
        if (rnd(4) === 0) opts.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[ackBase + rnd(4000), ackBase + rnd(8000)]] });
        h.send({
          seq: (seqBase + rnd(20000) - 5000) >>> 0, ack: (ackBase + rnd(6000) - 3000) >>> 0,
          flags: flagsPick, win: rnd(4) === 0 ? 0 : rnd(65536), opts, data: rnd(3) === 0 ? rnd(3000) : 0,
        });
        if (rnd(10) === 0) { h.e.send(h.conn, new Uint8Array(rnd(3000)), h.now); h.collect(); }
        if (rnd(10) === 0) h.read();
        if (rnd(20) === 0) h.tick(rnd(3000));
        h.clear();
        if (h.e.state(h.conn) === 0) break;
        const inf = h.e.info(h.conn);
        const d = (a: number, b: number) => ((a - b) | 0);
        expect(d(inf.sndNxt, inf.sndUna)).toBeGreaterThanOrEqual(0);
        expect(d(inf.sndMax, inf.sndNxt)).toBeGreaterThanOrEqual(0);
        expect(inf.rcvBuffered).toBeLessThanOrEqual(8192);
        expect(inf.sndBuffered).toBeLessThanOrEqual(8192);
        expect(inf.oooRanges).toBeLessThanOrEqual(4);
      }
      expect(iters).toBeGreaterThan(0);
      h.runUntil(h.now + 3_600_000);
      expect(h.e.memory.buffer.byteLength).toBeGreaterThan(0);
    });
  }
});
