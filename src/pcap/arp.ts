// ARP packets (RFC 826) in captures: the fields `decode --json` prints and tcpdump's one-line form.
// Browser-safe; Ethernet hardware addresses and IPv4 protocol addresses only (what IPv4 over Ethernet uses).
import { formatMac, macAt } from '../util/mac.js';

/** One ARP packet over Ethernet for IPv4. */
export interface ParsedArp {
  /** Operation: 1 request, 2 reply (RFC 826), 3/4 reverse (RFC 903), 8/9 inverse (RFC 2390), … */
  op: number;
  /** 'request', 'reply', 'reverse-request', 'reverse-reply', 'inverse-request', 'inverse-reply', or 'op-N'. */
  opName: string;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
  /** Bytes after the link header on the wire, padding included (tcpdump's `length`). */
  len: number;
}

/** Operation names: the JSON form, and tcpdump's (print-arp.c `arpop_values`). */
const OPS: Record<number, [string, string]> = {
  1: ['request', 'Request'], 2: ['reply', 'Reply'], 3: ['reverse-request', 'Reverse Request'], 4: ['reverse-reply', 'Reverse Reply'],
  8: ['inverse-request', 'Inverse Request'], 9: ['inverse-reply', 'Inverse Reply'], 10: ['nak', 'NACK Reply'],
};

const HTYPE_ETHERNET = 1;
const PTYPE_IPV4 = 0x0800;
/** Fixed header (htype, ptype, hlen, plen, op) plus two 6-byte MACs and two 4-byte addresses. */
const ARP_ETH_IPV4_LEN = 28;

function ip(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/**
 * Reads the ARP packet `b` (the captured bytes from the ARP header on; `wireLen` of them were on the
 * wire). Returns the reason instead when it is no Ethernet/IPv4 ARP packet or too short.
 */
export function parseArp(b: Uint8Array, wireLen: number): ParsedArp | { skip: string } {
  const cut = wireLen > b.length;
  if (b.length < 8) return { skip: `${cut ? 'truncated' : 'malformed'}: arp-too-short` };
  const htype = (b[0] << 8) | b[1];
  const ptype = (b[2] << 8) | b[3];
  if (htype !== HTYPE_ETHERNET || ptype !== PTYPE_IPV4 || b[4] !== 6 || b[5] !== 4) {
    return { skip: `arp (hardware ${htype}, protocol 0x${ptype.toString(16).padStart(4, '0')}, lengths ${b[4]}/${b[5]})` };
  }
  if (b.length < ARP_ETH_IPV4_LEN) return { skip: `${cut ? 'truncated' : 'malformed'}: arp-too-short` };
  const op = (b[6] << 8) | b[7];
  return {
    op,
    opName: OPS[op]?.[0] ?? `op-${op}`,
    senderMac: formatMac(macAt(b, 8)),
    senderIp: ip(b, 14),
    targetMac: formatMac(macAt(b, 18)),
    targetIp: ip(b, 24),
    len: wireLen,
  };
}

/**
 * tcpdump's line for the packet (`tcpdump -n`, print-arp.c): `ARP, Request who-has T (M) tell S`
 * (the target MAC of a request only when it is not zero), `ARP, Reply S is-at M`, the reverse and
 * inverse forms, then `, length N`.
 */
export function arpText(a: ParsedArp): string {
  let what: string;
  switch (a.op) {
    case 1: {
      const tha = a.targetMac === '00:00:00:00:00:00' ? '' : ` (${a.targetMac})`;
      what = `who-has ${a.targetIp}${tha} tell ${a.senderIp}`;
      break;
    }
    case 2: what = `${a.senderIp} is-at ${a.senderMac}`; break;
    case 3: case 8: what = `who-is ${a.targetMac} tell ${a.senderMac}`; break;
    case 4: what = `${a.targetMac} at ${a.targetIp}`; break;
    case 9: what = `${a.senderMac} at ${a.senderIp}`; break;
    default: what = `${a.senderIp} (${a.senderMac}) > ${a.targetIp} (${a.targetMac})`;
  }
  return `ARP, ${OPS[a.op]?.[1] ?? `Unknown (${a.op})`} ${what}, length ${a.len}`;
}
