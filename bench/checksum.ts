// Checksum benchmark: WASM scalar vs WASM SIMD vs plain JS vs WASM memory.copy of the same bytes
// (the memory-bandwidth reference), plus copy+checksum in one pass. Run: npm run bench:checksum
import { instantiateEngine } from '../src/engine/load.js';

const SIZES = [64, 1500, 64 * 1024];
const ROUNDS = 7;
const ROUND_MS = 60;

const e = instantiateEngine();
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

/** Median bytes per second of `m` at `len` over ROUNDS rounds of about ROUND_MS each. */
function measure(m: Method, len: number): number {
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
  const iters = Math.max(1, Math.round(ROUND_MS / per));
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    sink ^= m.run(len, iters);
    rates.push((len * iters) / ((performance.now() - t) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[ROUNDS >> 1];
}

const rows: string[] = ['| size | method | GB/s | × memory.copy |', '|---:|---|---:|---:|'];
for (const len of SIZES) {
  const rates = methods.map((m) => measure(m, len));
  methods.forEach((m, i) => {
    rows.push(`| ${len === 65536 ? '64 KiB' : `${len} B`} | ${m.name} | ${(rates[i] / 1e9).toFixed(2)} | ${(rates[i] / rates[0]).toFixed(2)} |`);
  });
}
console.log(`Node ${process.versions.node}, ${ROUNDS} rounds of ~${ROUND_MS} ms, median; each WASM figure includes one JS→WASM call per buffer.\n`);
console.log(rows.join('\n'));
if (sink === 0.5) console.log(sink);
