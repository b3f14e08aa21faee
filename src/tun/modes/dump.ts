// `tun dump [--count N]`: no TCP at all; print one line per packet the kernel sends (bridge check).
import { formatIPv4 } from '../addr.js';
import type { DeviceKind } from '../bridge.js';
import type { Reporter } from '../report.js';
import { onesSum } from '../../util/checksum.js';
import { arpText, parseArp } from '../../pcap/arp.js';

/** Hands every packet (TUN) or frame (TAP) from the kernel to `fn`. */
export type PacketSource = (fn: (packet: Uint8Array) => void) => void;

/**
 * Prints each packet from the kernel; resolves after `count` packets (never when count is 0). With
 * `quiet`, only counts, and `summary()` reports packets, bytes and the time from first to last packet.
 * TAP frames: IPv4 ones print as on TUN, ARP as tcpdump prints it, anything else by its EtherType.
 */
export function dump(source: PacketSource, kind: DeviceKind, out: Reporter, count: number, quiet: boolean): { done: Promise<number>; summary(): void } {
  let seen = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  const done = new Promise<number>((resolve) => {
    source((p) => {
      if (quiet) {
        last = performance.now();
        if (seen === 0) first = last;
        bytes += p.length;
      } else if (kind === 'tun') {
        printIPv4(out, p);
      } else {
        printFrame(out, p);
      }
      if (++seen === count) resolve(0);
    });
  });
  const summary = () => {
    if (!quiet) return;
    const seconds = (last - first) / 1000;
    out.line('dump', { packets: seen, bytes, seconds }, `dump packets ${seen} bytes ${bytes} seconds ${seconds.toFixed(6)}`);
  };
  return { done, summary };
}

function printIPv4(out: Reporter, p: Uint8Array): void {
  const d = describe(p);
  out.line('packet', d, `${d.src} > ${d.dst} proto ${d.proto} len ${d.len}${d.flags ? ` flags ${d.flags}` : ''} checksum ${d.checksum}`);
}

/** One Ethernet frame (the bridge passes only frames of 14 bytes or more). */
function printFrame(out: Reporter, f: Uint8Array): void {
  const type = (f[12] << 8) | f[13];
  if (type === 0x0800 && f.length >= 34) return printIPv4(out, f.subarray(14));
  if (type === 0x0806) {
    const a = parseArp(f.subarray(14), f.length - 14);
    if (!('skip' in a)) return out.line('arp', { ...a }, arpText(a));
  }
  const etherType = `0x${type.toString(16).padStart(4, '0')}`;
  out.line('frame', { etherType, len: f.length }, `ethertype ${etherType} len ${f.length}`);
}

/** Summary of one IPv4 packet with its TCP/UDP ports and whether its checksums verify. */
export function describe(p: Uint8Array): { src: string; dst: string; proto: number; len: number; flags?: string; checksum: string } {
  const ihl = (p[0] & 15) * 4;
  const len = (p[2] << 8) | p[3];
  const proto = p[9];
  const src = (p[12] << 24 | p[13] << 16 | p[14] << 8 | p[15]) >>> 0;
  const dst = (p[16] << 24 | p[17] << 16 | p[18] << 8 | p[19]) >>> 0;
  let checksum = onesSum(p, 0, ihl) === 0xffff ? 'ok' : 'bad-ip';
  let flags: string | undefined;
  let sp = '';
  let dp = '';
  if ((proto === 6 || proto === 17) && len <= p.length && len >= ihl + 8) {
    sp = `.${(p[ihl] << 8) | p[ihl + 1]}`;
    dp = `.${(p[ihl + 2] << 8) | p[ihl + 3]}`;
    // RFC 9293 §3.1 pseudo-header: src, dst, zero, protocol, TCP length.
    const pseudo = ((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + (len - ihl));
    if (onesSum(p, ihl, len, pseudo) !== 0xffff) checksum = 'bad';
    if (proto === 6 && len >= ihl + 14) {
      const f = p[ihl + 13];
      flags = ['F', 'S', 'R', 'P', '.', 'U'].filter((_, i) => f & (1 << i)).join('');
    }
  }
  return { src: `${formatIPv4(src)}${sp}`, dst: `${formatIPv4(dst)}${dp}`, proto, len, flags, checksum };
}
