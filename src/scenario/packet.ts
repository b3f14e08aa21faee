// Summaries of tapped IPv4 packets for the recorder: TCP header fields, options text, ICMP type. No Node built-ins.
import { tcpdumpFlags } from './recording.js';

/** The fields of one TCP segment the recorder keeps. */
export interface TcpSummary {
  kind: 'tcp';
  src: number;
  dst: number;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: string;
  win: number;
  len: number;
  options: string;
}

/** An ICMP message, with the addresses of the datagram it quotes when present. */
export interface IcmpSummary {
  kind: 'icmp';
  src: number;
  dst: number;
  type: number;
  code: number;
}

/** Decodes one IPv4 packet's TCP or ICMP header; null when it is neither or is truncated. */
export function summarize(p: Uint8Array): TcpSummary | IcmpSummary | null {
  if (p.length < 20 || p[0] >> 4 !== 4) return null;
  const ihl = (p[0] & 0x0f) * 4;
  const total = Math.min(p.length, (p[2] << 8) | p[3]);
  if (ihl < 20 || total < ihl) return null;
  const src = u32(p, 12);
  const dst = u32(p, 16);
  const proto = p[9];
  if (proto === 1) {
    if (total < ihl + 8) return null;
    return { kind: 'icmp', src, dst, type: p[ihl], code: p[ihl + 1] };
  }
  if (proto !== 6 || total < ihl + 20) return null;
  const t = ihl;
  const off = (p[t + 12] >> 4) * 4;
  if (off < 20 || t + off > total) return null;
  return {
    kind: 'tcp',
    src,
    dst,
    sport: (p[t] << 8) | p[t + 1],
    dport: (p[t + 2] << 8) | p[t + 3],
    seq: u32(p, t + 4),
    ack: u32(p, t + 8),
    flags: tcpdumpFlags(p[t + 13]),
    win: (p[t + 14] << 8) | p[t + 15],
    len: total - t - off,
    options: optionsText(p, t + 20, t + off),
  };
}

/** tcpdump-like option list: `mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`; `bad` on malformed options. */
export function optionsText(p: Uint8Array, start: number, end: number): string {
  const out: string[] = [];
  let i = start;
  while (i < end) {
    const kind = p[i];
    if (kind === 0) break;
    if (kind === 1) { out.push('nop'); i++; continue; }
    if (i + 1 >= end) { out.push('bad'); break; }
    const len = p[i + 1];
    if (len < 2 || i + len > end) { out.push('bad'); break; }
    if (kind === 2 && len === 4) out.push(`mss ${(p[i + 2] << 8) | p[i + 3]}`);
    else if (kind === 3 && len === 3) out.push(`wscale ${p[i + 2]}`);
    else if (kind === 4 && len === 2) out.push('sackOK');
    else if (kind === 5 && (len - 2) % 8 === 0) {
      const blocks: string[] = [];
      for (let b = i + 2; b < i + len; b += 8) blocks.push(`${u32(p, b)}:${u32(p, b + 4)}`);
      out.push(`sack ${blocks.length} {${blocks.join(' ')}}`);
    } else if (kind === 8 && len === 10) out.push(`TS val ${u32(p, i + 2)} ecr ${u32(p, i + 6)}`);
    else out.push(`opt-${kind}:${len}`);
    i += len;
  }
  return out.join(',');
}

/** Short option list for diagrams: `mss 1460,sack,ts,ws 7` (nop and timestamp values left out). */
export function abbreviateOptions(options: string): string {
  if (!options) return '';
  const out: string[] = [];
  for (const o of options.split(',')) {
    if (o === 'nop') continue;
    if (o === 'sackOK') out.push('sackOK');
    else if (o.startsWith('TS ')) out.push('ts');
    else if (o.startsWith('wscale ')) out.push(`ws ${o.slice(7)}`);
    else if (o.startsWith('sack ')) out.push(o.replace(/ \{.*\}$/, '').replace('sack ', 'sack×'));
    else out.push(o);
  }
  return out.join(',');
}

/** ICMP type/code as words (RFC 792). */
export function icmpText(type: number, code: number): string {
  if (type === 3) {
    const codes: Record<number, string> = { 0: 'net unreachable', 1: 'host unreachable', 2: 'protocol unreachable', 3: 'port unreachable', 4: 'fragmentation needed', 13: 'administratively prohibited' };
    return codes[code] ?? `unreachable code ${code}`;
  }
  if (type === 11) return 'time exceeded';
  if (type === 0) return 'echo reply';
  if (type === 8) return 'echo request';
  return `type ${type} code ${code}`;
}

function u32(p: Uint8Array, i: number): number {
  return ((p[i] << 24) | (p[i + 1] << 16) | (p[i + 2] << 8) | p[i + 3]) >>> 0;
}
