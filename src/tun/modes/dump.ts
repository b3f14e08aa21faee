// `tun dump [--count N]`: no TCP at all; print one line per packet the kernel sends (bridge check).
import { formatIPv4 } from '../addr.js';
import type { TunBridge } from '../bridge.js';
import type { Reporter } from '../report.js';
import { onesSum } from '../../util/checksum.js';

/**
 * Prints each packet from the kernel; resolves after `count` packets (never when count is 0). With
 * `quiet`, only counts, and `summary()` reports packets, bytes and the time from first to last packet.
 */
export function dump(bridge: TunBridge, out: Reporter, count: number, quiet: boolean): { done: Promise<number>; summary(): void } {
  let seen = 0;
  let bytes = 0;
  let first = 0;
  let last = 0;
  const done = new Promise<number>((resolve) => {
    bridge.onPacket = (p) => {
      if (quiet) {
        last = performance.now();
        if (seen === 0) first = last;
        bytes += p.length;
      } else {
        const d = describe(p);
        out.line('packet', d, `${d.src} > ${d.dst} proto ${d.proto} len ${d.len}${d.flags ? ` flags ${d.flags}` : ''} checksum ${d.checksum}`);
      }
      if (++seen === count) resolve(0);
    };
  });
  const summary = () => {
    if (!quiet) return;
    const seconds = (last - first) / 1000;
    out.line('dump', { packets: seen, bytes, seconds }, `dump packets ${seen} bytes ${bytes} seconds ${seconds.toFixed(6)}`);
  };
  return { done, summary };
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
