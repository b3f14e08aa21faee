import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeCapture, humanLine } from '../../src/pcap/decode.js';
import { fixtures } from '../pcap/fixtures.js';

// The human form of `wasm-tcp decode` against tcpdump's own output (`tcpdump -n -S -r`, saved as
// test/fixtures/<name>.tcpdump.txt by scripts/capture-fixtures.sh): for every IPv4/TCP packet, ICMP
// message and ARP packet, the text from `IP` (or `ARP`) to `length N` is the same. Times differ in form (tcpdump prints wall-clock time), and the
// tails differ on purpose: tcpdump names the application ("…: HTTP"), we flag bad checksums and cuts.

/** `IP a.p > b.q: Flags […], …, length N` of a line, or null when the line is no IPv4/TCP packet. */
function tcpPart(line: string): string | null {
  const m = / (IP \S+ > \S+: Flags \[.*?, length \d+)/.exec(line);
  return m ? m[1] : null;
}

/** `IP a > b: ICMP …, length N` or `ARP, …, length N` of a line, or null. */
function l2Part(line: string): string | null {
  const m = / (IP \S+ > \S+: ICMP .*?, length \d+|ARP, .*?, length \d+)/.exec(line);
  return m ? m[1] : null;
}

describe('decode human form agrees with tcpdump -n -S', () => {
  let compared = 0;
  const other: string[] = [];
  for (const f of fixtures()) {
    it(f.name, () => {
      const want = readFileSync(`${f.path}.tcpdump.txt`, 'utf8').split('\n').filter((l) => l !== '');
      const got = [...decodeCapture(f.bytes)].map((d) => humanLine(d, { seconds: 0, nanos: 0 }));
      expect(got.length).toBe(want.length);
      got.forEach((line, i) => {
        const expected = tcpPart(want[i]);
        const arpIcmp = l2Part(want[i]);
        if (arpIcmp !== null) {
          expect(l2Part(line), `${f.name} #${i}`).toBe(arpIcmp);
          other.push(arpIcmp);
        } else if (expected === null) {
          expect(line, `${f.name} #${i}`).toMatch(/^[\d.]+ skipped: /);
        } else {
          expect(tcpPart(line), `${f.name} #${i}`).toBe(expected);
          compared++;
        }
      });
    });
  }

  it('compared hundreds of TCP lines, options and SACK blocks among them', () => {
    expect(compared).toBeGreaterThan(700);
  });

  it('and ARP and ICMP lines of every kind the fixtures hold', () => {
    const kinds = [/ARP, Request who-has \S+ tell /, /ARP, Request who-has \S+ \([0-9a-f:]{17}\) tell /, /ARP, Reply \S+ is-at /,
      /ARP, Inverse Reply /, /ICMP echo request, id \d+, seq \d+/, /ICMP echo reply, id \d+, seq \d+/,
      /ICMP \S+ udp port \d+ unreachable/, /ICMP \S+ protocol 253 unreachable/, /, length 46$/];
    for (const k of kinds) expect(other.some((l) => k.test(l)), String(k)).toBe(true);
    expect(other.length).toBeGreaterThan(70);
  });
});
