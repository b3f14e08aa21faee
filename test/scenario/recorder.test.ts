import { describe, expect, it } from 'vitest';
import type { Fate, TapEvent } from '../../src/link/link.js';
import { Recorder } from '../../src/scenario/recorder.js';

const C = 0x0a000001;
const S = 0x0a000002;
const FLAGS: Record<string, number> = { S: 0x02, 'S.': 0x12, '.': 0x10, 'P.': 0x18, 'F.': 0x11, R: 0x04, 'R.': 0x14 };

/** A minimal IPv4/TCP packet (checksums left zero: the recorder does not check them). */
function tcp(src: number, dst: number, flags: string, seq: number, ack: number, win: number, len: number): Uint8Array {
  const p = new Uint8Array(40 + len);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  v.setUint16(2, 40 + len);
  p[8] = 64;
  p[9] = 6;
  v.setUint32(12, src);
  v.setUint32(16, dst);
  v.setUint16(20, src === C ? 49152 : 80);
  v.setUint16(22, src === C ? 80 : 49152);
  v.setUint32(24, seq);
  v.setUint32(28, ack);
  p[32] = 5 << 4;
  p[33] = FLAGS[flags];
  v.setUint16(34, win);
  return p;
}

let id = 0;
function ev(time: number, bytes: Uint8Array, fate: Fate = 'delivered', reason?: string): TapEvent {
  const from = new DataView(bytes.buffer).getUint32(12);
  const to = new DataView(bytes.buffer).getUint32(16);
  return { id: ++id, time, from, to, bytes, fate, reason, arriveAt: fate === 'delivered' ? time + 10 : NaN };
}

function recorder(): Recorder {
  return new Recorder({ scenario: 'unit', seed: 3, client: C, server: S });
}

describe('Recorder', () => {
  it('records segments with direction, fate and arrival, and keeps every packet for the pcap', () => {
    const r = recorder();
    r.tap(ev(0, tcp(C, S, 'S', 100, 0, 1000, 0)));
    r.tap(ev(10, tcp(S, C, 'S.', 900, 101, 1000, 0), 'dropped', 'loss'));
    r.transition(0, 'client', 'CLOSED', 'SYN_SENT');
    r.note(5, 'server host crashes', 'server');
    const rec = r.finish({ client: { state: 'SYN_SENT', error: null }, server: { state: 'LISTEN', error: null } }, 20);
    expect(rec.segments).toHaveLength(2);
    expect(rec.segments[0]).toMatchObject({ t: 0, from: 'client', to: 'server', flags: 'S', seq: 100, dropped: false, arrive: 0.01 });
    expect(rec.segments[1]).toMatchObject({ t: 0.01, from: 'server', to: 'client', flags: 'S.', dropped: true, fate: 'loss' });
    expect(rec.transitions).toEqual([{ t: 0, host: 'client', from: 'CLOSED', to: 'SYN_SENT' }]);
    expect(rec.notes).toEqual([{ t: 0.005, text: 'server host crashes', host: 'server' }]);
    expect(rec.packets).toHaveLength(2);
    expect(rec.duration).toBe(0.01); // the last thing that happened, not the end of the clock
    expect(rec.hosts).toEqual({ client: '10.0.0.1:49152', server: '10.0.0.2:80' });
  });

  it('marks retransmissions of SYN, data and FIN but not a SYN,ACK after our own SYN', () => {
    const r = recorder();
    r.tap(ev(0, tcp(C, S, 'S', 100, 0, 1000, 0)));
    r.tap(ev(1000, tcp(C, S, 'S', 100, 0, 1000, 0)));
    r.tap(ev(1000, tcp(S, C, 'S', 900, 0, 1000, 0)));
    r.tap(ev(1010, tcp(S, C, 'S.', 900, 101, 1000, 0)));
    r.tap(ev(1020, tcp(C, S, 'P.', 101, 901, 1000, 10)));
    r.tap(ev(1220, tcp(C, S, 'P.', 101, 901, 1000, 10)));
    r.tap(ev(1230, tcp(C, S, 'P.', 111, 901, 1000, 10)));
    r.tap(ev(1240, tcp(C, S, 'F.', 121, 901, 1000, 0)));
    r.tap(ev(1440, tcp(C, S, 'F.', 121, 901, 1000, 0)));
    const notes = r.finish({ client: { state: 'X', error: null }, server: { state: 'X', error: null } }, 0).segments.map((s) => s.note ?? '');
    expect(notes).toEqual(['', 'retransmission', '', '', '', 'retransmission', '', '', 'retransmission']);
  });

  it('tells keepalives, window probes, dup acks and zero windows apart', () => {
    const r = recorder();
    r.tap(ev(0, tcp(C, S, 'S', 100, 0, 1000, 0)));
    r.tap(ev(10, tcp(S, C, 'S.', 900, 101, 1000, 0)));
    r.tap(ev(20, tcp(C, S, '.', 101, 901, 1000, 0)));
    r.tap(ev(7200000, tcp(C, S, '.', 100, 901, 1000, 0))); // keepalive: seq = sndNxt - 1
    r.tap(ev(7200010, tcp(S, C, '.', 901, 101, 1000, 0)));
    r.tap(ev(7200020, tcp(S, C, 'P.', 901, 101, 1000, 100)));
    r.tap(ev(7200020, tcp(S, C, 'P.', 1001, 101, 1000, 100)));
    r.tap(ev(7200030, tcp(C, S, '.', 101, 1001, 1000, 0)));
    r.tap(ev(7200031, tcp(C, S, '.', 101, 1001, 1000, 0))); // same ack, data outstanding
    r.tap(ev(7200040, tcp(C, S, '.', 101, 1101, 0, 0))); // window closes
    r.tap(ev(7200500, tcp(S, C, 'P.', 1101, 101, 1000, 1))); // persist probe
    const notes = r.finish({ client: { state: 'X', error: null }, server: { state: 'X', error: null } }, 0).segments.map((s) => s.note ?? '');
    expect(notes).toEqual(['', '', '', 'keepalive', '', '', '', '', 'dup ack', 'zero window', 'window probe']);
  });

  it('keeps times in seconds rounded to the microsecond, as the pcap stores them', () => {
    const r = recorder();
    r.tap(ev(10795.533447265625, tcp(C, S, 'S', 100, 0, 1000, 0)));
    r.transition(4301.844482421875, 'client', 'CLOSED', 'SYN_SENT');
    const rec = r.finish({ client: { state: 'X', error: null }, server: { state: 'X', error: null } }, 20000);
    expect(rec.segments[0].t).toBe(10.795533);
    expect(rec.segments[0].arrive).toBe(10.805533);
    expect(rec.transitions[0].t).toBe(4.301844);
  });

  it('turns a late "vanished" report into a drop and records ICMP from the router', () => {
    const r = recorder();
    const syn = ev(0, tcp(C, S, 'S', 100, 0, 1000, 0));
    r.tap(syn);
    r.tap({ ...syn, fate: 'vanished', reason: 'host-down', time: 10, arriveAt: NaN });
    const icmp = new Uint8Array(56);
    icmp.set([0x45, 0, 0, 56, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 254, 10, 0, 0, 1, 3, 1]);
    r.tap({ id: 99, time: 30, from: 0x0a0000fe, to: C, bytes: icmp, fate: 'delivered', arriveAt: 40 });
    const rec = r.finish({ client: { state: 'X', error: null }, server: { state: 'X', error: null } }, 0);
    expect(rec.segments[0]).toMatchObject({ dropped: true, fate: 'host-down' });
    expect(rec.segments[0].arrive).toBeUndefined();
    expect(rec.icmp).toEqual([{ t: 0.03, from: 'router', to: 'client', type: 3, code: 1, text: 'host unreachable', dropped: false }]);
    expect(rec.packets).toHaveLength(2);
  });
});
