// wireParse through the host's parsePacket: real Linux packets against tshark, skips, truncation.
import { describe, expect, it } from 'vitest';
import { fromHex } from './helpers.js';
import { LINUX_PACKETS } from './fixtures/linux-packets.js';
import { parsePacket, flagNames, type ParsedTcp } from '../../src/wire/parse.js';

const KEYS = ['src', 'dst', 'ttl', 'id', 'ipLen', 'ipChecksumOk', 'sport', 'dport', 'seq', 'ack', 'flags', 'flagNames',
  'win', 'len', 'checksum', 'checksumOk', 'mss', 'wscale', 'sackPermitted', 'sack', 'tsval', 'tsecr'];

describe('parsePacket on real Linux packets', () => {
  for (const pkt of LINUX_PACKETS) {
    it(`${pkt.name} equals tshark's decode field for field`, () => {
      const got = parsePacket(fromHex(pkt.hex)) as ParsedTcp;
      expect(Object.keys(got)).toEqual(KEYS);
      expect(got).toEqual(pkt.expected);
    });
  }

  it('Ethernet padding after the IP total length is ignored', () => {
    const rst = LINUX_PACKETS.find((p) => p.expected.flagNames === 'R.')!;
    const padded = new Uint8Array(46);
    padded.set(fromHex(rst.hex));
    padded.fill(0xaa, 40);
    expect(parsePacket(padded)).toEqual(rst.expected);
  });

  it('a capture cut after the options is parsed with checksumOk null', () => {
    const data = LINUX_PACKETS.find((p) => p.expected.len === 1448)!;
    const bytes = fromHex(data.hex);
    for (const cut of [52, 53, 96, bytes.length - 1]) {
      const got = parsePacket(bytes.subarray(0, cut)) as ParsedTcp;
      expect(got).toEqual({ ...data.expected, checksumOk: null });
    }
  });

  it('a capture cut inside the headers is reported as truncated, not malformed', () => {
    const bytes = fromHex(LINUX_PACKETS.find((p) => p.expected.len === 1448)!.hex);
    expect(parsePacket(bytes.subarray(0, 51))).toEqual({ skip: 'truncated: tcp-header-truncated' });
    expect(parsePacket(bytes.subarray(0, 39))).toEqual({ skip: 'truncated: tcp-too-short' });
    expect(parsePacket(bytes.subarray(0, 19))).toEqual({ skip: 'truncated: ip-too-short' });
    expect(parsePacket(bytes.subarray(0, 4))).toEqual({ skip: 'truncated: ip-too-short' });
    expect(parsePacket(bytes.subarray(0, 3))).toEqual({ skip: 'malformed: ip-too-short' });
  });

  it('IP options are skipped via IHL and the TCP checksum still verifies', () => {
    const data = LINUX_PACKETS.find((p) => p.expected.len === 15)!;
    const orig = fromHex(data.hex);
    const b = new Uint8Array(orig.length + 4);
    b.set(orig.subarray(0, 20));
    b.set([0x94, 0x04, 0x00, 0x00], 20); // Router Alert (RFC 2113)
    b.set(orig.subarray(20), 24);
    b[0] = 0x46;
    b[2] = b.length >> 8; b[3] = b.length & 0xff;
    b[10] = b[11] = 0;
    let sum = 0;
    for (let i = 0; i < 24; i += 2) sum += (b[i] << 8) | b[i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    b[10] = (~sum >> 8) & 0xff; b[11] = ~sum & 0xff;
    expect(parsePacket(b)).toEqual({ ...data.expected, ipLen: data.expected.ipLen as number + 4 });
  });

  it('a corrupted payload byte makes checksumOk false, a corrupted TTL makes ipChecksumOk false', () => {
    const data = LINUX_PACKETS.find((p) => p.expected.len === 15)!;
    const bytes = fromHex(data.hex);
    bytes[bytes.length - 1] ^= 1;
    expect((parsePacket(bytes) as ParsedTcp).checksumOk).toBe(false);
    bytes[8] -= 1;
    expect((parsePacket(bytes) as ParsedTcp).ipChecksumOk).toBe(false);
  });
});

describe('parsePacket skips', () => {
  const ip = (over: (b: Uint8Array) => void, len = 40) => {
    const b = new Uint8Array(len);
    b[0] = 0x45; b[3] = len; b[8] = 64; b[9] = 6; b[32] = 0x50;
    over(b);
    return b;
  };
  const cases: [string, Uint8Array, string][] = [
    ['IPv6', ip((b) => { b[0] = 0x60; }), 'ipv6'],
    ['UDP', ip((b) => { b[9] = 17; }), 'udp'],
    ['ICMP', ip((b) => { b[9] = 1; }), 'icmp'],
    ['protocol 99', ip((b) => { b[9] = 99; }), 'ip-proto-99'],
    ['MF fragment', ip((b) => { b[6] = 0x20; }), 'fragment'],
    ['non-first fragment', ip((b) => { b[7] = 0xb9; }), 'fragment'],
    ['version 5', ip((b) => { b[0] = 0x55; }), 'malformed: ip-bad-version'],
    ['IHL 4', ip((b) => { b[0] = 0x44; }), 'malformed: ip-bad-ihl'],
    ['IHL past total length', ip((b) => { b[0] = 0x4f; }), 'malformed: ip-bad-total-length'],
    ['IHL past the capture', ip((b) => { b[0] = 0x4f; b[2] = 1; }), 'truncated: ip-header-truncated'],
    ['TCP shorter than 20 by its IP length', ip((b) => { b[3] = 30; }, 30), 'malformed: tcp-too-short'],
    ['cut capture, but the IP length leaves no room for TCP', ip((b) => { b[3] = 36; }, 30), 'malformed: tcp-too-short'],
    ['data offset past the IP length', ip((b) => { b[32] = 0xf0; }), 'malformed: tcp-header-truncated'],
    ['cut capture, data offset past the IP length', ip((b) => { b[32] = 0xf0; b[3] = 50; }), 'malformed: tcp-header-truncated'],
    ['cut capture, data offset within the IP length', ip((b) => { b[32] = 0xf0; b[3] = 80; }), 'truncated: tcp-header-truncated'],
    ['IP total length 10 in a 15-byte capture', ip((b) => { b[3] = 10; }, 15), 'malformed: ip-too-short'],
    ['TCP data offset 4', ip((b) => { b[32] = 0x40; }), 'malformed: tcp-bad-data-offset'],
    ['bad option', ip((b) => { b[32] = 0x60; b[40] = 2; b[41] = 3; }, 44), 'malformed: bad-mss-option'],
    ['empty', new Uint8Array(0), 'malformed: ip-too-short'],
  ];
  for (const [what, bytes, skip] of cases) {
    it(`${what} → ${skip}`, () => expect(parsePacket(bytes)).toEqual({ skip }));
  }

  it('a hand-built segment with no flags reports [none]', () => {
    const got = parsePacket(ip(() => {})) as ParsedTcp;
    expect(got.flags).toBe(0);
    expect(got.flagNames).toBe('[none]');
    expect(got.src).toBe('0.0.0.0');
  });
});

describe('flagNames (tcpdump order F S R P . U E W)', () => {
  it.each([
    [0x02, 'S'], [0x12, 'S.'], [0x10, '.'], [0x18, 'P.'], [0x11, 'F.'], [0x19, 'FP.'], [0x04, 'R'], [0x14, 'R.'],
    [0xc2, 'SEW'], [0x52, 'S.E'], [0x30, '.U'], [0xff, 'FSRP.UEW'], [0, '[none]'],
  ])('%i → %s', (flags, names) => expect(flagNames(flags)).toBe(names));
});
