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

  it.skipIf(!hasTshark())('tshark reads every scenario: no malformed packets, no bad checksums, no expert errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-pcap-'));
    // Wireshark's expert severities: chat 0x200000, note 0x400000, warn 0x600000, error 0x800000.
    const EXPERT_ERROR = 0x800000;
    try {
      // One capture with every scenario's records after one global header: one tshark start instead of one per scenario.
      const runs = SCENARIOS.map(({ name }) => ({ name, r: runScenario(name) }));
      const parts = runs.map(({ r }, i) => recordingToPcap(r).subarray(i ? 24 : 0));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
      const file = join(dir, 'all.pcap');
      writeFileSync(file, all);
      const fields = ['frame.number', 'ip.checksum.status', 'tcp.checksum.status', 'icmp.checksum.status', '_ws.malformed', '_ws.expert.severity'];
      const out = execFileSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const rows = out.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
      expect(rows.length).toBe(runs.reduce((n, { r }) => n + r.packets!.length, 0));
      let at = 0;
      for (const { name, r } of runs) {
        let tcpGood = 0;
        for (const [, ip, tcp, icmp, malformed, severity] of rows.slice(at, at + r.packets!.length)) {
          // Checksum status 1 is "good", 0 is "bad" (2 would mean unverified); ICMP quotes carry a second IP header.
          expect(ip.split(',').every((x) => x === '1'), `${name} IP checksum`).toBe(true);
          if (icmp) expect(icmp, `${name} ICMP checksum`).toBe('1');
          else if (tcp === '1') tcpGood++;
          expect(malformed, `${name} malformed`).toBe('');
          expect(severity.split(',').every((x) => !x || Number(x) < EXPERT_ERROR), `${name} expert ${severity}`).toBe(true);
        }
        expect(tcpGood, name).toBe(r.segments.length);
        at += r.packets!.length;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
