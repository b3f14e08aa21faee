// Reads classic pcap and pcapng captures held in memory. Browser-safe: works on a Uint8Array, no Node built-ins.
// Formats: classic pcap (libpcap, both byte orders, µs and ns magic) and pcapng (draft-ietf-opsawg-pcapng).

/** What went wrong in a capture file. */
export type PcapErrorKind =
  | 'bad-magic' // not a pcap/pcapng file, or an unsupported variant/version
  | 'truncated-header' // the file ends inside its file header / section header
  | 'truncated-record' // the file ends inside a record header or a record's data
  | 'record-too-long' // a record claims more bytes than the whole file holds
  | 'bad-block' // a pcapng block with a bad length, a mismatched trailer or an overrunning field
  | 'unknown-interface'; // a pcapng packet refers to an interface that was never described

/** A malformed capture file; `index` is the 0-based index of the record being read when the fault was found. */
export class PcapError extends Error {
  /** Stable code for callers that switch on `err.code`, as with Node's errors. */
  readonly code = 'ERR_PCAP_FORMAT';
  /** The kind of fault. */
  readonly kind: PcapErrorKind;
  /** Index of the record that could not be read (records before it were good). */
  readonly index: number;
  /** Byte offset in the file where the faulty record or block starts. */
  readonly offset: number;

  /** Creates the error; `message` is one human-readable line without the file name. */
  constructor(kind: PcapErrorKind, index: number, offset: number, message: string) {
    super(message);
    this.name = 'PcapError';
    this.kind = kind;
    this.index = index;
    this.offset = offset;
  }
}

/** One captured packet, in file order. */
export interface CaptureRecord {
  /** 0-based index of the packet in the file (non-packet pcapng blocks are not counted). */
  index: number;
  /** Link-layer type of the packet (LINKTYPE_* number, e.g. 1 Ethernet, 101 raw IP). */
  linkType: number;
  /** Whole seconds since the Unix epoch (0 when `hasTimestamp` is false). */
  seconds: number;
  /** Nanoseconds within `seconds`, 0..999 999 999. */
  nanos: number;
  /** False only for pcapng Simple Packet Blocks, which carry no time. */
  hasTimestamp: boolean;
  /** The captured bytes: a view into the file buffer, not a copy. */
  data: Uint8Array;
  /** Length of the packet on the wire. */
  origLen: number;
  /** True when the snap length cut the packet (captured length < original length). */
  truncated: boolean;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
}

/** Shape of a capture file, from its first header. */
export interface CaptureInfo {
  /** Container format. */
  format: 'pcap' | 'pcapng';
  /** Byte order of the (first section of the) file. */
  littleEndian: boolean;
  /** Classic pcap only: timestamp resolution named by the magic number. */
  resolution?: 'us' | 'ns';
  /** Classic pcap only: the file's link type. */
  linkType?: number;
  /** Classic pcap only: the file's snap length. */
  snaplen?: number;
}

/** The timestamp of a record as seconds since the epoch (a float; null when the record has none). */
export function recordTime(r: CaptureRecord): number | null {
  return r.hasTimestamp ? r.seconds + r.nanos / 1e9 : null;
}

/** Classic pcap: the magic of µs and of ns timestamps, the file and record header sizes. */
const PCAP_MAGIC_US = 0xa1b2c3d4, PCAP_MAGIC_NS = 0xa1b23c4d, PCAP_FILE_HEADER = 24, PCAP_RECORD_HEADER = 16;
/** pcapng: the Section Header Block's type and its byte-order magic. */
const PCAPNG_SHB = 0x0a0d0d0a, PCAPNG_BOM = 0x1a2b3c4d;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}

/** Reads the file header and says which format the capture is; throws PcapError on an unknown magic. */
export function captureInfo(bytes: Uint8Array): CaptureInfo {
  if (bytes.length < 4) {
    throw new PcapError('truncated-header', 0, 0, `truncated file header (needs 4 bytes, ${bytes.length} left)`);
  }
  const dv = view(bytes);
  const magicLe = dv.getUint32(0, true);
  if (magicLe === PCAPNG_SHB) {
    if (bytes.length < 12) {
      throw new PcapError('truncated-header', 0, 0, `truncated section header (needs 12 bytes, ${bytes.length} left)`);
    }
    return { format: 'pcapng', littleEndian: bomOrder(dv, 0, 0) };
  }
  const magicBe = dv.getUint32(0, false);
  for (const le of [true, false]) {
    const m = le ? magicLe : magicBe;
    if (m !== PCAP_MAGIC_US && m !== PCAP_MAGIC_NS) continue;
    if (bytes.length < PCAP_FILE_HEADER) {
      throw new PcapError('truncated-header', 0, 0, `truncated file header (needs ${PCAP_FILE_HEADER} bytes, ${bytes.length} left)`);
    }
    const major = dv.getUint16(4, le);
    if (major !== 2) throw new PcapError('bad-magic', 0, 0, `unsupported pcap version ${major}.${dv.getUint16(6, le)}`);
    return {
      format: 'pcap',
      littleEndian: le,
      resolution: m === PCAP_MAGIC_NS ? 'ns' : 'us',
      snaplen: dv.getUint32(16, le),
      // The upper bits carry FCS-length flags (draft-ietf-opsawg-pcap §4); the link type is the low 16.
      linkType: dv.getUint32(20, le) & 0xffff,
    };
  }
  throw new PcapError('bad-magic', 0, 0, `not a pcap or pcapng file (magic ${hex32(magicBe)})`);
}

/**
 * Yields every packet of a pcap or pcapng capture in file order; on a malformed file it yields the
 * good records first and then throws a PcapError carrying the index of the failing record.
 */
export function* readCapture(bytes: Uint8Array): Generator<CaptureRecord, void, undefined> {
  const info = captureInfo(bytes);
  if (info.format === 'pcap') yield* readClassic(bytes, info);
  else yield* readPcapng(bytes);
}

function* readClassic(bytes: Uint8Array, info: CaptureInfo): Generator<CaptureRecord, void, undefined> {
  const dv = view(bytes);
  const le = info.littleEndian;
  const nsPerUnit = info.resolution === 'ns' ? 1 : 1000;
  const linkType = info.linkType!;
  const size = bytes.length;
  let off = PCAP_FILE_HEADER;
  for (let index = 0; off < size; index++) {
    const left = size - off;
    if (left < PCAP_RECORD_HEADER) {
      throw new PcapError('truncated-record', index, off,
        `truncated record header ${index} (needs ${PCAP_RECORD_HEADER} bytes, ${left} left)`);
    }
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le) * nsPerUnit;
    const capLen = dv.getUint32(off + 8, le);
    const origLen = dv.getUint32(off + 12, le);
    const dataLeft = left - PCAP_RECORD_HEADER;
    if (capLen > dataLeft) {
      if (capLen > size) {
        throw new PcapError('record-too-long', index, off,
          `record ${index} longer than the file (claims ${capLen} bytes, the file has ${size})`);
      }
      throw new PcapError('truncated-record', index, off,
        `truncated record ${index} (needs ${capLen} bytes, ${dataLeft} left)`);
    }
    const start = off + PCAP_RECORD_HEADER;
    off = start + capLen;
    // A fraction ≥ 1 s is out of spec; carry it rather than reject the record.
    const carry = Math.floor(frac / 1e9);
    yield {
      index,
      linkType,
      seconds: sec + carry,
      nanos: frac - carry * 1e9,
      hasTimestamp: true,
      data: bytes.subarray(start, off),
      origLen,
      truncated: capLen < origLen,
      interfaceId: 0,
    };
  }
}

// ---- pcapng ----

/** Block types: Interface Description, (obsolete, still found in old files) Packet, Simple and Enhanced Packet Block. */
const BT_IDB = 0x00000001, BT_OPB = 0x00000002, BT_SPB = 0x00000003, BT_EPB = 0x00000006;
/** Option codes: end of options; an interface's timestamp resolution and offset. */
const OPT_END = 0, OPT_IF_TSRESOL = 9, OPT_IF_TSOFFSET = 14;

interface Iface {
  linkType: number;
  snaplen: number;
  /** Timestamp unit: 10^-decimal or 2^-binary seconds (exactly one is set, the other -1). */
  decimal: number;
  binary: number;
  tsOffset: number;
}

/** Byte order of a pcapng section from its byte-order magic at off+8. */
function bomOrder(dv: DataView, off: number, index: number): boolean {
  if (dv.getUint32(off + 8, true) === PCAPNG_BOM) return true;
  if (dv.getUint32(off + 8, false) === PCAPNG_BOM) return false;
  throw new PcapError('bad-magic', index, off,
    `bad pcapng byte-order magic ${hex32(dv.getUint32(off + 8, false))} at offset ${off}`);
}

function* readPcapng(bytes: Uint8Array): Generator<CaptureRecord, void, undefined> {
  const dv = view(bytes);
  const size = bytes.length;
  let le = true;
  let ifaces: Iface[] = [];
  let off = 0;
  let index = 0;
  while (off < size) {
    const left = size - off;
    if (left < 12) {
      throw new PcapError('truncated-record', index, off,
        `truncated block at offset ${off} (needs 12 bytes, ${left} left)`);
    }
    if (dv.getUint32(off, true) === PCAPNG_SHB) le = bomOrder(dv, off, index); // a new section may switch byte order
    const type = dv.getUint32(off, le);
    const len = dv.getUint32(off + 4, le);
    if (len < 12 || len % 4 !== 0) {
      throw new PcapError('bad-block', index, off, `bad block length ${len} at offset ${off}`);
    }
    if (len > left) {
      if (len > size) {
        throw new PcapError('record-too-long', index, off,
          `${blockName(type, index, off)} longer than the file (claims ${len} bytes, the file has ${size})`);
      }
      throw new PcapError('truncated-record', index, off,
        `truncated ${blockName(type, index, off)} (needs ${len} bytes, ${left} left)`);
    }
    const trailer = dv.getUint32(off + len - 4, le);
    if (trailer !== len) {
      throw new PcapError('bad-block', index, off,
        `bad ${blockName(type, index, off)}: block length ${len} but trailer says ${trailer}`);
    }
    const body = off + 8;
    const bodyLen = len - 12;
    const minBody = type === PCAPNG_SHB ? 16 : type === BT_IDB ? 8 : type === BT_EPB || type === BT_OPB ? 20 : type === BT_SPB ? 4 : 0;
    if (bodyLen < minBody) {
      throw new PcapError('bad-block', index, off, `bad ${blockName(type, index, off)}: block of ${len} bytes is too short for its type`);
    }
    if (type === PCAPNG_SHB) {
      const major = dv.getUint16(body + 4, le);
      if (major !== 1) {
        throw new PcapError('bad-magic', index, off, `unsupported pcapng version ${major}.${dv.getUint16(body + 6, le)}`);
      }
      ifaces = [];
    } else if (type === BT_IDB) {
      ifaces.push(readIdb(dv, body, bodyLen, le, index, off));
    } else if (type === BT_EPB || type === BT_OPB) {
      const ifId = type === BT_EPB ? dv.getUint32(body, le) : dv.getUint16(body, le);
      const iface = ifaceOf(ifaces, ifId, index, off);
      const hi = dv.getUint32(body + 4, le);
      const lo = dv.getUint32(body + 8, le);
      const capLen = dv.getUint32(body + 12, le);
      const origLen = dv.getUint32(body + 16, le);
      if (capLen > bodyLen - 20) {
        throw new PcapError('bad-block', index, off,
          `bad record ${index}: captured length ${capLen} overruns its ${len}-byte block`);
      }
      const start = body + 20;
      const ts = splitTime(iface, hi, lo);
      yield {
        index, linkType: iface.linkType, seconds: ts.seconds, nanos: ts.nanos, hasTimestamp: true,
        data: bytes.subarray(start, start + capLen), origLen, truncated: capLen < origLen, interfaceId: ifId,
      };
      index++;
    } else if (type === BT_SPB) {
      // An SPB always belongs to interface 0; its captured length is implied by the block and the snap length.
      const iface = ifaceOf(ifaces, 0, index, off);
      const origLen = dv.getUint32(body, le);
      let capLen = Math.min(origLen, bodyLen - 4);
      if (iface.snaplen > 0) capLen = Math.min(capLen, iface.snaplen);
      const start = body + 4;
      yield {
        index, linkType: iface.linkType, seconds: 0, nanos: 0, hasTimestamp: false,
        data: bytes.subarray(start, start + capLen), origLen, truncated: capLen < origLen, interfaceId: 0,
      };
      index++;
    }
    // Every other block type (NRB, ISB, DSB, custom, ...) is skipped by its length.
    off += len;
  }
}

/** Error text names a packet block by its record index, any other block by its offset. */
function blockName(type: number, index: number, off: number): string {
  return type === BT_EPB || type === BT_SPB || type === BT_OPB ? `record ${index}` : `block at offset ${off}`;
}

function ifaceOf(ifaces: Iface[], id: number, index: number, off: number): Iface {
  const iface = ifaces[id];
  if (!iface) {
    throw new PcapError('unknown-interface', index, off,
      `record ${index} refers to interface ${id}, but the section describes ${ifaces.length}`);
  }
  return iface;
}

function readIdb(dv: DataView, body: number, bodyLen: number, le: boolean, index: number, off: number): Iface {
  const iface: Iface = {
    linkType: dv.getUint16(body, le),
    snaplen: dv.getUint32(body + 4, le),
    decimal: 6, // default resolution: microseconds
    binary: -1,
    tsOffset: 0,
  };
  const end = body + bodyLen;
  let p = body + 8;
  while (p + 4 <= end) {
    const code = dv.getUint16(p, le);
    const olen = dv.getUint16(p + 2, le);
    if (code === OPT_END) break;
    const value = p + 4;
    if (value + olen > end) {
      throw new PcapError('bad-block', index, off, `bad interface description at offset ${off}: option ${code} overruns the block`);
    }
    if (code === OPT_IF_TSRESOL && olen >= 1) {
      const r = dv.getUint8(value);
      if (r & 0x80) { iface.binary = r & 0x7f; iface.decimal = -1; } else { iface.decimal = r; iface.binary = -1; }
    } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
      iface.tsOffset = Number(dv.getBigInt64(value, le));
    }
    p = value + ((olen + 3) & ~3);
  }
  return iface;
}

const TWO32 = 4294967296;

/** Splits a 64-bit pcapng timestamp into seconds and nanoseconds per the interface's if_tsresol. */
function splitTime(iface: Iface, hi: number, lo: number): { seconds: number; nanos: number } {
  // Fast exact path: microseconds (the default) fit a double for any date before the year 2255.
  if (iface.decimal >= 0 && iface.decimal <= 6 && hi < 0x200000) {
    const v = hi * TWO32 + lo;
    const div = 10 ** iface.decimal;
    const seconds = Math.floor(v / div);
    return { seconds: seconds + iface.tsOffset, nanos: (v - seconds * div) * 10 ** (9 - iface.decimal) };
  }
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  let seconds: bigint;
  let nanos: bigint;
  if (iface.binary >= 0) {
    const p = BigInt(iface.binary);
    seconds = v >> p;
    nanos = ((v & ((1n << p) - 1n)) * 1_000_000_000n) >> p;
  } else {
    const div = 10n ** BigInt(iface.decimal);
    seconds = v / div;
    const rem = v % div;
    nanos = iface.decimal <= 9 ? rem * 10n ** BigInt(9 - iface.decimal) : rem / 10n ** BigInt(iface.decimal - 9);
  }
  return { seconds: Number(seconds) + iface.tsOffset, nanos: Number(nanos) };
}
