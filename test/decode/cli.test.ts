import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from '../pcap/fixtures.js';
import { readCapture } from '../../src/pcap/reader.js';
import { decodeCapture, jsonObject } from '../../src/pcap/decode.js';

// The built CLI (dist/cli.js, made by `npm run build`) run as a child process: output, exit codes,
// and one clean error line for damaged or missing files.

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let dir: string;

function decode(args: string[], input?: Uint8Array): { code: number | null; out: string[]; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'decode', ...args], { input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout.split('\n').filter((l) => l !== ''), err: r.stderr };
}

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Byte offsets of the records of a classic pcap file (each record header's start). */
function recordOffsets(file: Uint8Array): number[] {
  return [...readCapture(file)].map((r) => r.data.byteOffset - file.byteOffset - 16);
}

const eth = new Uint8Array(readFileSync(join(FIXTURES, 'eth.pcap')));
const ethNg = new Uint8Array(readFileSync(join(FIXTURES, 'dumpcap.pcapng')));

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  dir = mkdtempSync(join(tmpdir(), 'wtcp-decode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error contract: one line on stderr, no stack trace, exit code 1. */
function expectCleanError(r: ReturnType<typeof decode>, message: string): void {
  expect(r.err).toBe(`${message}\n`);
  expect(r.code).toBe(1);
}

describe('wasm-tcp decode', () => {
  it('--json prints one object per packet, the same as the library, exit 0', () => {
    const r = decode([join(FIXTURES, 'eth.pcap'), '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const want = [...decodeCapture(eth)].map((d) => JSON.stringify(jsonObject(d)));
    expect(r.out).toEqual(want);
    expect(r.out.length).toBe(recordOffsets(eth).length);
  });

  it('human form: one tcpdump-like line per packet', () => {
    const r = decode([join(FIXTURES, 'eth.pcap')]);
    expect(r.code).toBe(0);
    expect(r.out.length).toBe(recordOffsets(eth).length);
    expect(r.out[0]).toMatch(/^0\.000000 /);
    const syn = r.out.find((l) => l.includes('Flags [S]'))!;
    expect(syn).toMatch(/^\d+\.\d{6} IP 10\.199\.0\.1\.\d+ > 10\.199\.0\.2\.8080: Flags \[S\], seq \d+, win \d+, options \[mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale \d+\], length 0$/);
    expect(r.out.some((l) => / Flags \[S\.\], seq \d+, ack \d+, win/.test(l))).toBe(true);
    expect(r.out.some((l) => / Flags \[R\.?\]/.test(l))).toBe(true);
    expect(r.out.some((l) => / Flags \[F\.\]/.test(l))).toBe(true);
    expect(r.out.filter((l) => /^\d+\.\d{6} ARP, Request who-has 10\.199\.0\.2 tell 10\.199\.0\.1, length 28$/.test(l)).length).toBeGreaterThan(0);
    expect(r.out.some((l) => / IP 10\.199\.0\.2 > 10\.199\.0\.1: ICMP 10\.199\.0\.2 udp port 9999 unreachable, length 39$/.test(l))).toBe(true);
    const l2 = decode([join(FIXTURES, 'l2.pcap')]).out;
    expect(l2.some((l) => /^\d+\.\d{6} IP 10\.199\.0\.1 > 10\.199\.0\.2: ICMP echo request, id \d+, seq 1, length 108$/.test(l))).toBe(true);
    expect(l2.some((l) => /ICMP echo request, id 4660, seq 7, length 24, bad icmp cksum 0x[0-9a-f]{4}$/.test(l))).toBe(true);
    expect(decode([join(FIXTURES, 'l2-s64.pcap')]).out.some((l) => /ICMP echo reply, id \d+, seq \d+, length 108 \[captured 64 of 142 bytes\]$/.test(l))).toBe(true);
    const s96 = decode([join(FIXTURES, 'bulk-s96.pcap')]);
    expect(s96.out.some((l) => l.endsWith('length 1448 [captured 96 of 1514 bytes]'))).toBe(true);
    expect(decode([join(FIXTURES, 'bulk.pcap')]).out.some((l) => /sack 2 \{\d+:\d+\}\{\d+:\d+\}\]/.test(l))).toBe(true);
    const bad = decode([join(FIXTURES, 'bad-checksums.pcap')]).out;
    expect(bad.some((l) => /, length \d+, bad tcp cksum 0x[0-9a-f]{4}$/.test(l))).toBe(true);
    expect(bad.some((l) => /, length \d+, bad ip cksum$/.test(l))).toBe(true);
  });

  it('--json: ARP and ICMP objects', () => {
    const objs = decode([join(FIXTURES, 'l2.pcap'), '--json']).out.map((l) => JSON.parse(l));
    const reply = objs.find((o) => o.proto === 'arp' && o.op === 2)!;
    expect(reply).toEqual({
      index: 1, ts: expect.any(Number), proto: 'arp', op: 2, opName: 'reply',
      senderMac: expect.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/), senderIp: '10.199.0.2', targetMac: objs[0].senderMac, targetIp: '10.199.0.1', len: 28,
    });
    expect(objs.find((o) => o.proto === 'icmp' && o.type === 8)).toEqual({
      index: 2, ts: expect.any(Number), proto: 'icmp', src: '10.199.0.1', dst: '10.199.0.2', ttl: 64, id: expect.any(Number), ipLen: 128,
      ipChecksumOk: true, type: 8, code: 0, typeName: 'echo request', checksum: expect.any(Number), checksumOk: true,
      ident: expect.any(Number), seq: 1, len: 108,
    });
  });

  it("reads standard input for '-'", () => {
    const r = decode(['-', '--json'], ethNg);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([...decodeCapture(ethNg)].map((d) => JSON.stringify(jsonObject(d))));
  });
});

describe('wasm-tcp decode on bad input', () => {
  it('wrong magic', () => {
    const p = write('text.pcap', new TextEncoder().encode('this is not a capture file at all\n'));
    const r = decode([p]);
    expect(r.out).toEqual([]);
    expectCleanError(r, `wasm-tcp decode: ${p}: not a pcap or pcapng file (magic 0x74686973)`);
  });

  it('truncated file header', () => {
    const p = write('short.pcap', eth.subarray(0, 10));
    const r = decode([p, '--json']);
    expect(r.out).toEqual([]);
    expectCleanError(r, `wasm-tcp decode: ${p}: truncated file header (needs 24 bytes, 10 left)`);
  });

  it('truncated record: the records before it are printed', () => {
    const offs = recordOffsets(eth);
    const k = 12;
    const cut = offs[k] + 16 + 10;
    const p = write('cut.pcap', eth.subarray(0, cut));
    const r = decode([p, '--json']);
    expect(r.out.map((l) => JSON.parse(l).index)).toEqual([...Array(k).keys()]);
    const need = offs[k + 1] - offs[k] - 16;
    expectCleanError(r, `wasm-tcp decode: ${p}: truncated record ${k} (needs ${need} bytes, 10 left)`);
    const human = decode([p]);
    expect(human.out.length).toBe(k);
    expect(human.code).toBe(1);
  });

  it('record longer than the file', () => {
    const offs = recordOffsets(eth);
    const bad = eth.slice();
    new DataView(bad.buffer).setUint32(offs[5] + 8, 0x40000000, true);
    const p = write('long.pcap', bad);
    const r = decode([p, '--json']);
    expect(r.out.length).toBe(5);
    expectCleanError(r, `wasm-tcp decode: ${p}: record 5 longer than the file (claims 1073741824 bytes, the file has ${bad.length})`);
  });

  it('garbage after the last record', () => {
    const bad = new Uint8Array(eth.length + 7);
    bad.set(eth);
    bad.set([1, 2, 3, 4, 5, 6, 7], eth.length);
    const p = write('tail.pcap', bad);
    const r = decode([p, '--json']);
    const n = recordOffsets(eth).length;
    expect(r.out.length).toBe(n);
    expectCleanError(r, `wasm-tcp decode: ${p}: truncated record header ${n} (needs 16 bytes, 7 left)`);
  });

  it('garbage in the middle of a pcapng file', () => {
    const bad = ethNg.slice();
    const records = [...readCapture(ethNg)];
    const blockStart = records[3].data.byteOffset - 28; // EPB: type, length, if id, ts hi, ts lo, caplen, origlen
    bad.fill(0xee, blockStart, blockStart + 8);
    const p = write('bad.pcapng', bad);
    const r = decode([p]);
    expect(r.out.length).toBe(3);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^wasm-tcp decode: ${p}: bad block length 4008636142 at offset ${blockStart}\\n$`));
  });

  it('missing file, directory', () => {
    expectCleanError(decode([join(dir, 'nope.pcap')]), `wasm-tcp decode: ${join(dir, 'nope.pcap')}: no such file`);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expectCleanError(decode([sub]), `wasm-tcp decode: ${sub}: is a directory`);
  });

  it('usage errors exit 2; --help exits 0', () => {
    expect(decode([]).code).toBe(2);
    expect(decode([]).err).toMatch(/^wasm-tcp decode: no capture file given\n\nusage: wasm-tcp decode FILE/);
    expect(decode(['--bogus', 'x.pcap']).code).toBe(2);
    expect(decode(['a.pcap', 'b.pcap']).code).toBe(2);
    const help = decode(['--help']);
    expect(help.code).toBe(0);
    expect(help.out[0]).toBe('usage: wasm-tcp decode FILE [--json]');
  });
});
