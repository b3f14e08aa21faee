// A bulk transfer between two stacks over SimNetwork on a virtual clock: the `transfer` command,
// tests and the demo page's bulk run (web/bulk.ts steps the same Transfer) share it. Browser-safe.
import { VirtualClock } from '../clock/virtual.js';
import type { EngineConfig } from '../engine/engine.js';
import type { Tap } from '../link/link.js';
import { SimNetwork, type SimStats } from '../link/sim.js';
import type { PcapWriter } from '../pcap/writer.js';
import type { Socket } from '../socket.js';
import { Stack } from '../stack.js';
import { Prng } from '../util/prng.js';
import { Sha256 } from '../util/sha256.js';

/** An incremental hash (node:crypto's Hash fits, so does Sha256). */
export interface Hasher {
  update(data: Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}

/** Options of one transfer. */
export interface TransferOptions {
  /** Bytes the client sends (and the server too, unless `serverBytes` says otherwise). */
  bytes: number;
  /** Bytes the server sends (default `bytes`); a server with nothing to send closes after the client's FIN. */
  serverBytes?: number;
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
  /** Called now and then during the run with the bytes received so far (both directions), out of all bytes sent. */
  progress?: (received: number, total: number, virtualMs: number) => void;
}

/** Per-direction values: client → server and server → client. */
export interface PerDirection<T> {
  clientToServer: T;
  serverToClient: T;
}

/** What a transfer did. */
export interface TransferResult {
  /** Bytes the client sent (the server sent `received.serverToClient` of its own). */
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

/** The addresses and the port every transfer uses. */
export const TRANSFER_ADDRESSES = { client: '10.0.0.1', server: '10.0.0.2', port: 5001 } as const;
const CHUNK = 65536;

/** Both hosts of one transfer, set up at virtual time 0; nothing happens until the clock runs. */
export class Transfer {
  readonly clock = new VirtualClock();
  readonly net: SimNetwork;
  readonly client: Stack;
  readonly server: Stack;
  readonly clientSocket: Socket;
  /** The server's side, once accepted. */
  serverSocket: Socket | undefined;
  /** Bytes written so far, per direction. */
  readonly sent: PerDirection<number> = { clientToServer: 0, serverToClient: 0 };
  /** Bytes received so far, per direction. */
  readonly received: PerDirection<number> = { clientToServer: 0, serverToClient: 0 };
  /** Error codes the applications saw (null = none). */
  readonly errors: { client: string | null; server: string | null } = { client: null, server: null };
  /** Virtual time at which the server had all of the client's bytes (NaN before). */
  deliveredMs = NaN;
  readonly bytes: PerDirection<number>;
  private readonly hashes: { sent: PerDirection<Hasher>; received: PerDirection<Hasher> };
  private readonly mem0: number[];
  private closed = 0;
  private outcome: TransferResult | undefined;

  constructor(opts: TransferOptions) {
    const seed = opts.seed ?? 1;
    const delay = opts.delay ?? 5;
    this.bytes = { clientToServer: opts.bytes, serverToClient: opts.serverBytes ?? opts.bytes };
    for (const n of [this.bytes.clientToServer, this.bytes.serverToClient]) {
      if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`bytes must be a whole number >= 0, got ${n}`);
    }
    const makeHash = opts.hash ?? (() => new Sha256Hasher());
    this.hashes = { sent: { clientToServer: makeHash(), serverToClient: makeHash() }, received: { clientToServer: makeHash(), serverToClient: makeHash() } };
    const clock = this.clock;
    this.net = new SimNetwork({
      clock, seed, delay,
      loss: opts.loss ?? 0, duplicate: opts.duplicate ?? 0, reorder: opts.reorder ?? 0, corrupt: opts.corrupt ?? 0,
      reorderDelay: Math.max(1, delay / 2),
    });
    if (opts.pcap) this.net.pcap(opts.pcap);
    if (opts.tap) this.net.tap(opts.tap);
    const config: Partial<EngineConfig> = { ...opts.config };
    if (opts.mss !== undefined) config.mss = opts.mss;
    const A = TRANSFER_ADDRESSES;
    this.client = new Stack({ address: A.client, clock, link: this.net, seed: seed * 2 + 1, config, name: 'client', recordTransitions: false });
    this.server = new Stack({ address: A.server, clock, link: this.net, seed: seed * 2 + 2, config, name: 'server', recordTransitions: false });
    this.mem0 = [this.client.engine.memory.buffer.byteLength, this.server.engine.memory.buffer.byteLength];

    this.server.listen(A.port, { allowHalfOpen: true }, (sock) => {
      this.serverSocket = sock;
      opts.observe?.('server', sock);
      this.receive(sock, 'clientToServer');
      sock.on('error', (e: Error & { code?: string }) => (this.errors.server ??= e.code ?? e.message));
      sock.on('close', () => this.closed++);
      if (this.bytes.serverToClient > 0) this.pump(sock, new Prng(seed * 7 + 2), 'serverToClient');
      else sock.on('end', () => sock.end());
    });
    const sock = this.client.connect({ host: A.server, port: A.port, allowHalfOpen: true });
    this.clientSocket = sock;
    opts.observe?.('client', sock);
    this.receive(sock, 'serverToClient');
    sock.on('error', (e: Error & { code?: string }) => {
      this.errors.client ??= e.code ?? e.message;
      this.closed++; // the server side may never have existed
    });
    sock.on('close', (hadError: boolean) => {
      if (!hadError) this.closed++;
    });
    sock.on('connect', () => this.pump(sock, new Prng(seed * 7 + 1), 'clientToServer'));
  }

  /** True once both sockets closed, or the client saw an error. */
  get settled(): boolean {
    return this.closed >= 2 || this.errors.client !== null;
  }

  /** Retransmitted segments, both engines together. */
  get retransmits(): number {
    return this.client.engine.stats.retransmits + this.server.engine.stats.retransmits;
  }

  /** What the transfer did; the hashes are final from the first call on. */
  result(): TransferResult {
    if (this.outcome) return this.outcome;
    const h = this.hashes;
    const sha256Sent = { clientToServer: h.sent.clientToServer.digest('hex'), serverToClient: h.sent.serverToClient.digest('hex') };
    const sha256Received = { clientToServer: h.received.clientToServer.digest('hex'), serverToClient: h.received.serverToClient.digest('hex') };
    const received = { ...this.received };
    const ok = this.errors.client === null && this.errors.server === null && this.closed >= 2 &&
      received.clientToServer === this.bytes.clientToServer && received.serverToClient === this.bytes.serverToClient &&
      sha256Sent.clientToServer === sha256Received.clientToServer && sha256Sent.serverToClient === sha256Received.serverToClient;
    const memoryGrew = this.client.engine.memory.buffer.byteLength !== this.mem0[0] ||
      this.server.engine.memory.buffer.byteLength !== this.mem0[1];
    this.outcome = {
      bytes: this.bytes.clientToServer, sha256Sent, sha256Received, received, ok, retransmits: this.retransmits,
      virtualSeconds: this.clock.now() / 1000, memoryGrew, errors: { ...this.errors }, network: { ...this.net.stats },
    };
    return this.outcome;
  }

  /** Writes the direction's pseudo-random bytes as fast as the socket takes them, then ends. */
  private pump(sock: Socket, prng: Prng, dir: keyof PerDirection<number>): void {
    const hash = this.hashes.sent[dir];
    const more = () => {
      while (this.sent[dir] < this.bytes[dir]) {
        const chunk = new Uint8Array(Math.min(CHUNK, this.bytes[dir] - this.sent[dir]));
        prng.fill(chunk);
        hash.update(chunk);
        this.sent[dir] += chunk.length;
        if (!sock.write(chunk)) return;
      }
      sock.off('drain', more);
      sock.end();
    };
    sock.on('drain', more);
    more();
  }

  private receive(sock: Socket, dir: keyof PerDirection<number>): void {
    const hash = this.hashes.received[dir];
    sock.on('data', (d: Uint8Array) => {
      this.received[dir] += d.length;
      hash.update(d);
      if (dir === 'clientToServer' && this.received[dir] === this.bytes[dir]) this.deliveredMs = this.clock.now();
    });
  }
}

/** Runs one transfer to completion on a fresh virtual clock and returns its result. */
export function runTransfer(opts: TransferOptions): TransferResult {
  const t = new Transfer(opts);
  const total = t.bytes.clientToServer + t.bytes.serverToClient;
  let checks = 0;
  const progress = opts.progress;
  const done = () => {
    // Every 256 steps: the engine takes few clock steps per megabyte (one per deadline), and the
    // callback rate-limits itself by wall time.
    if (progress && (++checks & 255) === 0) progress(t.received.clientToServer + t.received.serverToClient, total, t.clock.now());
    return t.settled;
  };
  t.clock.runUntil(done, { timeout: opts.virtualLimitMs ?? 86_400_000 });
  return t.result();
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
