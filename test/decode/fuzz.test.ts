import { describe, expect, it } from 'vitest';
import { decodeCapture, jsonObject } from '../../src/pcap/decode.js';
import { PcapError, readCapture } from '../../src/pcap/reader.js';
import { PcapWriter } from '../../src/pcap/writer.js';
import { fixtures } from '../pcap/fixtures.js';
import { concat, rng } from '../pcap/build.js';

// Real packets cut short or corrupted, through the whole decode path (link layer + WASM views):
// every packet decodes to a TCP object or a skip, nothing throws but the reader's PcapError.

const TCP_KEYS = 'index,ts,src,dst,ttl,id,ipLen,ipChecksumOk,sport,dport,seq,ack,flags,flagNames,win,len,checksum,checksumOk,mss,wscale,sackPermitted,sack,tsval,tsecr';

const ARP_KEYS = 'index,ts,proto,op,opName,senderMac,senderIp,targetMac,targetIp,len';
const ICMP_KEYS = 'index,ts,proto,src,dst,ttl,id,ipLen,ipChecksumOk,type,code,typeName,checksum,checksumOk,ident,seq,len';

function checkShape(o: Record<string, unknown>): void {
  const keys = Object.keys(o).join(',');
  if (![TCP_KEYS, ARP_KEYS, ICMP_KEYS, 'index,skip'].includes(keys)) throw new Error(`unexpected keys ${keys}`);
  if ('skip' in o && typeof o.skip !== 'string') throw new Error('skip must be a string');
}

describe('decode fuzz', () => {
  const all = fixtures();

  it('every packet of every fixture cut at random lengths and rewritten as raw IP', () => {
    const rand = rng(11);
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c.slice()));
    let n = 0;
    for (const f of all) {
      for (const r of readCapture(f.bytes)) {
        // Skip the link layer roughly: the raw IP writer wants the IP packet (a wrong guess is fine, too).
        const ip = r.linkType === 1 ? r.data.subarray(14) : r.linkType === 113 ? r.data.subarray(16) : r.linkType === 276 ? r.data.subarray(20) : r.data;
        for (let k = 0; k < 4; k++) { w.packet(ip.subarray(0, Math.floor(rand() * (ip.length + 1))), n++); }
      }
    }
    let tcp = 0;
    for (const d of decodeCapture(concat(...chunks))) {
      const o = jsonObject(d);
      checkShape(o);
      if (!('skip' in o)) tcp++;
    }
    expect(tcp).toBeGreaterThan(100);
  });

  it('random byte changes in the fixtures: packets decode or skip; the file may end in a PcapError', () => {
    const rand = rng(12);
    let skips = 0;
    for (const f of all) {
      for (let i = 0; i < 20; i++) {
        const file = f.bytes.slice(0, Math.min(f.bytes.length, 8192));
        const flips = 1 + Math.floor(rand() * 20);
        // Change bytes past the file header so most of the file stays readable.
        for (let k = 0; k < flips; k++) file[64 + Math.floor(rand() * (file.length - 64))] = (rand() * 256) | 0;
        try {
          for (const d of decodeCapture(file)) {
            const o = jsonObject(d);
            checkShape(o);
            if ('skip' in o && String(o.skip).startsWith('malformed')) skips++;
          }
        } catch (e) {
          if (!(e instanceof PcapError)) throw e;
        }
      }
    }
    expect(skips).toBeGreaterThan(0);
  });
});
