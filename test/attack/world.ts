// Two stacks, a client (10.0.0.1) and a server (10.0.0.2), over a SimNetwork path or a DirectLink on a
// virtual clock, with packet counters and an attacker that injects crafted segments into either
// stack (it sees the connections' sequence numbers, as an on-path or lucky blind attacker would).
import { VirtualClock } from '../../src/clock/virtual.js';
import type { EngineConfig } from '../../src/engine/engine.js';
import { DirectLink } from '../../src/link/direct.js';
import { SimNetwork } from '../../src/link/sim.js';
import type { Socket } from '../../src/socket.js';
import { Stack } from '../../src/stack.js';
import { buildSegment, ip, type SegIn } from '../tcp/harness.js';

export const CLIENT = ip(10, 0, 0, 1);
export const SERVER = ip(10, 0, 0, 2);

/** One socket's end of a connection, with what it received. */
export interface End {
  sock: Socket;
  got: Uint8Array[];
}

/** The bytes an end received so far, joined. */
export function received(e: End): Uint8Array {
  const n = e.got.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const b of e.got) { out.set(b, o); o += b.length; }
  return out;
}

/** Whether two byte arrays are equal (vitest's toEqual takes seconds on a megabyte). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A pattern of `n` bytes starting at `seed`. */
export function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 255; }
  return b;
}

export class World {
  readonly clock: VirtualClock;
  readonly client: Stack;
  readonly server: Stack;
  /** Packets sent by each stack (by source address). */
  readonly sent = new Map<number, number>();
  /** Every packet sent, with its time (kept only while `log` is on). */
  log: { t: number; from: number; bytes: Uint8Array }[] | null = null;
  readonly link: SimNetwork | DirectLink;
  /** Accepted sockets of the server, in order. */
  readonly accepted: End[] = [];

  /** `delay` ms one way over a SimNetwork, or a DirectLink when `direct`. */
  constructor(opts: { delay?: number; direct?: boolean; config?: Partial<EngineConfig>; maxEventsPerInstant?: number; seed?: number } = {}) {
    this.clock = new VirtualClock({ maxEventsPerInstant: opts.maxEventsPerInstant });
    const seed = opts.seed ?? 1;
    this.client = new Stack({ address: '10.0.0.1', clock: this.clock, config: opts.config, seed: seed * 2, recordTransitions: false });
    this.server = new Stack({ address: '10.0.0.2', clock: this.clock, config: opts.config, seed: seed * 2 + 1, recordTransitions: false });
    if (opts.direct) {
      this.link = DirectLink.connect(this.client, this.server, this.clock);
    } else {
      this.link = new SimNetwork({ clock: this.clock, delay: opts.delay ?? 5 });
      this.client.attach(this.link);
      this.server.attach(this.link);
    }
    this.link.tap((ev) => {
      if (ev.fate === 'vanished' || ev.fate === 'duplicated') return;
      this.sent.set(ev.from, (this.sent.get(ev.from) ?? 0) + 1);
      this.log?.push({ t: ev.time, from: ev.from, bytes: ev.bytes.slice() });
    });
  }

  /** Packets sent by both stacks so far. */
  get packets(): number {
    let n = 0;
    for (const v of this.sent.values()) n += v;
    return n;
  }

  /** Listens on the server's `port`; accepted sockets collect what they receive. */
  listen(port: number, backlog?: number): void {
    this.server.listen(port, { allowHalfOpen: true, backlog }, (sock) => this.accepted.push(this.track(sock)));
  }

  /** Connects the client to the server's `port` and runs until connected; returns the client's end. */
  connect(port: number, localPort?: number): End {
    const e = this.track(this.client.connect({ host: '10.0.0.2', port, localPort, allowHalfOpen: true }));
    this.clock.runUntil(() => e.sock.readyState === 'open', { timeout: 10_000 });
    return e;
  }

  private track(sock: Socket): End {
    const e: End = { sock, got: [] };
    sock.on('data', (d: Uint8Array) => e.got.push(d.slice()));
    sock.on('error', () => {});
    return e;
  }

  /** Delivers a crafted segment straight into `to` (the attacker's injection). */
  inject(to: Stack, s: SegIn): void {
    to.receive(buildSegment({ src: to === this.server ? CLIENT : SERVER, dst: to.addr, ...s }));
  }

  /** Runs the clock for `ms`. */
  run(ms: number): void {
    this.clock.runFor(ms);
  }
}
