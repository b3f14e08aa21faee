// Throughput benchmark: two WASM stacks in one process over the in-memory DirectLink (virtual clock,
// no real timers in the hot loop) vs Node's `net` over kernel loopback, side by side in one run.
// Run: `wasm-tcp bench [--quick] [--json]` (or `npm run bench`).
import net from 'node:net';
import engineBytes from '../build/engine.wasm';
import { VirtualClock } from '../src/clock/virtual.js';
import type { Socket } from '../src/socket.js';
import { Stack } from '../src/stack.js';
import { benchPair, runUntil } from './pair.js';
import { largestTable, runScaling, type LargestTable, type ScalingRow } from './scaling.js';
import { formatLossy, runLossy, type LossyResult } from './lossy.js';

/** One workload's figures: WASM stacks and Node `net`, in bytes/s or operations/s. */
export interface Pair {
  wasm: number;
  node: number;
}

/** Result of one benchmark run (`--json` prints it). */
export interface BenchResult {
  bulk1460: Pair;
  bulk64k: Pair;
  pingpong: Pair;
  churn1000: Pair;
  churn10000: Pair;
  /** Size of the release build/engine.wasm in bytes. */
  wasmBytes: number;
  /** Engine state per connection, buffers excluded. */
  connStateBytes: number;
  /** Cost per packet at 1 … 10 000 concurrent connections (full runs only, not --quick). */
  scaling?: ScalingRow[];
  /** The largest connection table one engine lays out (full runs only). */
  largest?: LargestTable;
  /** 1 GB one way over a lossy SimNetwork, virtual time (full runs only). */
  lossy?: LossyResult;
  /** What was measured. */
  params: { quick: boolean; bulkBytes: number; pingpongRounds: number; churnConcurrency: number; node: string };
}

/** Largest MSS the engine accepts (65535 − 40): a 64 KiB MTU. */
export const MSS_64K = 65495;
const PORT = 7000;
const CONCURRENCY = 64;



/** A pause between measurements, so the other side's leftovers (socket teardown, GC) finish first. */
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 50));
}

/** A 'drain' handler writing `total` bytes of `chunk` copies to `sock` (stopping at backpressure), then end(). */
function writer(sock: { write(b: Uint8Array): boolean; end(): unknown }, chunk: Uint8Array, total: number): () => void {
  let sent = 0;
  return () => {
    while (sent < total) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return;
    }
    sock.end();
  };
}

/** Seconds of wall time `fn` takes. */
function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

// ---------------------------------------------------------------- WASM side

/**
 * Bulk transfer of `total` bytes one way at `mss`; bytes/s of wall time. Zero-copy reads on the receiver.
 * 1 MiB send and receive buffers at every MSS (lwIP's 64 KiB-MTU build has a 1 MiB window and send
 * buffer): 4 MiB at 64 KiB MTU put the send ring, tx area and receive ring (16 MiB) out of the caches,
 * 0.7× the CPU-time throughput of 1 MiB; at MSS 1460 the size makes no difference. The tx queue at
 * 64 KiB MTU holds four packets (256 KiB), so each drain round's packets and the peer's copy of them stay
 * in the caches (a whole 1 MiB window per round: 0.79× the throughput); at MSS
 * 1460 a 2 MiB queue (fewer, larger rounds) is the faster one (a 128 KiB queue: 0.77×).
 */
export function wasmBulk(total: number, mss: number): number {
  const buf = 1 << 20;
  const txQueueSize = mss > 16384 ? 256 << 10 : 2 * buf;
  const { clock, a, b } = benchPair({ mss, maxConnections: 2, maxListeners: 1, sendBufferSize: buf, recvBufferSize: buf, txQueueSize });
  let got = 0;
  const rx = new Uint8Array(1 << 20);
  b.listen(PORT, {}, (s: Socket) => {
    s.setOnRead({ buffer: rx, callback: (n) => void (got += n) });
  });
  const chunk = new Uint8Array(1 << 20).fill(0x5a);
  const c = a.connect({ host: '10.0.0.2', port: PORT });
  const more = writer(c, chunk, total);
  c.on('drain', more);
  runUntil(clock, () => !c.connecting);
  const dt = timed(() => {
    more();
    runUntil(clock, () => got >= total);
  });
  return total / dt;
}

/** 1-byte ping-pong, `rounds` round trips; round trips/s. */
export function wasmPingPong(rounds: number): number {
  const { clock, a, b } = benchPair({ maxConnections: 2, maxListeners: 1 });
  const srvBuf = new Uint8Array(64);
  const srvOne = srvBuf.subarray(0, 1);
  b.listen(PORT, {}, (s: Socket) => {
    s.setNoDelay(true);
    s.setOnRead({ buffer: srvBuf, callback: (n) => void s.write(n === 1 ? srvOne : srvBuf.subarray(0, n)) });
  });
  const cliBuf = new Uint8Array(64);
  const one = new Uint8Array([7]);
  let count = 0;
  const c = a.connect({ host: '10.0.0.2', port: PORT, noDelay: true });
  c.setOnRead({ buffer: cliBuf, callback: () => void (++count < rounds && c.write(one)) });
  runUntil(clock, () => !c.connecting);
  const dt = timed(() => {
    c.write(one);
    runUntil(clock, () => count >= rounds);
  });
  return rounds / dt;
}

/** `total` connections (CONCURRENCY at a time): connect, 1 byte, close; connections/s. */
export function wasmChurn(total: number): number {
  const { clock, a, b } = benchPair({ maxConnections: 2 * CONCURRENCY, maxListeners: 1, backlog: 2 * CONCURRENCY, sendBufferSize: 4096, recvBufferSize: 4096 });
  const buf = new Uint8Array(64);
  b.listen(PORT, {}, (s: Socket) => {
    s.setOnRead({ buffer: buf, callback: () => undefined });
  });
  const one = new Uint8Array([1]);
  let started = 0;
  let done = 0;
  let failed = 0;
  const onClose = (hadError: boolean) => {
    if (hadError) failed++;
    done++;
    if (started < total) start();
  };
  const onError = () => undefined;
  const start = () => {
    started++;
    const c = a.connect({ host: '10.0.0.2', port: PORT });
    c.on('connect', () => c.end(one));
    c.setOnRead({ buffer: buf, callback: () => undefined });
    c.on('error', onError);
    c.on('close', onClose);
  };
  const dt = timed(() => {
    for (let i = 0; i < Math.min(CONCURRENCY, total); i++) start();
    runUntil(clock, () => done >= total);
  });
  if (failed) throw new Error(`bench: ${failed} of ${total} WASM connections failed`);
  return total / dt;
}

// ---------------------------------------------------------------- Node side

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** Node `net` bulk transfer over 127.0.0.1; bytes/s. */
export async function nodeBulk(total: number): Promise<number> {
  let got = 0;
  let t0 = 0;
  let finish!: (dt: number) => void;
  const finished = new Promise<number>((r) => (finish = r));
  const server = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= total) finish((performance.now() - t0) / 1000);
    });
  });
  const port = await listen(server);
  const c = net.connect(port, '127.0.0.1');
  await new Promise((r) => c.once('connect', r));
  const chunk = Buffer.alloc(1 << 20, 0x5a);
  const more = writer(c, chunk, total);
  c.on('drain', more);
  t0 = performance.now();
  more();
  const dt = await finished;
  c.destroy();
  await new Promise((r) => server.close(r));
  return total / dt;
}

/** Node `net` 1-byte ping-pong; round trips/s. */
export async function nodePingPong(rounds: number): Promise<number> {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
  });
  const port = await listen(server);
  const c = net.connect(port, '127.0.0.1');
  c.setNoDelay(true);
  await new Promise((r) => c.once('connect', r));
  const one = Buffer.from([7]);
  let count = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    c.on('data', () => {
      if (++count >= rounds) resolve();
      else c.write(one);
    });
    c.write(one);
  });
  const dt = (performance.now() - t0) / 1000;
  c.destroy();
  await new Promise((r) => server.close(r));
  return rounds / dt;
}

/** Node `net` churn: connect, 1 byte, close, CONCURRENCY at a time; connections/s. */
export async function nodeChurn(total: number): Promise<number> {
  const server = net.createServer((s) => {
    s.on('data', () => undefined);
    s.on('error', () => undefined);
  });
  const port = await listen(server);
  const one = Buffer.from([1]);
  let started = 0;
  let done = 0;
  let failed = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const start = () => {
      started++;
      const c = net.connect(port, '127.0.0.1', () => c.end(one));
      c.on('data', () => undefined);
      c.on('error', () => failed++);
      c.on('close', () => {
        if (++done >= total) resolve();
        else if (started < total) start();
      });
    };
    for (let i = 0; i < Math.min(CONCURRENCY, total); i++) start();
  });
  const dt = (performance.now() - t0) / 1000;
  await new Promise((r) => server.close(r));
  if (failed) throw new Error(`bench: ${failed} of ${total} Node connections failed`);
  return total / dt;
}

// ---------------------------------------------------------------- driver

/** Runs every workload (best of a few repetitions each) and returns the figures. */
export async function runThroughput(opts: { quick?: boolean; log?: (line: string) => void } = {}): Promise<BenchResult> {
  const quick = !!opts.quick;
  const log = opts.log ?? (() => undefined);
  const bulkBytes = quick ? 128 << 20 : 512 << 20;
  const rounds = quick ? 100_000 : 300_000;
  const reps = quick ? 2 : 5;
  // Each repetition runs the WASM side then the Node side, so both see the same machine load;
  // the best of the repetitions counts for each.
  const best = async (wasm: () => number, node: () => Promise<number>, n = reps): Promise<Pair> => {
    const p: Pair = { wasm: 0, node: 0 };
    for (let i = 0; i < n; i++) {
      await settle();
      p.wasm = Math.max(p.wasm, wasm());
      await settle();
      p.node = Math.max(p.node, await node());
    }
    log(`  wasm ${fmt(p.wasm)}, node ${fmt(p.node)}`);
    return p;
  };
  // Warm the JIT on both sides so the first measured workload is not the one paying for it.
  const connStateBytes = new Stack({ address: '10.9.9.9', clock: new VirtualClock(), config: { maxConnections: 1 } }).engine.connStateBytes;
  // Small-memory workloads first: the bulk engines' large memories, once garbage, make GC pauses.
  // V8 needs several runs of the connection paths before they are fully optimized.
  log('warming up');
  for (let i = 0; i < 3; i++) wasmPingPong(20_000);
  for (let i = 0; i < 8; i++) wasmChurn(1000);
  for (let i = 0; i < 2; i++) await nodePingPong(5000);
  for (let i = 0; i < 3; i++) await nodeChurn(500);
  log('1-byte ping-pong');
  const pingpong = await best(() => wasmPingPong(rounds), () => nodePingPong(rounds / 5));
  log('churn, 1 000 connections');
  const churn1000 = await best(() => wasmChurn(1000), () => nodeChurn(1000));
  log('churn, 10 000 connections');
  const churn10000 = await best(() => wasmChurn(10000), () => nodeChurn(10000), quick ? 2 : 3);
  log('warming up bulk');
  wasmBulk(16 << 20, 1460);
  wasmBulk(16 << 20, MSS_64K);
  await nodeBulk(16 << 20);
  const bulkReps = quick ? 1 : 3;
  log('bulk, MSS 1460');
  const bulk1460 = await best(() => wasmBulk(bulkBytes, 1460), () => nodeBulk(bulkBytes), bulkReps);
  log(`bulk, MSS ${MSS_64K} (64 KiB MTU)`);
  const bulk64k = await best(() => wasmBulk(bulkBytes, MSS_64K), () => nodeBulk(bulkBytes), bulkReps);
  let scaling: ScalingRow[] | undefined;
  let largest: LargestTable | undefined;
  let lossy: LossyResult | undefined;
  if (!quick) {
    log('scaling: 1, 100, 1 000, 10 000 concurrent connections');
    scaling = runScaling(log);
    largest = largestTable();
    lossy = runLossy(1e9, log);
  }
  return {
    bulk1460, bulk64k, pingpong, churn1000, churn10000,
    wasmBytes: engineBytes.length, connStateBytes, scaling, largest, lossy,
    params: { quick, bulkBytes, pingpongRounds: rounds, churnConcurrency: CONCURRENCY, node: process.version },
  };
}

function fmt(x: number): string {
  return x >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
}

/** The side-by-side table with ratios, as Markdown. */
export function formatTable(r: BenchResult): string {
  const rows: [string, Pair, string][] = [
    ['bulk, MSS 1460', r.bulk1460, 'Gbit/s'],
    [`bulk, 64 KiB MTU (MSS ${MSS_64K})`, r.bulk64k, 'Gbit/s'],
    ['1-byte ping-pong', r.pingpong, 'round trips/s'],
    ['connect+1 byte+close, 1 000 conns', r.churn1000, 'conns/s'],
    ['connect+1 byte+close, 10 000 conns', r.churn10000, 'conns/s'],
  ];
  const show = (v: number, unit: string) => (unit === 'Gbit/s' ? `${((v * 8) / 1e9).toFixed(2)} Gbit/s` : `${fmt(v)}/s`);
  const out = ['| workload | WASM stacks (in-memory link) | Node net (kernel loopback) | WASM ÷ Node |', '|---|---:|---:|---:|'];
  for (const [name, p, unit] of rows) out.push(`| ${name} | ${show(p.wasm, unit)} | ${show(p.node, unit)} | ${(p.wasm / p.node).toFixed(2)}× |`);
  out.push('', `engine.wasm: ${r.wasmBytes} bytes; engine state per connection: ${r.connStateBytes} bytes plus buffers.`);
  if (r.scaling) {
    out.push('', '| concurrent connections | ping-pong, ns/packet | bulk MSS 1460, ns/packet | engine memory (4 KiB rings) |', '|---:|---:|---:|---:|');
    for (const x of r.scaling) {
      out.push(`| ${x.conns} | ${x.pingpongNsPerPacket.toFixed(0)} | ${x.bulkNsPerPacket.toFixed(0)} | ${(x.engineBytes / 2 ** 20).toFixed(1)} MiB |`);
    }
  }
  if (r.largest) {
    const l = r.largest;
    out.push('', `largest table: ${l.conns} connections in one engine with ${l.sendBufferSize}-byte rings: ${(l.engineBytes / 2 ** 20).toFixed(0)} MiB laid out.`);
  }
  if (r.lossy) out.push('', formatLossy(r.lossy));
  return out.join('\n');
}
