// Every scenario on two real engines: state sequences, outcomes, key segments, determinism.
// Expected values come from RFC 9293 / the issue table and the engine's documented defaults.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG as CFG } from '../../src/engine/config.js';
import type { HostName, Recording, SegmentRecord } from '../../src/scenario/recording.js';
import { toJson } from '../../src/scenario/recording.js';
import { renderLadder } from '../../src/scenario/ladder.js';
import { renderHtml } from '../../src/scenario/html.js';
import { recordingToPcap } from '../../src/scenario/pcap.js';
import { prepareScenario, runScenario, SCENARIOS } from '../../src/scenario/scenarios.js';

const cache = new Map<string, Recording>();
/** The seed-1 run of a scenario (runs are deterministic, so one run serves every assertion). */
function rec(name: string): Recording {
  let r = cache.get(name);
  if (!r) cache.set(name, (r = runScenario(name)));
  return r;
}

/** The states a host went through: the first `from`, then every `to`. */
function states(r: Recording, h: HostName): string[] {
  const t = r.transitions.filter((x) => x.host === h);
  return t.length ? [t[0].from, ...t.map((x) => x.to)] : [];
}

/** Time a host entered `state` (first time). */
function entered(r: Recording, h: HostName, state: string): number {
  const t = r.transitions.find((x) => x.host === h && x.to === state);
  if (!t) throw new Error(`${h} never entered ${state}`);
  return t.t;
}

function from(r: Recording, h: HostName, pred: (s: SegmentRecord) => boolean = () => true): SegmentRecord[] {
  return r.segments.filter((s) => s.from === h && pred(s));
}

const has = (flag: string) => (s: SegmentRecord) => s.flags.includes(flag);
const data = (s: SegmentRecord) => s.len > 0;
const gaps = (list: { t: number }[]) => list.slice(1).map((s, i) => s.t - list[i].t);
const noteTime = (r: Recording, text: string) => r.notes!.find((n) => n.text.includes(text))!.t;

const OPEN_CLIENT = ['CLOSED', 'SYN_SENT', 'ESTABLISHED'];
const OPEN_SERVER = ['LISTEN', 'SYN_RCVD', 'ESTABLISHED'];

/** RTO backoff (RFC 6298 §5.5): each gap doubles until the RTO ceiling. */
function expectDoubling(g: number[], first: number, max = CFG.rtoMaxMs / 1000): void {
  let want = first;
  for (const gap of g) {
    expect(gap).toBeCloseTo(want, 2);
    want = Math.min(want * 2, max);
  }
}

describe('scenario list', () => {
  it('names every scenario of the issue, plus the extra teaching ones', () => {
    const names = SCENARIOS.map((s) => s.name);
    for (const n of ['handshake', 'close', 'simultaneous-open', 'simultaneous-close', 'half-close', 'server-crash', 'server-reboot',
      'network-outage', 'outage-recovery-idle', 'outage-recovery-timeout', 'server-process-killed', 'port-closed', 'keepalive-dead-peer',
      'syn-lost', 'lossy-bulk', 'zero-window', 'connect-timeout', 'connect-unreachable', 'close-unread']) expect(names).toContain(n);
    for (const s of SCENARIOS) expect(s.description.length).toBeGreaterThan(10);
    expect(() => runScenario('no-such-thing')).toThrow(/unknown scenario/);
  });
});

/** Per scenario, from the table and RFC 9293 (§3.3.2 state diagram): every state each host went through, then its outcome. */
const EXPECTED: Record<string, { client: string[]; server: string[]; outcome: Record<HostName, [string, string | null]> }> = {
  handshake: { client: OPEN_CLIENT, server: OPEN_SERVER, outcome: { client: ['ESTABLISHED', null], server: ['ESTABLISHED', null] } },
  close: {
    client: [...OPEN_CLIENT, 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED'],
    server: [...OPEN_SERVER, 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
    outcome: { client: ['CLOSED', null], server: ['CLOSED', null] },
  },
  'simultaneous-open': {
    client: ['CLOSED', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED'],
    server: ['CLOSED', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED'],
    outcome: { client: ['ESTABLISHED', null], server: ['ESTABLISHED', null] },
  },
  'simultaneous-close': {
    client: [...OPEN_CLIENT, 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT', 'CLOSED'],
    server: [...OPEN_SERVER, 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT', 'CLOSED'],
    outcome: { client: ['CLOSED', null], server: ['CLOSED', null] },
  },
  'half-close': {
    client: [...OPEN_CLIENT, 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED'],
    server: [...OPEN_SERVER, 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
    outcome: { client: ['CLOSED', null], server: ['CLOSED', null] },
  },
  // A crashed host's connection is gone: its outcome is CLOSED without an error (nobody was told).
  'server-crash': { client: [...OPEN_CLIENT, 'CLOSED'], server: OPEN_SERVER, outcome: { client: ['CLOSED', 'ETIMEDOUT'], server: ['CLOSED', null] } },
  'server-reboot': { client: [...OPEN_CLIENT, 'CLOSED'], server: OPEN_SERVER, outcome: { client: ['CLOSED', 'ECONNRESET'], server: ['CLOSED', null] } },
  'network-outage': { client: [...OPEN_CLIENT, 'CLOSED'], server: OPEN_SERVER, outcome: { client: ['CLOSED', 'EHOSTUNREACH'], server: ['ESTABLISHED', null] } },
  'outage-recovery-idle': { client: OPEN_CLIENT, server: OPEN_SERVER, outcome: { client: ['ESTABLISHED', null], server: ['ESTABLISHED', null] } },
  'outage-recovery-timeout': {
    client: [...OPEN_CLIENT, 'CLOSED'],
    server: [...OPEN_SERVER, 'CLOSED'],
    outcome: { client: ['CLOSED', 'ETIMEDOUT'], server: ['CLOSED', 'ECONNRESET'] },
  },
  'server-process-killed': {
    client: [...OPEN_CLIENT, 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
    server: [...OPEN_SERVER, 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED'],
    outcome: { client: ['CLOSED', null], server: ['CLOSED', null] },
  },
  'port-closed': { client: ['CLOSED', 'SYN_SENT', 'CLOSED'], server: [], outcome: { client: ['CLOSED', 'ECONNREFUSED'], server: ['CLOSED', null] } },
  'keepalive-dead-peer': { client: [...OPEN_CLIENT, 'CLOSED'], server: OPEN_SERVER, outcome: { client: ['CLOSED', 'ETIMEDOUT'], server: ['CLOSED', null] } },
  'connect-timeout': { client: ['CLOSED', 'SYN_SENT', 'CLOSED'], server: [], outcome: { client: ['CLOSED', 'ETIMEDOUT'], server: ['CLOSED', null] } },
  'connect-unreachable': { client: ['CLOSED', 'SYN_SENT', 'CLOSED'], server: [], outcome: { client: ['CLOSED', 'EHOSTUNREACH'], server: ['LISTEN', null] } },
  'close-unread': { client: [...OPEN_CLIENT, 'CLOSED'], server: [...OPEN_SERVER, 'CLOSED'], outcome: { client: ['CLOSED', 'ECONNRESET'], server: ['CLOSED', null] } },
  'syn-lost': { client: OPEN_CLIENT, server: OPEN_SERVER, outcome: { client: ['ESTABLISHED', null], server: ['ESTABLISHED', null] } },
  'lossy-bulk': {
    client: [...OPEN_CLIENT, 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED'],
    server: [...OPEN_SERVER, 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED'],
    outcome: { client: ['CLOSED', null], server: ['CLOSED', null] },
  },
  'zero-window': { client: OPEN_CLIENT, server: OPEN_SERVER, outcome: { client: ['ESTABLISHED', null], server: ['ESTABLISHED', null] } },
};

describe('every scenario: exact state sequences and outcomes of both hosts', () => {
  it('has expectations for every scenario', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
  });
  it.each(Object.keys(EXPECTED))('%s', (name) => {
    const r = rec(name);
    const want = EXPECTED[name];
    expect(states(r, 'client')).toEqual(want.client);
    expect(states(r, 'server')).toEqual(want.server);
    for (const h of ['client', 'server'] as HostName[]) {
      expect([r.outcome[h].state, r.outcome[h].error], h).toEqual(want.outcome[h]);
    }
    // A transition starts where the previous one of the same host ended (one connection per host).
    for (const h of ['client', 'server'] as HostName[]) {
      const t = r.transitions.filter((x) => x.host === h);
      for (let i = 1; i < t.length; i++) {
        expect(t[i].from, `${name} ${h} #${i}`).toBe(t[i - 1].to);
        expect(t[i].t).toBeGreaterThanOrEqual(t[i - 1].t);
      }
    }
  });
});

describe('handshake', () => {
  const r = rec('handshake');
  it('SYN, SYN-ACK, ACK with the right acknowledgment numbers', () => {
    expect(r.segments.map((s) => `${s.from}:${s.flags}`)).toEqual(['client:S', 'server:S.', 'client:.']);
    const [syn, synAck, ack] = r.segments;
    expect(synAck.ack).toBe((syn.seq + 1) >>> 0);
    expect(ack.seq).toBe(synAck.ack);
    expect(ack.ack).toBe((synAck.seq + 1) >>> 0);
    expect(syn.options).toMatch(/mss \d+/);
  });
  it('CLOSED→SYN_SENT→ESTABLISHED and LISTEN→SYN_RCVD→ESTABLISHED', () => {
    expect(states(r, 'client')).toEqual(OPEN_CLIENT);
    expect(states(r, 'server')).toEqual(OPEN_SERVER);
    expect(r.outcome.client).toMatchObject({ state: 'ESTABLISHED', error: null });
    expect(r.outcome.server).toMatchObject({ state: 'ESTABLISHED', error: null });
  });
  it('ISNs differ with the seed and repeat with it', () => {
    const other = runScenario('handshake', { seed: 2 });
    expect(other.segments[0].seq).not.toBe(r.segments[0].seq);
    expect(other.segments[1].seq).not.toBe(r.segments[1].seq);
    expect(runScenario('handshake', { seed: 1 }).segments[0].seq).toBe(r.segments[0].seq);
  });
  it('advertises a non-zero window in the SYN', () => {
    // RFC 9293 §3.10.1: the SYN carries the (unscaled) receive window; Linux sends 64240.
    expect(r.segments[0].win).toBeGreaterThan(0);
    expect(r.segments[0].win).toBeLessThanOrEqual(65535);
  });
});

describe('close', () => {
  const r = rec('close');
  it('client FIN_WAIT_1→FIN_WAIT_2→TIME_WAIT→CLOSED, server CLOSE_WAIT→LAST_ACK→CLOSED', () => {
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']);
    expect(states(r, 'server')).toEqual([...OPEN_SERVER, 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: null });
    expect(r.outcome.server).toMatchObject({ state: 'CLOSED', error: null });
  });
  it('TIME_WAIT lasts 2·MSL', () => {
    const tw = entered(r, 'client', 'TIME_WAIT');
    const closed = r.transitions.filter((x) => x.host === 'client' && x.to === 'CLOSED').at(-1)!.t;
    expect(closed - tw).toBeCloseTo(CFG.timeWaitMs / 1000, 2);
  });
  it('one FIN each way, the client first, no RST, data delivered both ways', () => {
    const fins = r.segments.filter(has('F'));
    expect(fins.map((s) => s.from)).toEqual(['client', 'server']);
    expect(r.segments.some(has('R'))).toBe(false);
    expect(r.outcome.client.sent).toBe(r.outcome.server.received);
    expect(r.outcome.server.sent).toBe(r.outcome.client.received);
    expect(r.outcome.client.sent).toBeGreaterThan(0);
  });
});

describe('simultaneous-open', () => {
  const r = rec('simultaneous-open');
  it('SYN_SENT→SYN_RCVD→ESTABLISHED on both hosts', () => {
    for (const h of ['client', 'server'] as HostName[]) {
      expect(states(r, h)).toEqual(['CLOSED', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED']);
      expect(r.outcome[h]).toMatchObject({ state: 'ESTABLISHED', error: null });
    }
  });
  it('two crossing SYNs, then a SYN-ACK from each side (RFC 9293 §3.5 figure 7)', () => {
    expect(r.segments.filter((s) => s.flags === 'S').map((s) => s.from).sort()).toEqual(['client', 'server']);
    expect(r.segments.filter((s) => s.flags === 'S.').map((s) => s.from).sort()).toEqual(['client', 'server']);
    expect(r.segments.some(has('R'))).toBe(false);
  });
});

describe('simultaneous-close', () => {
  const r = rec('simultaneous-close');
  it('FIN_WAIT_1→CLOSING→TIME_WAIT→CLOSED on both hosts', () => {
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT', 'CLOSED']);
    expect(states(r, 'server')).toEqual([...OPEN_SERVER, 'FIN_WAIT_1', 'CLOSING', 'TIME_WAIT', 'CLOSED']);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: null });
    expect(r.outcome.server).toMatchObject({ state: 'CLOSED', error: null });
  });
  it('both FINs leave at the same instant, each acknowledged, no RST', () => {
    const fins = r.segments.filter(has('F'));
    expect(fins).toHaveLength(2);
    expect(fins.map((s) => s.from).sort()).toEqual(['client', 'server']);
    expect(fins[0].t).toBe(fins[1].t);
    for (const fin of fins) {
      // The ACK of a FIN acknowledges SEG.SEQ + 1 (the FIN occupies one sequence number).
      expect(from(r, fin.to, (s) => s.flags.includes('.') && s.ack === ((fin.seq + 1) >>> 0) && s.t > fin.t).length).toBeGreaterThan(0);
    }
    expect(r.segments.some(has('R'))).toBe(false);
  });
});

describe('half-close', () => {
  const r = rec('half-close');
  it('client FIN_WAIT_1→FIN_WAIT_2→TIME_WAIT, server CLOSE_WAIT→LAST_ACK→CLOSED', () => {
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']);
    expect(states(r, 'server')).toEqual([...OPEN_SERVER, 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  });
  it('all server data reaches the client after the client\'s FIN', () => {
    const clientFin = from(r, 'client', has('F'))[0];
    const serverData = from(r, 'server', data);
    expect(serverData.length).toBeGreaterThan(1);
    for (const s of serverData) expect(s.t).toBeGreaterThan(clientFin.t);
    expect(r.outcome.client.received).toBe(r.outcome.server.sent);
    expect(r.outcome.server.sent).toBeGreaterThan(0);
    expect(r.outcome.client.error).toBeNull();
    expect(r.outcome.server.error).toBeNull();
    expect(r.segments.some(has('R'))).toBe(false);
  });
});

describe('server-crash', () => {
  const r = rec('server-crash');
  const tx = from(r, 'client', data);
  it('client retransmits with doubling intervals up to the retry limit, then CLOSED with ETIMEDOUT', () => {
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'CLOSED']);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: 'ETIMEDOUT' });
    expect(tx).toHaveLength(1 + CFG.dataRetries);
    expect(new Set(tx.map((s) => s.seq)).size).toBe(1);
    expect(tx.every((s) => s.dropped)).toBe(true);
    expect(tx.slice(1).every((s) => s.note === 'retransmission')).toBe(true);
    expectDoubling(gaps(tx), CFG.rtoMinMs / 1000);
  });
  it('the first transmission was in flight when the server died', () => {
    expect(tx[0].t).toBeLessThan(noteTime(r, 'crashes'));
    expect(tx[0].dropped).toBe(true);
  });
  it('the server says nothing after its crash, and nobody sends RST', () => {
    const crash = noteTime(r, 'crashes');
    expect(from(r, 'server').every((s) => s.t < crash)).toBe(true);
    expect(r.segments.some(has('R'))).toBe(false);
    expect(states(r, 'server')).toEqual(OPEN_SERVER);
    expect(r.outcome.server).toMatchObject({ state: 'CLOSED', error: null });
  });
});

describe('server-reboot', () => {
  const r = rec('server-reboot');
  it("the client's next segment gets RST; client CLOSED with ECONNRESET", () => {
    const boot = noteTime(r, 'boots again');
    const next = from(r, 'client', data)[0];
    expect(next.t).toBeGreaterThan(boot);
    const rsts = r.segments.filter(has('R'));
    expect(rsts).toHaveLength(1);
    expect(rsts[0].from).toBe('server');
    // RFC 9293 §3.10.7.1/2: no connection, ACK set → <SEQ=SEG.ACK><CTL=RST>
    expect(rsts[0].seq).toBe(next.ack);
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'CLOSED']);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: 'ECONNRESET' });
  });
});

describe('network-outage', () => {
  const r = rec('network-outage');
  const tx = from(r, 'client', data);
  it('every transmission is answered by ICMP host unreachable, which does not abort the connection', () => {
    expect(r.icmp!.length).toBe(tx.length);
    expect(r.icmp!.every((m) => m.type === 3 && m.code === 1 && m.to === 'client' && m.from === 'router')).toBe(true);
    expect(tx).toHaveLength(1 + CFG.dataRetries);
    expect(tx.every((s) => s.dropped && s.seq === tx[0].seq)).toBe(true);
    expectDoubling(gaps(tx), CFG.rtoMinMs / 1000);
    expect(r.segments.some(has('R'))).toBe(false);
  });
  it('after the retry limit the client reports the recorded soft error EHOSTUNREACH; the server never knew', () => {
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'CLOSED']);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: 'EHOSTUNREACH' });
    expect(r.outcome.server).toMatchObject({ state: 'ESTABLISHED', error: null });
    expect(entered(r, 'client', 'CLOSED')).toBeGreaterThan(tx.at(-1)!.t);
  });
});

describe('outage-recovery-idle', () => {
  const r = rec('outage-recovery-idle');
  it('nothing is sent or lost during the outage; afterwards data flows; both still ESTABLISHED', () => {
    const fail = noteTime(r, 'fails');
    const heal = noteTime(r, 'repaired');
    expect(r.segments.filter((s) => s.t >= fail && s.t <= heal)).toEqual([]);
    expect(r.segments.some((s) => s.dropped)).toBe(false);
    expect(states(r, 'client')).toEqual(OPEN_CLIENT);
    expect(states(r, 'server')).toEqual(OPEN_SERVER);
    expect(r.outcome.client).toMatchObject({ state: 'ESTABLISHED', error: null, received: r.outcome.server.sent });
    expect(r.outcome.server).toMatchObject({ state: 'ESTABLISHED', error: null, received: r.outcome.client.sent });
    expect(r.outcome.client.received).toBeGreaterThan(0);
  });
});

describe('outage-recovery-timeout', () => {
  const r = rec('outage-recovery-timeout');
  it('client gives up (ETIMEDOUT); after healing the server segment gets RST; server ECONNRESET', () => {
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'CLOSED']);
    expect(states(r, 'server')).toEqual([...OPEN_SERVER, 'CLOSED']);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: 'ETIMEDOUT' });
    expect(r.outcome.server).toMatchObject({ state: 'CLOSED', error: 'ECONNRESET' });
    const heal = noteTime(r, 'repaired');
    expect(entered(r, 'client', 'CLOSED')).toBeLessThan(heal);
    const tx = from(r, 'client', data);
    expect(tx).toHaveLength(1 + CFG.dataRetries);
    expect(tx.every((s) => s.dropped)).toBe(true);
    expectDoubling(gaps(tx), CFG.rtoMinMs / 1000);
    const after = r.segments.filter((s) => s.t > heal);
    expect(after.map((s) => `${s.from}:${s.flags.includes('R') ? 'R' : 'data'}`)).toEqual(['server:data', 'client:R']);
    expect(after[1].seq).toBe(after[0].ack);
  });
});

describe('server-process-killed', () => {
  const r = rec('server-process-killed');
  it('the stack closes the socket with FIN; the client reads end-of-stream and closes; no error', () => {
    expect(states(r, 'server')).toEqual([...OPEN_SERVER, 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED']);
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    expect(r.segments.filter(has('F')).map((s) => s.from)).toEqual(['server', 'client']);
    expect(from(r, 'server', has('F'))[0].t).toBeCloseTo(noteTime(r, 'killed'), 6);
    expect(r.segments.some(has('R'))).toBe(false);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: null });
    expect(r.outcome.server).toMatchObject({ state: 'CLOSED', error: null });
  });
});

describe('port-closed', () => {
  const r = rec('port-closed');
  it('SYN answered by RST+ACK; client CLOSED with ECONNREFUSED', () => {
    expect(r.segments.map((s) => `${s.from}:${s.flags}`)).toEqual(['client:S', 'server:R.']);
    // RFC 9293 §3.10.7.1: no ACK in the SYN → <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SYN counting one.
    expect(r.segments[1].seq).toBe(0);
    expect(r.segments[1].ack).toBe((r.segments[0].seq + 1) >>> 0);
    expect(states(r, 'client')).toEqual(['CLOSED', 'SYN_SENT', 'CLOSED']);
    expect(states(r, 'server')).toEqual([]);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: 'ECONNREFUSED' });
  });
});

describe('keepalive-dead-peer', () => {
  const r = rec('keepalive-dead-peer');
  it('probes at the keepalive interval, then CLOSED with ETIMEDOUT', () => {
    const probes = from(r, 'client', (s) => s.note === 'keepalive');
    expect(probes).toHaveLength(CFG.keepaliveCount);
    expect(probes.every((s) => s.dropped && s.len <= 1)).toBe(true);
    const lastActivity = r.segments.filter((s) => s.note !== 'keepalive').at(-1)!.t;
    expect(probes[0].t - lastActivity).toBeCloseTo(CFG.keepaliveIdleMs / 1000, 2);
    for (const g of gaps(probes)) expect(g).toBeCloseTo(CFG.keepaliveIntervalMs / 1000, 2);
    expect(entered(r, 'client', 'CLOSED') - probes.at(-1)!.t).toBeCloseTo(CFG.keepaliveIntervalMs / 1000, 2);
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'CLOSED']);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: 'ETIMEDOUT' });
  });
});

describe('connect-timeout', () => {
  const r = rec('connect-timeout');
  it('SYN retransmitted with doubling intervals from the initial RTO, then ETIMEDOUT after the SYN retries', () => {
    const syns = from(r, 'client', (s) => s.flags === 'S');
    expect(syns).toHaveLength(1 + CFG.synRetries);
    expect(syns.every((s) => s.dropped && s.seq === syns[0].seq)).toBe(true);
    // The last gap is from the last SYN to giving up: the timer that would have sent one more.
    expectDoubling(gaps([...syns, { t: entered(r, 'client', 'CLOSED') }]), CFG.rtoInitialMs / 1000);
    expect(states(r, 'client')).toEqual(['CLOSED', 'SYN_SENT', 'CLOSED']);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: 'ETIMEDOUT' });
  });
});

describe('connect-unreachable', () => {
  const r = rec('connect-unreachable');
  it('ICMP host unreachable aborts a connection in SYN_SENT at once with EHOSTUNREACH', () => {
    expect(r.segments.map((s) => `${s.from}:${s.flags}:${s.dropped}`)).toEqual(['client:S:true']);
    expect(r.icmp).toHaveLength(1);
    expect(r.icmp![0]).toMatchObject({ type: 3, code: 1, to: 'client' });
    expect(states(r, 'client')).toEqual(['CLOSED', 'SYN_SENT', 'CLOSED']);
    expect(entered(r, 'client', 'CLOSED')).toBeLessThan(CFG.rtoInitialMs / 1000);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: 'EHOSTUNREACH' });
    expect(r.outcome.server).toMatchObject({ state: 'LISTEN', error: null });
  });
});

describe('close-unread', () => {
  const r = rec('close-unread');
  it('close() with unread data sends RST, not FIN (RFC 2525 §2.17); the client sees ECONNRESET', () => {
    expect(r.segments.some(has('F'))).toBe(false);
    const rst = r.segments.filter(has('R'));
    expect(rst.map((s) => s.from)).toEqual(['server']);
    expect(rst[0].t).toBeCloseTo(1, 6);
    expect(states(r, 'server')).toEqual([...OPEN_SERVER, 'CLOSED']);
    expect(states(r, 'client')).toEqual([...OPEN_CLIENT, 'CLOSED']);
    expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: 'ECONNRESET' });
    expect(r.outcome.server).toMatchObject({ state: 'CLOSED', error: null, received: 0 });
  });
});

describe('syn-lost', () => {
  const r = rec('syn-lost');
  it('SYN retransmitted after the initial RTO, then after twice that; handshake completes', () => {
    const syns = from(r, 'client', (s) => s.flags === 'S');
    expect(syns.map((s) => s.dropped)).toEqual([true, true, false]);
    expectDoubling(gaps(syns), CFG.rtoInitialMs / 1000);
    expect(syns.slice(1).every((s) => s.note === 'retransmission' && s.seq === syns[0].seq)).toBe(true);
    expect(states(r, 'client')).toEqual(OPEN_CLIENT);
    expect(r.outcome.client).toMatchObject({ state: 'ESTABLISHED', error: null });
  });
});

describe('lossy-bulk', () => {
  it('delivers every byte despite loss, with at least one fast retransmit after three dup ACKs', () => {
    const r = rec('lossy-bulk');
    expect(r.loss).toBeGreaterThan(0);
    expect(r.segments.some((s) => s.dropped)).toBe(true);
    expect(r.outcome.server.received).toBe(r.outcome.client.sent);
    expect(r.outcome.client.sent).toBe(100_000);
    const fast = from(r, 'client', (s) => s.note === 'retransmission' && s.len > 0).filter((re) =>
      from(r, 'server', (a) => a.note === 'dup ack' && a.ack === re.seq && a.t < re.t).length >= 3);
    expect(fast.length).toBeGreaterThan(0);
  });
  it('stays correct on other seeds and loss rates', () => {
    for (const [seed, loss] of [[2, 0.05], [3, 0.1]]) {
      const r = runScenario('lossy-bulk', { seed, loss });
      expect(r.outcome.server.received).toBe(100_000);
      expect(r.outcome.client).toMatchObject({ state: 'CLOSED', error: null });
    }
  });
});

describe('zero-window', () => {
  const r = rec('zero-window');
  it('window 0, persist probes with growing intervals, then the window reopens and all data arrives', () => {
    const zero = from(r, 'server', (s) => s.win === 0 && s.flags.includes('.'));
    expect(zero.length).toBeGreaterThan(0);
    const probes = from(r, 'client', (s) => s.note === 'window probe');
    expect(probes.length).toBeGreaterThanOrEqual(3);
    const g = gaps(probes);
    for (let i = 1; i < g.length; i++) expect(g[i]).toBeCloseTo(g[i - 1] * 2, 2);
    const reopen = from(r, 'server', (s) => s.win > 0 && s.t > zero[0].t);
    expect(reopen.length).toBeGreaterThan(0);
    expect(r.outcome.server.received).toBe(r.outcome.client.sent);
    expect(r.outcome.client).toMatchObject({ state: 'ESTABLISHED', error: null });
    expect(r.segments.some(has('R'))).toBe(false);
  });
});

describe('robustness', () => {
  it('every scenario finishes on a very lossy path without throwing', () => {
    for (const { name } of SCENARIOS) {
      for (const seed of [4, 5]) {
        const r = runScenario(name, { seed, loss: 0.5 });
        expect(r.outcome.client.state, name).toMatch(/^[A-Z_12]+$/);
        expect(r.duration!, name).toBeLessThanOrEqual(4 * 3600);
        // Every renderer copes with whatever the lossy run produced.
        expect(renderLadder(r), name).toMatch(/^client {2}[A-Z_12]+, (no error|error E[A-Z]+), sent \d+ B, received \d+ B$/m);
        expect(renderHtml(r), name).toContain('</svg>');
        expect(recordingToPcap(r).length, name).toBe(24 + r.packets!.reduce((n, p) => n + 16 + p.data.length, 0));
      }
    }
  });
});

describe('determinism', () => {
  it('the same seed gives identical JSON for every scenario', () => {
    for (const { name } of SCENARIOS) {
      const a = JSON.stringify(toJson(runScenario(name, { seed: 42 })));
      const b = JSON.stringify(toJson(runScenario(name, { seed: 42 })));
      expect(a, name).toBe(b);
    }
  });
  it('a different seed changes the run', () => {
    const a = JSON.stringify(toJson(runScenario('lossy-bulk', { seed: 1 })));
    const b = JSON.stringify(toJson(runScenario('lossy-bulk', { seed: 9 })));
    expect(a).not.toBe(b);
  });
});

describe('step mode', () => {
  it('stepping a prepared scenario event by event ends in the same recording as running it', () => {
    const w = prepareScenario('close', { seed: 3 });
    let steps = 0;
    let seen = 0;
    while (w.step()) {
      steps++;
      const now = w.recording().segments.length;
      expect(now).toBeGreaterThanOrEqual(seen);
      seen = now;
    }
    expect(steps).toBeGreaterThan(10);
    expect(JSON.stringify(toJson(w.recording()))).toBe(JSON.stringify(toJson(runScenario('close', { seed: 3 }))));
  });
});
