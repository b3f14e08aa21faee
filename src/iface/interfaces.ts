// A Stack's network interfaces as web streams, shaped like tcpip.js's: a TapInterface carries
// Ethernet frames, a TunInterface IPv4 packets, both ways (`readable`: what the stack sends,
// `writable`: what it receives; async iterable over `readable`). Outbound frames are produced only
// while something reads them (the readable is locked: a reader, pipeTo, for await) and at most
// `queueLimit` wait for a slow reader: the rest are dropped and counted, as a NIC would, never
// buffered without bound. An interface can instead be attached to a Link (a SimNetwork segment, a
// DirectLink), which then takes every frame synchronously. Browser-safe. A LoopbackInterface has no
// streams: what the stack sends to it comes straight back.
import type { Link, LinkEndpoint } from '../link/link.js';
import { formatIPv4 } from '../util/ip.js';
import { formatMac } from '../util/mac.js';
import type { InterfaceConfig } from './config.js';

/** What an interface needs from its stack (the Stack implements it; a leaf, so no import of stack.ts). */
export interface InterfaceHost {
  /** Hands an inbound frame or packet to the engine's interface `index` (copied before it returns). */
  input(index: number, data: Uint8Array): void;
  /** True while the stack is crashed (frames to it vanish). */
  readonly down: boolean;
  /** Crashes the stack (SimNetwork.crash). */
  crash(): void;
  /** Reboots the stack (SimNetwork.reboot). */
  reboot(): void;
}

/** Counters of one interface (outbound = what the stack sent). */
export interface InterfaceStats {
  /** Frames (packets) written to `writable` and handed to the stack. */
  rxPackets: number;
  rxBytes: number;
  /** Frames the stack sent that a reader or a link took. */
  txPackets: number;
  txBytes: number;
  /** Frames the stack sent that were dropped: no reader attached, or `queueLimit` of them already waiting. */
  txDropped: number;
}

/** Common parts of every interface: its address and index. */
abstract class BaseInterface {
  /** Engine interface index. @internal */
  readonly index: number;
  /** @internal */
  readonly config: InterfaceConfig;
  /** Our address with its prefix length ('10.0.0.2/24'). */
  readonly ip: string;
  /** Our address ('10.0.0.2'). */
  readonly address: string;
  /** Prefix length. */
  readonly prefixLength: number;
  /** Default gateway, if any. */
  readonly gateway: string | undefined;
  /** Largest IPv4 packet the interface carries. */
  readonly mtu: number;
  /** False once removed from its stack. */
  active = true;

  constructor(index: number, config: InterfaceConfig) {
    this.index = index;
    this.config = config;
    this.address = formatIPv4(config.addr);
    this.prefixLength = config.prefix;
    this.ip = `${this.address}/${config.prefix}`;
    this.gateway = config.gateway ? formatIPv4(config.gateway) : undefined;
    this.mtu = config.mtu;
  }

  /** The address as a u32 (a link's endpoint address). */
  get addr(): number {
    return this.config.addr;
  }

  /** An outbound frame from the stack's pump (a view valid only during the call). @internal */
  abstract emit(frame: Uint8Array): void;

  /** The interface was removed from its stack. @internal */
  abstract close(): void;
}

/** An interface whose frames (TAP) or packets (TUN) the application carries, as web streams. */
abstract class StreamInterface extends BaseInterface implements LinkEndpoint, AsyncIterable<Uint8Array> {
  /** What the stack sends: Ethernet frames (TAP) or IPv4 packets (TUN). Lock it (read, pipe, iterate) to receive them. */
  readonly readable: ReadableStream<Uint8Array>;
  /** What the stack receives: write Ethernet frames (TAP) or IPv4 packets (TUN) to it. */
  readonly writable: WritableStream<Uint8Array>;
  /** Counters. */
  readonly stats: InterfaceStats = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, txDropped: 0 };
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private readonly host: InterfaceHost;
  private link: Link | undefined;

  constructor(host: InterfaceHost, index: number, config: InterfaceConfig) {
    super(index, config);
    this.host = host;
    this.readable = new ReadableStream<Uint8Array>(
      { start: (c) => { this.controller = c; } },
      new CountQueuingStrategy({ highWaterMark: config.queueLimit }),
    );
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (!(chunk instanceof Uint8Array) && !isUint8Array(chunk)) throw new TypeError(`${this.constructor.name}.writable takes Uint8Array chunks`);
        if (!this.active) throw new TypeError(`${this.constructor.name} ${this.ip} was removed from its stack`);
        this.receive(chunk);
      },
    });
  }

  /** True while its stack is crashed. */
  get down(): boolean {
    return this.host.down;
  }

  /** Reads what the stack sends (locks `readable`), as tcpip.js's listen(). */
  listen(): AsyncIterableIterator<Uint8Array> {
    const reader = this.readable.getReader();
    const it: AsyncIterableIterator<Uint8Array> = {
      next: async () => {
        const r = await reader.read();
        if (r.done) reader.releaseLock();
        return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
      },
      return: async () => {
        reader.releaseLock();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this.listen();
  }

  /** A frame (packet) for the stack, as from `writable` or a link; copied before it returns. */
  receive(frame: Uint8Array): void {
    if (!this.active || this.host.down) return;
    this.stats.rxPackets++;
    this.stats.rxBytes += frame.length;
    this.host.input(this.index, frame);
  }

  /**
   * Attaches the interface to a link (a SimNetwork with `layer: 2` for TAP, a DirectLink): the link
   * takes every outbound frame at once and delivers inbound ones; the streams carry nothing meanwhile.
   */
  attach(link: Link): void {
    this.link?.detach(this);
    this.link = link;
    link.attach(this);
  }

  /** Detaches from the link (frames go to the streams again). */
  detach(): void {
    this.link?.detach(this);
    this.link = undefined;
  }

  /** Crashes the stack (for SimNetwork.crash). */
  crash(): void {
    this.host.crash();
  }

  /** Reboots the stack (for SimNetwork.reboot). */
  reboot(): void {
    this.host.reboot();
  }

  /** @internal */
  emit(frame: Uint8Array): void {
    const s = this.stats;
    if (this.link) {
      s.txPackets++;
      s.txBytes += frame.length;
      this.link.send(frame, this);
      return;
    }
    const c = this.controller;
    if (!this.readable.locked || c.desiredSize === null || c.desiredSize <= 0) {
      s.txDropped++;
      return;
    }
    s.txPackets++;
    s.txBytes += frame.length;
    c.enqueue(frame.slice());
  }

  /** @internal */
  close(): void {
    if (!this.active) return;
    this.active = false;
    this.detach();
    try {
      this.controller.close();
    } catch {
      // already closed or errored by its reader
    }
  }
}

/** An Ethernet interface (L2): frames in and out, ARP resolves next hops. */
export class TapInterface extends StreamInterface {
  /** Our MAC ('02:…'). */
  readonly mac: string;

  constructor(host: InterfaceHost, index: number, config: InterfaceConfig) {
    super(host, index, config);
    this.mac = formatMac(config.mac);
  }
}

/** An IP interface (L3): IPv4 packets in and out. */
export class TunInterface extends StreamInterface {}

/** A loopback interface: every address of its prefix routes to it, and what is sent to it comes back. */
export class LoopbackInterface extends BaseInterface {
  /** @internal */
  emit(): void {}

  /** @internal */
  close(): void {
    this.active = false;
  }
}

/** Any interface of a stack. */
export type NetworkInterface = TapInterface | TunInterface | LoopbackInterface;

/** A Uint8Array from another realm (a page's frame, a worker) fails instanceof. */
function isUint8Array(x: unknown): x is Uint8Array {
  return Object.prototype.toString.call(x) === '[object Uint8Array]';
}
