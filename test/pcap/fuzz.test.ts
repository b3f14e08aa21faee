import { describe, expect, it } from 'vitest';
import { PcapError, readCapture, type CaptureRecord } from '../../src/pcap/reader.js';
import { ipv4Offset } from '../../src/pcap/link.js';
import { fixtures } from './fixtures.js';
import { classic, concat, epb, idb, rng, shb, spb } from './build.js';

// Random bytes, random truncations and random corruptions of real captures: the reader may only
// ever throw its own PcapError, and every record it yields lies inside the input.

function drain(file: Uint8Array): { records: CaptureRecord[]; error: unknown } {
  const records: CaptureRecord[] = [];
  try {
    for (const r of readCapture(file)) {
      // Plain checks, not expect(): this loop runs hundreds of thousands of times.
      if (r.data.buffer !== file.buffer || r.data.byteOffset < file.byteOffset ||
          r.data.byteOffset + r.data.length > file.byteOffset + file.length) {
        throw new Error(`record ${r.index} lies outside the input`);
      }
      if (!Number.isInteger(r.seconds) || !Number.isInteger(r.nanos) || r.nanos < 0 || r.nanos >= 1e9) {
        throw new Error(`record ${r.index} has a bad time ${r.seconds}.${r.nanos}`);
      }
      ipv4Offset(r.linkType, r.data); // must not throw either
      records.push(r);
    }
  } catch (e) {
    return { records, error: e };
  }
  return { records, error: undefined };
}

function expectOnlyPcapError(error: unknown): void {
  if (error !== undefined && !(error instanceof PcapError)) throw error;
}

function randomCapture(rand: () => number, i: number): Uint8Array {
  const le = rand() < 0.5;
  const n = Math.floor(rand() * 5);
  const data = () => Uint8Array.from({ length: Math.floor(rand() * 80) }, () => (rand() * 256) | 0);
  if (i % 4 === 0) {
    const records = Array.from({ length: n }, () => ({ sec: (rand() * 2 ** 32) >>> 0, frac: (rand() * 1e6) | 0, data: data() }));
    return classic({ le, nano: rand() < 0.5, linkType: [1, 101, 113, 228, 276][i % 5], records });
  }
  const blocks = [shb(le), idb(le, [1, 101, 113, 228, 276][i % 5], 0, rand() < 0.5 ? 9 : undefined)];
  for (let k = 0; k < n; k++) {
    blocks.push(rand() < 0.7 ? epb(le, 0, BigInt(Math.floor(rand() * 2 ** 50)), data()) : spb(le, data()));
  }
  return concat(...blocks);
}

const MAGICS = [
  [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0], [0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4],
  [0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0], [0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4],
  [0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0],
  [0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0],
];

describe('reader fuzz', () => {
  it('random bytes, with and without a valid magic, give records or a PcapError', () => {
    const rand = rng(1);
    let records = 0;
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      let file: Uint8Array;
      if (i % 2 === 0) {
        // A well-formed file of random packets, then a few random byte changes.
        file = randomCapture(rand, i);
        const flips = Math.floor(rand() * 4);
        for (let k = 0; k < flips && file.length; k++) file[Math.floor(rand() * file.length)] = (rand() * 256) | 0;
      } else {
        file = new Uint8Array(Math.floor(rand() * 600));
        for (let j = 0; j < file.length; j++) file[j] = (rand() * 256) | 0;
        if (i % 3 !== 0) file.set(MAGICS[i % MAGICS.length].slice(0, file.length));
      }
      const d = drain(file);
      expectOnlyPcapError(d.error);
      records += d.records.length;
      if (d.error) errors++;
    }
    // Both paths were exercised: some inputs yielded records, most ended in an error.
    expect(records).toBeGreaterThan(100);
    expect(errors).toBeGreaterThan(1000);
  });

  const all = fixtures();
  it('random truncations of the real fixtures: a clean prefix of records, then a PcapError', () => {
    const rand = rng(2);
    for (const f of all) {
      const full = drain(f.bytes);
      expect(full.error).toBeUndefined();
      for (let i = 0; i < 60; i++) {
        const cut = Math.floor(rand() * f.bytes.length);
        const { records, error } = drain(f.bytes.subarray(0, cut));
        expectOnlyPcapError(error);
        expect(records.length).toBeLessThanOrEqual(full.records.length);
        // Same file bytes, so the same records are the same views into them.
        records.forEach((r, k) => {
          const want = full.records[k];
          if (r.data.byteOffset !== want.data.byteOffset || r.data.length !== want.data.length || r.nanos !== want.nanos) {
            throw new Error(`${f.name} cut at ${cut}: record ${k} differs from the full read`);
          }
        });
        if (error) expect((error as PcapError).index).toBe(records.length);
      }
    }
  });

  it('random corruptions of the real fixtures give records or a PcapError', () => {
    const rand = rng(3);
    for (const f of all) {
      for (let i = 0; i < 60; i++) {
        const file = f.bytes.slice(0, Math.min(f.bytes.length, 4096));
        const flips = 1 + Math.floor(rand() * 8);
        for (let k = 0; k < flips; k++) file[Math.floor(rand() * file.length)] = (rand() * 256) | 0;
        expectOnlyPcapError(drain(file).error);
      }
    }
  });
});
