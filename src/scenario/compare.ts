// What differs between two recordings of one scenario: ours (two engines) and the one with the Linux
// kernel as a host. Outcome differences (final state, error, who sends RST or FIN) are marked as
// such; segment kinds in order, retransmission counts and gaps are reported beside them. No Node built-ins.
import type { HostName, Recording, SegmentRecord } from './recording.js';
import { flagWords, seqSpace } from './recording.js';

/** Both runs of a scenario and what differs between them (`scenario NAME --kernel --json` prints this, recordings as JSON). */
export interface KernelComparison {
  scenario: string;
  /** The host Linux played. */
  kernelRole: HostName;
  /** All-engine run with the kernel case's settings. */
  ours: Recording;
  /** The run with Linux as `kernelRole`. */
  kernel: Recording;
  differences: Difference[];
}

/** What a difference is about. */
export type DifferenceKind = 'state' | 'error' | 'rst' | 'fin' | 'segments' | 'retransmissions' | 'gaps';

/** One difference between the two runs, for one host. */
export interface Difference {
  what: DifferenceKind;
  host: HostName;
  /** The value in our all-engine run (segment kinds only there, for `segments`). */
  ours: string | number | boolean | null | string[] | number[];
  /** The value in the run with the kernel (segment kinds only there, for `segments`). */
  kernel: string | number | boolean | null | string[] | number[];
  /** True for a different outcome: final state, error, or whether the host sent RST or FIN. */
  outcome: boolean;
  /** One line for people. */
  text: string;
}

const HOSTS: HostName[] = ['client', 'server'];

/** Two retransmission gaps match when they are this close (s), or within GAP_RATIO of each other. */
const GAP_SLACK = 0.05;
const GAP_RATIO = 0.25;

/** Every difference between `ours` and `kernel`, outcome ones first. */
export function compareRecordings(ours: Recording, kernel: Recording): Difference[] {
  const out: Difference[] = [];
  for (const host of HOSTS) {
    const a = ours.outcome[host];
    const b = kernel.outcome[host];
    if (a.state !== b.state) out.push({ what: 'state', host, ours: a.state, kernel: b.state, outcome: true, text: `${host} ends in ${a.state} with our engines, in ${b.state} with Linux` });
    if (a.error !== b.error) out.push({ what: 'error', host, ours: a.error, kernel: b.error, outcome: true, text: `${host} sees ${a.error ?? 'no error'} with our engines, ${b.error ?? 'no error'} with Linux` });
    for (const [what, flag, word] of [['rst', 'R', 'RST'], ['fin', 'F', 'FIN']] as const) {
      const x = sends(ours, host, flag);
      const y = sends(kernel, host, flag);
      if (x !== y) out.push({ what, host, ours: x, kernel: y, outcome: true, text: `${host} ${x ? 'sends' : 'sends no'} ${word} with our engines, ${y ? 'sends' : 'sends no'} ${word} with Linux` });
    }
  }
  const { ours: onlyOurs, kernel: onlyKernel } = unmatchedSegments(ours, kernel);
  for (const host of HOSTS) {
    const x = ours.segments.filter((s) => onlyOurs.has(s) && s.from === host).map(kind);
    const y = kernel.segments.filter((s) => onlyKernel.has(s) && s.from === host).map(kind);
    if (x.length || y.length) {
      out.push({ what: 'segments', host, ours: x, kernel: y, outcome: false, text: `${host} segments only with our engines: ${runs(x)}; only with Linux: ${runs(y)}` });
    }
    const rx = retransmissions(ours, host);
    const ry = retransmissions(kernel, host);
    if (rx !== ry) out.push({ what: 'retransmissions', host, ours: rx, kernel: ry, outcome: false, text: `${host} retransmits ${rx} times with our engines, ${ry} times with Linux` });
    const gx = gaps(ours, host);
    const gy = gaps(kernel, host);
    if (!sameGaps(gx, gy)) out.push({ what: 'gaps', host, ours: gx, kernel: gy, outcome: false, text: `${host} retransmission gaps (s) with our engines: ${gx.join(', ') || 'none'}; with Linux: ${gy.join(', ') || 'none'}` });
  }
  return out;
}

/**
 * Segments of each recording that the other has no counterpart for, aligning both sequences of
 * segment kinds (sender, flags, Wireshark-style note) by their longest common subsequence.
 */
export function unmatchedSegments(ours: Recording, kernel: Recording): { ours: Set<SegmentRecord>; kernel: Set<SegmentRecord> } {
  const a = ours.segments.map((s) => `${s.from} ${kind(s)}`);
  const b = kernel.segments.map((s) => `${s.from} ${kind(s)}`);
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const onlyA = new Set<SegmentRecord>();
  const onlyB = new Set<SegmentRecord>();
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { i++; j++; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) onlyA.add(ours.segments[i++]);
    else onlyB.add(kernel.segments[j++]);
  }
  while (i < n) onlyA.add(ours.segments[i++]);
  while (j < m) onlyB.add(kernel.segments[j++]);
  return { ours: onlyA, kernel: onlyB };
}

/** A segment's kind: flags in words, plus what it is (`retransmission`, `keepalive`, …). */
function kind(s: SegmentRecord): string {
  return `${flagWords(s.flags)}${s.note ? ` (${s.note})` : ''}`;
}

/** `ACK ×3, FIN,ACK` for a list of kinds; `none` when empty. */
function runs(kinds: string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < kinds.length;) {
    let j = i;
    while (j < kinds.length && kinds[j] === kinds[i]) j++;
    parts.push(j - i > 1 ? `${kinds[i]} ×${j - i}` : kinds[i]);
    i = j;
  }
  return parts.join(', ') || 'none';
}

function sends(r: Recording, host: HostName, flag: string): boolean {
  return r.segments.some((s) => s.from === host && s.flags.includes(flag));
}

function retransmissions(r: Recording, host: HostName): number {
  return r.segments.filter((s) => s.from === host && s.note === 'retransmission').length;
}

/**
 * Seconds between successive transmissions of the first segment `host` retransmitted (the original
 * first), to the millisecond: the backoff as the wire shows it.
 */
function gaps(r: Recording, host: HostName): number[] {
  const first = r.segments.find((s) => s.from === host && s.note === 'retransmission');
  if (!first) return [];
  const sent = r.segments.filter((s) => s.from === host && s.seq === first.seq && seqSpace(s) > 0 && s.sport === first.sport);
  return sent.slice(1).map((s, i) => Math.round((s.t - sent[i].t) * 1000) / 1000);
}

function sameGaps(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= Math.max(GAP_SLACK, GAP_RATIO * x));
}
