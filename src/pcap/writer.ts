// Classic pcap writer (link type 101, raw IP, or 1, Ethernet). The format is small enough that a dependency would weigh more.

/** Link type of raw IPv4/IPv6 packets with no link-layer header (LINKTYPE_RAW). */
export const LINKTYPE_RAW = 101;
export { LINKTYPE_ETHERNET } from './link.js';

/** Writes classic little-endian microsecond pcap to a sink, one record per packet. */
export class PcapWriter {
  private readonly sink: (chunk: Uint8Array) => void;
  private readonly snaplen: number;
  /** The link type of every record (LINKTYPE_RAW or LINKTYPE_ETHERNET). */
  readonly linktype: number;

  /** Creates a writer and emits the 24-byte global header to `sink` at once; `linktype` says what the records hold. */
  constructor(sink: (chunk: Uint8Array) => void, snaplen = 262144, linktype = LINKTYPE_RAW) {
    this.sink = sink;
    this.snaplen = snaplen;
    this.linktype = linktype;
    const h = new DataView(new ArrayBuffer(24));
    h.setUint32(0, 0xa1b2c3d4, true); // magic, microsecond resolution
    h.setUint16(4, 2, true); // version 2.4
    h.setUint16(6, 4, true);
    h.setInt32(8, 0, true); // thiszone
    h.setUint32(12, 0, true); // sigfigs
    h.setUint32(16, snaplen, true);
    h.setUint32(20, linktype, true);
    sink(new Uint8Array(h.buffer));
  }

  /** Appends one packet captured at `timeMs` (milliseconds, virtual or wall clock); copies `data`. */
  packet(data: Uint8Array, timeMs: number): void {
    const capLen = Math.min(data.length, this.snaplen);
    const rec = new Uint8Array(16 + capLen);
    const v = new DataView(rec.buffer);
    const usec = Math.round(timeMs * 1000);
    v.setUint32(0, Math.floor(usec / 1e6), true);
    v.setUint32(4, usec % 1e6, true);
    v.setUint32(8, capLen, true);
    v.setUint32(12, data.length, true);
    rec.set(data.subarray(0, capLen), 16);
    this.sink(rec);
  }
}
