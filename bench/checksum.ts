// Checksum benchmark: WASM scalar vs WASM SIMD vs plain JS vs WASM memory.copy of the same bytes
// (the memory-bandwidth reference), plus copy+checksum in one pass. Run: npm run bench:checksum
import testBuild from '../build/engine.test.wasm';
import { instantiateEngine } from '../src/engine/load.js';

const SIZES = [64, 1500, 64 * 1024];
const ROUNDS = 9;
const ROUND_MS = 60;

// The checksum loops are exported by the test build only (the release module keeps the engine's exports).
const e = instantiateEngine(new WebAssembly.Module(testBuild as BufferSource));
const scratch = e.wireScratch() >>> 0;
const src = scratch;
const dst = scratch + 64 * 1024 + 64; // the scratch area holds 2 × 64 KiB + 64 bytes
const mem = new Uint8Array(e.memory.buffer);
let x = 12345;
for (let i = 0; i < 64 * 1024; i++) {
  x = (x * 1103515245 + 12345) >>> 0;
  mem[src + i] = x >>> 24;
}

/** A reasonable plain JS RFC 1071 sum: little-endian 32-bit words, byte swap at the end (RFC 1071 §2(B)). */
function jsChecksum(bytes: Uint8Array): number {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  let sum = 0;
  for (let i = 0; i < words.length; i++) sum += words[i];
  for (let i = words.length << 2; i + 1 < bytes.length; i += 2) sum += bytes[i] | (bytes[i + 1] << 8);
  if (bytes.length & 1) sum += bytes[bytes.length - 1];
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return ((sum & 0xff) << 8) | (sum >>> 8);
}

type Method = { name: string; run: (len: number, n: number) => number };
let sink = 0;
const methods: Method[] = [
  { name: 'memory.copy', run: (len, n) => { for (let i = 0; i < n; i++) e.wireMemoryCopy(dst, src, len); return 0; } },
  { name: 'SIMD checksum', run: (len, n) => { let s = 0; for (let i = 0; i < n; i++) s ^= e.wireChecksumSimd(src, len, 0); return s; } },
  { name: 'scalar checksum', run: (len, n) => { let s = 0; for (let i = 0; i < n; i++) s ^= e.wireChecksumScalar(src, len, 0); return s; } },
  { name: 'plain JS checksum', run: (len, n) => { const v = mem.subarray(src, src + len); let s = 0; for (let i = 0; i < n; i++) s ^= jsChecksum(v); return s; } },
  { name: 'copy+checksum (SIMD)', run: (len, n) => { let s = 0; for (let i = 0; i < n; i++) s ^= e.wireCopyWithChecksum(dst, src, len, 0); return s; } },
];

// Every method must agree before anything is timed.
for (const len of SIZES) {
  const want = e.wireChecksumScalar(src, len, 0);
  if (e.wireChecksumSimd(src, len, 0) !== want || jsChecksum(mem.subarray(src, src + len)) !== want) throw new Error(`checksum mismatch at ${len}`);
}

/** Calls of `m` at `len` that take about ROUND_MS. */
function calibrate(m: Method, len: number): number {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    sink ^= m.run(len, n);
    if (performance.now() - t0 > 5) break;
    n *= 2;
  }
  const t0 = performance.now();
  sink ^= m.run(len, n);
  const per = (performance.now() - t0) / n;
  return Math.max(1, Math.round(ROUND_MS / per));
}

/**
 * Median bytes per second of every method at `len`. Rounds are interleaved (method 1, 2, …, 1, 2, …) so
 * that load from other processes falls on all methods alike and the ratios stay fair.
 */
function measureAll(len: number): number[] {
  const iters = methods.map((m) => calibrate(m, len));
  const rates: number[][] = methods.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    methods.forEach((m, i) => {
      const t = performance.now();
      sink ^= m.run(len, iters[i]);
      rates[i].push((len * iters[i]) / ((performance.now() - t) / 1000));
    });
  }
  return rates.map((rs) => rs.sort((a, b) => a - b)[ROUNDS >> 1]);
}

const rows: string[] = ['| size | method | GB/s | × memory.copy |', '|---:|---|---:|---:|'];
for (const len of SIZES) {
  const rates = measureAll(len);
  methods.forEach((m, i) => {
    rows.push(`| ${len === 65536 ? '64 KiB' : `${len} B`} | ${m.name} | ${(rates[i] / 1e9).toFixed(2)} | ${(rates[i] / rates[0]).toFixed(2)} |`);
  });
}
console.log(`Node ${process.versions.node}, ${ROUNDS} interleaved rounds of ~${ROUND_MS} ms, median; each WASM figure includes one JS→WASM call per buffer.\n`);
console.log(rows.join('\n'));
if (sink === 0.5) console.log(sink);
