// The pcap of every scenario decodes cleanly with the project's own reader and decoder (framing,
// IPv4/TCP checksums), ICMP checksums check out, and tshark agrees when it is installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureInfo, readCapture, recordTime } from '../../src/pcap/reader.js';
import { recordingToPcap } from '../../src/scenario/pcap.js';
import { runScenario, SCENARIOS } from '../../src/scenario/scenarios.js';
import { inetChecksum } from '../../src/util/checksum.js';
import { parsePacket } from '../../src/wire/parse.js';

/** Reads the capture back with the project's pcap reader: classic µs pcap of raw IPv4, every record whole. */
function records(pcap: Uint8Array): { timeMs: number; data: Uint8Array }[] {
  expect(captureInfo(pcap)).toMatchObject({ format: 'pcap', littleEndian: true, resolution: 'us', linkType: 101 });
  return [...readCapture(pcap)].map((r) => {
    expect(r.truncated).toBe(false);
    expect(r.linkType).toBe(101);
    return { timeMs: recordTime(r)! * 1000, data: r.data };
  });
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
