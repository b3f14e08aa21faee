// Host-side packet parser for `wasm-tcp decode`: copies one IPv4 packet into the engine's scratch
// area, runs `wireParse` there and turns the result struct into plain values. No Node built-ins.
import wireBytes from '../../build/wire.wasm';
import { instantiateModule, type EngineExports } from '../engine/load.js';
import { reasonName } from './reason.js';
import { ParseKind, ParseSlot } from '../engine/abi.js';
import { formatIPv4 } from '../util/ip.js';

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
    engine = instantiateModule(new WebAssembly.Module(wireBytes as BufferSource));
    scratch = engine.wireScratch() >>> 0;
    scratchSize = engine.wireScratchSize() | 0;
    resultPtr = engine.wireParseResult() >>> 0;
  }
  // Views over engine memory are made once (re-made only if the memory were ever replaced).
  if (!memBytes || memBytes.buffer !== engine.memory.buffer) {
    memBytes = new Uint8Array(engine.memory.buffer);
    result = new Int32Array(engine.memory.buffer, resultPtr, ParseSlot.Count);
  }
  // IPv4 packets are at most 65535 bytes; anything beyond cannot belong to the packet.
  const len = Math.min(bytes.length, scratchSize, 65535);
  memBytes.set(len === bytes.length ? bytes : bytes.subarray(0, len), scratch);
  const kind = engine.wireParse(scratch, len) | 0;
  const r = result!;
  const detail = r[ParseSlot.DETAIL];
  if (kind === ParseKind.NOT_IPV4) return { skip: 'ipv6' }; // the only version not reported as malformed
  if (kind === ParseKind.FRAGMENT) return { skip: 'fragment' };
  if (kind === ParseKind.OTHER_PROTOCOL) return { skip: PROTOCOL_NAMES[detail] ?? `ip-proto-${detail}` };
  if (kind === ParseKind.TRUNCATED) return { skip: `truncated: ${reasonName(detail)}` };
  if (kind !== ParseKind.TCP) return { skip: `malformed: ${reasonName(detail)}` };
  if (out) {
    out.urgent = r[ParseSlot.URGENT];
    const kindsAt = resultPtr + ParseSlot.OPT_KINDS * 4;
    out.optionKinds = Array.from(memBytes.subarray(kindsAt, kindsAt + r[ParseSlot.OPT_COUNT]));
  }
  const sack: [number, number][] = [];
  for (let i = 0; i < r[ParseSlot.SACK_COUNT]; i++) sack.push([r[ParseSlot.SACK + 2 * i] >>> 0, r[ParseSlot.SACK + 2 * i + 1] >>> 0]);
  const ts = r[ParseSlot.TS_PRESENT] === 1;
  const checksumOk = r[ParseSlot.CHECKSUM_OK];
  const flags = r[ParseSlot.FLAGS] & 0xff;
  return {
    src: formatIPv4(r[ParseSlot.SRC] >>> 0),
    dst: formatIPv4(r[ParseSlot.DST] >>> 0),
    ttl: r[ParseSlot.TTL],
    id: r[ParseSlot.ID],
    ipLen: r[ParseSlot.IP_LEN],
    ipChecksumOk: r[ParseSlot.IP_CHECKSUM_OK] === 1,
    sport: r[ParseSlot.SPORT],
    dport: r[ParseSlot.DPORT],
    seq: r[ParseSlot.SEQ] >>> 0,
    ack: r[ParseSlot.ACK] >>> 0,
    flags,
    flagNames: flagNames(flags),
    win: r[ParseSlot.WIN],
    len: r[ParseSlot.PAYLOAD_LEN],
    checksum: r[ParseSlot.CHECKSUM],
    checksumOk: checksumOk < 0 ? null : checksumOk === 1,
    mss: r[ParseSlot.MSS] < 0 ? null : r[ParseSlot.MSS],
    wscale: r[ParseSlot.WSCALE] < 0 ? null : r[ParseSlot.WSCALE],
    sackPermitted: r[ParseSlot.SACK_PERMITTED] === 1,
    sack,
    tsval: ts ? r[ParseSlot.TSVAL] >>> 0 : null,
    tsecr: ts ? r[ParseSlot.TSECR] >>> 0 : null,
  };
}
