// Node entry point (`wasm-tcp/net`): `net`-compatible Socket (a real stream.Duplex) and Server over a Stack,
// so existing Node code (pipe, for await, once(socket, 'connect'), server.listen) runs unchanged.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { RealClock } from './clock/real.js';
import { Stack } from './stack.js';
import { Socket as CoreSocket, type AddressInfo } from './socket.js';
import { Server as CoreServer } from './server.js';
import { isIPv4 as coreIsIPv4 } from './util/ip.js';

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
  private timeoutMs = 0;

  /** Creates an unconnected socket (call connect()), or wraps a core socket. */
  constructor(opts: NetSocketOptions = {}) {
    super({ allowHalfOpen: opts.allowHalfOpen ?? false, emitClose: true, autoDestroy: true });
    this.stack = opts.stack ?? opts.core?.stack ?? getDefaultStack();
    if (opts.core) this.bind(opts.core);
  }

  /** Connects: connect(port[, host][, cb]) or connect(options[, cb]). */
  connect(...args: ConnectArgs): this {
    const { opts, cb } = normalizeConnect(args);
    if (cb) this.once('connect', cb);
    if (opts.timeout) this.setTimeout(opts.timeout);
    try {
      const core = this.stack.connect({ ...opts, allowHalfOpen: true });
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

  /** TCP_NODELAY. */
  setNoDelay(noDelay = true): this {
    this.core?.setNoDelay(noDelay);
    return this;
  }

  /** SO_KEEPALIVE with an idle time in ms. */
  setKeepAlive(enable = false, initialDelay = 0): this {
    this.core?.setKeepAlive(enable, initialDelay);
    return this;
  }

  /** Emits 'timeout' after `ms` of inactivity on the stack's clock; 0 disables. */
  setTimeout(ms: number, cb?: () => void): this {
    this.timeoutMs = ms;
    if (cb) this.once('timeout', cb);
    this.core?.setTimeout(ms);
    return this;
  }

  /** Sends RST and destroys (SO_LINGER 0). */
  resetAndDestroy(): this {
    this.core?.resetAndDestroy();
    return this.destroy();
  }

  /** No-op: the stack's timers keep the process alive only while sockets are open. */
  ref(): this {
    return this;
  }
  /** No-op, as ref(). */
  unref(): this {
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
    if (this.core && !this.core.destroyed) this.core.destroy();
    cb(err);
  }

  private bind(core: CoreSocket): void {
    this.core = core;
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
    if (this.timeoutMs) core.setTimeout(this.timeoutMs);
    if (!core.connecting && !startPaused) process.nextTick(() => this.read(0));
  }
}

/** Options of createServer(). */
export interface NetServerOptions {
  stack?: Stack;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
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
      this.emit('connection', new Socket({ core: c, allowHalfOpen: this.allowHalfOpen }));
    });
    this.core.on('listening', () => this.emit('listening'));
    this.core.on('error', (e: Error) => this.emit('error', e));
    this.core.on('close', () => this.emit('close'));
  }

  /** True while listening. */
  get listening(): boolean {
    return this.core.listening;
  }

  /** listen(port[, host][, backlog][, cb]) or listen(options[, cb]) or listen(cb). */
  listen(...args: unknown[]): this {
    let cb: (() => void) | undefined;
    if (typeof args[args.length - 1] === 'function') cb = args.pop() as () => void;
    let port = 0;
    let backlog: number | undefined;
    const a = args[0];
    if (typeof a === 'object' && a !== null) {
      port = Number((a as { port?: number }).port ?? 0);
      backlog = (a as { backlog?: number }).backlog;
    } else if (a !== undefined && a !== null) {
      port = Number(a);
      if (typeof args[1] === 'number') backlog = args[1];
      else if (typeof args[2] === 'number') backlog = args[2];
    }
    if (cb) this.once('listening', cb);
    this.core.listen({ port, backlog });
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

  /** No-op: the stack's timers keep the process alive only while sockets are open. */
  ref(): this {
    return this;
  }
  /** No-op, as ref(). */
  unref(): this {
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
  const s = new Socket({ stack: opts.stack, allowHalfOpen: opts.allowHalfOpen });
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
