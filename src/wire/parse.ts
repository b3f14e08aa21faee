// Host-side packet parser for `wasm-tcp decode`: copies one IPv4 packet into the engine's scratch
// area, runs `wireParse` there and turns the result struct into plain values. No Node built-ins.
import { instantiateEngine, type EngineExports } from '../engine/load.js';
import { reasonName } from './reason.js';

/** One IPv4/TCP packet, exactly the fields of a `decode --json` line (minus index and ts). */
export interface ParsedTcp {
  src: string;
  dst: string;
  ttl: number;
  id: number;
  ipLen: number;
  ipChecksumOk: boolean;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  flagNames: string;
  win: number;
  len: number;
  checksum: number;
  checksumOk: boolean | null;
  mss: number | null;
  wscale: number | null;
  sackPermitted: boolean;
  sack: [number, number][];
  tsval: number | null;
  tsecr: number | null;
}

/** A packet that is not parsed as IPv4/TCP, with the reason ('ipv6', 'udp', 'fragment', 'malformed: …', 'truncated: …'). */
export interface SkippedPacket {
  skip: string;
}

/** Fields of a TCP segment beyond the `decode --json` ones, for the tcpdump-style line. */
export interface TcpDetail {
  /** Urgent pointer. */
  urgent: number;
  /** Option kinds in wire order, NOP (1) and EOL (0) included. */
  optionKinds: number[];
}

// Kinds and slot indexes of the result struct, mirrored from assembly/wire/parse.ts.
const PARSE_TCP = 0, PARSE_NOT_IPV4 = 1, PARSE_FRAGMENT = 2, PARSE_OTHER_PROTOCOL = 3, PARSE_TRUNCATED = 5;
const SLOT = {
  kind: 0, detail: 1, src: 2, dst: 3, ttl: 4, id: 5, ipLen: 6, ipChecksumOk: 7, sport: 8, dport: 9, seq: 10,
  ack: 11, flags: 12, win: 13, len: 14, checksum: 15, checksumOk: 16, mss: 17, wscale: 18, sackPermitted: 19,
  sackCount: 20, tsPresent: 21, tsval: 22, tsecr: 23, sack: 24, urgent: 35, optCount: 36, optKinds: 37,
} as const;
const PARSE_SLOTS = 47;

/** Names of IP protocols a skipped packet reports by name. */
const PROTOCOL_NAMES: Record<number, string> = { 1: 'icmp', 2: 'igmp', 17: 'udp', 47: 'gre', 50: 'esp', 132: 'sctp' };

/** Flag letters in tcpdump's order (its tcp_flag_values table): F S R P . U E W, ACK printed as '.'. */
const FLAG_LETTERS: readonly [number, string][] = [
  [0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W'],
];

/** tcpdump-style flag string: 'S', 'S.', 'P.', 'F.', 'FP.', 'R', '.', or '[none]'. */
export function flagNames(flags: number): string {
  let s = '';
  for (const [bit, letter] of FLAG_LETTERS) if (flags & bit) s += letter;
  return s === '' ? '[none]' : s;
}

/** Dotted quad of a u32 address. */
export function dottedQuad(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

let engine: EngineExports | undefined;
let scratch = 0;
let scratchSize = 0;
let resultPtr = 0;
let memBytes: Uint8Array | undefined;
let result: Int32Array | undefined;

/**
 * Parses one captured IPv4 packet (`bytes` from the IP header on) with the WASM wire views; for a TCP
 * segment, fills `out` (when given) with the urgent pointer and the option kinds in wire order.
 */
export function parsePacket(bytes: Uint8Array, out?: TcpDetail): ParsedTcp | SkippedPacket {
  if (!engine) {
    engine = instantiateEngine();
    scratch = engine.wireScratch() >>> 0;
    scratchSize = engine.wireScratchSize() | 0;
    resultPtr = engine.wireParseResult() >>> 0;
  }
  // Views over engine memory are made once (re-made only if the memory were ever replaced).
  if (!memBytes || memBytes.buffer !== engine.memory.buffer) {
    memBytes = new Uint8Array(engine.memory.buffer);
    result = new Int32Array(engine.memory.buffer, resultPtr, PARSE_SLOTS);
  }
  // IPv4 packets are at most 65535 bytes; anything beyond cannot belong to the packet.
  const len = Math.min(bytes.length, scratchSize, 65535);
  memBytes.set(len === bytes.length ? bytes : bytes.subarray(0, len), scratch);
  const kind = engine.wireParse(scratch, len) | 0;
  const r = result!;
  const detail = r[SLOT.detail];
  if (kind === PARSE_NOT_IPV4) return { skip: 'ipv6' }; // the only version not reported as malformed
  if (kind === PARSE_FRAGMENT) return { skip: 'fragment' };
  if (kind === PARSE_OTHER_PROTOCOL) return { skip: PROTOCOL_NAMES[detail] ?? `ip-proto-${detail}` };
  if (kind === PARSE_TRUNCATED) return { skip: `truncated: ${reasonName(detail)}` };
  if (kind !== PARSE_TCP) return { skip: `malformed: ${reasonName(detail)}` };
  if (out) {
    out.urgent = r[SLOT.urgent];
    const kindsAt = resultPtr + SLOT.optKinds * 4;
    out.optionKinds = Array.from(memBytes.subarray(kindsAt, kindsAt + r[SLOT.optCount]));
  }
  const sack: [number, number][] = [];
  for (let i = 0; i < r[SLOT.sackCount]; i++) sack.push([r[SLOT.sack + 2 * i] >>> 0, r[SLOT.sack + 2 * i + 1] >>> 0]);
  const ts = r[SLOT.tsPresent] === 1;
  const checksumOk = r[SLOT.checksumOk];
  const flags = r[SLOT.flags] & 0xff;
  return {
    src: dottedQuad(r[SLOT.src] >>> 0),
    dst: dottedQuad(r[SLOT.dst] >>> 0),
    ttl: r[SLOT.ttl],
    id: r[SLOT.id],
    ipLen: r[SLOT.ipLen],
    ipChecksumOk: r[SLOT.ipChecksumOk] === 1,
    sport: r[SLOT.sport],
    dport: r[SLOT.dport],
    seq: r[SLOT.seq] >>> 0,
    ack: r[SLOT.ack] >>> 0,
    flags,
    flagNames: flagNames(flags),
    win: r[SLOT.win],
    len: r[SLOT.len],
    checksum: r[SLOT.checksum],
    checksumOk: checksumOk < 0 ? null : checksumOk === 1,
    mss: r[SLOT.mss] < 0 ? null : r[SLOT.mss],
    wscale: r[SLOT.wscale] < 0 ? null : r[SLOT.wscale],
    sackPermitted: r[SLOT.sackPermitted] === 1,
    sack,
    tsval: ts ? r[SLOT.tsval] >>> 0 : null,
    tsecr: ts ? r[SLOT.tsecr] >>> 0 : null,
  };
}
