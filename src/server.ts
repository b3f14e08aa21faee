// Core TCP server: a listening port on a Stack that hands out accepted Sockets. Browser-safe.
import type { ListenerOwner, StackPort } from './port.js';
import { Emitter } from './util/emitter.js';
import { systemError } from './util/errors.js';
import { RefHold } from './util/hold.js';
import { isIPv4 } from './util/ip.js';
import { checkInt, invalidType } from './util/validate.js';
import { Socket, type AddressInfo } from './socket.js';

/** Options of a core server. */
export interface ServerOptions {
  /** Accepted sockets keep their write side open after the peer's FIN (default false, as in Node). */
  allowHalfOpen?: boolean;
  /** Start accepted sockets paused (default false). */
  pauseOnConnect?: boolean;
  /** Accept only on `acceptOne()` calls instead of at once (the engine's backlog holds the rest). @internal */
  manualAccept?: boolean;
}

/** Options of `server.listen()`. */
export interface ListenOptions {
  /** Port to listen on; 0 or absent picks a free one. */
  port?: number;
  /** Most embryonic plus unaccepted connections (default: the engine's). */
  backlog?: number;
  /**
   * Address to listen on: ours, '0.0.0.0', '::', 'localhost' or '127.0.0.1' (all mean this stack);
   * another IPv4 address is an EADDRNOTAVAIL error, a name an ENOTFOUND error.
   */
  host?: string;
}

/**
 * A listening TCP port. Events: 'listening', 'connection' (socket), 'error', 'close' (after close()
 * once every accepted connection has closed).
 */
export class Server extends Emitter implements ListenerOwner {
  /** The stack this server lives on, as servers see it. @internal */
  readonly stackPort: StackPort;
  /** Engine listener handle, −1 when not listening. */
  handle = -1;
  /** Accepted sockets still open. */
  readonly connections = new Set<Socket>();
  /**
   * Most open accepted connections (Node's `server.maxConnections`): beyond it a new connection is
   * closed at once and 'drop' is emitted with its addresses. Default Infinity.
   */
  maxConnections = Infinity;
  private port = 0;
  private closing = false;
  private readonly hold: RefHold;
  private readonly opts: ServerOptions;
  /** The socket `makeSocket` made for the accept in progress. */
  private accepted: Socket | undefined;
  /** The options of every accepted socket (one object per server). */
  private readonly socketOpts: { allowHalfOpen?: boolean };
  /** The owner factory handed to every accept (one closure per server, not per connection). */
  private readonly makeSocket = (): Socket => (this.accepted = new Socket(this.stackPort, this.socketOpts));

  /** Use `stack.createServer()` or `stack.listen()`. */
  constructor(port: StackPort, opts: ServerOptions = {}, onConnection?: (socket: Socket) => void) {
    super();
    this.stackPort = port;
    this.hold = new RefHold(port.ref); // the port's functions are bound: no closure per server
    this.opts = opts;
    this.socketOpts = { allowHalfOpen: opts.allowHalfOpen };
    if (onConnection) this.on('connection', onConnection);
  }

  /** True while listening. */
  get listening(): boolean {
    return this.handle >= 0;
  }

  /** Starts listening on `port` (0 = any free port); 'listening' follows, or 'error' (EADDRINUSE, EMFILE). */
  listen(port?: number | ListenOptions, cb?: () => void): this {
    const o: ListenOptions = typeof port === 'object' && port !== null ? port : { port };
    const p = o.port ?? 0;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) {
      const err = new RangeError(`options.port should be >= 0 and < 65536. Received ${typeof p === 'string' ? `type string ('${p}')` : String(p)}.`) as RangeError & { code: string };
      err.code = 'ERR_SOCKET_BAD_PORT';
      throw err;
    }
    if (o.backlog !== undefined) checkInt('options.backlog', o.backlog, 0, 0x7fffffff);
    if (o.host !== undefined && typeof o.host !== 'string') throw invalidType('options.host', 'of type string', o.host);
    if (this.handle >= 0) throw Object.assign(new Error('Listen method has been called more than once without closing.'), { code: 'ERR_SERVER_ALREADY_LISTEN' });
    if (cb) this.once('listening', cb);
    this.closing = false;
    const stack = this.stackPort;
    const host = o.host;
    if (host !== undefined && !stack.isLocal(host)) {
      // As Node: bind(2) to an address we do not have, or a name that does not resolve.
      const err = isIPv4(host)
        ? systemError(-99, 'listen', host, p)
        : Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname: host });
      stack.defer(() => this.emit('error', err));
      return this;
    }
    const r = stack.listen(this, p, o.backlog);
    if (r.handle < 0) {
      const err = systemError(r.handle, 'listen', stack.address(), p);
      stack.defer(() => this.emit('error', err));
      return this;
    }
    this.handle = r.handle;
    this.port = r.port;
    this.hold.update(true);
    stack.defer(() => this.emit('listening'));
    return this;
  }

  /** Where the server listens, or null when it does not. */
  address(): AddressInfo | null {
    return this.handle >= 0 ? { address: this.stackPort.address(), family: 'IPv4', port: this.port } : null;
  }

  /** Keeps a Node process alive while listening (the default). */
  ref(): this {
    this.hold.want(true, this.handle >= 0);
    return this;
  }

  /** Lets a Node process exit even though the server listens. */
  unref(): this {
    this.hold.want(false, this.handle >= 0);
    return this;
  }

  /** Stops accepting (embryonic connections are reset); 'close' follows once every accepted socket closed. */
  close(cb?: (err?: Error) => void): this {
    if (this.handle < 0) {
      if (cb) this.stackPort.defer(() => cb(Object.assign(new Error('Server is not running.'), { code: 'ERR_SERVER_NOT_RUNNING' })));
      return this;
    }
    if (cb) this.once('close', cb);
    this.stackPort.unlisten(this.handle);
    this.handle = -1;
    this.hold.update(false);
    this.closing = true;
    this.maybeEmitClose();
    return this;
  }

  /** Number of accepted sockets still open. */
  getConnections(cb?: (err: Error | null, count: number) => void): number {
    const n = this.connections.size;
    if (cb) this.stackPort.defer(() => cb(null, n));
    return n;
  }

  /**
   * Accepts every connection waiting in the engine's accept queue (the Accept event of `conn`). An
   * event whose connection an earlier one's accepts already took finds the queue as they left it:
   * no call. @internal
   */
  onAccept(conn: number): void {
    if (this.handle < 0) return;
    if (this.opts.manualAccept) {
      this.emit('acceptable');
      return;
    }
    if (this.stackPort.owned(conn)) return;
    // Every waiting connection: the engine says whether another waits, so the loop makes no last
    // call to learn that the queue is empty.
    while (this.acceptOne() && this.stackPort.acceptMore(this.handle)) {
      // next
    }
  }

  /** Accepts one waiting connection ('connection' or 'drop' follows at once); false when none waits. @internal */
  acceptOne(): boolean {
    if (this.handle < 0) return false;
    const conn = this.stackPort.accept(this.handle, this.makeSocket);
    const s = this.accepted;
    this.accepted = undefined;
    if (conn < 0 || !s) return false;
    if (this.connections.size >= this.maxConnections) {
      // As Node: close the connection at once and say so.
      const drop = { localAddress: s.localAddress, localPort: s.localPort, localFamily: 'IPv4', remoteAddress: s.remoteAddress, remotePort: s.remotePort, remoteFamily: 'IPv4' };
      s.destroy();
      this.emit('drop', drop);
      return true;
    }
    if (this.opts.pauseOnConnect) s.pause();
    this.connections.add(s);
    s.server = this;
    this.emit('connection', s);
    return true;
  }

  /** An accepted socket closed. @internal */
  onSocketClose(s: Socket): void {
    if (this.connections.delete(s)) this.maybeEmitClose();
  }

  /** Host crashed: the listener vanishes silently. @internal */
  onCrash(): void {
    this.handle = -1;
    this.hold.forget();
    this.connections.clear();
  }

  private maybeEmitClose(): void {
    if (this.closing && this.connections.size === 0) {
      this.closing = false;
      this.stackPort.defer(() => this.emit('close'));
    }
  }
}

/** True if `host` names the stack at `address` ('0.0.0.0', '::', 'localhost', '127.0.0.1' or the address). */
export function isLocalHost(host: string, address: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === 'localhost' || host === '127.0.0.1' || host === address;
}
