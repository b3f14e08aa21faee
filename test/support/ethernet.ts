// Ethernet, ARP (RFC 826) and ICMP echo (RFC 792) frames built and read by tests that talk to a real
// guest before the stack has an Ethernet layer of its own.
import { inetChecksum } from '../../src/util/checksum.js';
import { formatIPv4, parseIPv4 } from '../../src/util/ip.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const BROADCAST = 'ff:ff:ff:ff:ff:ff';

export function macBytes(mac: string): Uint8Array {
  const parts = mac.split(':').map((h) => parseInt(h, 16));
  if (parts.length !== 6 || parts.some((b) => !(b >= 0 && b <= 255))) throw new Error(`bad MAC ${mac}`);
  return Uint8Array.from(parts);
}

export function macString(b: Uint8Array, at = 0): string {
  return [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function putU16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v & 0xff;
}

function putIPv4(b: Uint8Array, at: number, ip: string): void {
  const v = parseIPv4(ip);
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

const u16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const ipAt = (b: Uint8Array, at: number) => formatIPv4(((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0);

/** An Ethernet II frame around `payload` (no padding, no FCS). */
export function ethernet(dst: string, src: string, type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set(macBytes(dst), 0);
  f.set(macBytes(src), 6);
  putU16(f, 12, type);
  f.set(payload, 14);
  return f;
}

export interface Arp {
  op: 'request' | 'reply';
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** An ARP request (broadcast) or reply frame for IPv4 over Ethernet. */
export function arpFrame(a: Arp): Uint8Array {
  const p = new Uint8Array(28);
  putU16(p, 0, 1); // hardware type Ethernet
  putU16(p, 2, ETHERTYPE_IPV4);
  p[4] = 6;
  p[5] = 4;
  putU16(p, 6, a.op === 'request' ? 1 : 2);
  p.set(macBytes(a.senderMac), 8);
  putIPv4(p, 14, a.senderIp);
  p.set(macBytes(a.targetMac), 18);
  putIPv4(p, 24, a.targetIp);
  return ethernet(a.op === 'request' ? BROADCAST : a.targetMac, a.senderMac, ETHERTYPE_ARP, p);
}

/** The ARP message in `frame`, or undefined. */
export function parseArp(frame: Uint8Array): Arp | undefined {
  if (frame.length < 42 || u16(frame, 12) !== ETHERTYPE_ARP || u16(frame, 14) !== 1 || u16(frame, 16) !== ETHERTYPE_IPV4) return undefined;
  const op = u16(frame, 20);
  if (op !== 1 && op !== 2) return undefined;
  return {
    op: op === 1 ? 'request' : 'reply',
    senderMac: macString(frame, 22),
    senderIp: ipAt(frame, 28),
    targetMac: macString(frame, 32),
    targetIp: ipAt(frame, 38),
  };
}

export interface Echo {
  type: 'request' | 'reply';
  src: string;
  dst: string;
  id: number;
  seq: number;
  data: Uint8Array;
  ttl?: number;
}

/** An ICMP echo request or reply in an IPv4 packet in an Ethernet frame; checksums computed. */
export function echoFrame(dstMac: string, srcMac: string, e: Echo): Uint8Array {
  const total = 20 + 8 + e.data.length;
  const ip = new Uint8Array(total);
  ip[0] = 0x45;
  putU16(ip, 2, total);
  putU16(ip, 4, e.seq & 0xffff); // identification
  ip[6] = 0x40; // DF
  ip[8] = e.ttl ?? 64;
  ip[9] = 1; // ICMP
  putIPv4(ip, 12, e.src);
  putIPv4(ip, 16, e.dst);
  putU16(ip, 10, inetChecksum(ip, 0, 20));
  ip[20] = e.type === 'request' ? 8 : 0;
  putU16(ip, 24, e.id);
  putU16(ip, 26, e.seq);
  ip.set(e.data, 28);
  putU16(ip, 22, inetChecksum(ip, 20, total));
  return ethernet(dstMac, srcMac, ETHERTYPE_IPV4, ip);
}

/** The ICMP echo in `frame` with both checksums verified, or undefined. */
export function parseEcho(frame: Uint8Array): Echo | undefined {
  if (frame.length < 42 || u16(frame, 12) !== ETHERTYPE_IPV4) return undefined;
  const ip = frame.subarray(14);
  const ihl = (ip[0] & 0x0f) * 4;
  if (ip[0] >> 4 !== 4 || ihl < 20 || ip[9] !== 1) return undefined;
  const total = u16(ip, 2);
  if (total > ip.length || total < ihl + 8) return undefined;
  if (inetChecksum(ip, 0, ihl) !== 0 || inetChecksum(ip, ihl, total) !== 0) return undefined;
  const type = ip[ihl];
  if ((type !== 0 && type !== 8) || ip[ihl + 1] !== 0) return undefined;
  return {
    type: type === 8 ? 'request' : 'reply',
    src: ipAt(ip, 12),
    dst: ipAt(ip, 16),
    id: u16(ip, ihl + 4),
    seq: u16(ip, ihl + 6),
    data: ip.slice(ihl + 8, total),
    ttl: ip[8],
  };
}
