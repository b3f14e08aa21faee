// Defects `wasm-tcp fuzz` found, each reproduced by hand first (issue 13 item 4).
import { describe, expect, it } from 'vitest';
import { EventKind } from '../../src/engine/engine.js';
import { Harness, ACK, FIN, PSH, opt } from './harness.js';

describe('found by the fuzzer', () => {
  it('data past an early FIN is not delivered, and the FIN is not lost when the hole fills', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    const s = h.peerSeq;
    h.send({ seq: s + 10, ack: h.ours(0), flags: ACK | FIN }); // the FIN, early
    h.send({ seq: s + 11, ack: h.ours(0), flags: ACK | PSH, data: 5 }); // "data" after it
    h.send({ seq: s, ack: h.ours(0), flags: ACK | PSH, data: new Uint8Array(10).fill(7) }); // the hole
    expect(h.read().length).toBe(10);
    expect(h.takeEvents(EventKind.PeerFin).length).toBe(1);
    expect(h.stateName()).toBe('CLOSE_WAIT');
    expect(h.e.info(h.conn).rcvNxt).toBe(s + 11);
    expect(h.out.at(-1)!.ack).toBe(s + 11);
  });

  it('a second early FIN further on does not move the first', () => {
    const h = new Harness();
    h.inState('ESTABLISHED');
    const s = h.peerSeq;
    h.send({ seq: s + 10, ack: h.ours(0), flags: ACK | FIN });
    h.send({ seq: s + 15, ack: h.ours(0), flags: ACK | FIN }); // a forged FIN past the first
    h.send({ seq: s, ack: h.ours(0), flags: ACK | PSH, data: 10 }); // the hole
    expect(h.read().length).toBe(10);
    expect(h.stateName()).toBe('CLOSE_WAIT');
    expect(h.e.info(h.conn).rcvNxt).toBe(s + 11);
    expect(h.e.info(h.conn).oooRanges).toBe(0);
  });

  it('out-of-order data past the FIN is forgotten once the FIN is in order (no SACK block above it)', () => {
    const h = new Harness({ sack: true });
    h.listener = h.e.listen(80);
    h.send({ seq: 1000, flags: 2, opts: [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }] });
    const sa = h.expectSegment({ flags: 'S.' });
    h.iss = sa.seq;
    h.send({ seq: 1001, ack: sa.seq + 1, flags: ACK });
    h.conn = h.e.accept(h.listener);
    h.clear();
    h.send({ seq: 1002, ack: h.ours(0), flags: ACK | PSH, data: 3 }); // past the FIN to come
    h.send({ seq: 1001, ack: h.ours(0), flags: ACK | FIN });
    expect(h.stateName()).toBe('CLOSE_WAIT');
    expect(h.e.info(h.conn).oooRanges).toBe(0);
    const last = h.out.at(-1)!;
    expect(last.ack).toBe(1002);
    expect(opt(last, 'sack')).toBeUndefined();
  });
});
