// A complete bulk transfer between two stacks over SimNetwork on a virtual clock (the `transfer`
// command, tests and the browser demo share it). Browser-safe.
import { VirtualClock } from '../clock/virtual.js';
import type { EngineConfig } from '../engine/engine.js';
import type { Tap } from '../link/link.js';
import { SimNetwork, type SimStats } from '../link/sim.js';
import type { PcapWriter } from '../pcap/writer.js';
import type { Socket } from '../socket.js';
import { Stack } from '../stack.js';
import { Prng } from './prng.js';
import { Sha256 } from './sha256.js';

/** An incremental hash (node:crypto's Hash fits, so does Sha256). */
export interface Hasher {
  update(data: Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}

/** Options of one transfer. */
export interface TransferOptions {
  /** Bytes sent in each direction. */
  bytes: number;
  /** MSS of both engines (default: the engine's). */
  mss?: number;
  /** Loss, duplication, reordering and corruption probabilities (0..1) of every packet. */
  loss?: number;
  duplicate?: number;
  reorder?: number;
  corrupt?: number;
  /** One-way delay in ms (default 5). */
  delay?: number;
  /** Seed of the network, the engines and the payload (default 1). */
  seed?: number;
  /** Engine config overrides for both stacks. */
  config?: Partial<EngineConfig>;
  /** Hash factory (default: the built-in SHA-256). */
  hash?: () => Hasher;
  /** Give up after this much virtual time in ms (default one day). */
  virtualLimitMs?: number;
  /** Tee every packet into this pcap writer. */
  pcap?: PcapWriter;
  /** Observe every packet. */
  tap?: Tap;
  /** Called with each side's socket once it exists (tests check engine state against the wire). */
  observe?: (side: 'client' | 'server', socket: Socket) => void;
  /** Called now and then during the run with the bytes received so far (both directions), out of 2 × bytes. */
  progress?: (received: number, total: number, virtualMs: number) => void;
}

/** Per-direction values: client → server and server → client. */
export interface PerDirection<T> {
  clientToServer: T;
  serverToClient: T;
}

/** What a transfer did. */
export interface TransferResult {
  bytes: number;
  /** SHA-256 (hex) of what each side sent. */
  sha256Sent: PerDirection<string>;
  /** SHA-256 (hex) of what each side received. */
  sha256Received: PerDirection<string>;
  /** Bytes received per direction. */
  received: PerDirection<number>;
  /** True when both directions arrived complete and bit-exact and both closed without error. */
  ok: boolean;
  /** Retransmitted segments, both engines together. */
  retransmits: number;
  /** Virtual time from connect to both sockets closed, in seconds. */
  virtualSeconds: number;
  /** Whether either engine's memory grew during the run (it never should). */
  memoryGrew: boolean;
  /** Error codes the applications saw (null = none). */
  errors: { client: string | null; server: string | null };
  /** What the network did to the packets. */
  network: SimStats;
}

/** Runs one transfer to completion on a fresh virtual clock and returns its result. */
export function runTransfer(opts: TransferOptions): TransferResult {
  const seed = opts.seed ?? 1;
  const makeHash = opts.hash ?? (() => new Sha256Hasher());
  const clock = new VirtualClock();
  const net = new SimNetwork({
    clock, seed, delay: opts.delay ?? 5,
    loss: opts.loss ?? 0, duplicate: opts.duplicate ?? 0, reorder: opts.reorder ?? 0, corrupt: opts.corrupt ?? 0,
    reorderDelay: Math.max(1, (opts.delay ?? 5) / 2),
  });
  if (opts.pcap) net.pcap(opts.pcap);
  if (opts.tap) net.tap(opts.tap);
  const config: Partial<EngineConfig> = { ...opts.config };
  if (opts.mss !== undefined) config.mss = opts.mss;
  const client = new Stack({ address: '10.0.0.1', clock, link: net, seed: seed * 2 + 1, config, name: 'client', recordTransitions: false });
  const server = new Stack({ address: '10.0.0.2', clock, link: net, seed: seed * 2 + 2, config, name: 'server', recordTransitions: false });
  const mem0 = [client.engine.memory.buffer.byteLength, server.engine.memory.buffer.byteLength];

  const sentHash = { c: makeHash(), s: makeHash() };
  const recvHash = { c: makeHash(), s: makeHash() };
  const received = { c: 0, s: 0 };
  const errors: { client: string | null; server: string | null } = { client: null, server: null };
  let closed = 0;

  const pump = (sock: Socket, prng: Prng, hash: Hasher) => {
    let left = opts.bytes;
    const more = () => {
      while (left > 0) {
        const chunk = new Uint8Array(Math.min(65536, left));
        prng.fill(chunk);
        hash.update(chunk);
        left -= chunk.length;
        if (!sock.write(chunk)) return;
      }
      sock.end();
    };
    sock.on('drain', more);
    more();
  };
  const onRecv = (sock: Socket, side: 'c' | 's') => {
    sock.on('data', (d: Uint8Array) => {
      received[side] += d.length;
      recvHash[side].update(d);
    });
  };

  server.listen(5001, { allowHalfOpen: true }, (sock) => {
    opts.observe?.('server', sock);
    onRecv(sock, 's');
    sock.on('error', (e: Error & { code?: string }) => (errors.server = e.code ?? e.message));
    sock.on('close', () => closed++);
    pump(sock, new Prng(seed * 7 + 2), sentHash.s);
  });
  const sock = client.connect({ host: '10.0.0.2', port: 5001, allowHalfOpen: true });
  opts.observe?.('client', sock);
  onRecv(sock, 'c');
  sock.on('error', (e: Error & { code?: string }) => {
    errors.client = e.code ?? e.message;
    closed++; // the server side may never have existed
  });
  sock.on('close', (hadError: boolean) => {
    if (!hadError) closed++;
  });
  sock.on('connect', () => pump(sock, new Prng(seed * 7 + 1), sentHash.c));

  let checks = 0;
  const progress = opts.progress;
  const done = () => {
    // Every 256 steps: the engine takes few clock steps per megabyte (one per deadline), and the
    // callback rate-limits itself by wall time.
    if (progress && (++checks & 255) === 0) progress(received.c + received.s, 2 * opts.bytes, clock.now());
    return closed >= 2 || errors.client !== null;
  };
  clock.runUntil(done, { timeout: opts.virtualLimitMs ?? 86_400_000 });
  const virtualSeconds = clock.now() / 1000;
  const retransmits = client.engine.stats.retransmits + server.engine.stats.retransmits;
  const memoryGrew = client.engine.memory.buffer.byteLength !== mem0[0] || server.engine.memory.buffer.byteLength !== mem0[1];
  const sha256Sent = { clientToServer: sentHash.c.digest('hex'), serverToClient: sentHash.s.digest('hex') };
  const sha256Received = { clientToServer: recvHash.s.digest('hex'), serverToClient: recvHash.c.digest('hex') };
  const ok = errors.client === null && errors.server === null && closed >= 2 &&
    received.s === opts.bytes && received.c === opts.bytes &&
    sha256Sent.clientToServer === sha256Received.clientToServer && sha256Sent.serverToClient === sha256Received.serverToClient;
  return {
    bytes: opts.bytes, sha256Sent, sha256Received,
    received: { clientToServer: received.s, serverToClient: received.c },
    ok, retransmits, virtualSeconds, memoryGrew, errors, network: { ...net.stats },
  };
}

/** Adapter of the built-in Sha256 to the Hasher shape. */
class Sha256Hasher implements Hasher {
  private readonly h = new Sha256();
  update(data: Uint8Array): this {
    this.h.update(data);
    return this;
  }
  digest(_encoding: 'hex'): string {
    return this.h.digestHex();
  }
}
