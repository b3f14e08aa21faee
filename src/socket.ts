// Core TCP socket over a Stack's engine connection: event-based, browser-safe (no Node built-ins).
import { Emitter } from './util/emitter.js';
import { systemError, type SystemError } from './util/errors.js';
import type { ClockTimer } from './clock/clock.js';
import type { ConnInfo } from './engine/engine.js';
import type { ConnAddresses, ConnOwner, StackPort, TaskOwner } from './port.js';
import { invalidType, invalidValue } from './util/validate.js';

const EAGAIN = -11;
const EPIPE = -32;
const encoder = new TextEncoder();
/** Deferred tasks of a socket (StackPort.deferTask): a read after resume(), 'finish' after shutdown. */
const PULL = 1;
const FINISH = 2;
/** The empty write queue every socket starts with (frozen: one shared array, never written). */
const NONE: never[] = Object.freeze([]) as never[];
/**
 * The socket's private flags, bits of one small-integer field (`flags`): one word per socket
 * instead of one per flag (13 of them), and every socket gets them in one store at construction.
 */
/** pause() or resume() was called, or `onread` given (Node's `readableFlowing` is then not null). */
const FLOW_SET = 1;
/** Reading (Node's `readableFlowing === true`); meaningful with FLOW_SET. */
const FLOWING = 2;
/** A read is owed once flowing again. */
const READ_PENDING = 4;
/** End of stream delivered ('end'). */
const READ_ENDED = 8;
/** The peer's FIN arrived. */
const PEER_FIN = 0x10;
/** write() returned false: 'drain' when the queue empties. */
const NEED_DRAIN = 0x20;
/** end() called. */
const END_REQUESTED = 0x40;
/** Our FIN asked for (shutdown), 'finish' due. */
const FINISHED = 0x80;
/** 'close' emitted. */
const CLOSED = 0x100;
/** 'finish' emitted. */
const FINISH_EMITTED = 0x200;
/** ref()/unref() (RefHold's rule, kept in the socket: no object per socket): wanted, and held on the stack. */
const REF_WANTED = 0x400;
const REF_HELD = 0x800;
/** close(2) or abort called on the engine handle. */
const HANDLE_CLOSED = 0x1000;
/** The engine connection reached CLOSED. */
const ENGINE_CLOSED = 0x2000;
/** An idle timeout is set (`extra.idleMs` > 0): reads and writes re-arm its timer. */
const IDLE = 0x4000;

/** What setNoDelay/setKeepAlive/setTimeout keep: one object made at the first such call (most sockets make none). */
interface SocketExtra {
  noDelay: boolean | undefined;
  keepAlive: { on: boolean; idle: number } | undefined;
  idleMs: number;
  idleTimer: ClockTimer | undefined;
}

/** Options of a core socket. */
export interface SocketOptions {
  /** Keep the write side open after the peer's FIN (default false, as in Node: end() is called for you). */
  allowHalfOpen?: boolean;
  /** Host bytes queued beyond the engine's send buffer before write() returns false (default 16 KiB). */
  writableHighWaterMark?: number;
  /**
   * Zero-copy reads into one reused buffer (as Node's `onread`): `callback(n, buffer)` replaces 'data'
   * events; return false from it to pause.
   */
  onread?: { buffer: Uint8Array; callback(bytes: number, buffer: Uint8Array): boolean | void };
}

/** Local or remote end of a socket, as Node's `socket.address()` returns it. */
export interface AddressInfo {
  address: string;
  family: 'IPv4';
  port: number;
}

/**
 * One TCP connection. Events: 'connect' (and 'ready'), 'data' (a Uint8Array the listener owns),
 * 'end' (peer's FIN, after all data), 'finish' (our FIN queued), 'drain', 'error' (err.code as in
 * Node), 'close' (hadError). Created by `stack.connect()` or handed out by a `Server`.
 */
export class Socket extends Emitter implements ConnOwner, TaskOwner {
  /** The stack this socket lives on, as sockets see it. @internal */
  readonly port: StackPort;
  /** Engine connection handle, −1 before connect and after the handle is released. */
  conn = -1;
  /** True until the handshake completes (or fails). */
  connecting = false;
  /** True once destroyed (by destroy(), an error or the end of both directions). */
  destroyed = false;
  /** Bytes delivered to the application. */
  bytesRead = 0;
  /** Bytes the application passed to write(). */
  bytesWritten = 0;
  /** Peer address, dotted quad. */
  remoteAddress: string | undefined;
  /** Peer port. */
  remotePort: number | undefined;
  /** Our port. */
  localPort: number | undefined;
  /** Host-side queue limit before write() returns false. */
  readonly writableHighWaterMark: number;
  /** Whether the write side stays open after the peer's FIN. */
  allowHalfOpen: boolean;
  /** The server that accepted this socket, if any. @internal */
  server: { onSocketClose(s: Socket): void } | undefined;
  /** Last ICMP soft error the engine recorded for this connection (a Node code), if any. */
  softError: string | undefined;

  /** The private flags (FLOW_SET, READ_PENDING, …): a read pending and ref() wanted at the start. */
  private flags = READ_PENDING | REF_WANTED;
  /** Bytes not yet taken by the engine and their write() callbacks; NONE until a write has to wait. */
  private queue: Uint8Array[] = NONE;
  private callbacks: (((err?: Error) => void) | undefined)[] = NONE;
  private pendingBytes = 0;
  private onread: SocketOptions['onread'];
  /** Nagle, keepalive and idle-timeout settings, undefined until one is made (three fields fewer per socket). */
  private extra: SocketExtra | undefined;
  /** Our address on the connection, learnt when the stack gave us one. */
  private local: string | undefined;
  /** An active open's local port, known from the start, shown as `localPort` once connected. */
  private boundPort: number | undefined;

  /** Use `stack.connect()` or a Server rather than constructing sockets directly. */
  constructor(port: StackPort, opts: SocketOptions = {}) {
    super();
    this.port = port;
    this.allowHalfOpen = opts.allowHalfOpen ?? false;
    this.writableHighWaterMark = opts.writableHighWaterMark ?? 16384;
    if (opts.onread !== undefined) {
      this.onread = checkOnRead('options.onread', opts.onread);
      this.flags |= FLOW_SET | FLOWING;
    }
  }

  /** Our address (dotted quad): the address of the connection's interface. */
  get localAddress(): string {
    if (this.local === undefined && this.conn >= 0) this.local = this.port.localAddress(this.conn);
    return this.local ?? this.port.address();
  }

  /** The idle timeout set by setTimeout() in ms (undefined when none), as Node's `socket.timeout`. */
  get timeout(): number | undefined {
    const x = this.extra;
    return x !== undefined && x.idleMs > 0 ? x.idleMs : undefined;
  }

  /** 'opening', 'open', 'readOnly', 'writeOnly' or 'closed', as Node reports it. */
  get readyState(): string {
    if (this.connecting) return 'opening';
    if (this.destroyed || this.conn < 0) return 'closed';
    const r = !(this.flags & READ_ENDED);
    const w = !(this.flags & END_REQUESTED);
    return r && w ? 'open' : r ? 'readOnly' : w ? 'writeOnly' : 'closed';
  }

  /** TCP state of the connection in RFC spelling ('SYN_SENT', 'ESTABLISHED', 'TIME_WAIT', …), tracked after close too. */
  tcpState = 'CLOSED';

  /** Bytes given to write() not yet accepted by the engine. */
  get writableLength(): number {
    return this.pendingBytes;
  }

  /** Our end of the connection. */
  address(): AddressInfo | Record<string, never> {
    return this.localPort === undefined ? {} : { address: this.localAddress, family: 'IPv4', port: this.localPort };
  }

  /** The connection's control block (TCP_INFO): sequence numbers, windows, RTT, MSS, …; throws EBADF once released. */
  info(): ConnInfo {
    if (this.conn < 0 || !this.port.up) throw systemError(-9, 'info');
    return this.port.info(this.conn);
  }

  /** Queues `data` (bytes or UTF-8 text); returns false once the host queue is above the high-water mark ('drain' follows). */
  write(data: Uint8Array | string, cb?: (err?: Error) => void): boolean {
    // The read/write path: the common case stays small enough for V8 to inline; the rest is in writeRest.
    const bytes = toBytes(data);
    if (this.flags & END_REQUESTED || this.destroyed) return this.writeAfterEnd(cb);
    this.bytesWritten += bytes.length;
    if (this.flags & IDLE) this.touch();
    if (this.conn >= 0 && !this.connecting && this.queue.length === 0) {
      const n = this.port.send(this.conn, bytes);
      if (n === bytes.length) {
        if (cb) this.port.defer(cb);
        return true;
      }
      return this.writeRest(bytes, n, cb);
    }
    return this.writeRest(bytes, 0, cb);
  }

  /** write() after end() or destroy(): EPIPE from the next pump. */
  private writeAfterEnd(cb: ((err?: Error) => void) | undefined): boolean {
    const err = systemError(EPIPE, 'write');
    this.port.defer(() => {
      cb?.(err);
      if (!(this.flags & CLOSED)) this.fail(err);
    });
    return false;
  }

  /** The part of write() the engine did not take at once: `n` bytes taken, −EAGAIN or −errno. */
  private writeRest(bytes: Uint8Array, n: number, cb: ((err?: Error) => void) | undefined): boolean {
    if (n < 0 && n !== EAGAIN) {
      this.port.defer(() => this.fail(systemError(n, 'write')));
      return false;
    }
    const rest = n > 0 ? bytes.subarray(n) : bytes;
    if (this.queue === NONE) {
      this.queue = [];
      this.callbacks = [];
    }
    this.queue.push(rest);
    this.callbacks.push(cb);
    this.pendingBytes += rest.length;
    if (this.pendingBytes >= this.writableHighWaterMark) {
      this.flags |= NEED_DRAIN;
      return false;
    }
    return true;
  }

  /** Half-closes: writes `data` if given, then sends FIN after everything queued ('finish'). */
  end(data?: Uint8Array | string | (() => void), cb?: () => void): this {
    if (typeof data === 'function') {
      cb = data;
      data = undefined;
    }
    if (data !== undefined && data !== null && toBytes(data).length) this.write(data);
    if (cb) {
      // Already finished (or gone without finishing): the callback still runs, once, from the next pump.
      if (this.flags & (FINISH_EMITTED | CLOSED)) this.port.defer(cb);
      else this.once('finish', cb);
    }
    if (this.flags & END_REQUESTED || this.destroyed) return this;
    this.flags |= END_REQUESTED;
    if (this.conn >= 0 && !this.connecting && this.queue.length === 0) this.shutdown();
    return this;
  }

  /** Closes the connection (FIN, or RST when received data is unread, as close(2)); emits 'error' if `err`, then 'close'. */
  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.connecting = false;
    this.closeHandle();
    this.dropQueue(err ?? systemError(EPIPE, 'write'));
    this.port.defer(() => this.emitClose(err));
    return this;
  }

  /** Ends the write side and destroys the socket once everything written has been handed to the engine (Node's destroySoon). */
  destroySoon(): this {
    if (this.destroyed) return this;
    if (!(this.flags & END_REQUESTED)) this.end();
    if (this.flags & FINISH_EMITTED) return this.destroy();
    this.once('finish', () => this.destroy());
    return this;
  }

  /** Keeps a Node process alive while the socket is open (the default). */
  ref(): this {
    this.flags |= REF_WANTED;
    this.holdUpdate(this.open());
    return this;
  }

  /** Lets a Node process exit even though the socket is open. */
  unref(): this {
    this.flags &= ~REF_WANTED;
    this.holdUpdate(this.open());
    return this;
  }

  /** Aborts with RST (SO_LINGER 0), then destroys. */
  resetAndDestroy(): this {
    if (!this.destroyed && this.conn >= 0 && !(this.flags & (ENGINE_CLOSED | HANDLE_CLOSED)) && this.alive()) {
      this.flags |= HANDLE_CLOSED;
      this.port.abort(this.conn);
    }
    return this.destroy();
  }

  /** Stops reading from the engine: the receive window closes and the peer is flow-controlled. */
  pause(): this {
    this.flags = (this.flags | FLOW_SET) & ~FLOWING;
    return this;
  }

  /** Resumes reading (and 'data' events). */
  resume(): this {
    if (this.flags & FLOWING) return this;
    this.flags |= FLOW_SET | FLOWING;
    // While connecting there is nothing to read yet (pull() would return at once): the Readable
    // events after Connected do the reading.
    if (this.flags & READ_PENDING && this.conn >= 0 && !this.connecting) this.port.deferTask(this, PULL);
    return this;
  }

  /** Switches to zero-copy reads (Node's `onread`): `callback(n, buffer)` instead of 'data'; return false to pause. */
  setOnRead(onread: NonNullable<SocketOptions['onread']>): this {
    this.onread = checkOnRead('onread', onread);
    this.flags = (this.flags | FLOW_SET) & ~FLOWING;
    return this.resume();
  }

  /** True when paused. */
  isPaused(): boolean {
    return (this.flags & (FLOW_SET | FLOWING)) === FLOW_SET;
  }

  /** Disables (default) or enables Nagle's algorithm. */
  setNoDelay(noDelay = true): this {
    this.more().noDelay = noDelay;
    if (this.conn >= 0 && this.alive()) this.port.setNoDelay(this.conn, noDelay);
    return this;
  }

  /** Enables keepalive probes after `initialDelay` ms idle (0 keeps the engine's default). */
  setKeepAlive(enable = false, initialDelay = 0): this {
    this.more().keepAlive = { on: enable, idle: initialDelay };
    if (this.conn >= 0 && this.alive()) this.port.setKeepAlive(this.conn, enable, initialDelay > 0 ? initialDelay : 0);
    return this;
  }

  /** Emits 'timeout' after `ms` of inactivity on the stack's clock (virtual or real); 0 disables. Like Node, nothing is closed. */
  setTimeout(ms: number, cb?: () => void): this {
    if (cb) this.once('timeout', cb);
    const x = this.more();
    x.idleMs = ms > 0 ? ms : 0;
    if (x.idleMs === 0) {
      this.flags &= ~IDLE;
      x.idleTimer?.disarm();
    } else {
      this.flags |= IDLE;
      x.idleTimer ??= this.port.clock.timer(() => {
        if (!(this.flags & CLOSED)) this.emit('timeout');
      });
      this.touch();
    }
    return this;
  }

  /** Iterates received chunks until end of stream; throws the socket's error. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let done = (this.flags & (READ_ENDED | CLOSED)) !== 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const onData = (c: Uint8Array) => {
      chunks.push(c);
      if (chunks.length >= 16) this.pause();
      notify();
    };
    const onEnd = () => {
      done = true;
      notify();
    };
    const onError = (e: Error) => {
      failure = e;
      notify();
    };
    const cleanup = () => {
      this.off('data', onData);
      this.off('end', onEnd);
      this.off('close', onEnd);
      this.off('error', onError);
    };
    this.on('data', onData);
    this.on('end', onEnd);
    this.on('close', onEnd);
    this.on('error', onError);
    const it: AsyncIterableIterator<Uint8Array> = {
      next: async () => {
        for (;;) {
          if (chunks.length) {
            const value = chunks.shift()!;
            if (chunks.length < 4 && this.isPaused() && !done) this.resume();
            return { value, done: false };
          }
          if (failure) {
            cleanup();
            throw failure;
          }
          if (done) {
            cleanup();
            return { value: undefined, done: true };
          }
          if (this.isPaused()) this.resume();
          await new Promise<void>((r) => (wake = r));
        }
      },
      return: async () => {
        cleanup();
        if (!this.destroyed) this.destroy();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  protected override onListenerAdded(event: string): void {
    // As in Node: adding a 'data' listener switches a socket that was never paused to flowing mode.
    if (event === 'data' && !(this.flags & FLOW_SET)) this.resume();
  }

  // ---- called by Stack / Server ----

  /** Binds the socket to an engine connection handle. @internal */
  attach(conn: number, connecting: boolean, state: string, addrs: ConnAddresses): void {
    this.conn = conn;
    this.connecting = connecting;
    this.tcpState = state; // an accepted connection is already ESTABLISHED: its State events went by before
    this.holdUpdate(this.open());
    // An accepted connection shows its addresses now; an active open its local port once connected.
    if (connecting) {
      this.local = addrs.localAddress;
      this.boundPort = addrs.localPort;
    } else this.setAddresses(addrs);
    const x = this.extra;
    if (x !== undefined) {
      if (x.noDelay !== undefined) this.setNoDelay(x.noDelay);
      if (x.keepAlive) this.setKeepAlive(x.keepAlive.on, x.keepAlive.idle);
    }
  }

  /** Active open completed. @internal */
  onConnected(): void {
    if (this.destroyed) return;
    this.connecting = false;
    if (this.boundPort !== undefined) this.localPort = this.boundPort; // the peer's were set by connect()
    else this.fillAddresses();
    // keepalive timers start in ESTABLISHED (a request made while connecting is applied now)
    const keepAlive = this.extra?.keepAlive;
    if (keepAlive?.on) this.setKeepAlive(true, keepAlive.idle);
    this.flush();
    this.emit('connect');
    this.emit('ready');
  }

  /** Data or FIN can be read. @internal */
  onReadable(): void {
    this.pull();
  }

  /** The peer's FIN arrived (end of stream once the data before it is read). @internal */
  onPeerFin(): void {
    this.flags |= PEER_FIN;
    this.pull();
  }

  /** Engine send buffer has room again. @internal */
  onWritable(): void {
    this.flush();
  }

  /** ICMP soft error recorded; the connection lives on (RFC 1122 §4.2.3.9). @internal */
  onSoftError(errno: number): void {
    this.softError = systemError(errno, 'read').code;
  }

  /** The engine connection reached CLOSED; `errno` < 0 names the failure. @internal */
  onClosed(errno: number): void {
    this.flags |= ENGINE_CLOSED;
    if (this.flags & CLOSED || this.destroyed) return this.closeHandle();
    if (errno < 0) {
      const err = systemError(errno, this.connecting ? 'connect' : 'read', this.remoteAddress, this.remotePort);
      this.connecting = false;
      return this.fail(err);
    }
    this.pull();
    this.maybeClose();
  }

  /** Records a state change of this socket's connection. @internal */
  onState(to: string): void {
    this.tcpState = to;
  }

  /** Host crashed: the socket vanishes silently with the process that owned it. @internal */
  onCrash(): void {
    this.destroyed = true;
    this.flags = (this.flags | CLOSED | ENGINE_CLOSED) & ~REF_HELD; // the stack forgot every ref
    this.conn = -1;
    this.queue = NONE;
    this.callbacks = NONE;
    this.pendingBytes = 0;
  }

  // ---- internals ----

  /** Held while wanted (not unref()'d) and `active` (open): the stack counts the change. */
  private holdUpdate(active: boolean): void {
    const hold = (this.flags & REF_WANTED) !== 0 && active;
    if (hold === ((this.flags & REF_HELD) !== 0)) return;
    this.flags ^= REF_HELD;
    this.port.ref(hold ? 1 : -1);
  }

  private touch(): void {
    const x = this.extra;
    x?.idleTimer?.arm(this.port.clock.now() + x.idleMs);
  }

  /** The settings object, made at the first setting. */
  private more(): SocketExtra {
    return (this.extra ??= { noDelay: undefined, keepAlive: undefined, idleMs: 0, idleTimer: undefined });
  }

  private alive(): boolean {
    return this.port.up && this.conn >= 0;
  }

  /** Open for ref counting: bound to a connection and not yet closed. */
  private open(): boolean {
    return this.conn >= 0 && !(this.flags & CLOSED) && this.port.up;
  }

  private fillAddresses(): void {
    const a = this.port.addresses(this.conn);
    if (a) this.setAddresses(a);
  }

  private setAddresses(a: ConnAddresses): void {
    this.local = a.localAddress;
    this.localPort = a.localPort;
    this.remotePort = a.remotePort;
    this.remoteAddress = a.remoteAddress;
  }

  private pull(): void {
    if (this.conn < 0 || this.connecting || this.flags & READ_ENDED || this.destroyed || !this.port.up) return;
    if (!(this.flags & FLOWING)) {
      this.flags |= READ_PENDING;
      return;
    }
    this.flags &= ~READ_PENDING;
    const port = this.port;
    const onread = this.onread;
    const buf = onread ? onread.buffer : port.scratch;
    for (;;) {
      if (!(this.flags & FLOWING) || this.destroyed) {
        if (this.destroyed) this.flags &= ~READ_PENDING;
        else this.flags |= READ_PENDING;
        return;
      }
      const n = port.recv(this.conn, buf);
      if (n > 0) {
        this.bytesRead += n;
        if (this.flags & IDLE) this.touch();
        if (onread) {
          if (onread.callback(n, buf) === false) this.pause();
        } else this.emit('data', buf.slice(0, n));
        // A short read drained the engine (recv reads until it runs dry); more data or the FIN
        // raises a new Readable/PeerFin event, so skip the extra call that would say EAGAIN.
        if (n < buf.length && !(this.flags & (PEER_FIN | ENGINE_CLOSED))) return;
      } else return this.pullEnd(n);
    }
  }

  /** A read that gave no bytes: end of stream (0), nothing yet (−EAGAIN) or an error. */
  private pullEnd(n: number): void {
    if (n === 0) {
      this.flags |= READ_ENDED;
      this.emit('end');
      if (!this.allowHalfOpen) this.end();
      this.maybeClose();
    } else if (n !== EAGAIN) {
      if (!(this.flags & ENGINE_CLOSED)) this.fail(systemError(n, 'read', this.remoteAddress, this.remotePort));
    }
  }

  private flush(): void {
    if (this.conn < 0 || this.connecting || this.destroyed || !this.alive()) return;
    while (this.queue.length) {
      const d = this.queue[0];
      const n = this.port.send(this.conn, d);
      if (n === EAGAIN || n === 0) break;
      if (n < 0) return this.fail(systemError(n, 'write', this.remoteAddress, this.remotePort));
      this.pendingBytes -= n;
      if (n < d.length) {
        this.queue[0] = d.subarray(n);
        break;
      }
      this.queue.shift();
      const cb = this.callbacks.shift();
      if (cb) this.port.defer(cb);
    }
    if (this.queue.length === 0) {
      if ((this.flags & (END_REQUESTED | FINISHED)) === END_REQUESTED) this.shutdown();
      if (this.flags & NEED_DRAIN) {
        this.flags &= ~NEED_DRAIN;
        this.emit('drain');
      }
    }
  }

  private shutdown(): void {
    if (this.flags & FINISHED) return;
    this.flags |= FINISHED;
    if (this.alive() && !(this.flags & ENGINE_CLOSED)) this.port.shutdown(this.conn);
    this.port.deferTask(this, FINISH);
  }

  /** Deferred work (StackPort.deferTask). @internal */
  runTask(task: number): void {
    if (task === PULL) return this.pull();
    if (this.flags & CLOSED) return; // FINISH
    this.emitFinish();
    this.maybeClose();
  }

  /** 'finish' once, always before 'close' (the peer's FIN may close us before the deferred emit runs). */
  private emitFinish(): void {
    if ((this.flags & (FINISH_EMITTED | FINISHED)) !== FINISHED) return;
    this.flags |= FINISH_EMITTED;
    this.emit('finish');
  }

  private maybeClose(): void {
    const f = this.flags;
    if (f & CLOSED || !(f & READ_ENDED) || !(f & (FINISHED | ENGINE_CLOSED))) return;
    this.destroyed = true;
    this.closeHandle();
    this.emitFinish();
    this.emitClose(undefined);
  }

  /** close(2) on the engine handle, then hand it back: the engine finishes the connection on its own. */
  private closeHandle(): void {
    if (this.conn < 0) return;
    if (!(this.flags & (ENGINE_CLOSED | HANDLE_CLOSED)) && this.alive()) {
      this.flags |= HANDLE_CLOSED;
      // Both directions done (our FIN asked for, the peer's read): close(2) has nothing left to do
      // that the release's close (tcpRelease) will not do in this same pump, so skip the call.
      if ((this.flags & (READ_ENDED | FINISHED)) !== (READ_ENDED | FINISHED)) this.port.close(this.conn);
    }
    this.release();
  }

  private release(): void {
    if (this.conn < 0) return;
    if (this.local === undefined && this.alive()) this.local = this.port.localAddress(this.conn); // kept after the handle goes
    if (this.alive()) this.port.release(this.conn, this);
    this.conn = -1;
  }

  private fail(err: SystemError | Error): void {
    if (this.flags & CLOSED) return;
    this.destroyed = true;
    this.connecting = false;
    this.closeHandle();
    this.dropQueue(err);
    this.emitClose(err);
  }

  private dropQueue(err: Error): void {
    const cbs = this.callbacks;
    this.queue = NONE;
    this.callbacks = NONE;
    this.pendingBytes = 0;
    for (const cb of cbs) if (cb) this.port.defer(() => cb(err));
  }

  private emitClose(err: Error | undefined): void {
    if (this.flags & CLOSED) return;
    this.flags |= CLOSED;
    this.holdUpdate(false);
    this.extra?.idleTimer?.disarm();
    this.server?.onSocketClose(this);
    if (err) this.emit('error', err);
    this.emit('close', !!err);
  }
}

/** `data` as bytes: a string (UTF-8) or any ArrayBufferView; anything else throws Node's ERR_INVALID_ARG_TYPE. */
function toBytes(data: unknown): Uint8Array {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const err = new TypeError(`The "chunk" argument must be of type string or an instance of Uint8Array. Received ${data === null ? 'null' : typeof data}`);
  throw Object.assign(err, { code: 'ERR_INVALID_ARG_TYPE' });
}

/** An `onread` option: a non-empty Uint8Array and a callback (a zero-length buffer would read as end of stream). */
function checkOnRead(name: string, onread: unknown): NonNullable<SocketOptions['onread']> {
  if (typeof onread !== 'object' || onread === null) throw invalidType(name, 'of type object', onread);
  const { buffer, callback } = onread as { buffer?: unknown; callback?: unknown };
  if (!(buffer instanceof Uint8Array)) throw invalidType(`${name}.buffer`, 'an instance of Uint8Array', buffer);
  if (buffer.length === 0) throw invalidValue(`${name}.buffer`, 'a zero-length buffer', 'must not be empty');
  if (typeof callback !== 'function') throw invalidType(`${name}.callback`, 'of type function', callback);
  return onread as NonNullable<SocketOptions['onread']>;
}
