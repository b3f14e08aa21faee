// The parsed form of a packetdrill script: header options, events and their times.
import type { TcpOption } from './wire.js';

/** When an event happens, as written in the time column (all values in microseconds). */
export type TimeSpec =
  | { kind: 'absolute'; usecs: number }
  | { kind: 'relative'; usecs: number }
  | { kind: 'any' }
  | { kind: 'range'; start: number; end: number; relative: boolean };

/** One TCP option as written in a `<...>` list: a wire option, or a name the runner does not support. */
export type TcpOptionSpec = Exclude<TcpOption, { kind: 'other' }> | { kind: 'unsupported'; name: string };

/** A TCP packet line: flags, seq range, ack, window and options. */
export interface TcpSpec {
  /** The flag letters as written, '.' standing for ACK and '' for `-`. */
  flags: string;
  seq: number;
  end: number;
  len: number;
  /** `ack N`, or undefined when omitted (the field is then 0). */
  ack?: number;
  /** `win N`, or undefined when omitted. */
  win?: number;
  urg?: number;
  /** The option list; 'any' for `<...>`; undefined when the line has none. */
  options?: TcpOptionSpec[] | 'any';
}

/** An ICMP line: `icmp unreachable [code] [mtu N] [seq:end(len)]`. */
export interface IcmpSpec {
  type: string;
  code?: string;
  mtu?: number;
  /** The TCP segment the ICMP message echoes, in script (local) sequence space. */
  echoed?: { seq: number; end: number; len: number };
}

/** An expression in a syscall argument or result. */
export type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'symbol'; name: string }
  | { kind: 'ellipsis' }
  | { kind: 'string'; value: string }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'struct'; fields: Array<{ name: string; value: Expr }> }
  | { kind: 'or'; terms: Expr[] }
  | { kind: 'call'; name: string; args: Expr[] };

interface EventBase {
  /** 1-based line where the event starts. */
  line: number;
  time: TimeSpec;
}

/** `<` or `>` packet line. */
export interface PacketEvent extends EventBase {
  type: 'packet';
  direction: 'in' | 'out';
  tcp?: TcpSpec;
  icmp?: IcmpSpec;
  /** The line as written, for messages. */
  text: string;
}

/** A system call line with its expected result. */
export interface SyscallEvent extends EventBase {
  type: 'syscall';
  name: string;
  args: Expr[];
  result: Expr;
  errno?: string;
  /** For blocking calls (`t...end`): when the call must return. */
  end?: { usecs: number; relative: boolean };
  text: string;
}

/** A backquoted shell command at a timed position (interpreted, never executed). */
export interface CommandEvent extends EventBase {
  type: 'command';
  command: string;
}

/** A `%{ python }%` block (never evaluated). */
export interface CodeEvent extends EventBase {
  type: 'code';
  code: string;
}

/** Any timed event of a script. */
export type ScriptEvent = PacketEvent | SyscallEvent | CommandEvent | CodeEvent;

/** A whole parsed script. */
export interface Script {
  /** `--name=value` header options, in order. */
  options: Array<{ name: string; value: string; line: number }>;
  init?: { command: string; line: number };
  events: ScriptEvent[];
  cleanup?: { command: string; line: number };
}
