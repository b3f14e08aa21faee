// ICMP messages (RFC 792) in captures: the fields `decode --json` prints and tcpdump's one-line form.
// Browser-safe. The IPv4 header was already checked by the wire decoder (version, header length).
import { onesSum } from '../util/checksum.js';
import type { ParsedTcp } from '../wire/parse.js';

/** One ICMP message inside an IPv4 packet: the IPv4 header's fields as a TCP line has them, then ICMP's. */
export interface ParsedIcmp extends Pick<ParsedTcp, 'src' | 'dst' | 'ttl' | 'id' | 'ipLen' | 'ipChecksumOk'> {
  /** ICMP type and code (RFC 792): 8/0 echo request, 0/0 echo reply, 3/N destination unreachable, … */
  type: number;
  code: number;
  /** tcpdump's words for it ('echo request', 'echo reply', 'udp port 9999 unreachable', …). */
  typeName: string;
  checksum: number;
  /** Null when the capture cut the message (the checksum cannot be verified). */
  checksumOk: boolean | null;
  /** Identifier and sequence number of an echo request or reply; null for other types. */
  ident: number | null;
  seq: number | null;
  /** ICMP message length (IP total length minus the IP header), tcpdump's `length`. */
  len: number;
}

const ECHO_REPLY = 0;
const UNREACH = 3;
const ECHO = 8;
const TIME_EXCEEDED = 11;

/** tcpdump's names for the types it prints without detail (print-icmp.c `icmp2str`). */
const TYPE_NAMES: Record<number, string> = {
  4: 'source quench', 5: 'redirect', 9: 'router advertisement', 10: 'router solicitation', 12: 'parameter problem',
  13: 'time stamp request', 14: 'time stamp reply', 15: 'information request', 16: 'information reply',
  17: 'address mask request', 18: 'address mask reply',
};

function ip(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** How tcpdump names a destination unreachable message from the packet it quotes. */
function unreachText(code: number, quoted: Uint8Array, nextHopMtu: number): string {
  if (quoted.length < 20 || quoted[0] >> 4 !== 4) return code === 0 ? 'net unreachable' : `unreachable code ${code}`;
  const dst = ip(quoted, 16);
  const proto = quoted[9];
  const hlen = (quoted[0] & 15) * 4;
  switch (code) {
    case 0: return `net ${dst} unreachable`;
    case 1: return `host ${dst} unreachable`;
    case 2: return `${dst} protocol ${proto} unreachable`;
    case 3: {
      if (quoted.length < hlen + 4) return `${dst} port unreachable`;
      const port = (quoted[hlen + 2] << 8) | quoted[hlen + 3];
      if (proto === 6) return `${dst} tcp port ${port} unreachable`;
      if (proto === 17) return `${dst} udp port ${port} unreachable`;
      return `${dst} protocol ${proto} port ${port} unreachable`;
    }
    case 4: return nextHopMtu ? `${dst} unreachable - need to frag (mtu ${nextHopMtu})` : `${dst} unreachable - need to frag`;
    default: return `${dst} unreachable - code ${code}`;
  }
}

/**
 * Reads the ICMP message of the IPv4 packet `b` (captured bytes from the IP header on). Returns the
 * reason instead when the message is shorter than its 8-byte header.
 */
export function parseIcmp(b: Uint8Array): ParsedIcmp | { skip: string } {
  const hlen = (b[0] & 15) * 4;
  const ipLen = (b[2] << 8) | b[3];
  const len = ipLen - hlen;
  const avail = Math.min(b.length, ipLen) - hlen;
  if (len < 8) return { skip: 'malformed: icmp-too-short' };
  if (avail < 8) return { skip: 'truncated: icmp-too-short' };
  const m = b.subarray(hlen, hlen + avail);
  const type = m[0];
  const code = m[1];
  const echo = type === ECHO || type === ECHO_REPLY;
  let typeName: string;
  if (type === ECHO) typeName = 'echo request';
  else if (type === ECHO_REPLY) typeName = 'echo reply';
  else if (type === UNREACH) typeName = unreachText(code, m.subarray(8), (m[6] << 8) | m[7]);
  else if (type === TIME_EXCEEDED) typeName = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : `time exceeded-#${code}`;
  else typeName = TYPE_NAMES[type] ?? `type-#${type}`;
  return {
    src: ip(b, 12),
    dst: ip(b, 16),
    ttl: b[8],
    id: (b[4] << 8) | b[5],
    ipLen,
    ipChecksumOk: onesSum(b, 0, hlen) === 0xffff,
    type,
    code,
    typeName,
    checksum: (m[2] << 8) | m[3],
    checksumOk: avail < len ? null : onesSum(m) === 0xffff,
    ident: echo ? (m[4] << 8) | m[5] : null,
    seq: echo ? (m[6] << 8) | m[7] : null,
    len,
  };
}

/** tcpdump's line (`tcpdump -n`): `IP S > D: ICMP echo request, id 1, seq 2, length 64`. */
export function icmpText(p: ParsedIcmp): string {
  const echo = p.ident !== null ? `, id ${p.ident}, seq ${p.seq}` : '';
  return `IP ${p.src} > ${p.dst}: ICMP ${p.typeName}${echo}, length ${p.len}`;
}
