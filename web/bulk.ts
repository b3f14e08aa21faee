// A bulk transfer between two stacks over SimNetwork that can be run in slices or stepped one clock
// event at a time (the demo page drives it live; bench/browser.ts runs the same code in Node).
import {
  PcapWriter, Recorder, Transfer, type HostName, type Recording, type Stack, type TapEvent,
} from '../src/browser.js';

/** Settings of one transfer. */
export interface BulkOptions {
  /** Bytes the client sends to the server. */
  bytes: number;
  /** Probability a packet is lost (0..1). */
  loss?: number;
  /** One-way delay in ms (default 5). */
  delay?: number;
  /** Probability a packet is held back so later ones overtake it (0..1). */
  reorder?: number;
  /** Seed of the network, the engines and the payload (default 1). */
  seed?: number;
  /** Keep every packet for a pcap download (default false). */
  capture?: boolean;
  /** Segments drawn in the ladder before it skips to the close (default 40). */
  ladderSegments?: number;
}

/** Live figures of a transfer. */
export interface BulkProgress {
  bytes: number;
  sent: number;
  received: number;
  /** Virtual seconds since the start. */
  virtualSeconds: number;
  /** Virtual seconds until the last byte reached the server (NaN before). */
  deliveredSeconds: number;
  /** Wall-clock milliseconds spent inside run()/step(). */
  wallMs: number;
  retransmits: number;
  /** Clock events fired so far. */
  events: number;
  done: boolean;
  /** Error code either application saw, or null. */
  error: string | null;
}

const now = (): number => globalThis.performance.now();

/** Client → server transfer of pseudo-random bytes (src/scenario/transfer.ts's Transfer, stepped);
 * both ends hash what they handled (SHA-256). */
export class BulkTransfer {
  readonly transfer: Transfer;
  readonly clock: Transfer['clock'];
  readonly client: Stack;
  readonly server: Stack;
  readonly opts: Required<BulkOptions>;
  /** SHA-256 of what the client sent and of what the server received (hex, once done). */
  clientSha = '';
  serverSha = '';
  private readonly recorder: Recorder;
  private readonly pcapChunks: Uint8Array[] = [];
  private finished = false;
  private wall = 0;
  private drawn = 0;
  private skipped = 0;
  private endMs = NaN;
  private settle = 0;
  private finSent = false;

  /** Sets up both hosts at virtual time 0; nothing happens until run() or step(). */
  constructor(opts: BulkOptions) {
    this.opts = { loss: 0, delay: 5, reorder: 0, seed: 1, capture: false, ladderSegments: 40, ...opts };
    const o = this.opts;
    const pcap = o.capture ? new PcapWriter((c) => this.pcapChunks.push(c)) : undefined;
    this.transfer = new Transfer({
      bytes: o.bytes, serverBytes: 0, loss: o.loss, delay: o.delay, reorder: o.reorder, seed: o.seed, pcap,
      tap: (ev) => this.tap(ev),
    });
    ({ clock: this.clock, client: this.client, server: this.server } = this.transfer);
    this.recorder = new Recorder({
      scenario: 'bulk-transfer', seed: o.seed, loss: o.loss, client: this.client.addr, server: this.server.addr,
      description: `client sends ${o.bytes} bytes to the server, then both close`,
    });
    for (const [name, stack] of [['client', this.client], ['server', this.server]] as [HostName, Stack][]) {
      stack.on('transition', (tr: { t: number; from: string; to: string }) => this.recorder.transition(tr.t, name, tr.from, tr.to));
    }
  }

  /** True once both sockets closed and the clock ran out, or an application saw an error. */
  get done(): boolean {
    return this.finished;
  }

  /** Fires one clock event; returns false once the transfer is done. */
  step(): boolean {
    if (this.finished) return false;
    const t0 = now();
    const more = this.clock.step();
    this.wall += now() - t0;
    this.check(more);
    return !this.finished;
  }

  /** Runs clock events for about `budgetMs` of wall time (or to the end); returns false once done. */
  run(budgetMs = Infinity): boolean {
    const t0 = now();
    const stop = t0 + budgetMs;
    while (!this.finished) {
      for (let i = 0; i < 256 && !this.finished; i++) this.check(this.clock.step());
      if (now() >= stop) break;
    }
    this.wall += now() - t0;
    return !this.finished;
  }

  /** Live figures. */
  progress(): BulkProgress {
    const t = this.transfer;
    return {
      bytes: this.opts.bytes,
      sent: t.sent.clientToServer,
      received: t.received.clientToServer,
      virtualSeconds: (Number.isNaN(this.endMs) ? this.clock.now() : this.endMs) / 1000,
      deliveredSeconds: t.deliveredMs / 1000,
      wallMs: this.wall,
      retransmits: t.retransmits,
      events: this.clock.events,
      done: this.finished,
      error: this.error,
    };
  }

  /** The run so far as a Recording (the first segments, every SYN/RST, and the close from the first FIN on). */
  recording(): Recording {
    const t = this.transfer;
    return this.recorder.finish({
      client: { state: t.clientSocket.tcpState, error: this.error, sent: t.sent.clientToServer, received: 0 },
      server: { state: t.serverSocket ? t.serverSocket.tcpState : 'LISTEN', error: null, sent: 0, received: t.received.clientToServer },
    }, this.clock.now());
  }

  /** The capture so far as pcap bytes (empty header only when capture is off). */
  pcap(): Blob {
    return new Blob(this.pcapChunks as BlobPart[], { type: 'application/vnd.tcpdump.pcap' });
  }

  /** Done once nothing is left to happen, or an application saw an error; after both sockets closed
   * the clock still runs out its last timers (TIME_WAIT's 2·MSL), so the timelines end in CLOSED. */
  private check(more: boolean): void {
    const t = this.transfer;
    if (!more || this.error !== null || (t.settled && ++this.settle > 10_000)) {
      this.finished = true;
      this.endMs = this.clock.now();
      const r = t.result();
      this.clientSha = r.sha256Sent.clientToServer;
      this.serverSha = r.sha256Received.clientToServer;
    }
  }

  /** The first error code either application saw, or null. */
  private get error(): string | null {
    return this.transfer.errors.client ?? this.transfer.errors.server;
  }

  /** Keeps the first `ladderSegments` packets, every SYN or RST, and everything from the first FIN on. */
  private tap(ev: TapEvent): void {
    const p = ev.bytes;
    const ihl = (p[0] & 15) * 4;
    const flags = p.length > ihl + 13 ? p[ihl + 13] : 0;
    if (flags & 0x01) this.finSent = true;
    if (this.drawn < this.opts.ladderSegments || this.finSent || (flags & 0x06) !== 0 || ev.fate === 'vanished') {
      if (this.skipped) {
        this.recorder.note(ev.time, `… ${this.skipped} segment${this.skipped === 1 ? '' : 's'} not drawn (the pcap has them all) …`);
        this.skipped = 0;
      }
      this.drawn++;
      this.recorder.tap(ev);
    } else {
      this.skipped++;
    }
  }
}
