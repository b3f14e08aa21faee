// Decodes every packet of a capture: reader → link layer → WASM IPv4/TCP views (ARP and ICMP here);
// and the two output forms of `wasm-tcp decode` (tcpdump-like text, one JSON object per packet). Browser-safe.
import { readCapture, type CaptureRecord } from './reader.js';
import { networkPayload } from './link.js';
import { arpText, parseArp, type ParsedArp } from './arp.js';
import { icmpText, parseIcmp, type ParsedIcmp } from './icmp.js';
import { parsePacket, type ParsedTcp, type SkippedPacket, type TcpDetail } from '../wire/parse.js';
import { ACK, FIN, RST, SYN, URG } from '../util/tcp-flags.js';

/** An ARP packet of a capture. */
export interface ArpPacket extends ParsedArp {
  proto: 'arp';
}

/** An ICMP message of a capture. */
export interface IcmpPacket extends ParsedIcmp {
  proto: 'icmp';
}

/** One packet of a capture: the record as read and what its bytes hold. */
export interface DecodedPacket {
  /** The captured record (time, lengths, link type, bytes). */
  record: CaptureRecord;
  /** The IPv4/TCP fields, an ARP packet, an ICMP message, or why the packet is none of them. */
  packet: ParsedTcp | ArpPacket | IcmpPacket | SkippedPacket;
  /** Urgent pointer and option order of a TCP segment (for the tcpdump-like line). */
  detail: TcpDetail;
}

/**
 * Decodes a pcap/pcapng capture in file order. Like readCapture, it yields the packets before a fault
 * in the file and then throws the reader's PcapError.
 */
export function* decodeCapture(bytes: Uint8Array): Generator<DecodedPacket, void, undefined> {
  for (const record of readCapture(bytes)) {
    const at = networkPayload(record.linkType, record.data);
    const detail: TcpDetail = { urgent: 0, optionKinds: [] };
    let packet: DecodedPacket['packet'];
    if (typeof at === 'string') packet = { skip: at };
    else {
      const b = at.offset === 0 ? record.data : record.data.subarray(at.offset);
      if (at.proto === 'arp') {
        const arp = parseArp(b, record.origLen - at.offset);
        packet = 'skip' in arp ? arp : { proto: 'arp', ...arp };
      } else {
        packet = parsePacket(b, detail);
        if ('skip' in packet && packet.skip === 'icmp') {
          const icmp = parseIcmp(b);
          packet = 'skip' in icmp ? icmp : { proto: 'icmp', ...icmp };
        }
      }
    }
    yield { record, packet, detail };
  }
}

/** The `decode --json` object of a packet, keys in the documented order. */
export function jsonObject(d: DecodedPacket): Record<string, unknown> {
  const { record: r, packet: p } = d;
  if ('skip' in p) return { index: r.index, skip: p.skip };
  const ts = r.hasTimestamp ? r.seconds + r.nanos / 1e9 : null;
  if ('proto' in p) {
    if (p.proto === 'arp') {
      return {
        index: r.index, ts, proto: 'arp', op: p.op, opName: p.opName,
        senderMac: p.senderMac, senderIp: p.senderIp, targetMac: p.targetMac, targetIp: p.targetIp, len: p.len,
      };
    }
    return {
      index: r.index, ts, proto: 'icmp', src: p.src, dst: p.dst, ttl: p.ttl, id: p.id, ipLen: p.ipLen, ipChecksumOk: p.ipChecksumOk,
      type: p.type, code: p.code, typeName: p.typeName, checksum: p.checksum, checksumOk: p.checksumOk, ident: p.ident, seq: p.seq, len: p.len,
    };
  }
  return {
    index: r.index,
    ts,
    src: p.src, dst: p.dst, ttl: p.ttl, id: p.id, ipLen: p.ipLen, ipChecksumOk: p.ipChecksumOk,
    sport: p.sport, dport: p.dport, seq: p.seq, ack: p.ack, flags: p.flags, flagNames: p.flagNames,
    win: p.win, len: p.len, checksum: p.checksum, checksumOk: p.checksumOk,
    mss: p.mss, wscale: p.wscale, sackPermitted: p.sackPermitted, sack: p.sack, tsval: p.tsval, tsecr: p.tsecr,
  };
}

/** tcpdump's option list (`mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`): every option in wire order. */
function optionList(p: ParsedTcp, kinds: number[]): string {
  return kinds.map((k) => {
    switch (k) {
      case 0: return 'eol';
      case 1: return 'nop';
      case 2: return `mss ${p.mss}`;
      case 3: return `wscale ${p.wscale}`;
      case 4: return 'sackOK';
      case 5: return `sack ${p.sack.length} ${p.sack.map(([a, b]) => `{${a}:${b}}`).join('')}`;
      case 8: return `TS val ${p.tsval} ecr ${p.tsecr}`;
      default: return `unknown-${k}`;
    }
  }).join(',');
}

/**
 * One tcpdump-like line: time relative to `start` (the first record's time), then what `tcpdump -n -S`
 * prints: `IP src.port > dst.port: Flags [S.], seq …, ack …, win …, urg …, options […], length N`.
 */
export function humanLine(d: DecodedPacket, start: { seconds: number; nanos: number }): string {
  const { record: r, packet: p, detail } = d;
  const time = r.hasTimestamp
    ? ((r.seconds - start.seconds) + (r.nanos - start.nanos) / 1e9).toFixed(6)
    : '-';
  if ('skip' in p) return `${time} skipped: ${p.skip}`;
  const cut = r.truncated ? ` [captured ${r.data.length} of ${r.origLen} bytes]` : '';
  if ('proto' in p) {
    if (p.proto === 'arp') return `${time} ${arpText(p)}${cut}`;
    let s = `${time} ${icmpText(p)}`;
    if (!p.ipChecksumOk) s += ', bad ip cksum';
    if (p.checksumOk === false) s += `, bad icmp cksum 0x${p.checksum.toString(16).padStart(4, '0')}`;
    return s + cut;
  }
  let s = `${time} IP ${p.src}.${p.sport} > ${p.dst}.${p.dport}: Flags [${p.flagNames}]`;
  // tcpdump shows seq only when the segment occupies sequence space or resets.
  if (p.len > 0) s += `, seq ${p.seq}:${(p.seq + p.len) >>> 0}`;
  else if (p.flags & (SYN | FIN | RST)) s += `, seq ${p.seq}`;
  if (p.flags & ACK) s += `, ack ${p.ack}`;
  s += `, win ${p.win}`;
  if (p.flags & URG) s += `, urg ${detail.urgent}`;
  if (detail.optionKinds.length > 0) s += `, options [${optionList(p, detail.optionKinds)}]`;
  s += `, length ${p.len}`;
  if (!p.ipChecksumOk) s += ', bad ip cksum';
  if (p.checksumOk === false) s += `, bad tcp cksum 0x${p.checksum.toString(16).padStart(4, '0')}`;
  return s + cut;
}
