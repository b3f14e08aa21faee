// Engine-level harness for the interface layer: one Engine with interfaces brought up by hand, frames
// and packets fed to an interface, and every tx record kept with its interface index and local bit.
import { Engine, EventKind, IfKind, RECORD_LOCAL, type EngineConfig, type EngineEvent, type IfaceConfig } from '../../src/engine/engine.js';
import { RECORD_HEADER, RECORD_IFACE_MASK } from '../../src/engine/abi.js';
import { recordBytes, recordLength } from '../../src/engine/records.js';
import { parseIPv4 } from '../../src/util/ip.js';
import { macAt, parseMac } from '../../src/util/mac.js';
import { buildSegment, decodeSegment, type SegIn, type SegOut } from '../tcp/harness.js';

/** One tx record. */
export interface Out {
  iface: number;
  local: boolean;
  bytes: Uint8Array;
  t: number;
}

export const MAC_US = '02:00:00:00:00:01';
export const MAC_PEER = '02:00:00:00:00:02';
export const US = '10.0.0.1';
export const PEER = '10.0.0.2';

export const u32 = (s: string) => parseIPv4(s);
export const mac = (s: string) => parseMac(s)!;

export class NetHarness {
  readonly e: Engine;
  now = 0;
  out: Out[] = [];
  events: EngineEvent[] = [];

  constructor(config: Partial<EngineConfig> = {}) {
    this.e = Engine.create({ addr: 0, seed: 7, config });
  }

  /** Brings up an interface; returns the engine's result. */
  up(index: number, c: Partial<IfaceConfig> & { kind: IfKind; addr: number; prefix: number }): number {
    const r = this.e.ifaceUp(index, { mtu: 1500, ...c }, this.now);
    this.drain();
    return r;
  }

  /** An Ethernet interface at index 0: US/24 with MAC_US (the gratuitous ARP is drained and dropped). */
  tap(extra: Partial<IfaceConfig> = {}, index = 0): void {
    const r = this.up(index, { kind: IfKind.ETHERNET, addr: u32(US), prefix: 24, mac: mac(MAC_US), ...extra });
    if (r !== 0) throw new Error(`ifaceUp ${r}`);
    this.out = [];
  }

  /** connect() now; the SYN (or what it waits for) is drained. */
  connect(dst: string, port = 80): number {
    const c = this.e.connect(u32(dst), port, this.now);
    this.drain();
    return c;
  }

  /** Feeds one frame or packet on interface `iface`. */
  feed(iface: number, bytes: Uint8Array): void {
    this.e.inputOn(iface, bytes, this.now);
    this.drain();
  }

  /** Advances the clock to `t`, polling at every deadline on the way. */
  advance(t: number): void {
    for (;;) {
      const d = this.e.nextDeadline;
      if (!(d <= t)) break;
      this.now = Math.max(this.now, d);
      this.e.poll(this.now);
      this.drain();
    }
    this.now = t;
    this.e.poll(t);
    this.drain();
  }

  /** Takes the tx area and the event ring. */
  drain(): void {
    this.e.drainTxRecords((b) => {
      for (let p = b.start; p < b.end;) {
        const len = recordLength(b.u8, p);
        const meta = b.i32[(p >>> 2) + 1];
        this.out.push({ iface: meta & RECORD_IFACE_MASK, local: (meta & RECORD_LOCAL) !== 0, bytes: b.u8.slice(p + RECORD_HEADER, p + RECORD_HEADER + len), t: this.now });
        p += recordBytes(len);
      }
    });
    const ev = { kind: 0, conn: 0, arg: 0 };
    while (this.e.nextEvent(ev)) this.events.push({ ...ev });
  }

  /** The records sent so far, then forgets them. */
  take(): Out[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  closed(conn: number): number | undefined {
    return this.events.find((v) => v.kind === EventKind.Closed && v.conn === conn)?.arg;
  }
}

/** An Ethernet II frame. */
export function frame(dst: string, src: string, type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set(macBytes(dst), 0);
  f.set(macBytes(src), 6);
  f[12] = type >> 8;
  f[13] = type & 255;
  f.set(payload, 14);
  return f;
}

export function macBytes(s: string): Uint8Array {
  const v = mac(s);
  const b = new Uint8Array(6);
  for (let i = 0; i < 6; i++) b[i] = Math.floor(v / 2 ** (8 * (5 - i))) & 255;
  return b;
}

/** Destination MAC, source MAC and EtherType of a frame. */
export function eth(f: Uint8Array): { dst: number; src: number; type: number } {
  return { dst: macAt(f, 0), src: macAt(f, 6), type: (f[12] << 8) | f[13] };
}

/** A TCP segment from the peer in a frame to us. */
export function tcpFrame(s: SegIn, dstMac = MAC_US, srcMac = MAC_PEER): Uint8Array {
  return frame(dstMac, srcMac, 0x0800, buildSegment({ src: u32(PEER), dst: u32(US), ...s }));
}

/** The TCP segment inside a frame (IPv4 total length honoured: padding ignored). */
export function segOf(f: Uint8Array): SegOut {
  const ip = f.subarray(14);
  return decodeSegment(ip.subarray(0, (ip[2] << 8) | ip[3]));
}
