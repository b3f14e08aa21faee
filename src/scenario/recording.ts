// The Recording: what one scenario run did on the wire and in both engines. No Node built-ins.

/** The two hosts of every scenario. */
export type HostName = 'client' | 'server';

/** One TCP segment seen on the wire (JSON keys first, then rendering-only details). */
export interface SegmentRecord {
  /** Virtual time the segment left its sender, in seconds. */
  t: number;
  from: HostName;
  to: HostName;
  /** tcpdump-style flags: `S`, `S.`, `.`, `P.`, `F.`, `R`, `R.`, … */
  flags: string;
  seq: number;
  ack: number;
  /** Window field as carried in the header (unscaled, as tcpdump prints it). */
  win: number;
  /** Payload bytes. */
  len: number;
  /** True when the network lost the segment (loss, partition, host down). */
  dropped: boolean;
  /** Not in the JSON: source and destination ports. */
  sport?: number;
  dport?: number;
  /** Not in the JSON: options, tcpdump-like (`mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`). */
  options?: string;
  /** Not in the JSON: what this segment is (`retransmission`, `keepalive`, `window probe`, `dup ack`). */
  note?: string;
  /** Not in the JSON: why the network dropped it (`loss`, `partition`, `host down`, …). */
  fate?: string;
  /** Not in the JSON: virtual time of delivery in seconds, when delivered. */
  arrive?: number;
}

/** One state change of one host's connection. */
export interface TransitionRecord {
  t: number;
  host: HostName;
  from: string;
  to: string;
}

/** Final state of one host and the error its application saw. */
export interface HostOutcome {
  /** RFC spelling (`ESTABLISHED`, `CLOSED`, …) of the host's connection at the end. */
  state: string;
  /** Node error code (`ECONNRESET`, …) or null. */
  error: string | null;
  /** Not in the JSON: application bytes written and read. */
  sent?: number;
  received?: number;
}

/** An ICMP message seen on the wire (not in the JSON; it is in the pcap). */
export interface IcmpRecord {
  t: number;
  /** `router` or a host name. */
  from: string;
  to: string;
  type: number;
  code: number;
  /** Human text, e.g. `host unreachable`. */
  text: string;
  dropped: boolean;
}

/** Something the scenario did to the world (crash, outage, kill): not in the JSON. */
export interface NoteRecord {
  t: number;
  text: string;
  /** The host concerned, when there is one. */
  host?: HostName;
  /** `crash` and `reboot` end and restart the host's state timeline. */
  kind?: 'crash' | 'reboot';
}

/** One raw packet as sent, for the pcap (not in the JSON). */
export interface PacketRecord {
  /** Virtual time in milliseconds. */
  timeMs: number;
  data: Uint8Array;
}

/** What `wasm-tcp scenario NAME --json` prints, plus optional rendering details. */
export interface Recording {
  scenario: string;
  seed: number;
  segments: SegmentRecord[];
  transitions: TransitionRecord[];
  outcome: { client: HostOutcome; server: HostOutcome };
  /** Not in the JSON: one-line description of the scenario. */
  description?: string;
  /** Not in the JSON: virtual time at the end of the run, seconds. */
  duration?: number;
  /** Not in the JSON: the run was in real time (a host was the Linux kernel), not on the virtual clock. */
  realTime?: boolean;
  /** Not in the JSON: `addr:port` of each host. */
  hosts?: { client: string; server: string };
  /** Not in the JSON: the network's random loss probability. */
  loss?: number;
  icmp?: IcmpRecord[];
  notes?: NoteRecord[];
  packets?: PacketRecord[];
}

/** The exact JSON contract of a recording: only the documented keys, in order. */
export interface RecordingJson {
  scenario: string;
  seed: number;
  segments: { t: number; from: HostName; to: HostName; flags: string; seq: number; ack: number; win: number; len: number; dropped: boolean }[];
  transitions: TransitionRecord[];
  outcome: { client: { state: string; error: string | null }; server: { state: string; error: string | null } };
}

/** Strips a recording down to the documented JSON keys. */
export function toJson(r: Recording): RecordingJson {
  return {
    scenario: r.scenario,
    seed: r.seed,
    segments: r.segments.map((s) => ({
      t: s.t, from: s.from, to: s.to, flags: s.flags, seq: s.seq, ack: s.ack, win: s.win, len: s.len, dropped: s.dropped,
    })),
    transitions: r.transitions.map((x) => ({ t: x.t, host: x.host, from: x.from, to: x.to })),
    outcome: {
      client: { state: r.outcome.client.state, error: r.outcome.client.error },
      server: { state: r.outcome.server.state, error: r.outcome.server.error },
    },
  };
}

/** tcpdump's spelling of a flag byte, in its order F S R P . U E W: `S`, `S.`, `P.`, `FP.`, `R.`, `.` (the decoder's, shared). */
export { flagNames as tcpdumpFlags } from '../wire/parse.js';

/** Word names of tcpdump flags for diagrams: `S.` → `SYN,ACK`, `P.` → `PSH,ACK`. */
export function flagWords(flags: string): string {
  const words: string[] = [];
  const names: [string, string][] = [['S', 'SYN'], ['F', 'FIN'], ['R', 'RST'], ['P', 'PSH'], ['U', 'URG'], ['E', 'ECE'], ['W', 'CWR'], ['.', 'ACK']];
  for (const [c, word] of names) if (flags.includes(c)) words.push(word);
  return words.length ? words.join(',') : 'none';
}

/** Bytes of sequence space a segment occupies (payload, plus one each for SYN and FIN). */
export function seqSpace(s: Pick<SegmentRecord, 'flags' | 'len'>): number {
  return s.len + (s.flags.includes('S') ? 1 : 0) + (s.flags.includes('F') ? 1 : 0);
}

/** Formats virtual seconds for tables, to the millisecond: `0.000`, `12.345`, `7875.020`. */
export function formatTime(t: number): string {
  return t.toFixed(3);
}

/** Formats a duration in seconds compactly: `200 ms`, `1.5 s`, `15 min 24 s`, `2 h 11 min`. */
export function formatDuration(sec: number): string {
  if (sec < 1) return `${Math.round(sec * 1000)} ms`;
  if (sec < 60) return `${+sec.toFixed(sec < 10 ? 2 : 1)} s`;
  if (sec < 3600) {
    const whole = Math.round(sec);
    const min = Math.floor(whole / 60);
    const rest = whole - min * 60;
    return rest ? `${min} min ${rest} s` : `${min} min`;
  }
  const minutes = Math.round(sec / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes - h * 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}
