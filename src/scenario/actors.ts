// What a scenario's actions see of a host and of a connection, whoever plays them: one of our
// engines (world.ts) or the Linux kernel (kernel.ts). No Node built-ins.
import type { HostName, HostOutcome } from './recording.js';

/** One connection as the scenario's application sees it. */
export interface ScenarioConn {
  /** Application bytes received so far. */
  readonly received: number;
  /** Application bytes written so far. */
  readonly sent: number;
  /** Node error code the application saw, or null. */
  readonly error: string | null;
  /** Writes text, bytes, or `n` bytes of filler text. */
  write(data: string | Uint8Array | number): void;
  /** Half-close: FIN after everything written. */
  end(): void;
  /** Closes both directions as close(2) does: FIN, or RST when received data is still unread (RFC 2525 §2.17). */
  close(): void;
  /** Stops reading: the receive window fills and closes. */
  pause(): void;
  /** Reads again. */
  resume(): void;
  /** Turns keepalive on or off with the host's keepalive timers. */
  setKeepAlive(on: boolean): void;
  /** Calls `fn` once the handshake completes. */
  onConnect(fn: () => void): void;
  /** Calls `fn` after every chunk of data read. */
  onData(fn: () => void): void;
  /** Calls `fn` at end of stream (the peer's FIN, after all data). */
  onEnd(fn: () => void): void;
}

/** One host: listeners, connections, and what can happen to the machine. */
export interface ScenarioHost {
  readonly name: HostName;
  /** IPv4 address, dotted quad. */
  readonly address: string;
  /** The connection the outcome line reports (the first one opened or accepted). */
  readonly main: ScenarioConn | undefined;
  /** Listens on `port`; accepted connections go to `onAccept` handlers. */
  listen(port: number): void;
  /** Calls `fn` with every accepted connection. */
  onAccept(fn: (c: ScenarioConn) => void): void;
  /** Connects to `peer:port`, optionally from a fixed local port. */
  connect(peer: ScenarioHost, port: number, opts?: { localPort?: number }): ScenarioConn;
  /** The host dies silently: no FIN, no RST, every connection forgotten. */
  crash(): void;
  /** The host boots again with no memory of its connections. */
  reboot(): void;
  /** The application process is killed: its sockets are closed as close(2) does, listeners too. */
  killProcess(): void;
  /** Final state and error of the main connection (LISTEN or CLOSED when there is none). */
  outcome(): HostOutcome;
}

const FILLER = new TextEncoder().encode('wasm-tcp scenario data, one line after another.\n');

/** The bytes a scenario writes: text as UTF-8, bytes as they are, a number as that many bytes of filler text. */
export function scenarioBytes(data: string | Uint8Array | number): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (typeof data !== 'number') return data;
  const bytes = new Uint8Array(data);
  for (let i = 0; i < data; i++) bytes[i] = FILLER[i % FILLER.length];
  return bytes;
}
