import { describe, expect, it } from 'vitest';
import { captureInfo, PcapError, readCapture, recordTime, type CaptureRecord } from '../../src/pcap/reader.js';
import { block, bytes, classic, concat, epb, idb, opb, option, shb, spb } from './build.js';

/** Reads everything, returning the records and the error (if any) that ended the read. */
function readAll(file: Uint8Array): { records: CaptureRecord[]; error?: PcapError } {
  const records: CaptureRecord[] = [];
  try {
    for (const r of readCapture(file)) records.push(r);
  } catch (e) {
    if (!(e instanceof PcapError)) throw e;
    return { records, error: e };
  }
  return { records };
}

describe('classic pcap', () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      it(`${le ? 'little' : 'big'}-endian, ${nano ? 'nanosecond' : 'microsecond'} magic`, () => {
        const file = classic({
          le, nano, linkType: 101, snaplen: 1000,
          records: [
            { sec: 1700000000, frac: nano ? 123456789 : 123456, data: bytes(40) },
            { sec: 1700000001, frac: 7, data: bytes(60, 3), origLen: 1500 },
            { sec: 0xffffffff, frac: 0, data: new Uint8Array(0) },
          ],
        });
        expect(captureInfo(file)).toEqual({
          format: 'pcap', littleEndian: le, resolution: nano ? 'ns' : 'us', snaplen: 1000, linkType: 101,
        });
        const { records, error } = readAll(file);
        expect(error).toBeUndefined();
        expect(records).toHaveLength(3);
        const [a, b, c] = records;
        expect(a).toMatchObject({ index: 0, linkType: 101, seconds: 1700000000, hasTimestamp: true, origLen: 40, truncated: false, interfaceId: 0 });
        expect(a.nanos).toBe(nano ? 123456789 : 123456000);
        expect([...a.data]).toEqual([...bytes(40)]);
        expect(b).toMatchObject({ index: 1, seconds: 1700000001, nanos: nano ? 7 : 7000, origLen: 1500, truncated: true });
        expect([...b.data]).toEqual([...bytes(60, 3)]);
        expect(c).toMatchObject({ index: 2, seconds: 0xffffffff, nanos: 0, origLen: 0, truncated: false });
        expect(c.data.length).toBe(0);
        expect(recordTime(a)).toBeCloseTo(nano ? 1700000000.123456789 : 1700000000.123456, 6);
      });
    }
  }

  it('keeps only the low 16 bits of the link type (the rest are FCS flags)', () => {
    const file = classic({ linkType: 0x14000001, records: [{ sec: 1, frac: 0, data: bytes(14) }] });
    expect(captureInfo(file).linkType).toBe(1);
    expect(readAll(file).records[0].linkType).toBe(1);
  });

  it('carries an out-of-range fraction into the seconds instead of rejecting it', () => {
    const file = classic({ records: [{ sec: 10, frac: 2_500_000, data: bytes(1) }] });
    expect(readAll(file).records[0]).toMatchObject({ seconds: 12, nanos: 500_000_000 });
  });

  it('returns views into the file, not copies', () => {
    const file = classic({ records: [{ sec: 1, frac: 0, data: bytes(10) }] });
    const [r] = readAll(file).records;
    expect(r.data.buffer).toBe(file.buffer);
    expect(r.data.byteOffset).toBe(40);
  });
});

describe('classic pcap errors', () => {
  const good = classic({
    records: [
      { sec: 1, frac: 0, data: bytes(100) },
      { sec: 2, frac: 0, data: bytes(200) },
      { sec: 3, frac: 0, data: bytes(300) },
    ],
  });

  it('wrong magic', () => {
    const bad = good.slice();
    bad[0] = 0x00;
    const { records, error } = readAll(bad);
    expect(records).toHaveLength(0);
    expect(error).toMatchObject({ kind: 'bad-magic', index: 0, code: 'ERR_PCAP_FORMAT' });
    expect(error!.message).toMatch(/^not a pcap or pcapng file \(magic 0x00c3b2a1\)$/);
    expect(() => captureInfo(new TextEncoder().encode('hello world, not a capture'))).toThrow(PcapError);
  });

  it('unsupported version', () => {
    const bad = good.slice();
    bad[4] = 1;
    expect(readAll(bad).error).toMatchObject({ kind: 'bad-magic', message: 'unsupported pcap version 1.4' });
  });

  it('truncated file header', () => {
    for (const n of [0, 3, 4, 23]) {
      const { records, error } = readAll(good.subarray(0, n));
      expect(records).toHaveLength(0);
      expect(error).toMatchObject({ kind: 'truncated-header', index: 0 });
      expect(error!.message).toMatch(/^truncated file header \(needs (4|24) bytes, \d+ left\)$/);
    }
  });

  it('a header alone is a valid empty capture', () => {
    expect(readAll(good.subarray(0, 24))).toEqual({ records: [] });
  });

  it('truncated record header: earlier records are still returned', () => {
    const end = 24 + 116 + 5; // one record, then 5 bytes of the next header
    const { records, error } = readAll(good.subarray(0, end));
    expect(records.map((r) => r.index)).toEqual([0]);
    expect(error).toMatchObject({ kind: 'truncated-record', index: 1, offset: 140 });
    expect(error!.message).toBe('truncated record header 1 (needs 16 bytes, 5 left)');
  });

  it('truncated record data', () => {
    const end = 24 + 116 + 216 + 16 + 42; // two records, the third header and 42 of its 300 bytes
    const { records, error } = readAll(good.subarray(0, end));
    expect(records.map((r) => r.index)).toEqual([0, 1]);
    expect(error).toMatchObject({ kind: 'truncated-record', index: 2 });
    expect(error!.message).toBe('truncated record 2 (needs 300 bytes, 42 left)');
  });

  it('record longer than the whole file', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(24 + 116 + 8, 0x7fffffff, true);
    const { records, error } = readAll(bad);
    expect(records).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'record-too-long', index: 1 });
    expect(error!.message).toBe(`record 1 longer than the file (claims 2147483647 bytes, the file has ${bad.length})`);
  });
});

describe('pcapng', () => {
  const ip = bytes(60, 9);
  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian section: EPB, SPB, OPB read; NRB, ISB, custom and unknown blocks skipped`, () => {
      const file = concat(
        shb(le, [option(le, 4, new TextEncoder().encode('test'))]),
        idb(le, 101, 9000),
        block(le, 4, new Uint8Array(8)), // name resolution block
        epb(le, 0, 1_700_000_000_123_456n, ip),
        block(le, 0x00000bad, bytes(13)), // custom block
        block(le, 0x12345678, bytes(3)), // a type nobody defined
        spb(le, ip.subarray(0, 50)), // 50 bytes: the block is padded to 52
        opb(le, 0, 1_700_000_001_000_001n, ip),
        block(le, 5, new Uint8Array(16)), // interface statistics
      );
      expect(captureInfo(file)).toEqual({ format: 'pcapng', littleEndian: le });
      const { records, error } = readAll(file);
      expect(error).toBeUndefined();
      expect(records).toHaveLength(3);
      expect(records[0]).toMatchObject({ index: 0, linkType: 101, seconds: 1_700_000_000, nanos: 123_456_000, hasTimestamp: true, origLen: 60, truncated: false });
      expect([...records[0].data]).toEqual([...ip]);
      expect(records[1]).toMatchObject({ index: 1, linkType: 101, hasTimestamp: false, seconds: 0, origLen: 50, truncated: false });
      expect(records[1].data.length).toBe(50);
      expect(recordTime(records[1])).toBeNull();
      expect(records[2]).toMatchObject({ index: 2, seconds: 1_700_000_001, nanos: 1_000 });
    });
  }

  it('SPB data is cut to the snap length of interface 0', () => {
    const file = concat(shb(true), idb(true, 1, 32), spb(true, bytes(40), 40));
    expect(readAll(file).records[0]).toMatchObject({ origLen: 40, truncated: true });
    expect(readAll(file).records[0].data.length).toBe(32);
  });

  it('several interfaces with their own link types and resolutions', () => {
    const file = concat(
      shb(true),
      idb(true, 1, 0),
      idb(true, 228, 0, 9), // nanoseconds
      idb(true, 113, 0, 0x80 | 20), // 2^-20 s
      idb(true, 276, 0, 3, 1000n), // milliseconds, 1000 s offset
      epb(true, 1, 1_700_000_000_987_654_321n, bytes(20)),
      epb(true, 0, 5_000_001n, bytes(20)),
      epb(true, 2, (77n << 20n) | (1n << 19n), bytes(20)),
      epb(true, 3, 1_500n, bytes(20)),
    );
    const { records, error } = readAll(file);
    expect(error).toBeUndefined();
    expect(records.map((r) => [r.interfaceId, r.linkType, r.seconds, r.nanos])).toEqual([
      [1, 228, 1_700_000_000, 987_654_321],
      [0, 1, 5, 1_000],
      [2, 113, 77, 500_000_000],
      [3, 276, 1001, 500_000_000],
    ]);
  });

  it('a 64-bit microsecond timestamp beyond 2^53 still splits exactly', () => {
    const ts = (1n << 60n) + 123_456n;
    const file = concat(shb(true), idb(true, 1), epb(true, 0, ts, bytes(20)));
    const [r] = readAll(file).records;
    expect(BigInt(r.seconds)).toBe(ts / 1_000_000n);
    expect(r.nanos).toBe(Number((ts % 1_000_000n) * 1000n));
  });

  it('a second section may change byte order and starts with no interfaces', () => {
    const file = concat(
      shb(true), idb(true, 101), epb(true, 0, 1n, bytes(20)),
      shb(false), idb(false, 1), epb(false, 0, 2_000_000n, bytes(30)),
    );
    const { records, error } = readAll(file);
    expect(error).toBeUndefined();
    expect(records.map((r) => [r.index, r.linkType, r.seconds, r.data.length])).toEqual([[0, 101, 0, 20], [1, 1, 2, 30]]);

    const orphan = concat(shb(true), idb(true, 101), epb(true, 0, 1n, bytes(20)), shb(false), epb(false, 0, 1n, bytes(20)));
    const r2 = readAll(orphan);
    expect(r2.records).toHaveLength(1);
    expect(r2.error).toMatchObject({ kind: 'unknown-interface', index: 1 });
    expect(r2.error!.message).toBe('record 1 refers to interface 0, but the section describes 0');
  });
});

describe('pcapng errors', () => {
  const le = true;
  const head = concat(shb(le), idb(le, 1));
  const p0 = epb(le, 0, 1n, bytes(60));

  it('bad byte-order magic', () => {
    const bad = head.slice();
    bad[8] = 0;
    expect(readAll(bad).error).toMatchObject({ kind: 'bad-magic', index: 0 });
    expect(readAll(bad).error!.message).toMatch(/^bad pcapng byte-order magic 0x/);
  });

  it('unsupported version', () => {
    const bad = head.slice();
    bad[12] = 2;
    expect(readAll(bad).error).toMatchObject({ kind: 'bad-magic', message: 'unsupported pcapng version 2.0' });
  });

  it('truncated section header', () => {
    expect(readAll(head.subarray(0, 8)).error).toMatchObject({ kind: 'truncated-header' });
  });

  it('block length not a multiple of 4, or under 12', () => {
    for (const len of [13, 8, 0]) {
      const bad = concat(head, p0, p0);
      new DataView(bad.buffer).setUint32(head.length + p0.length + 4, len, le);
      const { records, error } = readAll(bad);
      expect(records).toHaveLength(1);
      expect(error).toMatchObject({ kind: 'bad-block', index: 1 });
      expect(error!.message).toBe(`bad block length ${len} at offset ${head.length + p0.length}`);
    }
  });

  it('trailer length differs from the header length', () => {
    const bad = concat(head, p0, p0);
    new DataView(bad.buffer).setUint32(bad.length - 4, 1234, le);
    const { records, error } = readAll(bad);
    expect(records).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'bad-block', index: 1, message: `bad record 1: block length ${p0.length} but trailer says 1234` });
  });

  it('truncated block / record', () => {
    const file = concat(head, p0, p0);
    const { records, error } = readAll(file.subarray(0, file.length - 10));
    expect(records).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'truncated-record', index: 1, message: `truncated record 1 (needs ${p0.length} bytes, ${p0.length - 10} left)` });
    const r2 = readAll(file.subarray(0, head.length + p0.length + 6));
    expect(r2.error).toMatchObject({ kind: 'truncated-record', index: 1, message: `truncated block at offset ${head.length + p0.length} (needs 12 bytes, 6 left)` });
  });

  it('block longer than the whole file', () => {
    const bad = concat(head, p0);
    new DataView(bad.buffer).setUint32(head.length + 4, 0x10000000, le);
    expect(readAll(bad).error).toMatchObject({ kind: 'record-too-long', index: 0 });
  });

  it('EPB captured length overruns its block', () => {
    const bad = concat(head, p0);
    new DataView(bad.buffer).setUint32(head.length + 8 + 12, 61, le);
    expect(readAll(bad).error).toMatchObject({ kind: 'bad-block', index: 0, message: `bad record 0: captured length 61 overruns its ${p0.length}-byte block` });
  });

  it('packet block too short for its type', () => {
    const bad = concat(head, block(le, 6, bytes(8)));
    expect(readAll(bad).error).toMatchObject({ kind: 'bad-block', index: 0 });
  });

  it('packet before any interface description', () => {
    const { error } = readAll(concat(shb(le), p0));
    expect(error).toMatchObject({ kind: 'unknown-interface', index: 0 });
  });

  it('IDB option running past the block', () => {
    const body = new Uint8Array(12);
    const dv = new DataView(body.buffer);
    dv.setUint16(0, 1, le);
    dv.setUint16(8, 9, le); // if_tsresol
    dv.setUint16(10, 200, le); // claims 200 bytes
    expect(readAll(concat(shb(le), block(le, 1, body))).error).toMatchObject({ kind: 'bad-block' });
  });
});
