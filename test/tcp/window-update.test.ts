// The send window's update rule (RFC 9293 §3.10.7.4 fifth step, tcp/input.ts processAck): only an ACK
// in SND.UNA..SND.NXT from a segment not older than SND.WL1 moves it; an ACK below SND.UNA is ignored
// (the RFC; Linux tcp_ack's old_ack), so SND.WL2 needs no field.
import { describe, expect, it } from 'vitest';
import { ACK, Harness, PSH } from './harness.js';

describe('send window update (RFC 9293 §3.10.7.4)', () => {
  it('an ACK below SND.UNA does not move the window, even from a newer segment', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.write(200);
    h.out.splice(0);
    h.send(h.seg(ACK | PSH, 200, { win: 5000, data: 10 }));
    h.peerSeq += 10;
    expect(h.e.info(h.conn).sndUna).toBe(h.ours(200));
    expect(h.e.info(h.conn).sndWnd).toBe(5000);
    // Newer data (SEG.SEQ > SND.WL1) with an old, still acceptable ACK: its window is ignored.
    h.send(h.seg(ACK | PSH, 100, { win: 1000, data: 10 }));
    h.peerSeq += 10;
    expect(h.e.info(h.conn).rcvNxt).toBe(h.peerSeq);
    expect(h.e.info(h.conn).sndWnd).toBe(5000);
    // The same window with SEG.ACK = SND.UNA is taken.
    h.send(h.seg(ACK, 200, { win: 1000 }));
    expect(h.e.info(h.conn).sndWnd).toBe(1000);
  });

  it('a segment older than SND.WL1 does not move the window; one at SND.WL1 does, also shrinking it', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    h.write(100);
    h.out.splice(0);
    const p = h.peerSeq;
    // Out-of-order data acknowledges everything: SND.WL1 = its sequence number.
    h.send({ seq: p + 10, ack: h.ours(100), flags: ACK | PSH, win: 4000, data: 10 });
    expect(h.e.info(h.conn).sndWnd).toBe(4000);
    // An ACK at RCV.NXT, before it (older than SND.WL1), same SEG.ACK: window ignored.
    h.send({ seq: p, ack: h.ours(100), flags: ACK, win: 9000 });
    expect(h.e.info(h.conn).sndWnd).toBe(4000);
    // At SND.WL1 with SEG.ACK = SND.UNA: taken, a smaller window too (the RFC; Linux would keep 4000).
    h.send({ seq: p + 10, ack: h.ours(100), flags: ACK, win: 3000 });
    expect(h.e.info(h.conn).sndWnd).toBe(3000);
  });
});
