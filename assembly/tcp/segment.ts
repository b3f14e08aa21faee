// The inbound segment being processed, parsed once by input.ts (smoltcp's TcpRepr, as module globals).

/**
 * Its ends: the peer (IPv4 source address, source port), our address it was sent to (IPv4
 * destination) with our port, and the interface that owns that address (a connection it opens sends there).
 */
export let segSrc: u32 = 0, segSport: u32 = 0, segDst: u32 = 0, segDport: u32 = 0;
export let segIf: i32 = 0;
/** SEG.SEQ (advanced when the front is trimmed), SEG.ACK, the control bits and the raw window field. */
export let segSeq: u32 = 0, segAck: u32 = 0, segFlags: u32 = 0, segWnd: u32 = 0;
/** The payload's address and length (trimmed to the window by input.ts). */
export let segData: usize = 0;
export let segDataLen: i32 = 0;

/** The payload was already copied to the receive ring at rcvNxt while its checksum was verified. */
export let segInRing: bool = false;

/** Records our end of the segment: the address it was sent to and the interface that owns it. */
export function segSetLocal(dst: u32, ifi: i32): void { segDst = dst; segIf = ifi; }

/** Records whether the payload already sits in the receive ring. */
export function segSetInRing(v: bool): void { segInRing = v; }

/** Stores the parsed header fields. */
export function segSet(src: u32, sport: u32, dport: u32, seq: u32, ack: u32, flags: u32, wnd: u32, data: usize, dataLen: i32): void {
  segSrc = src; segSport = sport; segDport = dport; segSeq = seq; segAck = ack; segFlags = flags;
  segWnd = wnd; segData = data; segDataLen = dataLen;
}

/** Drops `n` bytes from the front of the payload (RFC 9293 §3.10.7.4 trimming). */
export function segTrimFront(n: i32): void {
  if (n > 0) segInRing = false;
  segData += <usize>n;
  segDataLen -= n;
  segSeq += <u32>n;
}

/** Keeps only the first `n` bytes of the payload. */
export function segTrimBack(n: i32): void { segDataLen = n; }

/** Clears control bits in `mask`. */
export function segClearFlags(mask: u32): void { segFlags &= ~mask; }
