import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCapture, humanLine, jsonObject } from '../../src/pcap/decode.js';
import { readCapture } from '../../src/pcap/reader.js';
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
