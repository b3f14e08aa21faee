// The narrow host interface under Socket and Server: every engine call kicks the stack's pump by itself.
// A leaf module (types only), so socket.ts and server.ts never import stack.ts.
import type { Clock } from './clock/clock.js';
import type { ConnInfo } from './engine/engine.js';

/** Ports and addresses of one connection (StackPort.addresses). */
export interface ConnAddresses {
  /** Our address on the connection (its interface's), dotted quad. */
  readonly localAddress: string;
  readonly localPort: number;
  readonly remotePort: number;
  /** Dotted quad. */
  readonly remoteAddress: string;
}

/** What a Stack calls on the owner of a connection handle (a Socket). */
export interface ConnOwner {
  /**
   * The stack registered the owner for `conn` (in `state`; `connecting` for an active open); `addrs`
   * (a reused object: read it at once) are its ports and addresses.
   */
  attach(conn: number, connecting: boolean, state: string, addrs: ConnAddresses): void;
  onConnected(): void;
  onReadable(): void;
  onPeerFin(): void;
  onWritable(): void;
  onClosed(errno: number): void;
  onState(to: string): void;
  onSoftError(errno: number): void;
  onCrash(): void;
  /** True once the owner let go of the connection. */
  readonly destroyed: boolean;
  /** close(2) from `stack.close()` ("process killed"). */
  destroy(): unknown;
}

/** Something with deferred work of its own (StackPort.deferTask): `task` (≥ 1) names it. */
export interface TaskOwner {
  runTask(task: number): void;
}

/** What a Stack calls on the owner of a listener handle (a Server). */
export interface ListenerOwner {
  /** An Accept event: connection `conn` was queued on the listener. */
  onAccept(conn: number): void;
  onCrash(): void;
  /** Stop listening, from `stack.close()`. */
  close(): unknown;
}

/**
 * One stack as its sockets and servers see it. Calls that touch the engine pass the clock's `now`
 * and ask for a pump themselves; events reach the owners from that pump, never from inside a call.
 */
export interface StackPort {
  /** Our address, dotted quad (the first one when the stack has several interfaces). */
  address(): string;
  /** True when `host` names this stack: '0.0.0.0', 'localhost', '127.0.0.1' or one of its addresses. */
  isLocal(host: string): boolean;
  /** Our address on connection `conn` (its interface's), dotted quad. */
  localAddress(conn: number): string;
  /** The stack's clock (idle timers run on it). */
  readonly clock: Clock;
  /** False while the host is crashed (every call below is then refused or a no-op). */
  readonly up: boolean;
  /** Receive scratch buffer shared by every socket of the stack. */
  readonly scratch: Uint8Array;

  /** Queues bytes; returns bytes taken, −EAGAIN when full, or −errno. */
  send(conn: number, data: Uint8Array): number;
  /** Reads into `into`; bytes read, 0 at end of stream, −EAGAIN, or −errno. */
  recv(conn: number, into: Uint8Array): number;
  /** FIN after the queued data. */
  shutdown(conn: number): void;
  /** close(2): FIN, or RST with unread data. */
  close(conn: number): void;
  /** RST now. */
  abort(conn: number): void;
  setNoDelay(conn: number, on: boolean): void;
  setKeepAlive(conn: number, on: boolean, idleMs: number): void;
  /** RFC state name of the connection. */
  stateName(conn: number): string;
  /** The connection's control block. */
  info(conn: number): ConnInfo;
  /**
   * The ports and both addresses of `conn` without a control-block snapshot: one engine call, one
   * object reused by every call (read it at once); undefined for a free slot.
   */
  addresses(conn: number): ConnAddresses | undefined;
  /** The owner is done with `conn`; the engine gets it back once queued events are drained. */
  release(conn: number, owner: ConnOwner): void;

  /** Opens a listener (port 0: a free one); handle or −errno, and the port used. */
  listen(owner: ListenerOwner, port: number, backlog?: number): { handle: number; port: number };
  /** Closes a listener (embryonic and unaccepted connections are reset). */
  unlisten(handle: number): void;
  /** Takes one established connection from a listener and gives it to `makeOwner`'s owner; −EAGAIN when none. */
  accept(listener: number, makeOwner: () => ConnOwner): number;
  /** Whether the last accept (of this listener) left another connection in its queue (no engine call). */
  acceptMore(listener: number): boolean;
  /** Whether `conn` has an owner (an Accept event's connection that an earlier accept already took). */
  owned(conn: number): boolean;

  /** Runs `fn` from the next pump. */
  defer(fn: () => void): void;
  /** Runs `owner.runTask(task)` (task ≥ 1) from the next pump, in order with `defer`'s work: deferred work without a closure. */
  deferTask(owner: TaskOwner, task: number): void;
  /** One more (+1) or one less (−1) open handle that keeps a Node process alive (ref'd socket or server). */
  ref(delta: 1 | -1): void;
}
