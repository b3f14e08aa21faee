// How the cost per packet grows with the number of connections: 1-byte ping-pong and bulk transfer
// over 1, 100, 1 000 and 10 000 concurrent connections between two WASM stacks (DirectLink, virtual
// clock). Per-packet cost is wall time over the TCP segments both engines sent; it should stay
// flat as connections grow (hash lookups, a timer heap, no table walks). Part of `wasm-tcp bench`
// (not --quick).
import { VirtualClock } from '../src/clock/virtual.js';
import type { Socket } from '../src/socket.js';
import { Stack } from '../src/stack.js';
import { benchPair, runUntil } from './pair.js';

/** One row of the scaling table. */
export interface ScalingRow {
  /** Concurrent connections. */
  conns: number;
  /** Ping-pong: ns of wall time per TCP segment, both stacks together. */
  pingpongNsPerPacket: number;
  /** Bulk (MSS 1460): ns of wall time per TCP segment. */
  bulkNsPerPacket: number;
  /** Bytes one engine laid out (connection table, rings, queues). */
  engineBytes: number;
}

/** The largest table one engine holds (maxConnections at its limit, smallest rings) and the memory it lays out. */
export interface LargestTable {
  conns: number;
  sendBufferSize: number;
  recvBufferSize: number;
  engineBytes: number;
}

const PORT = 7000;
export const SCALING_CONNS = [1, 100, 1000, 10000] as const;

/** Two stacks sized for `conns` connections with `buf`-byte rings. */
function pair(conns: number, buf: number) {
  return benchPair({
    maxConnections: conns + 8, maxListeners: 1, backlog: Math.min(65535, conns + 8), sendBufferSize: buf, recvBufferSize: buf,
    txQueueSize: Math.max(524288, conns * 2048), eventQueueSize: Math.min(1 << 24, Math.max(8192, conns * 8)),
  });
}

const segments = (a: Stack, b: Stack) => a.engine.stats.segmentsOut + b.engine.stats.segmentsOut;

/** `conns` clients connected to one server; `onServer` sets up each accepted socket. */
function connectAll(conns: number, buf: number, onServer: (s: Socket) => void, noDelay: boolean) {
  const p = pair(conns, buf);
  p.b.listen(PORT, { backlog: conns + 8 }, onServer);
  const clients: Socket[] = [];
  for (let i = 0; i < conns; i++) clients.push(p.a.connect({ host: '10.0.0.2', port: PORT, noDelay }));
  runUntil(p.clock, () => clients.every((c) => !c.connecting));
  return { ...p, clients };
}

/** ns per segment of `rounds` 1-byte round trips spread over `conns` connections (each echoes, then asks again). */
export function scalingPingPong(conns: number, rounds: number): number {
  const srvBuf = new Uint8Array(64);
  const { clock, a, b, clients } = connectAll(conns, 4096, (s) => {
    s.setNoDelay(true);
    s.setOnRead({ buffer: srvBuf, callback: (n) => void s.write(srvBuf.subarray(0, n)) });
  }, true);
  const one = new Uint8Array([7]);
  const cliBuf = new Uint8Array(64);
  let left = rounds;
  let done = 0;
  for (const c of clients) {
    c.setOnRead({ buffer: cliBuf, callback: () => { done++; if (left > 0) { left--; c.write(one); } } });
  }
  const seg0 = segments(a, b);
  const t0 = performance.now();
  for (const c of clients) if (left > 0) { left--; c.write(one); }
  runUntil(clock, () => done >= rounds);
  const dt = performance.now() - t0;
  return (dt * 1e6) / (segments(a, b) - seg0);
}

/** ns per segment of `total` bytes sent one way, split over `conns` connections (MSS 1460). */
export function scalingBulk(conns: number, total: number): number {
  let got = 0;
  const rx = new Uint8Array(1 << 16);
  const { clock, a, b, clients } = connectAll(conns, 8192, (s) => {
    s.setOnRead({ buffer: rx, callback: (n) => void (got += n) });
  }, false);
  const each = Math.max(1460, Math.floor(total / conns));
  const chunk = new Uint8Array(each).fill(0x5a);
  const seg0 = segments(a, b);
  const t0 = performance.now();
  for (const c of clients) c.write(chunk);
  runUntil(clock, () => got >= each * conns);
  const dt = performance.now() - t0;
  return (dt * 1e6) / (segments(a, b) - seg0);
}

/** The scaling table: ping-pong and bulk at each connection count, with the engine memory. */
export function runScaling(log: (line: string) => void = () => undefined): ScalingRow[] {
  const rows: ScalingRow[] = [];
  for (const conns of SCALING_CONNS) {
    scalingPingPong(conns, Math.max(conns, 20_000)); // warm-up at this size
    const pingpongNsPerPacket = Math.min(scalingPingPong(conns, 200_000), scalingPingPong(conns, 200_000));
    const bulkNsPerPacket = Math.min(scalingBulk(conns, 64 << 20), scalingBulk(conns, 64 << 20));
    const engineBytes = pair(conns, 4096).a.engine.memoryBytes;
    log(`  ${conns} connections: ping-pong ${pingpongNsPerPacket.toFixed(0)} ns/packet, bulk ${bulkNsPerPacket.toFixed(0)} ns/packet`);
    rows.push({ conns, pingpongNsPerPacket, bulkNsPerPacket, engineBytes });
  }
  return rows;
}

/** The largest connection table an engine lays out: maxConnections at its bound with the smallest rings. */
export function largestTable(): LargestTable {
  const buf = 1024;
  const clock = new VirtualClock();
  const s = new Stack({ address: '10.0.0.1', clock, config: { maxConnections: 65535, sendBufferSize: buf, recvBufferSize: buf } });
  return { conns: s.engine.config.maxConnections, sendBufferSize: buf, recvBufferSize: buf, engineBytes: s.engine.memoryBytes };
}
