// The parts of `scenario --kernel` that need no kernel: each case's settings, the all-engine run
// with them, the differences between two recordings, and how the renderers mark them.
import { describe, expect, it } from 'vitest';
import { compareRecordings, unmatchedSegments } from '../../src/scenario/compare.js';
import { renderComparisonHtml } from '../../src/scenario/html.js';
import { renderLadder } from '../../src/scenario/ladder.js';
import type { Recording, SegmentRecord } from '../../src/scenario/recording.js';
import { kernelCase, kernelCaseConfig, runScenario, SCENARIOS } from '../../src/scenario/scenarios.js';
import { renderSvg } from '../../src/scenario/svg.js';

describe('kernel cases', () => {
  it('Linux plays the client where the client retransmits and gives up, the server where it answers with RST or FIN (issue 16)', () => {
    for (const n of ['server-crash', 'network-outage', 'connect-unreachable', 'outage-recovery-idle', 'outage-recovery-timeout']) expect(kernelCase(n).role, n).toBe('client');
    for (const n of ['port-closed', 'server-process-killed', 'server-reboot']) expect(kernelCase(n).role, n).toBe('server');
    for (const s of SCENARIOS) {
      const k = kernelCase(s.name);
      expect(k.durationMs, s.name).toBeGreaterThan(0);
      expect(k.durationMs, s.name).toBeLessThanOrEqual(16_000);
      for (const [key] of k.sysctls) expect(key).toMatch(/^net\.ipv4\.tcp_[a-z0-9_]+$/);
    }
  });

  it('maps the sysctls onto engine knobs through one table (the script runner\'s)', () => {
    expect(kernelCaseConfig(kernelCase('server-crash'))).toEqual({ dataRetries: 4 });
    expect(kernelCaseConfig(kernelCase('connect-timeout'))).toEqual({ synRetries: 2 });
    expect(kernelCaseConfig(kernelCase('keepalive-dead-peer'))).toEqual({ keepaliveIdleMs: 2000, keepaliveIntervalMs: 1000, keepaliveCount: 3 });
    expect(() => kernelCaseConfig({ sysctls: [['net.ipv4.tcp_no_such_knob', '1']] })).toThrow(/no engine knob/);
  });

  it('the all-engine run of a comparison uses the case\'s settings, times and length', () => {
    const crash = runScenario('server-crash', { kernel: true });
    expect(crash.segments.filter((s) => s.note === 'retransmission')).toHaveLength(4);
    expect(crash.outcome.client).toMatchObject({ state: 'CLOSED', error: 'ETIMEDOUT' });
    expect(crash.duration).toBeCloseTo(7.2, 3);
    const idle = runScenario('outage-recovery-idle', { kernel: true });
    expect(idle.notes!.map((n) => [n.t, n.text])).toEqual([[1, 'the path fails: packets are dropped'], [3, 'the path is repaired']]);
    expect(idle.segments.find((s) => s.len === 44)!.t).toBe(4);
    // The run stops at the case's length: the client is still in TIME_WAIT (60 s) when it ends.
    expect(runScenario('close', { kernel: true }).outcome.client.state).toBe('TIME_WAIT');
    expect(runScenario('close').outcome.client.state).toBe('CLOSED');
    // 100 ms one way for simultaneous-open, 10 ms elsewhere.
    const so = runScenario('simultaneous-open', { kernel: true });
    expect(so.segments[0].arrive! - so.segments[0].t).toBeCloseTo(0.1, 6);
  });
});

/** A copy of `r` with `edit` applied to a deep copy of its segments and outcome. */
function variant(r: Recording, edit: (x: Recording) => void): Recording {
  const x: Recording = { ...r, segments: r.segments.map((s) => ({ ...s })), outcome: structuredClone(r.outcome) };
  edit(x);
  return x;
}

describe('compareRecordings', () => {
  const crash = runScenario('server-crash', { kernel: true });

  it('finds nothing between a recording and itself', () => {
    expect(compareRecordings(crash, crash)).toEqual([]);
    const marks = unmatchedSegments(crash, crash);
    expect([marks.ours.size, marks.kernel.size]).toEqual([0, 0]);
  });

  it('marks final state, error, RST and FIN differences as outcome ones, host by host', () => {
    const other = variant(crash, (x) => {
      x.outcome.client = { state: 'ESTABLISHED', error: null };
      x.segments.push({ ...x.segments[1], flags: 'R', note: undefined }, { ...x.segments[0], flags: 'F.', note: undefined });
    });
    const d = compareRecordings(crash, other).filter((x) => x.outcome);
    expect(d.map((x) => [x.what, x.host, x.ours, x.kernel])).toEqual([
      ['state', 'client', 'CLOSED', 'ESTABLISHED'],
      ['error', 'client', 'ETIMEDOUT', null],
      ['fin', 'client', false, true],
      ['rst', 'server', false, true],
    ]);
    expect(d[0].text).toBe('client ends in CLOSED with our engines, in ESTABLISHED with Linux');
  });

  it('reports extra segments, retransmission counts and gaps, but not as outcome', () => {
    // Linux's way: a tail loss probe first, then the backoff, 50 ms later each time.
    const retx = crash.segments.filter((s) => s.note === 'retransmission');
    const other = variant(crash, (x) => {
      for (const s of x.segments) if (s.note === 'retransmission') s.t += 0.05;
      x.segments.splice(x.segments.indexOf(x.segments.find((s) => s.note === 'retransmission')!), 0, { ...retx[0], t: retx[0].t - 0.1 });
    });
    const d = compareRecordings(crash, other);
    expect(d.every((x) => !x.outcome)).toBe(true);
    expect(d.map((x) => x.what)).toEqual(['segments', 'retransmissions', 'gaps']);
    expect(d[1]).toMatchObject({ host: 'client', ours: 4, kernel: 5 });
    expect(d[2].ours).toEqual([0.2, 0.4, 0.8, 1.6]);
    expect(d[2].kernel).toEqual([0.1, 0.15, 0.4, 0.8, 1.6]);
    // Gaps within 50 ms or 25 % are the same backoff.
    const late = variant(crash, (x) => { for (const s of x.segments) if (s.note === 'retransmission') s.t += 0.04; });
    expect(compareRecordings(crash, late)).toEqual([]);
  });

  it('aligns segment kinds by their longest common subsequence', () => {
    const other = variant(crash, (x) => { x.segments.splice(2, 1); });
    const m = unmatchedSegments(crash, other);
    expect([...m.ours]).toEqual([crash.segments[2]]);
    expect(m.kernel.size).toBe(0);
    expect(compareRecordings(crash, other)[0].text).toBe('client segments only with our engines: ACK; only with Linux: none');
  });
});

describe('comparison rendering', () => {
  const ours = runScenario('port-closed', { kernel: true });
  const kernel = variant(ours, (x) => { x.realTime = true; x.duration = 0.5; x.segments.push({ ...x.segments[1], t: 0.5 }); });
  const marks = unmatchedSegments(ours, kernel);
  const extra: SegmentRecord = kernel.segments[2];

  it('ladders mark segments without a counterpart with ≠ in a left margin, and say real time', () => {
    const text = renderLadder(kernel, { subtitle: 'Linux as the server', marks: marks.kernel });
    expect(text.split('\n')[1]).toBe('Linux as the server');
    const marked = text.split('\n').filter((l) => l.startsWith('≠ '));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(/^≠ {4}0\.500 .*RST,ACK seq=0 ack=1/);
    expect(text).toMatch(/^real time 500 ms, 3 segments, 0 dropped$/m);
    expect(renderLadder(ours)).not.toMatch(/^≠/m);
  });

  it('the SVG marks them with class wt-diff, the page shows both ladders and the differences', () => {
    const svg = renderSvg(kernel, { marks: marks.kernel });
    expect(svg.match(/class="wt-seg [^"]*wt-diff"/g)).toHaveLength(1);
    expect(svg).toContain(`data-t="${extra.t}"`);
    const page = renderComparisonHtml({ scenario: 'port-closed', kernelRole: 'server', ours, kernel, differences: compareRecordings(ours, kernel) }, marks, 'Linux 6.x');
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(page).toContain('<h2>Linux 6.x as the server</h2>');
    expect(page).toMatch(/<li class="other">server segments only with our engines: none; only with Linux: RST,ACK<\/li>/);
  });
});
