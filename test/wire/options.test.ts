// TCP options: parsing every kind, every malformed-option reason code, emitters round trip.
import { describe, expect, it } from 'vitest';
import { wireEngine } from './helpers.js';
import { REASON_NAMES } from '../../src/wire/reason.js';

const { e, mem, scratch } = wireEngine();
const reason = (name: string) => REASON_NAMES.indexOf(name);

/** Parses `bytes` as an option area; returns the reason code. */
function parse(bytes: number[]): number {
  mem().set(bytes, scratch);
  return e.wireParseTcpOptions(scratch, bytes.length);
}

function opts() {
  const sack: [number, number][] = [];
  for (let i = 0; i < e.wireOptSackCount(); i++) sack.push([e.wireOptSackLeft(i) >>> 0, e.wireOptSackRight(i) >>> 0]);
  return {
    mss: e.wireOptMss(), wscale: e.wireOptWscale(), sackPermitted: e.wireOptSackPermitted() === 1,
    ts: e.wireOptTsPresent() === 1 ? [e.wireOptTsVal() >>> 0, e.wireOptTsEcr() >>> 0] : null, sack,
  };
}

describe('parseTcpOptions', () => {
  it('empty area: everything absent', () => {
    expect(parse([])).toBe(0);
    expect(opts()).toEqual({ mss: -1, wscale: -1, sackPermitted: false, ts: null, sack: [] });
  });

  it('reads MSS, SACK-permitted, timestamps, NOP, window scale (Linux SYN order)', () => {
    expect(parse([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0xf5, 0xe7, 0x5d, 0x60, 0, 0, 0, 1, 1, 3, 3, 10])).toBe(0);
    expect(opts()).toEqual({ mss: 1460, wscale: 10, sackPermitted: true, ts: [0xf5e75d60, 1], sack: [] });
  });

  it('reads 1..4 SACK blocks', () => {
    for (let n = 1; n <= 4; n++) {
      const b = [5, 2 + 8 * n];
      const want: [number, number][] = [];
      for (let i = 0; i < n; i++) {
        const l = (0xfffffff0 + i * 0x1000) >>> 0, r = (l + 0x800) >>> 0;
        b.push(l >>> 24, (l >>> 16) & 255, (l >>> 8) & 255, l & 255, r >>> 24, (r >>> 16) & 255, (r >>> 8) & 255, r & 255);
        want.push([l, r]);
      }
      expect(parse(b)).toBe(0);
      expect(opts().sack).toEqual(want);
    }
  });

  it('nop, nop, TS (the direct read) parses as the same option in another layout does', () => {
    const ts = [8, 10, 0x80, 1, 2, 3, 0xfe, 0xdc, 0xba, 0x98];
    expect(parse([2, 4, 5, 180, 4, 2])).toBe(0); // leaves values the next parse must reset
    expect(parse([1, 1, ...ts])).toBe(0);
    const direct = opts();
    expect(direct).toEqual({ mss: -1, wscale: -1, sackPermitted: false, ts: [0x80010203, 0xfedcba98], sack: [] });
    expect(parse([...ts, 1, 1])).toBe(0);
    expect(opts()).toEqual(direct);
    // The same first four bytes with a bad length, or a longer area, are not the direct layout.
    expect(parse([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0])).toBe(reason('option-overrun'));
    expect(parse([1, 1, ...ts, 3, 3, 7, 0])).toBe(0);
    expect(opts()).toEqual({ ...direct, wscale: 7 });
  });

  it('EOL ends the list: garbage after it is ignored', () => {
    expect(parse([2, 4, 1, 0, 0, 2, 1, 0xff])).toBe(0);
    expect(opts().mss).toBe(256);
  });

  it('skips unknown kinds by their length (e.g. TCP-AO kind 29, experimental 254)', () => {
    expect(parse([29, 6, 1, 2, 3, 4, 254, 4, 0xf9, 0x89, 3, 3, 7, 1])).toBe(0);
    expect(opts()).toEqual({ mss: -1, wscale: 7, sackPermitted: false, ts: null, sack: [] });
  });

  it('a parse resets values left by an earlier one', () => {
    expect(parse([2, 4, 5, 180, 4, 2])).toBe(0);
    expect(parse([1, 1, 1, 1])).toBe(0);
    expect(opts()).toEqual({ mss: -1, wscale: -1, sackPermitted: false, ts: null, sack: [] });
  });

  const malformed: [string, number[], string][] = [
    ['length byte 0', [1, 254, 0], 'bad-option-length'],
    ['length byte 1', [30, 1, 0, 0], 'bad-option-length'],
    ['kind without length byte', [1, 1, 1, 2], 'option-overrun'],
    ['length past the area', [2, 4, 5], 'option-overrun'],
    ['unknown kind past the area', [1, 99, 8, 0, 0], 'option-overrun'],
    ['MSS length 3', [2, 3, 5, 1], 'bad-mss-option'],
    ['MSS length 5', [2, 5, 5, 180, 0, 0], 'bad-mss-option'],
    ['window scale length 4', [3, 4, 7, 0], 'bad-wscale-option'],
    ['SACK-permitted length 3', [4, 3, 0, 0], 'bad-sack-permitted-option'],
    ['timestamps length 8', [8, 8, 0, 0, 0, 0, 0, 0], 'bad-timestamp-option'],
    ['SACK length 2 (no block)', [5, 2, 0, 0], 'bad-sack-option'],
    ['SACK length 11', [5, 11, ...new Array(9).fill(0)], 'bad-sack-option'],
    ['SACK with 5 blocks', [5, 42, ...new Array(40).fill(0)], 'bad-sack-option'],
  ];
  for (const [what, bytes, name] of malformed) {
    it(`${what} → ${name}`, () => {
      expect(parse(bytes)).toBe(reason(name));
    });
  }

  it('every option reason code is hit above', () => {
    const hit = new Set(malformed.map(([, , n]) => n));
    const options = REASON_NAMES.slice(REASON_NAMES.indexOf('bad-option-length'), REASON_NAMES.indexOf('bad-sack-option') + 1);
    expect(options.length).toBe(7);
    for (const name of options) expect(hit.has(name)).toBe(true);
  });
});

describe('option emitters', () => {
  it('write what the parser reads back, with the documented lengths', () => {
    const m = mem();
    const p = scratch + 1;
    const lefts = scratch + 200, rights = scratch + 232;
    const dv = new DataView(e.memory.buffer);
    const edges = [[1, 2], [0xffffff00, 0x10], [77, 99], [5, 6], [8, 9]];
    edges.forEach(([l, r], i) => { dv.setUint32(lefts + 4 * i, l, true); dv.setUint32(rights + 4 * i, r, true); });
    let n = 0;
    n += e.wireEmitMss(p + n, 8960);
    n += e.wireEmitNop(p + n);
    n += e.wireEmitWindowScale(p + n, 14);
    n += e.wireEmitSackPermitted(p + n);
    n += e.wireEmitTimestamps(p + n, 0x01020304, 0xfffffffe);
    expect(n).toBe(4 + 1 + 3 + 2 + 10);
    expect(e.wireEmitSackBlocks(p + n, lefts, rights, 0)).toBe(0);
    const s = e.wireEmitSackBlocks(p + n, lefts, rights, 3);
    expect(s).toBe(26);
    n += s;
    expect(e.wireEmitEol(p + n)).toBe(1);
    m[p + n + 1] = 0xff; // after EOL: ignored
    expect(e.wireParseTcpOptions(p, n + 2)).toBe(0);
    expect(opts()).toEqual({
      mss: 8960, wscale: 14, sackPermitted: true, ts: [0x01020304, 0xfffffffe],
      sack: [[1, 2], [0xffffff00, 0x10], [77, 99]],
    });
    // n is clamped to 4 blocks (34 bytes).
    expect(e.wireEmitSackBlocks(p, lefts, rights, 9)).toBe(34);
    expect(e.wireParseTcpOptions(p, 34)).toBe(0);
    expect(opts().sack).toEqual(edges.slice(0, 4));
  });
});
