// TCP options (RFC 9293 §3.2; window scale and timestamps RFC 7323; SACK RFC 2018): parser and emitters.
import { loadBe16, loadBe32, storeBe16, storeBe32 } from './ipv4';
import {
  REASON_OK, REASON_BAD_OPTION_LENGTH, REASON_OPTION_OVERRUN, REASON_BAD_MSS_OPTION, REASON_BAD_WSCALE_OPTION,
  REASON_BAD_SACK_PERMITTED_OPTION, REASON_BAD_TIMESTAMP_OPTION, REASON_BAD_SACK_OPTION,
} from './tables';

/** End of option list. */
export const TCPOPT_EOL: u8 = 0;
/** No-operation (padding). */
export const TCPOPT_NOP: u8 = 1;
/** Maximum segment size, length 4. */
export const TCPOPT_MSS: u8 = 2;
/** Window scale, length 3. */
export const TCPOPT_WSCALE: u8 = 3;
/** SACK permitted, length 2. */
export const TCPOPT_SACK_PERMITTED: u8 = 4;
/** SACK blocks, length 2+8n. */
export const TCPOPT_SACK: u8 = 5;
/** Timestamps, length 10. */
export const TCPOPT_TIMESTAMPS: u8 = 8;
/** Most SACK blocks one option can carry (40-byte option area). */
export const TCP_MAX_SACK_BLOCKS: i32 = 4;

/** The bytes nop, nop, kind 8, length 10 as one little-endian u32 (what a WASM load gives). */
const TS_ONLY_LE: u32 = 0x0a080101;

/** Parsed TCP options; lay one out at init (`new`, or `changetype<TcpOptions>(memory.data(offsetof<TcpOptions>()))`) and reuse it. */
@unmanaged
export class TcpOptions {
  /** MSS value, or -1 when absent. */
  mss: i32 = -1;
  /** Window scale shift count as received (not clamped to 14), or -1 when absent. */
  wscale: i32 = -1;
  /** SACK-permitted seen. */
  sackPermitted: bool = false;
  /** Timestamps option seen. */
  tsPresent: bool = false;
  /** TSval when `tsPresent`. */
  tsVal: u32 = 0;
  /** TSecr when `tsPresent`. */
  tsEcr: u32 = 0;
  /** Number of SACK blocks (0..4). */
  sackCount: i32 = 0;
  // Four SACK blocks stored as left0, right0, left1, right1, … (read with sackLeft/sackRight).
  private b0l: u32 = 0; private b0r: u32 = 0;
  private b1l: u32 = 0; private b1r: u32 = 0;
  private b2l: u32 = 0; private b2r: u32 = 0;
  private b3l: u32 = 0; private b3r: u32 = 0;

  /** Left edge of SACK block `i` (0..3). */
  sackLeft(i: i32): u32 {
    return load<u32>(changetype<usize>(this) + offsetof<TcpOptions>('b0l') + (<usize>(i & 3) << 3));
  }
  /** Right edge of SACK block `i` (0..3). */
  sackRight(i: i32): u32 {
    return load<u32>(changetype<usize>(this) + offsetof<TcpOptions>('b0r') + (<usize>(i & 3) << 3));
  }
  /** Stores SACK block `i` (0..3). */
  setSack(i: i32, left: u32, right: u32): void {
    let p = changetype<usize>(this) + offsetof<TcpOptions>('b0l') + (<usize>(i & 3) << 3);
    store<u32>(p, left);
    store<u32>(p, right, 4);
  }
  /** Marks every option absent. */
  reset(): void {
    this.mss = -1;
    this.wscale = -1;
    this.sackPermitted = false;
    this.tsPresent = false;
    this.tsVal = 0;
    this.tsEcr = 0;
    this.sackCount = 0;
  }
}

/**
 * Parses the option area (`len` bytes at `ptr`, i.e. data offset − 20) into `out` (reset first).
 * Returns 0 or a reason code; EOL ends the list, NOP is skipped, unknown kinds are skipped by length.
 * A repeated option overwrites the earlier one.
 */
export function parseTcpOptions(ptr: usize, len: i32, out: TcpOptions): i32 {
  out.reset();
  // The layout of every segment after the handshake when timestamps are on (RFC 7323 Appendix A:
  // nop, nop, TS) read directly; it parses to the same as the loop below.
  if (len == 12 && load<u32>(ptr) == TS_ONLY_LE) {
    out.tsPresent = true;
    out.tsVal = loadBe32(ptr + 4);
    out.tsEcr = loadBe32(ptr + 8);
    return REASON_OK;
  }
  let i = 0;
  while (i < len) {
    let p = ptr + <usize>i;
    let kind = load<u8>(p);
    if (kind == TCPOPT_EOL) break;
    if (kind == TCPOPT_NOP) { i++; continue; }
    if (i + 1 >= len) return REASON_OPTION_OVERRUN;
    let olen = <i32>load<u8>(p, 1);
    if (olen < 2) return REASON_BAD_OPTION_LENGTH;
    if (olen > len - i) return REASON_OPTION_OVERRUN;
    if (kind == TCPOPT_MSS) {
      if (olen != 4) return REASON_BAD_MSS_OPTION;
      out.mss = <i32>loadBe16(p + 2);
    } else if (kind == TCPOPT_WSCALE) {
      if (olen != 3) return REASON_BAD_WSCALE_OPTION;
      out.wscale = <i32>load<u8>(p, 2);
    } else if (kind == TCPOPT_SACK_PERMITTED) {
      if (olen != 2) return REASON_BAD_SACK_PERMITTED_OPTION;
      out.sackPermitted = true;
    } else if (kind == TCPOPT_TIMESTAMPS) {
      if (olen != 10) return REASON_BAD_TIMESTAMP_OPTION;
      out.tsPresent = true;
      out.tsVal = loadBe32(p + 2);
      out.tsEcr = loadBe32(p + 6);
    } else if (kind == TCPOPT_SACK) {
      let n = (olen - 2) >> 3;
      if (olen < 10 || ((olen - 2) & 7) != 0 || n > TCP_MAX_SACK_BLOCKS) return REASON_BAD_SACK_OPTION;
      for (let b = 0; b < n; b++) out.setSack(b, loadBe32(p + 2 + (<usize>b << 3)), loadBe32(p + 6 + (<usize>b << 3)));
      out.sackCount = n;
    }
    i += olen;
  }
  return REASON_OK;
}

/** Writes an option's kind and length bytes with one (1-aligned) u16 store (wasm is little-endian). */
// @ts-ignore: decorator
@inline function storeKindLen(ptr: usize, kind: u32, len: u32): void {
  store<u16>(ptr, <u16>(kind | (len << 8)), 0, 1);
}

/** Writes a NOP; returns 1. */
export function emitNop(ptr: usize): i32 { store<u8>(ptr, TCPOPT_NOP); return 1; }
/** Writes an EOL; returns 1. */
export function emitEol(ptr: usize): i32 { store<u8>(ptr, TCPOPT_EOL); return 1; }

/** Writes an MSS option; returns 4. */
export function emitMss(ptr: usize, mss: i32): i32 {
  storeKindLen(ptr, TCPOPT_MSS, 4);
  storeBe16(ptr + 2, <u16>mss);
  return 4;
}

/** Writes a window scale option (RFC 7323 §2.2); returns 3. */
export function emitWindowScale(ptr: usize, shift: i32): i32 {
  storeKindLen(ptr, TCPOPT_WSCALE, 3);
  store<u8>(ptr, <u8>shift, 2);
  return 3;
}

/** Writes a SACK-permitted option (RFC 2018 §2); returns 2. */
export function emitSackPermitted(ptr: usize): i32 {
  storeKindLen(ptr, TCPOPT_SACK_PERMITTED, 2);
  return 2;
}

/** Writes a timestamps option (RFC 7323 §3.2); returns 10. */
export function emitTimestamps(ptr: usize, tsVal: u32, tsEcr: u32): i32 {
  storeKindLen(ptr, TCPOPT_TIMESTAMPS, 10);
  storeBe32(ptr + 2, tsVal);
  storeBe32(ptr + 6, tsEcr);
  return 10;
}

/**
 * Writes a SACK option with `n` blocks (clamped to 4) whose edges are read from the u32 arrays at
 * `lefts` and `rights` (native order, engine memory); returns 2+8n, or 0 when n ≤ 0.
 */
export function emitSackBlocks(ptr: usize, lefts: usize, rights: usize, n: i32): i32 {
  if (n <= 0) return 0;
  if (n > TCP_MAX_SACK_BLOCKS) n = TCP_MAX_SACK_BLOCKS;
  let olen = 2 + (n << 3);
  storeKindLen(ptr, TCPOPT_SACK, <u32>olen);
  for (let b = 0; b < n; b++) {
    let o = <usize>b << 3;
    storeBe32(ptr + 2 + o, load<u32>(lefts + (<usize>b << 2)));
    storeBe32(ptr + 6 + o, load<u32>(rights + (<usize>b << 2)));
  }
  return olen;
}
