// Node entry point (`wasm-tcp/net`): `net`-compatible Socket (a real stream.Duplex) and Server over a Stack,
// so existing Node code (pipe, for await, once(socket, 'connect'), server.listen) runs unchanged.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { RealClock } from './clock/real.js';
import { Stack } from './stack.js';
import { Socket as CoreSocket, type AddressInfo } from './socket.js';
import { Server as CoreServer } from './server.js';
import { isIPv4 as coreIsIPv4 } from './util/ip.js';
import { abortError, checkSignal } from './util/validate.js';

export * from './index.js';

let defaultStack: Stack | undefined;

/** The stack used when no `stack` option is given: set one, or a loopback-only 127.0.0.1 stack on a RealClock is made. */
export function getDefaultStack(): Stack {
  defaultStack ??= new Stack({ address: '127.0.0.1', clock: new RealClock(), name: 'default' });
  return defaultStack;
}

/** Makes `stack` the default for connect()/createServer() without a `stack` option. */
export function setDefaultStack(stack: Stack | undefined): void {
  defaultStack = stack;
}

/** Options of the Node-style socket. */
export interface NetSocketOptions {
  /** Stack to use (default: getDefaultStack()). */
  stack?: Stack;
  /** Keep the writable side open after the peer's FIN (default false, as in Node). */
  allowHalfOpen?: boolean;
  /** Aborting it destroys the socket with an AbortError (as Node's). */
  signal?: AbortSignal;
  /** Wrap an existing core socket (used by Server). @internal */
  core?: CoreSocket;
}

/** Options of `connect()`. */
export interface NetConnectOptions extends NetSocketOptions {
  port: number;
  host?: string;
  localPort?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  timeout?: number;
}

type ConnectArgs = [number | string | NetConnectOptions, (string | (() => void))?, (() => void)?];

function normalizeConnect(args: ConnectArgs): { opts: NetConnectOptions; cb?: () => void } {
  const [a, b, c] = args;
  if (typeof a === 'object' && a !== null) return { opts: a, cb: typeof b === 'function' ? b : undefined };
  const opts: NetConnectOptions = { port: Number(a) };
  if (typeof b === 'string') opts.host = b;
  const cb = typeof b === 'function' ? b : c;
  return { opts, cb };
}

/** A TCP connection as a Node `stream.Duplex` with the `net.Socket` API. */
export class Socket extends Duplex {
  /** The stack this socket lives on. */
  readonly stack: Stack;
  /** The core socket underneath (undefined until connect()). */
  core: CoreSocket | undefined;
  /** The idle timeout set by setTimeout() (undefined until then), as Node's `socket.timeout`. */
  timeout: number | undefined;
  /** Options set before connect(), applied to the connection once it exists. */
  private early: { noDelay?: boolean; keepAlive?: [boolean, number]; ref?: boolean } = {};
  private coreClosed = false;

  /** Creates an unconnected socket (call connect()), or wraps a core socket. */
  constructor(opts: NetSocketOptions = {}) {
    // 'close' is ours to emit (with hadError, after the handle closed), as in Node's net.Socket.
    super({ allowHalfOpen: opts.allowHalfOpen ?? false, emitClose: false, autoDestroy: true });
    this.stack = opts.stack ?? getDefaultStack();
    const signal = checkSignal('options.signal', opts.signal);
    if (signal) {
      if (signal.aborted) process.nextTick(() => this.destroy(abortError(signal)));
      else {
        const onAbort = () => this.destroy(abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        this.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
    if (opts.core) this.bind(opts.core);
  }

  /** Connects: connect(port[, host][, cb]) or connect(options[, cb]). */
  connect(...args: ConnectArgs): this {
    const { opts, cb } = normalizeConnect(args);
    if (cb) this.once('connect', cb);
    if (opts.timeout) this.setTimeout(opts.timeout);
    if (this.destroyed) return this;
    try {
      const core = this.stack.connect({ ...opts, allowHalfOpen: true, signal: undefined });
      this.bind(core);
    } catch (err) {
      // Bad arguments throw at once, as in Node (ERR_SOCKET_BAD_PORT, …); anything else is an 'error' event.
      if (String((err as { code?: unknown }).code ?? '').startsWith('ERR_')) throw err;
      process.nextTick(() => this.destroy(err as Error));
    }
    return this;
  }

  /** True while the handshake is in progress. */
  get connecting(): boolean {
    return this.core?.connecting ?? false;
  }
  /** True until connected. */
  get pending(): boolean {
    return !this.core || this.core.connecting;
  }
  /** 'opening', 'open', 'readOnly', 'writeOnly' or 'closed'. */
  get readyState(): string {
    if (!this.core) return 'closed';
    if (this.core.connecting) return 'opening';
    if (this.destroyed) return 'closed';
    const r = this.readable;
    const w = this.writable;
    return r && w ? 'open' : r ? 'readOnly' : w ? 'writeOnly' : 'closed';
  }
  /** Peer address once connected. */
  get remoteAddress(): string | undefined {
    return this.core && !this.core.connecting ? this.core.remoteAddress : undefined;
  }
  /** Peer port once connected. */
  get remotePort(): number | undefined {
    return this.core && !this.core.connecting ? this.core.remotePort : undefined;
  }
  /** 'IPv4' once connected. */
  get remoteFamily(): string | undefined {
    return this.remoteAddress ? 'IPv4' : undefined;
  }
  /** Our address. */
  get localAddress(): string | undefined {
    return this.core?.localAddress;
  }
  /** Our port. */
  get localPort(): number | undefined {
    return this.core?.localPort;
  }
  /** Bytes received. */
  get bytesRead(): number {
    return this.core?.bytesRead ?? 0;
  }
  /** Bytes written. */
  get bytesWritten(): number {
    return this.core?.bytesWritten ?? 0;
  }
  /** TCP state of the connection in RFC spelling. */
  get tcpState(): string {
    return this.core?.tcpState ?? 'CLOSED';
  }

  /** Our end, as Node's socket.address(). */
  address(): AddressInfo | Record<string, never> {
    return this.core?.address() ?? {};
  }

  /** TCP_NODELAY (kept until connect() when set before it). */
  setNoDelay(noDelay = true): this {
    if (this.core) this.core.setNoDelay(noDelay);
    else this.early.noDelay = noDelay;
    return this;
  }

  /** SO_KEEPALIVE with an idle time in ms (kept until connect() when set before it). */
  setKeepAlive(enable = false, initialDelay = 0): this {
    if (this.core) this.core.setKeepAlive(enable, initialDelay);
    else this.early.keepAlive = [enable, initialDelay];
    return this;
  }

  /** Emits 'timeout' after `ms` of inactivity on the stack's clock; 0 disables. */
  setTimeout(ms: number, cb?: () => void): this {
    this.timeout = ms;
    if (cb) this.once('timeout', cb);
    this.core?.setTimeout(ms);
    return this;
  }

  /** Sends RST and destroys (SO_LINGER 0). */
  resetAndDestroy(): this {
    this.core?.resetAndDestroy();
    return this.destroy();
  }

  /** Ends the writable side, then destroys once it finished (Node's destroySoon). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Keeps the process alive while the socket is open (the default). */
  ref(): this {
    if (this.core) this.core.ref();
    else this.early.ref = true;
    return this;
  }
  /** Lets the process exit while the socket is open. */
  unref(): this {
    if (this.core) this.core.unref();
    else this.early.ref = false;
    return this;
  }

  override _write(chunk: Uint8Array, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.core) {
      this.once('connect', () => this._write(chunk, _enc, cb));
      return;
    }
    this.core.write(chunk, (err) => cb(err ?? null));
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.core) {
      this.once('connect', () => this._final(cb));
      return;
    }
    this.core.end(() => cb());
  }

  override _read(): void {
    this.core?.resume();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    const core = this.core;
    if (core && !core.destroyed) core.destroy();
    cb(err);
    // 'close' (hadError) once the handle is gone: after 'error', as Node emits it from the handle's close callback.
    const emit = () => this.emit('close', !!err);
    if (!core || this.coreClosed) setImmediate(emit);
    else core.once('close', () => setImmediate(emit));
  }

  private bind(core: CoreSocket): void {
    this.core = core;
    core.once('close', () => (this.coreClosed = true));
    const early = this.early;
    if (early.noDelay !== undefined) core.setNoDelay(early.noDelay);
    if (early.keepAlive) core.setKeepAlive(...early.keepAlive);
    if (early.ref === false) core.unref();
    const startPaused = core.isPaused();
    core.pause();
    core.on('connect', () => {
      this.emit('connect');
      this.emit('ready');
      this.read(0); // as Node: start reading at once (up to the high-water mark)
    });
    core.on('data', (chunk: Uint8Array) => {
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (!this.push(buf)) core.pause();
    });
    core.on('end', () => {
      this.push(null);
      this.read(0); // as Node's onStreamRead at EOF: lets 'end' fire when nothing is buffered
    });
    core.on('error', (err: Error) => this.destroy(err));
    core.on('timeout', () => this.emit('timeout'));
    if (this.timeout) core.setTimeout(this.timeout);
    if (!core.connecting && !startPaused) process.nextTick(() => this.read(0));
  }
}

/** Options of createServer(). */
export interface NetServerOptions {
  stack?: Stack;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
}

/** Options of `server.listen(options)`. */
export interface NetListenOptions {
  port?: number;
  host?: string;
  backlog?: number;
  /** Aborting it closes the server. */
  signal?: AbortSignal;
}

/** A `net.Server`-compatible listening port on a Stack. */
export class Server extends EventEmitter {
  readonly stack: Stack;
  /** The core server underneath. */
  readonly core: CoreServer;
  private readonly allowHalfOpen: boolean;

  constructor(opts?: NetServerOptions | ((s: Socket) => void), onConnection?: (s: Socket) => void) {
    super();
    if (typeof opts === 'function') {
      onConnection = opts;
      opts = {};
    }
    opts ??= {};
    this.stack = opts.stack ?? getDefaultStack();
    this.allowHalfOpen = opts.allowHalfOpen ?? false;
    if (onConnection) this.on('connection', onConnection);
    this.core = this.stack.createServer({ allowHalfOpen: true, pauseOnConnect: opts.pauseOnConnect });
    this.core.on('connection', (c: CoreSocket) => {
      this.emit('connection', new Socket({ stack: this.stack, core: c, allowHalfOpen: this.allowHalfOpen }));
    });
    this.core.on('drop', (info: unknown) => this.emit('drop', info));
    this.core.on('listening', () => this.emit('listening'));
    this.core.on('error', (e: Error) => this.emit('error', e));
    this.core.on('close', () => this.emit('close'));
  }

  /** True while listening. */
  get listening(): boolean {
    return this.core.listening;
  }

  /** Most open connections; beyond it new ones are closed at once and 'drop' is emitted (Node's). */
  get maxConnections(): number {
    return this.core.maxConnections;
  }
  set maxConnections(n: number) {
    this.core.maxConnections = n ?? Infinity;
  }

  /** listen(port[, host][, backlog][, cb]) or listen(options[, cb]) or listen(cb). */
  listen(...args: unknown[]): this {
    let cb: (() => void) | undefined;
    if (typeof args[args.length - 1] === 'function') cb = args.pop() as () => void;
    let port = 0;
    let backlog: number | undefined;
    let host: string | undefined;
    let signal: AbortSignal | undefined;
    const a = args[0];
    if (typeof a === 'object' && a !== null) {
      const o = a as NetListenOptions;
      port = Number(o.port ?? 0);
      backlog = o.backlog;
      host = o.host;
      signal = checkSignal('options.signal', o.signal);
    } else if (a !== undefined && a !== null) {
      port = Number(a);
      if (typeof args[1] === 'string') host = args[1];
      if (typeof args[1] === 'number') backlog = args[1];
      else if (typeof args[2] === 'number') backlog = args[2];
    }
    if (cb) this.once('listening', cb);
    this.core.listen({ port, backlog, host });
    if (signal) {
      // As Node: an aborted signal closes the server (at once if it was aborted already).
      const onAbort = () => this.close();
      if (signal.aborted) process.nextTick(onAbort);
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.once('close', () => signal!.removeEventListener('abort', onAbort));
      }
    }
    return this;
  }

  /** Where the server listens, or null. */
  address(): AddressInfo | null {
    return this.core.address();
  }

  /** Stops listening; 'close' (and `cb`) once every connection closed. */
  close(cb?: (err?: Error) => void): this {
    this.core.close(cb);
    return this;
  }

  /** Number of open connections, through `cb`. */
  getConnections(cb: (err: Error | null, count: number) => void): this {
    this.core.getConnections(cb);
    return this;
  }

  /** Keeps the process alive while listening (the default). */
  ref(): this {
    this.core.ref();
    return this;
  }
  /** Lets the process exit while listening. */
  unref(): this {
    this.core.unref();
    return this;
  }
}

/** net.createServer([options][, connectionListener]). */
export function createServer(opts?: NetServerOptions | ((s: Socket) => void), onConnection?: (s: Socket) => void): Server {
  return new Server(opts, onConnection);
}

/** net.connect(port[, host][, cb]) / net.connect(options[, cb]). */
export function connect(...args: ConnectArgs): Socket {
  const { opts, cb } = normalizeConnect(args);
  const s = new Socket({ stack: opts.stack, allowHalfOpen: opts.allowHalfOpen, signal: opts.signal });
  return s.connect(opts, cb);
}

/** Alias of connect(). */
export const createConnection = connect;

/** 4 for a dotted quad, 6 for something IPv6-looking, else 0 (this stack speaks IPv4 only). */
export function isIP(input: string): number {
  return coreIsIPv4(input) ? 4 : isIPv6(input) ? 6 : 0;
}

/** True for a dotted quad. */
export function isIPv4(input: string): boolean {
  return coreIsIPv4(input);
}

/** True for an IPv6 literal (not supported by the stack, answered for compatibility). */
export function isIPv6(input: string): boolean {
  return /^[0-9a-f:.]+$/i.test(input) && input.includes(':');
}

/** Default export shaped like `node:net`. */
export default { Socket, Server, createServer, connect, createConnection, isIP, isIPv4, isIPv6, getDefaultStack, setDefaultStack };
