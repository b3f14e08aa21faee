import { describe, expect, it } from 'vitest';
import { Aggregate, FlowMap, flagBits, flagLetters, formatSegment, inboundOptions, matchOutbound } from '../../src/script/matcher.js';
import { parseScript } from '../../src/script/parser.js';
import type { TcpSpec } from '../../src/script/model.js';
import { ACK, FIN, PSH, SYN, buildIcmpPacket, buildTcpPacket, checksum, decodeSegment, type Segment, type TcpOption } from '../../src/script/wire.js';

const ISN = 0x9abc0000;

function line(text: string): TcpSpec {
  const ev = parseScript(`0 ${text}`).events[0];
  if (ev.type !== 'packet' || !ev.tcp) throw new Error('not a TCP line');
  return ev.tcp;
}

function seg(p: Partial<Segment>): Segment {
  return { src: 0xc0a80001, dst: 0xc0000201, srcPort: 8080, dstPort: 40000, seq: ISN + 1, ack: 1, flags: ACK, reserved: 0, win: 256, urg: 0, options: [], payloadLen: 0, payloadZero: true, ...p };
}

const settings = { tsTickUsecs: 0, toleranceUsecs: 4000 };

function bound(): FlowMap {
  const f = new FlowMap();
  expect(matchOutbound(line('> S. 0:0(0) ack 1 <...>'), seg({ seq: ISN, flags: SYN | ACK, options: [{ kind: 'mss', value: 1460 }] }), f, settings)).toBeNull();
  return f;
}

describe('flag letters', () => {
  it('round-trips', () => {
    expect(flagBits('S.')).toBe(SYN | ACK);
    expect(flagBits('P.')).toBe(PSH | ACK);
    expect(flagLetters(FIN | PSH | ACK)).toBe('FP.');
    expect(flagLetters(0)).toBe('-');
  });
});

describe('outbound matcher', () => {
  it('binds the local ISN on the first outbound SYN and maps later seqs', () => {
    const f = bound();
    expect(f.localToScript(ISN + 1001)).toBe(1001);
    expect(matchOutbound(line('> P. 1:1001(1000) ack 1'), seg({ flags: PSH | ACK, payloadLen: 1000 }), f, settings)).toBeNull();
  });

  it('reports each mismatching field', () => {
    const f = bound();
    const cases: Array<[string, Partial<Segment>, RegExp]> = [
      ['> . 1:1(0) ack 1', { flags: PSH | ACK }, /flags: expected \. vs actual P\./],
      ['> . 1:1(0) ack 1', { seq: ISN + 2 }, /seq: expected 1 vs actual 2/],
      ['> . 1:1(0) ack 5', {}, /ack: expected 5 vs actual 1/],
      ['> . 1:1(0) ack 1 win 300', {}, /win: expected 300 vs actual 256/],
      ['> P. 1:101(100) ack 1', { flags: PSH | ACK, payloadLen: 99 }, /payload length: expected 100 vs actual 99/],
      ['> . 1:1(0) ack 1', { options: [{ kind: 'nop' }] }, /options: expected none/],
      ['> . 1:1(0) ack 1 <nop,nop,sack 5:10>', { options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[5, 11]] }] }, /options: expected <nop,nop,sack 5:10>/],
      ['> R 1:1(0)', { flags: 4, ack: 1 }, /ack: expected 0 vs actual 1/],
      ['> . 1:1(0) ack 1', { payloadZero: false }, /zero bytes/],
    ];
    for (const [l, p, re] of cases) expect(matchOutbound(line(l), seg(p), f, settings)).toMatch(re);
  });

  it('accepts any options with <...> and ignores win when omitted', () => {
    const f = bound();
    expect(matchOutbound(line('> . 1:1(0) ack 1 <...>'), seg({ win: 1, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 5, ecr: 6 }] }), f, settings)).toBeNull();
  });

  it('maps TS val for inbound ecr and checks it only with a tick', () => {
    const f = bound();
    const ts = (val: number): TcpOption[] => [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val, ecr: 0 }];
    expect(matchOutbound(line('> . 1:1(0) ack 1 <nop,nop,TS val 100 ecr 0>'), seg({ options: ts(777000) }), f, settings)).toBeNull();
    expect(matchOutbound(line('> . 1:1(0) ack 1 <nop,nop,TS val 200 ecr 0>'), seg({ options: ts(777100) }), f, { tsTickUsecs: 1000, toleranceUsecs: 4000 })).toBeNull();
    expect(matchOutbound(line('> . 1:1(0) ack 1 <nop,nop,TS val 300 ecr 0>'), seg({ options: ts(777150) }), f, { tsTickUsecs: 1000, toleranceUsecs: 4000 })).toMatch(/TS val: expected 300 vs actual 250/);
    expect(matchOutbound(line('> . 1:1(0) ack 1 <nop,nop,TS val 300 ecr 0>'), seg({ options: ts(777150) }), f, settings)).toBeNull();
    const opts = inboundOptions(line('< . 1:1(0) ack 1 win 100 <nop,nop,TS val 9 ecr 200>'), f);
    expect(opts).toEqual([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 9, ecr: 777100 }]);
    expect(inboundOptions(line('< . 1:1(0) ack 1 win 100 <nop,nop,TS val 9 ecr 12345>'), f)).toMatch(/unable to infer live TS ecr/);
    // A SYN (no ACK bit) carries its ecr literally.
    expect(inboundOptions(line('< S 0:0(0) win 100 <nop,nop,TS val 9 ecr 12345>'), f)).toEqual([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 9, ecr: 12345 }]);
  });

  it('translates inbound SACK blocks into live sequence space', () => {
    const f = bound();
    expect(inboundOptions(line('< . 1:1(0) ack 1 win 100 <nop,nop,sack 1001:2001>'), f)).toEqual([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[ISN + 1001, ISN + 2001]] }]);
  });
});

describe('TSO-style aggregation', () => {
  const mss = (i: number, flags = ACK, len = 1000) => seg({ seq: ISN + 1 + i * 1000, flags, payloadLen: len });

  it('joins equal segments with PSH on the last', () => {
    const a = new Aggregate(line('> P. 1:5001(5000) ack 1'), false);
    for (let i = 0; i < 4; i++) expect(a.offer(mss(i))).toBe('more');
    expect(a.offer(mss(4, PSH | ACK))).toBe('done');
    const f = bound();
    expect(matchOutbound(line('> P. 1:5001(5000) ack 1'), a.result(), f, settings)).toBeNull();
  });

  it('fails on PSH when the last segment lacks it', () => {
    const a = new Aggregate(line('> P. 1:3001(3000) ack 1'), false);
    a.offer(mss(0, PSH | ACK));
    a.offer(mss(1, PSH | ACK));
    expect(a.offer(mss(2))).toBe('done');
    expect(matchOutbound(line('> P. 1:3001(3000) ack 1'), a.result(), bound(), settings)).toMatch(/flags: expected P\. vs actual \./);
  });

  it('allows a shorter last segment but not a shorter middle one', () => {
    const a = new Aggregate(line('> P. 1:2501(2500) ack 1'), false);
    expect(a.offer(mss(0))).toBe('more');
    expect(a.offer(mss(1))).toBe('more');
    expect(a.offer(mss(2, PSH | ACK, 500))).toBe('done');
    const b = new Aggregate(line('> P. 1:2501(2500) ack 1'), false);
    b.offer(mss(0));
    b.offer(seg({ seq: ISN + 1001, payloadLen: 500 }));
    expect(b.offer(seg({ seq: ISN + 1501, payloadLen: 1000 }))).toBe('reject');
  });

  it('rejects gaps, different acks, and overshoot; strict takes one segment', () => {
    const gap = new Aggregate(line('> . 1:2001(2000) ack 1'), false);
    gap.offer(mss(0));
    expect(gap.offer(mss(2))).toBe('reject');
    const ack = new Aggregate(line('> . 1:2001(2000) ack 1'), false);
    ack.offer(mss(0));
    expect(ack.offer(seg({ seq: ISN + 1001, payloadLen: 1000, ack: 2 }))).toBe('reject');
    const over = new Aggregate(line('> . 1:1501(1500) ack 1'), false);
    over.offer(mss(0));
    expect(over.offer(mss(1))).toBe('reject');
    expect(new Aggregate(line('> . 1:2001(2000) ack 1'), true).offer(mss(0))).toBe('done');
  });
});

describe('wire', () => {
  it('builds inbound TCP packets that decode with valid checksums', () => {
    const p = buildTcpPacket({ src: 0xc0000201, dst: 0xc0a80001, srcPort: 40000, dstPort: 8080, seq: 0, ack: 0, flags: SYN, win: 32792, urg: 0, payloadLen: 0, options: [{ kind: 'mss', value: 1000 }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'wscale', value: 7 }] });
    expect(p.length).toBe(52);
    expect(checksum(p.subarray(0, 20))).toBe(0);
    const d = decodeSegment(p);
    expect(typeof d).toBe('object');
    if (typeof d === 'string') return;
    expect(d.options).toEqual([{ kind: 'mss', value: 1000 }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'wscale', value: 7 }]);
    expect(d.win).toBe(32792);
    expect(formatSegment(d, new FlowMap())).toBe('S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>');
    p[45] ^= 1;
    expect(decodeSegment(p)).toBe('bad TCP checksum');
  });

  it('refuses unpadded options', () => {
    expect(() => buildTcpPacket({ src: 1, dst: 2, srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: SYN, win: 1, urg: 0, payloadLen: 0, options: [{ kind: 'wscale', value: 7 }] })).toThrow(/multiple of 4/);
  });

  it('builds ICMP errors quoting our segment', () => {
    const p = buildIcmpPacket({ src: 0xc0000201, dst: 0xc0a80001, type: 3, code: 4, mtu: 1200, quoted: { src: 0xc0a80001, dst: 0xc0000201, srcPort: 8080, dstPort: 40000, seq: ISN + 1, payloadLen: 1460 } });
    expect(p[9]).toBe(1);
    expect(checksum(p.subarray(20))).toBe(0);
    expect((p[26] << 8) | p[27]).toBe(1200);
    expect(new DataView(p.buffer).getUint32(52)).toBe(ISN + 1);
  });
});

describe('PSH leniency', () => {
  it('ignores only PSH when asked', () => {
    const f = bound();
    const want = line('> P. 1:1001(1000) ack 1');
    const got = seg({ flags: ACK, payloadLen: 1000 });
    expect(matchOutbound(want, got, f, settings)).toMatch(/flags: expected P\. vs actual \./);
    expect(matchOutbound(want, got, f, { ...settings, ignorePsh: true })).toBeNull();
    expect(matchOutbound(line('> F. 1:1001(1000) ack 1'), got, f, { ...settings, ignorePsh: true })).toMatch(/flags/);
  });
});
