import { describe, expect, it } from 'vitest';
import { decodeCapture, jsonObject } from '../../src/pcap/decode.js';
import { networkPayload } from '../../src/pcap/link.js';
import { first, fixtures, networkLayer, num, type TsharkRow } from '../pcap/fixtures.js';

// `decode --json` objects against tshark, field for field, on every real capture in test/fixtures/.

const KEYS = ['index', 'ts', 'src', 'dst', 'ttl', 'id', 'ipLen', 'ipChecksumOk', 'sport', 'dport', 'seq', 'ack',
  'flags', 'flagNames', 'win', 'len', 'checksum', 'checksumOk', 'mss', 'wscale', 'sackPermitted', 'sack', 'tsval', 'tsecr'];

/** tshark checksum status: 1 good, 0 bad, 2 unverified (e.g. a truncated packet). */
function status(row: TsharkRow, field: string): boolean | null {
  const v = first(row, field);
  return v === '1' ? true : v === '0' ? false : null;
}

/** tcpdump's flag letters, written here from the tcpdump manual rather than taken from our code. */
function tcpdumpFlags(flags: number): string {
  const letters = 'FSRP.UEW';
  let s = '';
  for (let i = 0; i < 8; i++) if (flags & (1 << i)) s += letters[i];
  return s || '[none]';
}

/** What tshark says follows the IPv4 header ('tcp', 'udp', 'icmp', …). */
function transport(row: TsharkRow): string {
  const layers = row['frame.protocols'].split(':');
  return layers[layers.indexOf('ip') + 1] ?? '';
}

function expectedTcp(row: TsharkRow, index: number): Record<string, unknown> {
  const list = (f: string) => (row[f] === '' ? [] : row[f].split(',').map(Number));
  const le = list('tcp.options.sack_le');
  const re = list('tcp.options.sack_re');
  const flags = num(row, 'tcp.flags')! & 0xff;
  return {
    index,
    src: first(row, 'ip.src'),
    dst: first(row, 'ip.dst'),
    ttl: num(row, 'ip.ttl'),
    id: num(row, 'ip.id'),
    ipLen: num(row, 'ip.len'),
    ipChecksumOk: status(row, 'ip.checksum.status'),
    sport: num(row, 'tcp.srcport'),
    dport: num(row, 'tcp.dstport'),
    seq: num(row, 'tcp.seq_raw'),
    ack: num(row, 'tcp.ack_raw'),
    flags,
    flagNames: tcpdumpFlags(flags),
    win: num(row, 'tcp.window_size_value'),
    len: num(row, 'tcp.len'),
    checksum: num(row, 'tcp.checksum'),
    checksumOk: status(row, 'tcp.checksum.status'),
    mss: num(row, 'tcp.options.mss_val'),
    wscale: num(row, 'tcp.options.wscale.shift'),
    sackPermitted: list('tcp.option_kind').includes(4),
    sack: le.map((l, i) => [l, re[i]]),
    tsval: num(row, 'tcp.options.timestamp.tsval'),
    tsecr: num(row, 'tcp.options.timestamp.tsecr'),
  };
}

const ARP_KEYS = ['index', 'ts', 'proto', 'op', 'opName', 'senderMac', 'senderIp', 'targetMac', 'targetIp', 'len'];
const ICMP_KEYS = ['index', 'ts', 'proto', 'src', 'dst', 'ttl', 'id', 'ipLen', 'ipChecksumOk', 'type', 'code', 'typeName',
  'checksum', 'checksumOk', 'ident', 'seq', 'len'];

/** An ARP object as tshark sees the packet (opName is checked against tcpdump's words in tcpdump.test.ts). */
function expectedArp(row: TsharkRow, index: number, linkHeader: number): Record<string, unknown> {
  return {
    index, proto: 'arp', op: num(row, 'arp.opcode'),
    senderMac: first(row, 'arp.src.hw_mac'), senderIp: first(row, 'arp.src.proto_ipv4'),
    targetMac: first(row, 'arp.dst.hw_mac'), targetIp: first(row, 'arp.dst.proto_ipv4'),
    len: num(row, 'frame.len')! - linkHeader,
  };
}

/** An ICMP object as tshark sees the message (the outer header's fields where an error quotes a packet). */
function expectedIcmp(row: TsharkRow, index: number): Record<string, unknown> {
  return {
    index, proto: 'icmp',
    src: first(row, 'ip.src'), dst: first(row, 'ip.dst'), ttl: num(row, 'ip.ttl'), id: num(row, 'ip.id'), ipLen: num(row, 'ip.len'),
    ipChecksumOk: status(row, 'ip.checksum.status'),
    type: num(row, 'icmp.type'), code: num(row, 'icmp.code'), checksum: num(row, 'icmp.checksum'),
    checksumOk: status(row, 'icmp.checksum.status'), ident: num(row, 'icmp.ident'), seq: num(row, 'icmp.seq'),
    len: num(row, 'ip.len')! - 20, // Linux sends no IP options
  };
}

const all = fixtures();

describe('decode --json agrees with tshark on real Linux captures', () => {
  const seen = { tcp: 0, sack: 0, truncated: 0, badTcp: 0, badIp: 0, arp: new Set<number>(), icmp: new Set<string>(), skips: new Set<string>() };

  for (const f of all) {
    it(f.name, () => {
      const decoded = [...decodeCapture(f.bytes)];
      const got = decoded.map(jsonObject);
      expect(got.length).toBe(f.rows.length);
      got.forEach((obj, i) => {
        const row = f.rows[i];
        const where = `${f.name} frame ${row['frame.number']}`;
        const layer = networkLayer(row);
        if (layer === 'arp') {
          expect(Object.keys(obj), where).toEqual(ARP_KEYS);
          const { ts, opName, ...rest } = obj;
          const at = networkPayload(decoded[i].record.linkType, decoded[i].record.data);
          expect(rest, where).toEqual(expectedArp(row, i, typeof at === 'string' ? NaN : at.offset));
          expect(typeof opName, where).toBe('string');
          expect(Math.abs((ts as number) - Number(row['frame.time_epoch'])), where).toBeLessThan(1e-6);
          seen.arp.add(obj.op as number);
        } else if (layer === 'ip' && transport(row) === 'icmp') {
          expect(Object.keys(obj), where).toEqual(ICMP_KEYS);
          const { ts, typeName, ...rest } = obj;
          expect(rest, where).toEqual(expectedIcmp(row, i));
          expect(typeof typeName, where).toBe('string');
          expect(Math.abs((ts as number) - Number(row['frame.time_epoch'])), where).toBeLessThan(1e-6);
          seen.icmp.add(`${obj.type}/${obj.code}${obj.checksumOk === null ? ' cut' : obj.checksumOk ? '' : ' bad'}`);
        } else if (layer === 'ip' && transport(row) === 'tcp') {
          expect(Object.keys(obj), where).toEqual(KEYS);
          const { ts, ...rest } = obj;
          expect(rest, where).toEqual(expectedTcp(row, i));
          expect(Math.abs((ts as number) - Number(row['frame.time_epoch'])), where).toBeLessThan(1e-6);
          seen.tcp++;
          if ((obj.sack as unknown[]).length > 0) seen.sack++;
          if (obj.checksumOk === null) seen.truncated++;
          if (obj.checksumOk === false) seen.badTcp++;
          if (obj.ipChecksumOk === false) seen.badIp++;
        } else {
          const reason = layer === 'ip' ? transport(row) : layer;
          // tshark calls a protocol it has no dissector for 'data'; we name its number.
          if (reason === 'data') expect(obj, where).toEqual({ index: i, skip: expect.stringMatching(/^ip-proto-\d+$/) });
          else expect(obj, where).toEqual({ index: i, skip: reason });
          seen.skips.add(reason === 'data' ? (obj.skip as string) : reason);
        }
      });
    });
  }

  it('the fixtures exercised TCP, SACK blocks, bad and unverifiable checksums, and skips', () => {
    expect(seen.tcp).toBeGreaterThan(500);
    expect(seen.sack).toBeGreaterThan(10);
    expect(seen.truncated).toBeGreaterThan(50);
    expect(seen.badTcp).toBeGreaterThan(5);
    expect(seen.badIp).toBeGreaterThan(5);
    expect([...seen.skips].sort()).toEqual(['ip-proto-253', 'ipv6', 'udp']);
    expect([...seen.arp].sort()).toEqual([1, 2, 9]);
    expect([...seen.icmp].sort()).toEqual(['0/0', '0/0 cut', '3/2', '3/2 cut', '3/3', '8/0', '8/0 bad', '8/0 cut']);
  });
});
