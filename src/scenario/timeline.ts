// The row layout both ladder renderers share: one row per segment, state change, ICMP message or note. No Node built-ins.
import { abbreviateOptions } from './packet.js';
import type { HostName, IcmpRecord, NoteRecord, Recording, SegmentRecord } from './recording.js';
import { flagWords } from './recording.js';

/** One line of a ladder diagram. */
export interface LadderRow {
  t: number;
  /** True on the first row of a time instant (renderers print the time once). */
  first: boolean;
  /** Seconds since the previous instant when it is long enough to draw a break. */
  gapBefore?: number;
  /** States entered by each host on this row (usually zero or one). */
  client?: string;
  server?: string;
  segment?: SegmentRecord;
  icmp?: IcmpRecord;
  note?: NoteRecord;
}

/** Pseudo-state shown in a host's timeline while it is crashed. */
export const CRASHED = '(crashed)';

/** Gaps at least this long (seconds) are drawn as a break in the ladder. */
export const GAP_SECONDS = 5;

/** Lays a recording out as rows: at each instant notes first, then state changes beside segments, then ICMP. */
export function ladderRows(r: Recording): LadderRow[] {
  const times = new Set<number>();
  for (const s of r.segments) times.add(s.t);
  for (const x of r.transitions) times.add(x.t);
  for (const n of r.notes ?? []) times.add(n.t);
  for (const i of r.icmp ?? []) times.add(i.t);
  const sorted = [...times].sort((a, b) => a - b);
  const at = <T extends { t: number }>(list: T[] | undefined) => {
    const m = new Map<number, T[]>();
    for (const x of list ?? []) {
      const l = m.get(x.t);
      if (l) l.push(x);
      else m.set(x.t, [x]);
    }
    return m;
  };
  const segs = at(r.segments);
  const trans = at(r.transitions);
  const notes = at(r.notes);
  const icmps = at(r.icmp);
  const rows: LadderRow[] = [];
  let prev = 0;
  for (const t of sorted) {
    const group: LadderRow[] = [];
    for (const n of notes.get(t) ?? []) {
      const row: LadderRow = { t, first: false, note: n };
      // A crash ends the host's state timeline; after a reboot its engine has no connection.
      if (n.host && n.kind) row[n.host] = n.kind === 'crash' ? CRASHED : 'CLOSED';
      group.push(row);
    }
    const tr = trans.get(t) ?? [];
    const g = segs.get(t) ?? [];
    const c = place(tr.filter((x) => x.host === 'client').map((x) => x.to), 'client', g);
    const s = place(tr.filter((x) => x.host === 'server').map((x) => x.to), 'server', g);
    const n = Math.max(g.length, c.length, s.length);
    for (let i = 0; i < n; i++) {
      const row: LadderRow = { t, first: false };
      if (c[i]) row.client = c[i];
      if (s[i]) row.server = s[i];
      if (g[i]) row.segment = g[i];
      group.push(row);
    }
    // The router answers the segment that reached it, so its ICMP comes after that segment.
    for (const i of icmps.get(t) ?? []) group.push({ t, first: false, icmp: i });
    if (!group.length) continue;
    group[0].first = true;
    if (rows.length && t - prev >= GAP_SECONDS) group[0].gapBefore = t - prev;
    prev = t;
    rows.push(...group);
  }
  return rows;
}

/** Row of each state entered at one instant: in order, one per row, entering FIN_WAIT_1/LAST_ACK on the host's FIN. */
function place(states: string[], host: HostName, segs: SegmentRecord[]): (string | undefined)[] {
  const rows: (string | undefined)[] = [];
  let next = 0;
  for (const st of states) {
    let at = next;
    if (st === 'FIN_WAIT_1' || st === 'LAST_ACK') {
      const fin = segs.findIndex((x) => x.from === host && x.flags.includes('F'));
      if (fin >= at) at = fin;
    }
    rows[at] = st;
    next = at + 1;
  }
  return rows;
}

/** The state each host was in before its first recorded transition. */
export function initialStates(r: Recording): Record<HostName, string> {
  const first = (h: HostName) => r.transitions.find((x) => x.host === h)?.from ?? r.outcome[h].state;
  return { client: first('client'), server: first('server') };
}

/** The ISNs a segment's numbers are shown relative to: its sender's (`own`) and its receiver's (`peer`). */
export interface SeqBases {
  own?: number;
  peer?: number;
}

/**
 * Sequence bases of every segment: each host:port's ISN is the sequence number of its latest SYN sent before
 * the segment (a rebooted host starts a new sequence space with a new ISN), none before its first SYN.
 */
export function isns(r: Recording): Map<SegmentRecord, SeqBases> {
  const current = new Map<string, number>();
  const out = new Map<SegmentRecord, SeqBases>();
  for (const s of r.segments) {
    if (s.flags.includes('S')) current.set(`${s.from}:${s.sport ?? ''}`, s.seq);
    out.set(s, { own: current.get(`${s.from}:${s.sport ?? ''}`), peer: current.get(`${s.to}:${s.dport ?? ''}`) });
  }
  return out;
}

/**
 * Arrow label: `SYN seq=0 win=65535 len=0 <mss 1460,sackOK,ts,ws 7>`; seq/ack relative to the ISNs after the SYN.
 * A RST with SEQ=0 answers a segment without ACK (RFC 9293 §3.10.7.1) and has no sequence space: shown as is.
 */
export function segmentLabel(s: SegmentRecord, bases: Map<SegmentRecord, SeqBases>): string {
  const { own, peer } = bases.get(s) ?? {};
  const rel = (v: number, base: number | undefined) => (base === undefined ? v : (v - base) >>> 0);
  const seq = s.flags.includes('S') || (s.flags.includes('R') && s.seq === 0) ? s.seq : rel(s.seq, own);
  let text = `${flagWords(s.flags)} seq=${seq}`;
  if (s.flags.includes('.')) text += ` ack=${rel(s.ack, peer)}`;
  text += ` win=${s.win} len=${s.len}`;
  // Timestamps ride on every segment once negotiated: name them on the SYNs only.
  let opts = abbreviateOptions(s.options ?? '');
  if (!s.flags.includes('S')) opts = opts.split(',').filter((o) => o !== 'ts').join(',');
  if (opts) text += ` <${opts}>`;
  return text;
}

/** Short words for why a segment was dropped (`loss` → `lost`, `host-down` → `host down`). */
export function fateText(fate: string | undefined): string {
  const words: Record<string, string> = { loss: 'lost', partition: 'lost', 'host-down': 'host down', 'no-route': 'no route', queue: 'queue full' };
  if (!fate) return 'lost';
  if (fate.startsWith('unreachable')) return 'unreachable';
  return words[fate] ?? fate;
}

/** Hover text of a segment: absolute numbers, every option, fate and note. */
export function segmentDetails(s: SegmentRecord): string {
  const lines = [
    `t=${s.t.toFixed(3)} s  ${s.from} → ${s.to}${s.sport !== undefined ? `  (port ${s.sport} → ${s.dport})` : ''}`,
    `flags [${s.flags}] ${flagWords(s.flags)}`,
    `seq=${s.seq} ack=${s.ack} win=${s.win} len=${s.len}`,
  ];
  if (s.options) lines.push(`options: ${s.options}`);
  if (s.note) lines.push(s.note);
  if (s.dropped) lines.push(`dropped: ${s.fate ?? 'lost'}`);
  else if (s.arrive !== undefined) lines.push(`delivered at t=${s.arrive.toFixed(3)} s`);
  return lines.join('\n');
}

/** One outcome line per host: `CLOSED, error ETIMEDOUT, sent 1000 B, received 0 B`. */
export function outcomeText(r: Recording, h: HostName): string {
  const o = r.outcome[h];
  // A host that is still down at the end has no connection to report: it crashed.
  const last = (r.notes ?? []).filter((n) => n.host === h && n.kind).at(-1);
  let text = last?.kind === 'crash' ? `${CRASHED.slice(1, -1)}: its connection state was lost`
    : `${o.state}, ${o.error ? `error ${o.error}` : 'no error'}`;
  if (o.sent !== undefined) text += `, sent ${o.sent} B`;
  if (o.received !== undefined) text += `, received ${o.received} B`;
  return text;
}
