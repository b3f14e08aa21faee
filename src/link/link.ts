// What a link is: something stacks hand outbound IPv4 packets to, and which delivers packets to stacks.
import type { PcapWriter } from '../pcap/writer.js';
import type { RecordBatch } from '../engine/records.js';

/** A host attached to a link (a `Stack`, or anything that takes raw IPv4 packets). */
export interface LinkEndpoint {
  /** The endpoint's IPv4 address as a u32. */
  readonly addr: number;
  /** True while the host is crashed: packets to it vanish. */
  readonly down?: boolean;
  /** Takes one inbound IPv4 packet; the view is only valid during the call (copy what you keep). */
  receive(packet: Uint8Array): void;
  /**
   * Optional: takes a batch of packet records in the engine's record format ([u32 length][u32 meta]
   * [packet][pad to 4], docs/engine-abi.md); valid only during the call.
   */
  receiveRecords?(batch: RecordBatch): void;
}

/** A medium between endpoints. */
export interface Link {
  /** Registers an endpoint so packets addressed to it reach it. */
  attach(ep: LinkEndpoint): void;
  /** Removes an endpoint; packets to it are dropped from then on. */
  detach(ep: LinkEndpoint): void;
  /** Sends one IPv4 packet from `from`; the view is only valid during the call. */
  send(packet: Uint8Array, from: LinkEndpoint): void;
  /** Optional: sends a batch of packet records from `from` at once (see LinkEndpoint.receiveRecords). */
  sendRecords?(batch: RecordBatch, from: LinkEndpoint): void;
}

/** What became of a packet handed to a link. */
export type Fate =
  /** will arrive intact at `arriveAt` */
  | 'delivered'
  /** lost on the way (see `reason`: loss, partition, queue, no-route, host-down, malformed, filtered) */
  | 'dropped'
  /** will arrive at `arriveAt` with flipped bits */
  | 'corrupted'
  /** an extra copy made by the network (its own event, same `id` as the original) */
  | 'duplicated'
  /** not delivered: the router answered with ICMP destination unreachable */
  | 'icmp'
  /** was in flight when its destination crashed or left: reported again at arrival time */
  | 'vanished';

/** One observation of a packet on a link, for ladders and logs. */
export interface TapEvent {
  /** Serial number of the packet on this link (a duplicate and a late `vanished` share it). */
  id: number;
  /** When it was sent (ms), or for `vanished`, when it would have arrived. */
  time: number;
  /** Sender address (u32). */
  from: number;
  /** Destination address (u32). */
  to: number;
  /** The packet as sent; valid only during the callback. */
  bytes: Uint8Array;
  fate: Fate;
  /** Why it was dropped, if it was. */
  reason?: string;
  /** When it arrives (ms), NaN when it does not. */
  arriveAt: number;
}

/** A tap callback; must not call into stacks synchronously. */
export type Tap = (ev: TapEvent) => void;

/** Taps and pcap tees of one link; `active` is false when nobody listens (zero cost on the hot path). */
export class TapSet {
  private taps: Tap[] = [];
  private writers: PcapWriter[] = [];
  /** True when at least one tap or pcap writer is attached. */
  active = false;

  /** Adds a tap; returns a function that removes it. */
  add(tap: Tap): () => void {
    this.taps = [...this.taps, tap];
    return this.attached(() => { this.taps = this.taps.filter((t) => t !== tap); });
  }

  /** Tees every packet sent on the link (as sent, dropped ones too) into `writer`; returns a remover. */
  pcap(writer: PcapWriter): () => void {
    this.writers = [...this.writers, writer];
    return this.attached(() => { this.writers = this.writers.filter((w) => w !== writer); });
  }

  /** Marks the set active; returns the remover that runs `detach` and recomputes `active`. */
  private attached(detach: () => void): () => void {
    this.active = true;
    return () => {
      detach();
      this.active = this.taps.length + this.writers.length > 0;
    };
  }

  /** Reports one event to every tap, and writes the packet to the pcap tees unless it is a late report or `capture` is false (another copy of a flooded frame). */
  emit(ev: TapEvent, capture = true): void {
    if (capture && ev.fate !== 'vanished') for (const w of this.writers) w.packet(ev.bytes, ev.time);
    for (const t of this.taps) t(ev);
  }
}
