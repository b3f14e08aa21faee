// The packets of a Recording as one classic pcap file (raw IPv4, link type 101). No Node built-ins.
import { PcapWriter } from '../pcap/writer.js';
import type { Recording } from './recording.js';

/** Every packet seen on the wire during the run (dropped ones too, as sent), as pcap bytes. */
export function recordingToPcap(r: Recording): Uint8Array {
  const chunks: Uint8Array[] = [];
  const w = new PcapWriter((c) => chunks.push(c));
  for (const p of r.packets ?? []) w.packet(p.data, p.timeMs);
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
