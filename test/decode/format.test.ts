import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCapture, humanLine, jsonObject } from '../../src/pcap/decode.js';
import { captureInfo, readCapture } from '../../src/pcap/reader.js';
import { LINKTYPE_ETHERNET, PcapWriter } from '../../src/pcap/writer.js';
import { inetChecksum } from '../../src/util/checksum.js';
import { FIXTURES } from '../pcap/fixtures.js';
import { classic, concat, epb, idb, shb, spb } from '../pcap/build.js';
import { fromHex } from '../wire/helpers.js';

// Output forms on crafted captures built from one real SYN of eth.pcap.

const eth = new Uint8Array(readFileSync(join(FIXTURES, 'eth.pcap')));
const synFrame = [...readCapture(eth)].find((r) => r.data.length === 74 && r.data[14 + 20 + 13] === 0x02)!.data;
const synIp = synFrame.subarray(14);

describe('decode output forms', () => {
  it('pcapng SPB: JSON ts is null, human time is "-"', () => {
    const file = concat(shb(true), idb(true, 101), epb(true, 0, 5_000_250n, synIp), spb(true, synIp));
    const [a, b] = [...decodeCapture(file)];
    expect(jsonObject(a).ts).toBe(5.00025);
    expect(jsonObject(b).ts).toBeNull();
    expect({ ...jsonObject(b), ts: 0, index: 0 }).toEqual({ ...jsonObject(a), ts: 0 });
    const start = { seconds: 5, nanos: 0 };
    expect(humanLine(a, start)).toMatch(/^0\.000250 IP 10\.199\.0\.1\.\d+ > 10\.199\.0\.2\.8080: Flags \[S\], seq \d+, win 64240, options \[mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale \d+\], length 0$/);
    expect(humanLine(b, start)).toMatch(/^- IP 10\.199\.0\.1\.\d+ > /);
  });

  it('the same packet through every link type we read decodes the same', () => {
    const sll = concat(Uint8Array.of(0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00), synIp);
    const sll2 = concat(Uint8Array.of(0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0), synIp);
    const qinq = concat(synFrame.subarray(0, 12), Uint8Array.of(0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2), synFrame.subarray(12));
    const file = concat(shb(false), idb(false, 1), idb(false, 101), idb(false, 228), idb(false, 113), idb(false, 276),
      epb(false, 0, 0n, synFrame), epb(false, 1, 0n, synIp), epb(false, 2, 0n, synIp), epb(false, 3, 0n, sll),
      epb(false, 4, 0n, sll2), epb(false, 0, 0n, qinq));
    const objs = [...decodeCapture(file)].map((d) => ({ ...jsonObject(d), index: 0 }));
    expect(objs).toHaveLength(6);
    expect(objs[0]).toHaveProperty('seq');
    for (const o of objs) expect(o).toEqual(objs[0]);
  });

  it('URG with its pointer, EOL, SACK and an unknown option read as tcpdump 4.99.3 prints them', () => {
    // Hand-built segments; the expected text is `tcpdump -n -S -r` of the same file (its ": HTTP" tail dropped).
    // tcpdump names TCP-AO (kind 29); we print unknown kinds as unknown-KIND.
    const hex = [
      '4500003200014000400626c30a0000010a00000204d20050000003e8000007d070380200f79b0007020405b4000101016869',
      '4500003a00014000400626bb0a0000010a00000204d20050000003e8000007d09038020017780007011d04aabb01080a00000001000000026869',
      '4500003a00014000400626bb0a0000010a00000204d20050000003e8000007d090200200c75900070303070402050a0000000100000002006869',
    ];
    const file = classic({ linkType: 101, records: hex.map((h, i) => ({ sec: 1, frac: i, data: fromHex(h) })) });
    const lines = [...decodeCapture(file)].map((d) => humanLine(d, { seconds: 1, nanos: 0 }));
    expect(lines).toEqual([
      '0.000000 IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [P.U], seq 1000:1002, ack 2000, win 512, urg 7, options [mss 1460,eol], length 2',
      '0.000001 IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [P.U], seq 1000:1002, ack 2000, win 512, urg 7, options [nop,unknown-29,nop,TS val 1 ecr 2], length 2',
      '0.000002 IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [U], seq 1000:1002, win 512, urg 7, options [wscale 7,sackOK,sack 1 {1:2},eol], length 2',
    ]);
  });

  it('non-IPv4/TCP packets: {index, skip} only', () => {
    const file = concat(shb(true), idb(true, 105), epb(true, 0, 0n, synIp), idb(true, 101), epb(true, 1, 0n, synIp.subarray(0, 10)));
    const [a, b] = [...decodeCapture(file)].map(jsonObject);
    expect(a).toEqual({ index: 0, skip: 'unsupported link type 105' });
    expect(b).toEqual({ index: 1, skip: 'truncated: ip-too-short' });
    // Raw IP with a bad version or no bytes at all: the IPv4 parser's reasons, as behind any link layer.
    const raw = classic({ linkType: 101, records: [{ sec: 0, frac: 0, data: Uint8Array.of(0x25, 0, 0, 20) }, { sec: 0, frac: 0, data: new Uint8Array(0) }] });
    expect([...decodeCapture(raw)].map(jsonObject)).toEqual([
      { index: 0, skip: 'malformed: ip-bad-version' }, { index: 1, skip: 'malformed: ip-too-short' },
    ]);
  });
});

describe('ARP and ICMP through the decoder (crafted frames; real ones are in tcpdump/tshark tests)', () => {
  const MAC_A = [2, 0, 0, 0, 0, 0xa];
  const MAC_B = [2, 0, 0, 0, 0, 0xb];
  const arpFrame = (op: number, tha: number[], extra: number[] = [], htype = 1) => Uint8Array.from([
    ...MAC_B, ...MAC_A, 0x08, 0x06, 0, htype, 0x08, 0, 6, 4, 0, op, ...MAC_A, 10, 0, 0, 1, ...tha, 10, 0, 0, 2, ...extra,
  ]);
  const ipIcmp = (icmp: number[], total?: number) => {
    const len = total ?? 20 + icmp.length;
    const p = Uint8Array.from([0x45, 0, len >> 8, len & 255, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1, ...icmp]);
    const c = inetChecksum(p, 0, 20);
    p[10] = c >> 8; p[11] = c & 255;
    if (icmp.length >= 4 && total === undefined) {
      const ic = inetChecksum(p, 20, p.length);
      p[22] = ic >> 8; p[23] = ic & 255;
    }
    return p;
  };
  const lines = (linkType: number, frames: Uint8Array[], origLen?: number[]) => {
    const file = classic({ linkType, records: frames.map((data, i) => ({ sec: 1, frac: 0, data, origLen: origLen?.[i] })) });
    return [...decodeCapture(file)].map((d) => ({ line: humanLine(d, { seconds: 1, nanos: 0 }).slice(9), json: jsonObject(d) }));
  };

  it('ARP operations as tcpdump names them; other hardware, short and cut packets are skipped with a reason', () => {
    const zero = [0, 0, 0, 0, 0, 0];
    const got = lines(1, [
      arpFrame(1, zero), arpFrame(1, MAC_B, new Array(18).fill(0)), arpFrame(2, MAC_B), arpFrame(3, MAC_B), arpFrame(4, MAC_B),
      arpFrame(8, MAC_B), arpFrame(9, MAC_B), arpFrame(77, MAC_B), arpFrame(1, zero, [], 6), arpFrame(1, zero).subarray(0, 30),
      arpFrame(1, zero).subarray(0, 30), arpFrame(1, zero).subarray(0, 20),
    ], [42, 60, 42, 42, 42, 42, 42, 42, 42, 30, 42, 20]);
    expect(got.map((g) => g.line)).toEqual([
      'ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28',
      'ARP, Request who-has 10.0.0.2 (02:00:00:00:00:0b) tell 10.0.0.1, length 46',
      'ARP, Reply 10.0.0.1 is-at 02:00:00:00:00:0a, length 28',
      'ARP, Reverse Request who-is 02:00:00:00:00:0b tell 02:00:00:00:00:0a, length 28',
      'ARP, Reverse Reply 02:00:00:00:00:0b at 10.0.0.2, length 28',
      'ARP, Inverse Request who-is 02:00:00:00:00:0b tell 02:00:00:00:00:0a, length 28',
      'ARP, Inverse Reply 02:00:00:00:00:0a at 10.0.0.1, length 28',
      'ARP, Unknown (77) 10.0.0.1 (02:00:00:00:00:0a) > 10.0.0.2 (02:00:00:00:00:0b), length 28',
      'skipped: arp (hardware 6, protocol 0x0800, lengths 6/4)',
      'skipped: malformed: arp-too-short',
      'skipped: truncated: arp-too-short',
      'skipped: malformed: arp-too-short',
    ]);
    expect(got[2].json).toEqual({
      index: 2, ts: 1, proto: 'arp', op: 2, opName: 'reply', senderMac: '02:00:00:00:00:0a', senderIp: '10.0.0.1',
      targetMac: '02:00:00:00:00:0b', targetIp: '10.0.0.2', len: 28,
    });
    expect(got.slice(3, 8).map((g) => g.json.opName)).toEqual(['reverse-request', 'reverse-reply', 'inverse-request', 'inverse-reply', 'op-77']);
  });

  it('ICMP types and codes; short, cut and damaged messages', () => {
    const quoted = (proto: number, port: number) => [0x45, 0, 0, 28, 0, 0, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 9, 0x30, 0x39, port >> 8, port & 255, 0, 8, 0, 0];
    const bad = ipIcmp([8, 0, 0, 0, 0, 1, 0, 2]);
    bad[23] ^= 1;
    const got = lines(101, [
      ipIcmp([8, 0, 0, 0, 0x12, 0x34, 0, 1, 1, 2, 3, 4]), ipIcmp([0, 0, 0, 0, 0x12, 0x34, 0, 1]),
      ipIcmp([3, 0, 0, 0, 0, 0, 0, 0, ...quoted(17, 53)]), ipIcmp([3, 1, 0, 0, 0, 0, 0, 0, ...quoted(17, 53)]),
      ipIcmp([3, 3, 0, 0, 0, 0, 0, 0, ...quoted(6, 80)]), ipIcmp([3, 3, 0, 0, 0, 0, 0, 0, ...quoted(132, 9)]),
      ipIcmp([3, 4, 0, 0, 0, 0, 0x05, 0xdc, ...quoted(6, 80)]), ipIcmp([3, 13, 0, 0, 0, 0, 0, 0, ...quoted(6, 80)]),
      ipIcmp([11, 0, 0, 0, 0, 0, 0, 0, ...quoted(17, 33434)]), ipIcmp([13, 0, 0, 0, 0, 0, 0, 0]), ipIcmp([42, 0, 0, 0, 0, 0, 0, 0]),
      bad, ipIcmp([8, 0, 0, 0], 24), ipIcmp([8, 0, 0, 0, 0, 1, 0, 2, 5, 5], 40),
    ]);
    expect(got.map((g) => g.line)).toEqual([
      'IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 4660, seq 1, length 12',
      'IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id 4660, seq 1, length 8',
      'IP 10.0.0.2 > 10.0.0.1: ICMP net 10.0.0.9 unreachable, length 36',
      'IP 10.0.0.2 > 10.0.0.1: ICMP host 10.0.0.9 unreachable, length 36',
      'IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 tcp port 80 unreachable, length 36',
      'IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 protocol 132 port 9 unreachable, length 36',
      'IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 unreachable - need to frag (mtu 1500), length 36',
      'IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.9 unreachable - code 13, length 36',
      'IP 10.0.0.2 > 10.0.0.1: ICMP time exceeded in-transit, length 36',
      'IP 10.0.0.2 > 10.0.0.1: ICMP time stamp request, length 8',
      'IP 10.0.0.2 > 10.0.0.1: ICMP type-#42, length 8',
      `IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 1, seq 2, length 8, bad icmp cksum 0x${((bad[22] << 8) | bad[23]).toString(16).padStart(4, '0')}`,
      'skipped: malformed: icmp-too-short',
      // The IP header claims more than was captured: what is there is read, the checksum cannot be.
      'IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 1, seq 2, length 20',
    ]);
    expect(got[13].json).toMatchObject({ checksumOk: null });
    expect(got[1].json).toEqual({
      index: 1, ts: 1, proto: 'icmp', src: '10.0.0.2', dst: '10.0.0.1', ttl: 64, id: 1, ipLen: 28, ipChecksumOk: true,
      type: 0, code: 0, typeName: 'echo reply', checksum: expect.any(Number), checksumOk: true, ident: 0x1234, seq: 1, len: 8,
    });
    expect(got[2].json).toMatchObject({ type: 3, code: 0, ident: null, seq: null });
  });

  it('an ICMP message cut by the snap length: fields read, checksum unverifiable', () => {
    const p = ipIcmp([8, 0, 0, 0, 0, 7, 0, 9, ...new Array(100).fill(1)]);
    const [g] = lines(101, [p.subarray(0, 40)], [p.length]);
    expect(g.line).toBe('IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id 7, seq 9, length 108 [captured 40 of 128 bytes]');
    expect(g.json).toMatchObject({ checksumOk: null, ident: 7, seq: 9, len: 108 });
  });

  it('PcapWriter writes LINKTYPE_ETHERNET files for frames, which decode as such', () => {
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c.slice()), 262144, LINKTYPE_ETHERNET);
    w.packet(arpFrame(1, [0, 0, 0, 0, 0, 0]), 1000);
    const file = concat(...chunks);
    expect(captureInfo(file).linkType).toBe(1);
    expect(humanLine([...decodeCapture(file)][0], { seconds: 1, nanos: 0 })).toBe('0.000000 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28');
  });
});
