import { describe, expect, it } from 'vitest';
import { decodeCapture, jsonObject } from '../../src/pcap/decode.js';
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

const all = fixtures();

describe('decode --json agrees with tshark on real Linux captures', () => {
  const seen = { tcp: 0, sack: 0, truncated: 0, badTcp: 0, badIp: 0, skips: new Set<string>() };

  for (const f of all) {
    it(f.name, () => {
      const got = [...decodeCapture(f.bytes)].map(jsonObject);
      expect(got.length).toBe(f.rows.length);
      got.forEach((obj, i) => {
        const row = f.rows[i];
        const where = `${f.name} frame ${row['frame.number']}`;
        const layer = networkLayer(row);
        if (layer === 'ip' && transport(row) === 'tcp') {
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
          expect(obj, where).toEqual({ index: i, skip: reason });
          seen.skips.add(reason);
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
    expect([...seen.skips].sort()).toEqual(['arp', 'icmp', 'ipv6', 'udp']);
  });
});
