// SimNetwork: a seeded, deterministic network of hosts with delay, jitter, bandwidth, loss,
// duplication, reordering, corruption, partitions, crashes and an ICMP-answering router. With
// `layer: 2` it is one Ethernet segment instead: a switch between TAP interfaces that learns MACs
// and floods broadcasts and unknown destinations, under the same per-path conditions.
import type { Clock, ClockTimer } from '../clock/clock.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, type PcapWriter } from '../pcap/writer.js';
import { DeadlineHeap, type HeapItem } from '../util/heap.js';
import { ipDst, parseIPv4 } from '../util/ip.js';
import { isGroupMac, macAt } from '../util/mac.js';
import { Prng } from '../util/prng.js';
import { buildIcmpUnreachable, ICMP_HOST_UNREACH } from './icmp.js';
import { TapSet, type Fate, type Link, type LinkEndpoint, type Tap } from './link.js';

/** Conditions of one direction of a path between two hosts. */
export interface PathConditions {
  /** One-way propagation delay in ms. */
  delay: number;
  /** Extra uniform random delay in [0, jitter) ms per packet (can reorder packets by itself). */
  jitter: number;
  /** Bits per second; Infinity means no serialization delay. */
  bandwidth: number;
  /** Bytes that may wait for serialization before tail drop (with a finite bandwidth). */
  queueLimit: number;
  /** Probability that a packet is lost. */
  loss: number;
  /** Probability that a packet is delivered twice. */
  duplicate: number;
  /** Probability that a packet is held back by `reorderDelay` ms so later ones overtake it. */
  reorder: number;
  /** Extra delay of a reordered packet in ms. */
  reorderDelay: number;
  /** Probability that a packet has bits flipped (`corruptBits` of them). */
  corrupt: number;
  /** Bits flipped in a corrupted packet. */
  corruptBits: number;
}

/** How a path is broken: silently (packets dropped) or with the router answering ICMP host unreachable. */
export type PathDown = false | 'drop' | 'icmp';

/** Options of a SimNetwork: the clock, the seed, the router address and default conditions. */
export interface SimNetworkOptions extends Partial<PathConditions> {
  clock: Clock;
  /** PRNG seed; the same seed gives the same fates for the same traffic. */
  seed?: number;
  /** Address the router answers ICMP from (default 10.0.0.254; layer 3 only). */
  router?: string;
  /**
   * 3 (default): hosts exchange IPv4 packets, routed by destination address. 2: one Ethernet
   * segment of TAP interfaces (`tap.attach(net)`) joined by a learning switch; paths, partitions
   * and crashes are named by the interfaces' IPv4 addresses; pcap tees need LINKTYPE_ETHERNET.
   */
  layer?: 2 | 3;
}

/** Defaults: a perfect wire with no delay. */
export const PERFECT: PathConditions = {
  delay: 0, jitter: 0, bandwidth: Infinity, queueLimit: Infinity, loss: 0, duplicate: 0,
  reorder: 0, reorderDelay: 1, corrupt: 0, corruptBits: 1,
};

/** Per-direction state of a path. */
class Path {
  cond: PathConditions;
  override: Partial<PathConditions> = {};
  down: PathDown = false;
  busyUntil = 0;
  constructor(defaults: PathConditions) {
    this.cond = { ...defaults };
  }
}

/** A packet in flight. */
class Flight implements HeapItem {
  deadline = 0;
  seq = 0;
  heapIndex = -1;
  id = 0;
  from = 0;
  to = 0;
  len = 0;
  constructor(public buf: Uint8Array) {}
}

/** Counters of what the network did. */
export interface SimStats {
  sent: number; delivered: number; dropped: number; lost: number; duplicated: number;
  corrupted: number; reordered: number; icmp: number; vanished: number;
}

/** A simulated IPv4 network of any number of hosts. */
export class SimNetwork implements Link {
  readonly clock: Clock;
  /** Address (u32) the router sends ICMP from. */
  readonly router: number;
  /** 3: an IPv4 network; 2: an Ethernet segment. */
  readonly layer: 2 | 3;
  /** The switch's MAC table (layer 2): MAC → the address of the port it was last seen on. */
  private readonly macTable = new Map<number, number>();
  /** Port names of a segment's endpoints (their address, or 240.0.0.n for a duplicate). */
  private readonly portIds = new Map<LinkEndpoint, number>();
  private conflicts = 0;
  private readonly prng: Prng;
  private defaults: PathConditions;
  private readonly hosts = new Map<number, LinkEndpoint>();
  private readonly paths = new Map<number, Map<number, Path>>();
  private globalDown: PathDown = false;
  private readonly inflight = new DeadlineHeap<Flight>();
  private readonly timer: ClockTimer;
  private readonly taps = new TapSet();
  private readonly pool: Flight[][] = [];
  private readonly icmpBuf = new Uint8Array(128);
  private seq = 0;
  private nextId = 0;
  /** What happened so far. */
  readonly stats: SimStats = { sent: 0, delivered: 0, dropped: 0, lost: 0, duplicated: 0, corrupted: 0, reordered: 0, icmp: 0, vanished: 0 };

  /** Creates a network on `clock`; conditions given here are the defaults of every path. */
  constructor(opts: SimNetworkOptions) {
    this.clock = opts.clock;
    this.prng = new Prng(opts.seed ?? 1);
    this.router = parseIPv4(opts.router ?? '10.0.0.254');
    this.layer = opts.layer ?? 3;
    if (this.layer !== 2 && this.layer !== 3) throw new RangeError(`SimNetwork: layer must be 2 or 3, got ${String(opts.layer)}`);
    this.defaults = { ...PERFECT };
    this.setConditions(opts);
    this.timer = this.clock.timer(() => this.deliverDue());
  }

  /** Changes the default conditions (every path without its own override of a field follows). */
  setConditions(c: Partial<PathConditions>): void {
    this.defaults = { ...this.defaults, ...pickConditions(c) };
    validate(this.defaults);
    for (const m of this.paths.values()) for (const p of m.values()) p.cond = { ...this.defaults, ...p.override };
  }

  /** Overrides conditions of the path a→b (and b→a unless `oneWay`). */
  setPath(a: string | number, b: string | number, c: Partial<PathConditions>, oneWay = false): void {
    const apply = (p: Path) => {
      p.override = { ...p.override, ...pickConditions(c) };
      p.cond = { ...this.defaults, ...p.override };
      validate(p.cond);
    };
    apply(this.path(addr(a), addr(b)));
    if (!oneWay) apply(this.path(addr(b), addr(a)));
  }

  /** Effective conditions of the path a→b. */
  conditions(a: string | number, b: string | number): Readonly<PathConditions> {
    return this.path(addr(a), addr(b)).cond;
  }

  /**
   * Breaks the path between a and b both ways (all paths when no hosts are given): packets are
   * dropped, or with `{ icmp: true }` the router answers each with ICMP host unreachable (layer 3;
   * a segment has no router, so there they are dropped).
   */
  partition(a?: string | number, b?: string | number, opts: { icmp?: boolean } = {}): void {
    const mode: PathDown = opts.icmp ? 'icmp' : 'drop';
    if (a === undefined || b === undefined) this.globalDown = mode;
    else {
      this.path(addr(a), addr(b)).down = mode;
      this.path(addr(b), addr(a)).down = mode;
    }
  }

  /** Repairs the path between a and b (every path, and the global partition, when no hosts are given). */
  heal(a?: string | number, b?: string | number): void {
    if (a === undefined || b === undefined) {
      this.globalDown = false;
      for (const m of this.paths.values()) for (const p of m.values()) p.down = false;
    } else {
      this.path(addr(a), addr(b)).down = false;
      this.path(addr(b), addr(a)).down = false;
    }
  }

  /** Crashes the host at `a` (it must have a `crash()` method, as `Stack` does): silent, state lost. */
  crash(a: string | number): void {
    const h = this.host(a) as LinkEndpoint & { crash?(): void };
    if (!h.crash) throw new Error(`SimNetwork: host ${String(a)} cannot crash`);
    h.crash();
  }

  /** Reboots the host at `a` (it must have `reboot()`): back up with a fresh engine and no memory. */
  reboot(a: string | number): void {
    const h = this.host(a) as LinkEndpoint & { reboot?(): void };
    if (!h.reboot) throw new Error(`SimNetwork: host ${String(a)} cannot reboot`);
    h.reboot();
  }

  /** The endpoint attached at address `a`. */
  host(a: string | number): LinkEndpoint {
    const h = this.hosts.get(addr(a));
    if (!h) throw new Error(`SimNetwork: no host at ${String(a)}`);
    return h;
  }

  attach(ep: LinkEndpoint): void {
    if (this.layer === 2) {
      // A port whose address another port has (an address conflict) is named 240.0.0.n instead.
      if (this.portIds.has(ep)) return;
      let id = ep.addr;
      while (this.hosts.has(id)) id = (0xf0000000 + ++this.conflicts) >>> 0;
      this.portIds.set(ep, id);
      this.hosts.set(id, ep);
      return;
    }
    const other = this.hosts.get(ep.addr);
    if (other && other !== ep) throw new Error('SimNetwork: address already attached');
    this.hosts.set(ep.addr, ep);
  }

  detach(ep: LinkEndpoint): void {
    const id = this.portIds.get(ep) ?? ep.addr;
    this.portIds.delete(ep);
    if (this.hosts.get(id) === ep) this.hosts.delete(id);
    for (const [mac, at] of this.macTable) if (at === id) this.macTable.delete(mac);
  }

  /** Adds a tap (time, from, to, bytes, fate) for ladders and logs; returns a remover. */
  tap(fn: Tap): () => void {
    return this.taps.add(fn);
  }

  /**
   * Tees every packet sent (dropped ones too, as sent, and ICMP answers) into a pcap writer; returns
   * a remover. A segment (layer 2) writes each frame once as sent, however many ports it floods to.
   */
  pcap(writer: PcapWriter): () => void {
    const want = this.layer === 2 ? LINKTYPE_ETHERNET : LINKTYPE_RAW;
    if (writer.linktype !== want) throw new TypeError(`SimNetwork: a layer-${this.layer} network writes link type ${want}, the writer was made for ${writer.linktype}`);
    return this.taps.pcap(writer);
  }

  /** Packets currently in flight. */
  get inFlight(): number {
    return this.inflight.size;
  }

  send(packet: Uint8Array, from: LinkEndpoint): void {
    const now = this.clock.now();
    const id = ++this.nextId;
    this.stats.sent++;
    if (this.layer === 2) return this.switchFrame(id, now, packet, from);
    if (packet.length < 20 || packet[0] >> 4 !== 4) return this.drop(id, now, from.addr, 0, packet, 'malformed');
    this.carry(id, now, from.addr, ipDst(packet), packet, true);
  }

  /**
   * The switch (IEEE 802.1D learning): the source MAC is learnt on the sender's port; a frame to a
   * learnt unicast MAC goes to its port only (none if that is the sender's), any other (broadcast,
   * multicast, unknown) is flooded to every other port, each copy under its own path's conditions.
   */
  private switchFrame(id: number, now: number, frame: Uint8Array, from: LinkEndpoint): void {
    const src = this.portIds.get(from) ?? from.addr;
    if (frame.length < 14) return this.drop(id, now, src, 0, frame, 'malformed');
    const srcMac = macAt(frame, 6);
    if (!isGroupMac(srcMac)) this.macTable.set(srcMac, src);
    const dstMac = macAt(frame, 0);
    const port = isGroupMac(dstMac) ? undefined : this.macTable.get(dstMac);
    if (port !== undefined) {
      if (port === src) return this.drop(id, now, src, port, frame, 'filtered');
      return this.carry(id, now, src, port, frame, true);
    }
    let first = true;
    for (const to of this.hosts.keys()) {
      if (to === src) continue;
      this.carry(first ? id : ++this.nextId, now, src, to, frame, first);
      first = false;
    }
    if (first) this.drop(id, now, src, 0, frame, 'no-route');
  }

  /** Carries one copy from `src` to the host at `dst` under the path's conditions; `capture`: write it to the pcap tees. */
  private carry(id: number, now: number, src: number, dst: number, packet: Uint8Array, capture: boolean): void {
    const path = this.path(src, dst);
    const down = this.globalDown || path.down;
    if (down) {
      if (down === 'icmp' && this.layer === 3) return this.answerIcmp(id, now, src, dst, packet);
      return this.drop(id, now, src, dst, packet, 'partition', capture);
    }
    const dest = this.hosts.get(dst);
    if (!dest) return this.drop(id, now, src, dst, packet, 'no-route', capture);
    if (dest.down) return this.drop(id, now, src, dst, packet, 'host-down', capture);
    const c = path.cond;
    if (this.prng.chance(c.loss)) {
      this.stats.lost++;
      return this.drop(id, now, src, dst, packet, 'loss', capture);
    }
    let depart = now;
    if (c.bandwidth < Infinity) {
      const start = Math.max(now, path.busyUntil);
      const queued = ((start - now) * c.bandwidth) / 8000;
      if (queued + packet.length > c.queueLimit) return this.drop(id, now, src, dst, packet, 'queue', capture);
      depart = start + (packet.length * 8000) / c.bandwidth;
      path.busyUntil = depart;
    }
    let arrive = depart + c.delay;
    if (c.jitter > 0) arrive += this.prng.next() * c.jitter;
    if (this.prng.chance(c.reorder)) {
      this.stats.reordered++;
      arrive += c.reorderDelay;
    }
    const corrupt = this.prng.chance(c.corrupt);
    const f = this.enqueue(id, src, dst, packet, arrive);
    if (corrupt) {
      this.stats.corrupted++;
      for (let i = 0; i < c.corruptBits; i++) {
        const bit = this.prng.int(packet.length * 8);
        f.buf[bit >>> 3] ^= 1 << (bit & 7);
      }
    }
    this.report(id, now, src, dst, packet, corrupt ? 'corrupted' : 'delivered', undefined, arrive, capture);
    if (this.prng.chance(c.duplicate)) {
      this.stats.duplicated++;
      let again = arrive;
      if (c.jitter > 0) again = depart + c.delay + this.prng.next() * c.jitter;
      this.enqueue(id, src, dst, packet, again);
      this.report(id, now, src, dst, packet, 'duplicated', undefined, again, capture);
    }
  }

  private path(from: number, to: number): Path {
    let m = this.paths.get(from);
    if (!m) this.paths.set(from, (m = new Map()));
    let p = m.get(to);
    if (!p) m.set(to, (p = new Path(this.defaults)));
    return p;
  }

  private drop(id: number, now: number, from: number, to: number, packet: Uint8Array, reason: string, capture = true): void {
    this.stats.dropped++;
    this.report(id, now, from, to, packet, 'dropped', reason, NaN, capture);
  }

  private report(id: number, time: number, from: number, to: number, bytes: Uint8Array, fate: Fate, reason: string | undefined, arriveAt: number, capture = true): void {
    if (this.taps.active) this.taps.emit({ id, time, from, to, bytes, fate, reason, arriveAt }, capture);
  }

  /** RFC 792: the router on the failed path returns type 3 code 1 with the original header + 8 bytes. */
  private answerIcmp(id: number, now: number, src: number, dst: number, packet: Uint8Array): void {
    this.stats.icmp++;
    this.report(id, now, src, dst, packet, 'icmp', 'unreachable', NaN);
    const len = buildIcmpUnreachable(packet, this.router, ICMP_HOST_UNREACH, this.icmpBuf);
    const icmp = this.icmpBuf.subarray(0, len);
    const back = this.path(dst, src).cond;
    const arrive = now + back.delay;
    const icmpId = ++this.nextId;
    this.enqueue(icmpId, this.router, src, icmp, arrive);
    this.report(icmpId, now, this.router, src, icmp, 'delivered', undefined, arrive);
  }

  private enqueue(id: number, from: number, to: number, packet: Uint8Array, arrive: number): Flight {
    const f = this.take(packet.length);
    f.buf.set(packet);
    f.id = id;
    f.from = from;
    f.to = to;
    f.len = packet.length;
    f.deadline = arrive;
    f.seq = this.seq++;
    this.inflight.push(f);
    if (arrive < this.timer.deadline) this.timer.arm(arrive);
    return f;
  }

  private deliverDue(): void {
    const now = this.clock.now();
    for (;;) {
      const f = this.inflight.peek();
      if (!f || f.deadline > now) break;
      this.inflight.pop();
      const dest = this.hosts.get(f.to);
      const bytes = f.buf.subarray(0, f.len);
      if (dest && !dest.down) {
        this.stats.delivered++;
        dest.receive(bytes);
      } else {
        this.stats.vanished++;
        this.report(f.id, now, f.from, f.to, bytes, 'vanished', dest ? 'host-down' : 'no-route', NaN);
      }
      this.give(f);
    }
    const next = this.inflight.peek();
    if (next) this.timer.arm(next.deadline);
  }

  /** Pooled in-flight records with buffers in power-of-two size classes: no allocation in steady state. */
  private take(len: number): Flight {
    const cls = Math.max(11, 32 - Math.clz32(Math.max(1, len - 1)));
    const list = this.pool[cls];
    const f = list?.pop();
    return f ?? new Flight(new Uint8Array(1 << cls));
  }

  private give(f: Flight): void {
    const cls = 31 - Math.clz32(f.buf.length);
    (this.pool[cls] ??= []).push(f);
  }
}

function addr(a: string | number): number {
  return typeof a === 'number' ? a >>> 0 : parseIPv4(a);
}

const KEYS = Object.keys(PERFECT) as (keyof PathConditions)[];

function pickConditions(c: Partial<PathConditions>): Partial<PathConditions> {
  const out: Partial<PathConditions> = {};
  for (const k of KEYS) if (c[k] !== undefined) out[k] = c[k];
  return out;
}

function validate(c: PathConditions): void {
  for (const k of ['loss', 'duplicate', 'reorder', 'corrupt'] as const) {
    if (!(c[k] >= 0 && c[k] <= 1)) throw new RangeError(`SimNetwork: ${k} must be a probability in [0, 1], got ${c[k]}`);
  }
  for (const k of ['delay', 'jitter', 'reorderDelay', 'corruptBits'] as const) {
    if (!(c[k] >= 0 && c[k] < Infinity)) throw new RangeError(`SimNetwork: ${k} must be a finite number >= 0, got ${c[k]}`);
  }
  if (!(c.bandwidth > 0)) throw new RangeError(`SimNetwork: bandwidth must be > 0 bits/s, got ${c.bandwidth}`);
  if (!(c.queueLimit >= 0)) throw new RangeError(`SimNetwork: queueLimit must be >= 0, got ${c.queueLimit}`);
}
