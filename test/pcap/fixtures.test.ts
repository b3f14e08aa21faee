import { describe, expect, it } from 'vitest';
import { captureInfo, readCapture } from '../../src/pcap/reader.js';
import { ipv4Offset } from '../../src/pcap/link.js';
import { first, fixtures, networkLayer } from './fixtures.js';

// The reader and link layer against tshark on real captures (scripts/capture-fixtures.sh).
const all = fixtures();

describe('capture fixtures vs tshark', () => {
  it('cover every format and link type we claim', () => {
    const infos = all.map((f) => ({ ...captureInfo(f.bytes), links: new Set([...readCapture(f.bytes)].map((r) => r.linkType)) }));
    const has = (pred: (i: (typeof infos)[number]) => boolean) => infos.some(pred);
    expect(has((i) => i.format === 'pcap' && i.littleEndian && i.resolution === 'us')).toBe(true);
    expect(has((i) => i.format === 'pcap' && !i.littleEndian && i.resolution === 'us')).toBe(true);
    expect(has((i) => i.format === 'pcap' && i.littleEndian && i.resolution === 'ns')).toBe(true);
    expect(has((i) => i.format === 'pcap' && !i.littleEndian && i.resolution === 'ns')).toBe(true);
    expect(has((i) => i.format === 'pcapng' && i.littleEndian)).toBe(true);
    expect(has((i) => i.format === 'pcapng' && !i.littleEndian)).toBe(true);
    for (const lt of [1, 101, 113, 228, 276]) expect(has((i) => i.links.has(lt)), `link type ${lt}`).toBe(true);
    const protocols = all.flatMap((f) => f.rows.map((r) => r['frame.protocols']));
    expect(protocols.some((p) => p.includes(':vlan:'))).toBe(true);
    expect(protocols.some((p) => p.includes(':ieee8021ad:ethertype:vlan:'))).toBe(true);
    const rows = all.flatMap((f) => f.rows);
    expect(rows.some((r) => Number(r['frame.cap_len']) < Number(r['frame.len']))).toBe(true);
  });

  for (const f of all) {
    it(`${f.name}: every record agrees with tshark (time, lengths, link layer)`, () => {
      const records = [...readCapture(f.bytes)];
      expect(records.length).toBe(f.rows.length);
      records.forEach((r, i) => {
        const row = f.rows[i];
        const where = `${f.name} frame ${row['frame.number']}`;
        expect(r.index, where).toBe(i);
        const [sec, frac] = row['frame.time_epoch'].split('.');
        expect(r.seconds, where).toBe(Number(sec));
        expect(r.nanos, where).toBe(Number(frac.padEnd(9, '0')));
        expect(r.origLen, where).toBe(Number(row['frame.len']));
        expect(r.data.length, where).toBe(Number(row['frame.cap_len']));
        expect(r.truncated, where).toBe(r.data.length < r.origLen);
        const at = ipv4Offset(r.linkType, r.data);
        const layer = networkLayer(row);
        if (layer === 'ip') {
          expect(typeof at, `${where}: ${at}`).toBe('number');
          const o = at as number;
          expect(r.data[o] >> 4, where).toBe(4);
          expect([...r.data.subarray(o + 12, o + 16)].join('.'), where).toBe(first(row, 'ip.src'));
          expect([...r.data.subarray(o + 16, o + 20)].join('.'), where).toBe(first(row, 'ip.dst'));
        } else {
          expect(at, where).toBe(layer);
        }
      });
    });
  }
});
