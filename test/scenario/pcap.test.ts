// The pcap of every scenario decodes cleanly: record framing, IPv4/TCP checksums (the project's own
// decoder), ICMP checksums, and tshark's verdict when tshark is installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingToPcap } from '../../src/scenario/pcap.js';
import { runScenario, SCENARIOS } from '../../src/scenario/scenarios.js';
import { inetChecksum } from '../../src/util/checksum.js';
import { parsePacket } from '../../src/wire/parse.js';

/** Splits a classic little-endian microsecond pcap into (time ms, packet) records, checking the framing. */
function records(pcap: Uint8Array): { timeMs: number; data: Uint8Array }[] {
  const v = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  expect(v.getUint32(0, true)).toBe(0xa1b2c3d4);
  expect(v.getUint16(4, true)).toBe(2);
  expect(v.getUint16(6, true)).toBe(4);
  expect(v.getUint32(20, true)).toBe(101); // LINKTYPE_RAW
  const out: { timeMs: number; data: Uint8Array }[] = [];
  let at = 24;
  while (at < pcap.length) {
    expect(at + 16).toBeLessThanOrEqual(pcap.length);
    const usec = v.getUint32(at + 4, true);
    expect(usec).toBeLessThan(1e6);
    const capLen = v.getUint32(at + 8, true);
    expect(v.getUint32(at + 12, true)).toBe(capLen);
    out.push({ timeMs: v.getUint32(at, true) * 1000 + usec / 1000, data: pcap.subarray(at + 16, at + 16 + capLen) });
    at += 16 + capLen;
  }
  expect(at).toBe(pcap.length);
  return out;
}

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('scenario pcap', () => {
  it('every scenario writes every packet, dropped ones too, with valid checksums', () => {
    for (const { name } of SCENARIOS) {
      const r = runScenario(name);
      const recs = records(recordingToPcap(r));
      expect(recs.length, name).toBe(r.segments.length + r.icmp!.length);
      let tcp = 0;
      for (const { timeMs, data } of recs) {
        const p = parsePacket(data);
        if ('skip' in p) {
          expect(p.skip, name).toBe('icmp');
          expect(inetChecksum(data, 0, 20), `${name} ICMP IP header`).toBe(0);
          expect(inetChecksum(data, 20, data.length), `${name} ICMP`).toBe(0);
          continue;
        }
        const seg = r.segments[tcp++];
        expect(p.ipChecksumOk, name).toBe(true);
        expect(p.checksumOk, name).toBe(true);
        expect(p.seq).toBe(seg.seq);
        expect(p.flagNames).toBe(seg.flags);
        expect(timeMs / 1000).toBeCloseTo(seg.t, 6);
      }
      expect(tcp, name).toBe(r.segments.length);
    }
  });

  it.skipIf(!hasTshark())('tshark finds no malformed packets and no bad checksums', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-pcap-'));
    try {
      for (const name of ['close', 'network-outage', 'lossy-bulk', 'port-closed']) {
        const file = join(dir, `${name}.pcap`);
        writeFileSync(file, recordingToPcap(runScenario(name)));
        const args = ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];
        const lines = (filter?: string) => {
          const out = execFileSync('tshark', filter ? [...args, '-Y', filter] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
          return out ? out.split('\n').length : 0;
        };
        const r = runScenario(name);
        expect(lines(), name).toBe(r.packets!.length);
        // Checksum status 1 is "good", 0 is "bad" (2 would mean unverified).
        expect(lines('tcp.checksum.status == 1 && !icmp'), name).toBe(r.segments.length);
        expect(lines('_ws.malformed || tcp.checksum.status == 0 || ip.checksum.status == 0 || icmp.checksum.status == 0'), name).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
