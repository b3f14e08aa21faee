import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/scenario/html.js';
import { renderLadder } from '../../src/scenario/ladder.js';
import { abbreviateOptions, optionsText, summarize } from '../../src/scenario/packet.js';
import { flagWords, tcpdumpFlags, toJson } from '../../src/scenario/recording.js';
import { renderSvg } from '../../src/scenario/svg.js';
import { ladderRows, segmentLabel, isns } from '../../src/scenario/timeline.js';
import { handMade } from './fixtures.js';

describe('recording JSON', () => {
  it('keeps exactly the documented keys, in order', () => {
    const j = toJson(handMade());
    expect(Object.keys(j)).toEqual(['scenario', 'seed', 'segments', 'transitions', 'outcome']);
    expect(Object.keys(j.segments[0])).toEqual(['t', 'from', 'to', 'flags', 'seq', 'ack', 'win', 'len', 'dropped']);
    expect(Object.keys(j.transitions[0])).toEqual(['t', 'host', 'from', 'to']);
    expect(Object.keys(j.outcome)).toEqual(['client', 'server']);
    expect(Object.keys(j.outcome.client)).toEqual(['state', 'error']);
    expect(j.outcome.client).toEqual({ state: 'CLOSED', error: 'ECONNRESET' });
    expect(JSON.stringify(j)).not.toContain('options');
  });

  it('spells flags as tcpdump does', () => {
    expect(tcpdumpFlags(0x02)).toBe('S');
    expect(tcpdumpFlags(0x12)).toBe('S.');
    expect(tcpdumpFlags(0x10)).toBe('.');
    expect(tcpdumpFlags(0x18)).toBe('P.');
    expect(tcpdumpFlags(0x11)).toBe('F.');
    expect(tcpdumpFlags(0x19)).toBe('FP.');
    expect(tcpdumpFlags(0x04)).toBe('R');
    expect(tcpdumpFlags(0x14)).toBe('R.');
    expect(flagWords('FP.')).toBe('FIN,PSH,ACK');
    expect(flagWords('S.')).toBe('SYN,ACK');
  });
});

describe('packet summaries', () => {
  it('decodes a TCP SYN with options and refuses truncated packets', () => {
    const p = new Uint8Array(44);
    p.set([0x45, 0, 0, 44, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    const t = 20;
    p.set([0xc0, 0x00, 0x00, 0x50, 0, 0, 0x03, 0xe8, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff], t);
    p.set([2, 4, 0x05, 0xb4], t + 20);
    const s = summarize(p);
    expect(s).toMatchObject({ kind: 'tcp', sport: 49152, dport: 80, seq: 1000, flags: 'S', win: 65535, len: 0, options: 'mss 1460' });
    expect(summarize(p.subarray(0, 30))).toBeNull();
    expect(summarize(new Uint8Array(3))).toBeNull();
  });

  it('names options like tcpdump and abbreviates them for arrows', () => {
    const o = new Uint8Array([2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]);
    const text = optionsText(o, 0, o.length);
    expect(text).toBe('mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7');
    expect(abbreviateOptions(text)).toBe('mss 1460,sackOK,ts,ws 7');
    expect(optionsText(new Uint8Array([2, 9, 1]), 0, 3)).toBe('bad');
  });
});

describe('ladder rows', () => {
  it('orders notes and ICMP first, pairs state changes with segments, and marks long gaps', () => {
    const rows = ladderRows(handMade());
    expect(rows[0]).toMatchObject({ t: 0, first: true, client: 'SYN_SENT', server: 'LISTEN' });
    expect(rows[0].segment?.flags).toBe('S');
    const lost = rows.find((r) => r.segment?.dropped);
    expect(lost?.first).toBe(false);
    expect(rows.find((r) => r.note?.text === 'end')?.gapBefore).toBeCloseTo(10, 5);
    expect(rows.find((r) => r.icmp)?.t).toBe(0.1);
  });

  it('shows FIN_WAIT_1 on the row of the FIN, not on data sent at the same instant', () => {
    const r = handMade();
    r.segments.push(
      { t: 1, from: 'client', to: 'server', flags: 'P.', seq: 1006, ack: 5001, win: 512, len: 5, dropped: false },
      { t: 1, from: 'client', to: 'server', flags: 'F.', seq: 1011, ack: 5001, win: 512, len: 0, dropped: false },
    );
    r.transitions.push({ t: 1, host: 'client', from: 'ESTABLISHED', to: 'FIN_WAIT_1' });
    const rows = ladderRows(r).filter((x) => x.t === 1);
    expect(rows.map((x) => [x.segment?.flags, x.client])).toEqual([['P.', undefined], ['F.', 'FIN_WAIT_1']]);
  });

  it('ends a host\'s state timeline at its crash and restarts it CLOSED at its reboot', () => {
    const r = handMade();
    r.notes!.push({ t: 2, text: 'server host crashes', host: 'server', kind: 'crash' }, { t: 3, text: 'server boots', host: 'server', kind: 'reboot' });
    const rows = ladderRows(r);
    expect(rows.find((x) => x.t === 2)?.server).toBe('(crashed)');
    expect(rows.find((x) => x.t === 3)?.server).toBe('CLOSED');
    expect(renderSvg(r)).toContain('data-host="server" data-state="(crashed)"');
  });

  it('labels segments relative to each ISN, absolute on SYNs', () => {
    const r = handMade();
    const isn = isns(r);
    expect(segmentLabel(r.segments[0], isn)).toBe('SYN seq=1000 win=65535 len=0 <mss 1460,sackOK,ts,ws 7>');
    expect(segmentLabel(r.segments[1], isn)).toBe('SYN,ACK seq=5000 ack=1 win=65535 len=0 <mss 1460>');
    expect(segmentLabel(r.segments[4], isn)).toBe('PSH,ACK seq=1 ack=1 win=512 len=5');
  });

  it('starts a new sequence space at a new SYN from the same port (a rebooted host) and shows RST seq=0 as is', () => {
    const r = handMade();
    r.segments.push(
      // The server reboots and answers a new SYN with a new ISN; the client's ACK is relative to it.
      { t: 20, from: 'client', to: 'server', flags: 'S', seq: 1000, ack: 0, win: 65535, len: 0, dropped: false, sport: 49152, dport: 80 },
      { t: 20.01, from: 'server', to: 'client', flags: 'S.', seq: 9000, ack: 1001, win: 65535, len: 0, dropped: false, sport: 80, dport: 49152 },
      { t: 20.02, from: 'client', to: 'server', flags: '.', seq: 1001, ack: 9001, win: 512, len: 0, dropped: false, sport: 49152, dport: 80 },
      // RFC 9293 §3.10.7.1: the answer to a segment without ACK is <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
      { t: 30, from: 'server', to: 'client', flags: 'R.', seq: 0, ack: 1001, win: 0, len: 0, dropped: false, sport: 80, dport: 49152 },
    );
    const isn = isns(r);
    expect(segmentLabel(r.segments[4], isn)).toBe('PSH,ACK seq=1 ack=1 win=512 len=5');
    expect(segmentLabel(r.segments[8], isn)).toBe('ACK seq=1 ack=1 win=512 len=0');
    expect(segmentLabel(r.segments[9], isn)).toBe('RST,ACK seq=0 ack=1 win=0 len=0');
  });
});

describe('terminal ladder', () => {
  const text = renderLadder(handMade());

  it('has a time column, both state columns, arrows and outcome lines', () => {
    const lines = text.split('\n');
    const syn = lines.find((l) => l.includes('SYN seq=1000'))!;
    expect(syn).toMatch(/^\s+0\.000\s+SYN_SENT\s+── SYN seq=1000 .*─▶\s+LISTEN$/);
    const synAck = lines.find((l) => l.includes('SYN,ACK'))!;
    expect(synAck).toMatch(/◀─+ SYN,ACK .* ──\s+SYN_RCVD$/);
    expect(lines.find((l) => l.includes('len=5') && l.includes('lost'))).toMatch(/✕ lost$/);
    expect(text).toContain('(retransmission)');
    expect(text).toContain('ICMP host unreachable (from router)');
    expect(lines).toContain('client  CLOSED, error ECONNRESET, sent 5 B, received 0 B');
    expect(lines).toContain('server  CLOSED, no error, sent 0 B, received 5 B');
    expect(text).toContain('10 s later');
    expect(text).not.toContain('\x1b[');
  });

  it('aligns the server column on every arrow row', () => {
    const arrows = text.split('\n').filter((l) => /▶|◀|✕/.test(l) && !l.includes('ICMP'));
    const ends = new Set(arrows.map((l) => l.replace(/\s+(LISTEN|SYN_RCVD|CLOSED|ESTABLISHED)$/, '').length));
    expect(ends.size).toBe(1);
  });

  it('uses ANSI colours only when asked', () => {
    expect(renderLadder(handMade(), { color: true })).toContain('\x1b[');
  });
});

describe('SVG and HTML', () => {
  it('draws one arrow group per segment with hover details and state bars for both hosts', () => {
    const svg = renderSvg(handMade());
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g class="wt-seg/g)?.length).toBe(6);
    expect(svg.match(/wt-dropped/g)?.length).toBeGreaterThanOrEqual(1);
    expect(svg).toContain('options: mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7');
    expect(svg).toContain('data-host="client" data-state="SYN_SENT"');
    expect(svg).toContain('data-host="server" data-state="SYN_RCVD"');
    expect(svg).toContain('the path &lt;fails&gt; &amp; heals');
    expect(svg).not.toContain('<fails>');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('writes a self-contained page with no external references', () => {
    const html = renderHtml(handMade());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toMatch(/<script|<link /);
    expect(html).toContain('ECONNRESET');
  });
});

describe('outcome text', () => {
  it('a host still down at the end reads as crashed, not as a clean CLOSED; after a reboot it is CLOSED again', async () => {
    const { runScenario } = await import('../../src/scenario/scenarios.js');
    const { outcomeText } = await import('../../src/scenario/timeline.js');
    const crashed = runScenario('server-crash');
    expect(outcomeText(crashed, 'server')).toBe('crashed: its connection state was lost, sent 0 B, received 0 B');
    expect(outcomeText(crashed, 'client')).toMatch(/^CLOSED, error ETIMEDOUT/);
    const rebooted = runScenario('server-reboot');
    expect(outcomeText(rebooted, 'server')).toMatch(/^CLOSED, no error/);
  });
});
