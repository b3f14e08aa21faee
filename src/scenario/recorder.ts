// Builds a Recording from what the network tap and the stacks' state logs report. No Node built-ins.
import type { TapEvent } from '../link/link.js';
import { formatIPv4 } from '../util/ip.js';
import { icmpText, summarize } from './packet.js';
import type { HostName, HostOutcome, IcmpRecord, NoteRecord, PacketRecord, Recording, SegmentRecord, TransitionRecord } from './recording.js';
import { seqSpace } from './recording.js';

/** Fixed facts about a run, known before it starts. */
export interface RecorderInit {
  scenario: string;
  seed: number;
  description?: string;
  loss?: number;
  client: number;
  server: number;
  /** Times are rounded to this many ms (default 0.001, the pcap's microseconds). */
  resolutionMs?: number;
  /** The run is in real time, not on the virtual clock. */
  realTime?: boolean;
}

/** Per-direction sequence bookkeeping used to annotate segments. */
interface Flow {
  maxEnd: number;
  started: boolean;
  lastAck: number;
  lastWin: number;
  hasAck: boolean;
  /** Flags of the last SYN sent on this flow (`S` or `S.`). */
  synFlags: string;
}

/** Collects packets, transitions and notes as they happen, then produces the Recording. */
export class Recorder {
  private readonly init: RecorderInit;
  private readonly segments: SegmentRecord[] = [];
  private readonly transitions: TransitionRecord[] = [];
  private readonly icmp: IcmpRecord[] = [];
  private readonly notes: NoteRecord[] = [];
  private readonly packets: PacketRecord[] = [];
  private readonly flows = new Map<string, Flow>();
  private readonly byId = new Map<number, SegmentRecord>();
  private hostPorts: { client?: number; server?: number } = {};

  private readonly seconds: (ms: number) => number;

  /** Starts an empty recording for the given hosts (u32 IPv4 addresses). */
  constructor(init: RecorderInit) {
    this.init = init;
    const us = (init.resolutionMs ?? 0.001) * 1000;
    // Whole steps of whole microseconds: no float noise in the JSON.
    this.seconds = (ms) => (Math.round((ms * 1000) / us) * us) / 1e6;
  }

  /** Records one network tap event (the packet as sent and its fate); copies the bytes. */
  tap(ev: TapEvent): void {
    if (ev.fate === 'vanished') {
      // A late report: the packet was in flight when its destination went away.
      const seg = this.byId.get(ev.id);
      if (seg) {
        seg.dropped = true;
        seg.fate = ev.reason ?? 'host down';
        delete seg.arrive;
      }
      return;
    }
    this.packets.push({ timeMs: ev.time, data: ev.bytes.slice() });
    const p = summarize(ev.bytes);
    if (!p) return;
    const t = this.seconds(ev.time);
    const dropped = ev.fate === 'dropped' || ev.fate === 'icmp' || ev.fate === 'corrupted';
    if (p.kind === 'icmp') {
      this.icmp.push({ t, from: this.nameOf(p.src) ?? 'router', to: this.nameOf(p.dst) ?? 'router', type: p.type, code: p.code, text: icmpText(p.type, p.code), dropped });
      return;
    }
    const from = this.nameOf(p.src);
    const to = this.nameOf(p.dst);
    if (!from || !to) return;
    if (!p.flags.includes('R')) {
      this.hostPorts[from] ??= p.sport;
      this.hostPorts[to] ??= p.dport;
    }
    const seg: SegmentRecord = {
      t, from, to, flags: p.flags, seq: p.seq, ack: p.ack, win: p.win, len: p.len, dropped,
      sport: p.sport, dport: p.dport,
    };
    if (p.options) seg.options = p.options;
    if (dropped) seg.fate = ev.fate === 'icmp' ? 'unreachable (router sent ICMP)' : ev.fate === 'corrupted' ? 'corrupted' : (ev.reason ?? 'lost');
    else if (Number.isFinite(ev.arriveAt)) seg.arrive = this.seconds(ev.arriveAt);
    if (ev.fate === 'duplicated') seg.note = 'duplicate';
    else {
      const note = this.annotate(seg, `${p.src}:${p.sport}>${p.dst}:${p.dport}`, `${p.dst}:${p.dport}>${p.src}:${p.sport}`);
      if (note) seg.note = note;
      this.byId.set(ev.id, seg);
    }
    this.segments.push(seg);
  }

  /** Records a state change of `host`'s connection. */
  transition(timeMs: number, host: HostName, from: string, to: string): void {
    this.transitions.push({ t: this.seconds(timeMs), host, from, to });
  }

  /** Records something the scenario did (a crash, an outage, …). */
  note(timeMs: number, text: string, host?: HostName, kind?: NoteRecord['kind']): void {
    const n: NoteRecord = { t: this.seconds(timeMs), text };
    if (host) n.host = host;
    if (kind) n.kind = kind;
    this.notes.push(n);
  }

  /** A snapshot of the recording (later packets do not change it); its duration is the time of the last thing that happened (at most `endMs`). */
  finish(outcome: { client: HostOutcome; server: HostOutcome }, endMs: number): Recording {
    let last = 0;
    for (const list of [this.segments, this.transitions, this.notes, this.icmp]) for (const x of list) last = Math.max(last, x.t);
    last = Math.min(last, this.seconds(endMs));
    const addr = (a: number, port?: number) => `${formatIPv4(a)}${port !== undefined ? `:${port}` : ''}`;
    const r: Recording = {
      scenario: this.init.scenario,
      seed: this.init.seed,
      segments: this.segments.map((x) => ({ ...x })),
      transitions: this.transitions.slice(),
      outcome,
      duration: last,
      hosts: { client: addr(this.init.client, this.hostPorts.client), server: addr(this.init.server, this.hostPorts.server) },
      icmp: this.icmp.slice(),
      notes: this.notes.slice(),
      packets: this.packets.slice(),
    };
    if (this.init.description) r.description = this.init.description;
    if (this.init.loss) r.loss = this.init.loss;
    if (this.init.realTime) r.realTime = true;
    return r;
  }

  private nameOf(a: number): HostName | undefined {
    if (a === this.init.client) return 'client';
    if (a === this.init.server) return 'server';
    return undefined;
  }

  /** Wireshark-like analysis: retransmission, keepalive, window probe, dup ack, zero window. */
  private annotate(s: SegmentRecord, key: string, reverseKey: string): string | undefined {
    let f = this.flows.get(key);
    if (!f || s.flags.includes('S')) {
      // A SYN starts a new sequence space (a rebooted host reuses the 4-tuple).
      // A SYN,ACK after our own SYN (simultaneous open) re-sends the SYN but is no retransmission.
      if (!f || !f.started || s.seq !== ((f.maxEnd - 1) >>> 0) || f.synFlags !== s.flags) {
        f = { maxEnd: s.seq, started: false, lastAck: 0, lastWin: -1, hasAck: false, synFlags: s.flags };
        this.flows.set(key, f);
      }
    }
    const back = this.flows.get(reverseKey);
    const space = seqSpace(s);
    const end = (s.seq + space) >>> 0;
    let note: string | undefined;
    if (s.flags.includes('R')) note = undefined;
    else if (!f.started) note = undefined;
    else if (back && back.hasAck && back.lastWin === 0 && s.len <= 1 && !/[SF]/.test(s.flags)) note = 'window probe';
    else if (space === 0 && s.seq === ((f.maxEnd - 1) >>> 0)) note = 'keepalive';
    else if (space > 0 && seqLt(s.seq, f.maxEnd)) note = 'retransmission';
    else if (space === 0 && s.flags === '.' && f.hasAck && s.ack === f.lastAck && s.win === f.lastWin && back && back.started && seqLt(s.ack, back.maxEnd)) note = 'dup ack';
    else if (s.win === 0 && s.flags.includes('.')) note = 'zero window';
    if (!s.flags.includes('R')) {
      if (!f.started || seqGt(end, f.maxEnd)) f.maxEnd = end;
      f.started = true;
      if (s.flags.includes('.')) {
        f.lastAck = s.ack;
        f.lastWin = s.win;
        f.hasAck = true;
      }
    }
    return note;
  }
}

/** a < b in 32-bit sequence space (RFC 9293 §3.4). */
function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a > b in 32-bit sequence space. */
function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}
