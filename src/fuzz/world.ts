// The fuzzer's world: a few engines of the test build with listeners and applications that open,
// feed, drain, half-close, close, abort and release connections at random; a wire between them with
// per-pair delays (0 ms for one pair, so an ACK war there is a livelock) and a little loss; a ring of
// the segments they sent, for the mutator. Time is virtual and the world's own. Browser-safe.
import { Engine, EventKind, SockOpt, type EngineConfig, type EngineEvent } from '../engine/engine.js';
import { DeadlineHeap, type HeapItem } from '../util/heap.js';
import { Prng } from '../util/prng.js';

/** Ports every engine listens on. */
export const PORTS = [80, 81] as const;
/** An address no engine has: connections to it stay in SYN_SENT until their SYNs run out. */
export const BLACKHOLE = 0x0a000063;

/** An application's connection. */
interface AppConn {
  conn: number;
  /** Bytes still to write. */
  toSend: number;
  /** Not reading (the receive window closes). */
  paused: boolean;
  /** Closed or aborted by the application, or reported Closed: released once `releaseAt` passes. */
  releaseAt: number;
}

/** One engine and its applications. */
export class Node {
  readonly owned = new Map<number, AppConn>();
  readonly listeners = new Map<number, number>();
  readonly memory0: number;
  constructor(readonly e: Engine, readonly addr: number) {
    this.memory0 = e.memory.buffer.byteLength;
  }
}

/** Kind of a captured packet: 0 SYN, 1 SYN-ACK, 2 FIN, 3 RST, 4 data, 5 pure ACK, 6 anything else. */
function captureKind(p: Uint8Array): number {
  if (p.length < 40 || p[9] !== 6) return 6;
  const t = (p[0] & 15) * 4;
  const f = p[t + 13];
  if (f & 4) return 3;
  if (f & 2) return f & 16 ? 1 : 0;
  if (f & 1) return 2;
  return p.length > t + (p[t + 12] >> 4) * 4 ? 4 : 5;
}

class Flight implements HeapItem {
  deadline = 0;
  seq = 0;
  heapIndex = -1;
  constructor(public to: Node, public bytes: Uint8Array) {}
}

/** The livelock guard: more packets than this at one instant. */
export const MAX_PACKETS_PER_INSTANT = 200_000;

export class LivelockError extends Error {}

/** Engine configs: one with Linux's choices (tail loss probes too; RACK and D-SACK are on by default), one with the RFC defaults, one without options (small rings and tables everywhere). */
export function fuzzConfigs(): Partial<EngineConfig>[] {
  const small: Partial<EngineConfig> = {
    maxConnections: 24, maxListeners: 4, sendBufferSize: 16384, recvBufferSize: 16384, txQueueSize: 70000,
    eventQueueSize: 1024, rtoMaxMs: 20_000, dataRetries: 8, synRetries: 4, synAckRetries: 3, synBacklog: 4,
    timeWaitMs: 30_000, finWait2TimeoutMs: 30_000, keepaliveIdleMs: 20_000, keepaliveIntervalMs: 2_000, keepaliveCount: 3,
  };
  return [
    { ...small, linuxRto: true, tlp: true, quickAcks: 16, delayFinAck: true, keepaliveRst: true, minshallNagle: true, linuxSenderWindow: true, synResendOnBadAck: true, pshOnBurstEnd: true, windowScale: 2 },
    { ...small, rstOnDataAfterClose: false, abortOnUnreadClose: false, mss: 1000 },
    { ...small, timestamps: false, sack: false, windowScaling: false, mss: 536, tsRandomOffset: false, ackUnsentData: false, recvBufferSize: 4096, sendBufferSize: 4096 },
  ];
}

export class World {
  readonly nodes: Node[] = [];
  now = 0;
  /** The last packets sent on the wire (copies), for the mutator, by kind (captureKind): SYN, SYN-ACK, FIN, RST, data, pure ACK, other. */
  readonly captured: Uint8Array[][] = Array.from({ length: 7 }, () => []);
  private readonly capturedAt = new Array<number>(7).fill(0);
  private readonly wire = new DeadlineHeap<Flight>();
  private seq = 0;
  private readonly ev: EngineEvent = { kind: 0, conn: 0, arg: 0 };
  private readonly rbuf = new Uint8Array(65536);
  private readonly wbuf = new Uint8Array(30000);
  /** Packets carried so far. */
  delivered = 0;
  /** Fault injection on the wire. */
  loss = 0.01;
  /** The applications react to events (off: events are read and ignored, for a caller driving connections itself). */
  apps = true;

  constructor(readonly rnd: Prng, module: WebAssembly.Module, seed: number, configs = fuzzConfigs()) {
    configs.forEach((config, i) => {
      const addr = (0x0a000001 + i) >>> 0;
      const e = Engine.create({ addr, seed: seed * 31 + i, config, module });
      const n = new Node(e, addr);
      for (const p of PORTS) n.listeners.set(p, e.listen(p));
      this.nodes.push(n);
    });
    this.wbuf.forEach((_, i) => { this.wbuf[i] = (i * 7 + 3) & 255; });
  }

  /** A captured packet, its kind picked evenly among those seen (so SYNs and FINs are not drowned by data), or undefined. */
  sample(): Uint8Array | undefined {
    const kinds = this.captured.filter((r) => r.length);
    if (!kinds.length) return undefined;
    const ring = kinds[this.rnd.int(kinds.length)];
    return ring[this.rnd.int(ring.length)];
  }

  /** The node with address `a`, if any. */
  node(a: number): Node | undefined {
    return this.nodes.find((n) => n.addr === a);
  }

  /** One-way delay between two nodes in ms: 0 between the first two (an ACK war there would be a livelock). */
  private delay(a: Node, b: Node): number {
    const i = this.nodes.indexOf(a) + this.nodes.indexOf(b);
    return i === 1 ? 0 : i === 2 ? 1 : 3;
  }

  /** Feeds one packet to `n` now, then handles what follows at this instant. */
  inject(n: Node, bytes: Uint8Array): void {
    n.e.input(bytes, this.now);
    this.settle();
  }

  /** Moves every node's tx batch onto the wire (capturing copies). */
  private drain(n: Node): void {
    n.e.drainTx((p) => {
      const copy = p.slice();
      const k = captureKind(copy);
      const ring = this.captured[k];
      if (ring.length < 128) ring.push(copy);
      else ring[this.capturedAt[k]++ & 127] = copy;
      const to = p.length >= 20 ? this.node(((p[16] << 24) | (p[17] << 16) | (p[18] << 8) | p[19]) >>> 0) : undefined;
      if (!to || this.rnd.chance(this.loss)) return;
      const f = new Flight(to, copy);
      f.deadline = this.now + this.delay(n, to);
      f.seq = this.seq++;
      this.wire.push(f);
    });
  }

  /** Earliest thing that will happen: a packet arriving or an engine deadline. */
  nextEvent(): number {
    let t = this.wire.peek()?.deadline ?? Infinity;
    for (const n of this.nodes) t = Math.min(t, n.e.nextDeadline);
    return t;
  }

  /** Delivers what is due and fires due timers at the current instant until nothing more happens now. */
  settle(): void {
    let packets = 0;
    for (;;) {
      let busy = false;
      for (const n of this.nodes) {
        if (n.e.nextDeadline <= this.now) { n.e.poll(this.now); busy = true; }
        this.events(n);
        if (n.e.txPending) { this.drain(n); busy = true; }
      }
      for (let f = this.wire.peek(); f && f.deadline <= this.now; f = this.wire.peek()) {
        this.wire.pop();
        f.to.e.input(f.bytes, this.now);
        this.delivered++;
        busy = true;
        if (++packets > MAX_PACKETS_PER_INSTANT) throw new LivelockError(`more than ${MAX_PACKETS_PER_INSTANT} packets at t=${this.now} ms`);
      }
      if (!busy) return;
    }
  }

  /** Advances virtual time to `t`, handling everything due on the way in order. */
  advance(t: number): void {
    for (;;) {
      const next = this.nextEvent();
      if (!(next <= t)) break;
      this.now = Math.max(this.now, next);
      this.settle();
    }
    this.now = Math.max(this.now, t);
    this.settle();
  }

  /** The applications' reactions to the engine's events. */
  private events(n: Node): void {
    const ev = this.ev;
    while (n.e.nextEvent(ev)) {
      if (!this.apps) continue;
      const a = n.owned.get(ev.conn);
      switch (ev.kind) {
        case EventKind.Accept: {
          for (let c = n.e.accept(ev.conn); c >= 0; c = n.e.accept(ev.conn)) {
            n.owned.set(c, { conn: c, toSend: this.rnd.int(4) ? this.rnd.int(60_000) : 0, paused: false, releaseAt: Infinity });
            this.pump(n, n.owned.get(c)!);
          }
          break;
        }
        case EventKind.Readable: case EventKind.PeerFin: if (a) this.read(n, a); break;
        case EventKind.Writable: case EventKind.Connected: if (a) this.pump(n, a); break;
        case EventKind.Closed: if (a && a.releaseAt === Infinity) a.releaseAt = this.now + this.rnd.int(3) * 1000; break;
      }
    }
  }

  /** Reads what is there (unless paused); at end of stream or error the application closes. */
  private read(n: Node, a: AppConn): void {
    if (a.paused || a.releaseAt !== Infinity) return;
    for (;;) {
      const r = n.e.recv(a.conn, this.rbuf, this.now);
      if (r > 0) continue;
      if (r !== -11) { // end of stream or an error: close (the write side may still have data to flush)
        n.e.close(a.conn, this.now);
        a.releaseAt = this.now + this.rnd.int(2) * 5000;
      }
      return;
    }
  }

  /** Writes what the application still has for the connection. */
  private pump(n: Node, a: AppConn): void {
    while (a.toSend > 0 && a.releaseAt === Infinity) {
      const k = Math.min(a.toSend, 1 + this.rnd.int(this.wbuf.length));
      const r = n.e.send(a.conn, this.wbuf.subarray(0, k), this.now);
      if (r <= 0) return;
      a.toSend -= r;
    }
  }

  /** Hands back the handles whose time came; returns how many connections the applications hold. */
  releaseDue(): number {
    for (const n of this.nodes) {
      for (const a of n.owned.values()) {
        if (a.releaseAt <= this.now) { n.e.release(a.conn, this.now); n.owned.delete(a.conn); }
      }
    }
    this.settle();
    return this.nodes.reduce((s, n) => s + n.owned.size, 0);
  }

  /** One random application action. */
  act(): void {
    const r = this.rnd;
    const n = this.nodes[r.int(this.nodes.length)];
    const live = [...n.owned.values()].filter((a) => a.releaseAt === Infinity);
    const a = live.length ? live[r.int(live.length)] : undefined;
    const k = r.int(17);
    if (k < 4 || !a) {
      if (n.owned.size >= 10) return;
      const to = r.int(12) === 0 ? BLACKHOLE : this.nodes[r.int(this.nodes.length)].addr;
      if (to === n.addr) return;
      const src = r.int(3) === 0 ? 40000 + r.int(4) : 0; // a few fixed ports: new incarnations meet old ones
      const c = n.e.connect(to, PORTS[r.int(PORTS.length)], this.now, src);
      if (c >= 0) n.owned.set(c, { conn: c, toSend: r.int(3) ? r.int(80_000) : 0, paused: false, releaseAt: Infinity });
    } else if (k === 16) {
      this.closeBoth(n, a); // a simultaneous close (CLOSING) when the peer's end is an application's too
    } else if (k < 7) {
      a.toSend += 1 + r.int(40_000);
      this.pump(n, a);
    } else if (k < 9) {
      a.paused = !a.paused;
      if (!a.paused) this.read(n, a);
    } else if (k === 9) {
      n.e.shutdown(a.conn, this.now);
    } else if (k === 10) {
      n.e.close(a.conn, this.now);
      a.releaseAt = this.now + r.int(3) * 2000;
    } else if (k === 11) {
      n.e.abort(a.conn, this.now);
      a.releaseAt = this.now;
    } else if (k === 12) {
      a.releaseAt = this.now; // release without close: the engine closes it
    } else if (k === 13) {
      const opt = [SockOpt.NoDelay, SockOpt.KeepAlive, SockOpt.KeepIdleMs, SockOpt.KeepIntervalMs, SockOpt.Linger0, SockOpt.UserTimeoutMs][r.int(6)];
      const v = opt === SockOpt.NoDelay || opt === SockOpt.KeepAlive || opt === SockOpt.Linger0 ? r.int(2) : 100 + r.int(5000);
      n.e.setOption(a.conn, opt, v, this.now);
    } else if (k === 14) {
      const port = PORTS[r.int(PORTS.length)];
      const l = n.listeners.get(port);
      if (l !== undefined && l >= 0) { n.e.unlisten(l, this.now); n.listeners.set(port, -1); } else n.listeners.set(port, n.e.listen(port, 1 + r.int(8)));
    } else {
      n.e.shutdownRead(a.conn, this.now);
    }
    this.settle();
  }

  /** Closes `a` and, at the same instant, its peer's end if an application holds it. */
  private closeBoth(n: Node, a: AppConn): void {
    const i = n.e.info(a.conn);
    n.e.close(a.conn, this.now);
    a.releaseAt = this.now + 3000;
    const peer = this.node(i.remoteAddr);
    if (!peer) return;
    for (const b of peer.owned.values()) {
      if (b.releaseAt !== Infinity) continue;
      const j = peer.e.info(b.conn);
      if (j.remotePort === i.localPort && j.localPort === i.remotePort && j.remoteAddr === n.addr) {
        peer.e.close(b.conn, this.now);
        b.releaseAt = this.now + 3000;
        return;
      }
    }
  }

  /** Every application closes, every listener closes; then time runs until nothing is left to happen (bounded). */
  wind_down(limitMs: number): void {
    for (const n of this.nodes) {
      for (const a of n.owned.values()) {
        if (this.rnd.int(4) === 0) n.e.abort(a.conn, this.now); else n.e.close(a.conn, this.now);
        n.e.release(a.conn, this.now);
      }
      n.owned.clear();
      for (const [p, l] of n.listeners) if (l >= 0) { n.e.unlisten(l, this.now); n.listeners.set(p, -1); }
    }
    this.loss = 0;
    this.settle();
    const end = this.now + limitMs;
    while (this.nextEvent() < end) this.advance(this.nextEvent());
  }
}
