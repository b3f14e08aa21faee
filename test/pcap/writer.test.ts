import { describe, expect, it } from 'vitest';
import { LINKTYPE_RAW, PcapWriter } from '../../src/pcap/writer.js';
import { captureInfo, readCapture } from '../../src/pcap/reader.js';
import { ipv4Offset } from '../../src/pcap/link.js';
import { bytes, concat, ipv4 } from './build.js';

describe('PcapWriter round trip through the reader', () => {
  it('writes what the reader reads back: bytes, times, lengths, link type 101', () => {
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c.slice()));
    const packets = [ipv4('10.0.0.1', '10.0.0.2', bytes(20)), ipv4('10.0.0.2', '10.0.0.1', bytes(1000, 7)), new Uint8Array(0)];
    const times = [0, 1234.567, 1_700_000_000_123.456];
    packets.forEach((p, i) => w.packet(p, times[i]));
    const file = concat(...chunks);
    expect(captureInfo(file)).toMatchObject({ format: 'pcap', littleEndian: true, resolution: 'us', linkType: LINKTYPE_RAW });
    const records = [...readCapture(file)];
    expect(records).toHaveLength(3);
    records.forEach((r, i) => {
      expect(r.linkType).toBe(101);
      expect([...r.data]).toEqual([...packets[i]]);
      expect(r.truncated).toBe(false);
      const usec = Math.round(times[i] * 1000);
      expect(r.seconds).toBe(Math.floor(usec / 1e6));
      expect(r.nanos).toBe((usec % 1e6) * 1000);
    });
    expect(ipv4Offset(101, records[0].data)).toBe(0);
  });

  it('a snap length cuts packets and the reader marks them truncated', () => {
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c.slice()), 64);
    w.packet(bytes(100), 5);
    w.packet(bytes(64), 6);
    const [a, b] = [...readCapture(concat(...chunks))];
    expect(a).toMatchObject({ origLen: 100, truncated: true });
    expect([...a.data]).toEqual([...bytes(64)]);
    expect(b).toMatchObject({ origLen: 64, truncated: false });
    expect(captureInfo(concat(...chunks)).snaplen).toBe(64);
  });
});
