// Direct in-memory link between two endpoints: zero delay, in order, no copies of its own.
import type { Clock } from '../clock/clock.js';
import { forEachRecord, type RecordBatch } from '../engine/records.js';
import type { PcapWriter } from '../pcap/writer.js';
import { ipDst } from '../util/ip.js';
import { TapSet, type Link, type LinkEndpoint, type Tap } from './link.js';

/**
 * A cable between two endpoints. `send` hands the sender's view straight to the peer's `receive`;
 * `sendRecords` hands a whole tx batch to the peer's `receiveRecords`, which copies it into its
 * engine's rx area in one piece: one copy per batch, no object per packet (unless a tap watches).
 */
export class DirectLink implements Link {
  private a: LinkEndpoint | undefined;
  private b: LinkEndpoint | undefined;
  private readonly taps = new TapSet();
  private id = 0;
  /** Packets carried so far. */
  packets = 0;

  /** `clock` is only needed for the timestamps of taps and pcap tees. */
  constructor(private readonly clock?: Clock) {}

  /** Connects two endpoints with a new link (and attaches stacks to it if they have `attach`). */
  static connect(a: LinkEndpoint & { attach?(l: Link): void }, b: LinkEndpoint & { attach?(l: Link): void }, clock?: Clock): DirectLink {
    const link = new DirectLink(clock);
    if (a.attach) a.attach(link);
    else link.attach(a);
    if (b.attach) b.attach(link);
    else link.attach(b);
    return link;
  }

  attach(ep: LinkEndpoint): void {
    if (this.a === ep || this.b === ep) return;
    if (!this.a) this.a = ep;
    else if (!this.b) this.b = ep;
    else throw new Error('DirectLink: both ends are already attached');
  }

  detach(ep: LinkEndpoint): void {
    if (this.a === ep) this.a = undefined;
    if (this.b === ep) this.b = undefined;
  }

  send(packet: Uint8Array, from: LinkEndpoint): void {
    const to = from === this.a ? this.b : this.a;
    this.packets++;
    if (this.taps.active) this.tapOne(packet, from, to);
    if (to && !to.down) to.receive(packet);
  }

  sendRecords(batch: RecordBatch, from: LinkEndpoint): void {
    const to = from === this.a ? this.b : this.a;
    this.packets += batch.count;
    if (this.taps.active) forEachRecord(batch.u8, batch.start, batch.end, (p) => this.tapOne(p, from, to));
    if (!to || to.down) return;
    if (to.receiveRecords) to.receiveRecords(batch);
    else forEachRecord(batch.u8, batch.start, batch.end, (p) => to.receive(p));
  }

  private tapOne(packet: Uint8Array, from: LinkEndpoint, to: LinkEndpoint | undefined): void {
    const ok = !!to && !to.down;
    const t = this.clock?.now() ?? 0;
    this.taps.emit({
      id: ++this.id, time: t, from: from.addr, to: packet.length >= 20 ? ipDst(packet) : 0, bytes: packet,
      fate: ok ? 'delivered' : 'dropped', reason: ok ? undefined : 'host-down', arriveAt: ok ? t : NaN,
    });
  }

  /** Adds a tap; returns a remover. */
  tap(fn: Tap): () => void {
    return this.taps.add(fn);
  }

  /** Tees every packet into a pcap writer; returns a remover. */
  pcap(writer: PcapWriter): () => void {
    return this.taps.pcap(writer);
  }
}
