// Core TCP server: a listening port on a Stack that hands out accepted Sockets. Browser-safe.
import { Emitter } from './util/emitter.js';
import { systemError } from './util/errors.js';
import { Socket, type AddressInfo } from './socket.js';
import type { Stack } from './stack.js';

/** Options of a core server. */
export interface ServerOptions {
  /** Accepted sockets keep their write side open after the peer's FIN (default false, as in Node). */
  allowHalfOpen?: boolean;
  /** Start accepted sockets paused (default false). */
  pauseOnConnect?: boolean;
}

/** Options of `server.listen()`. */
export interface ListenOptions {
  /** Port to listen on; 0 or absent picks a free one. */
  port?: number;
  /** Most embryonic plus unaccepted connections (default: the engine's). */
  backlog?: number;
}

/**
 * A listening TCP port. Events: 'listening', 'connection' (socket), 'error', 'close' (after close()
 * once every accepted connection has closed).
 */
export class Server extends Emitter {
  /** The stack this server lives on. */
  readonly stack: Stack;
  /** Engine listener handle, −1 when not listening. */
  handle = -1;
  /** Accepted sockets still open. */
  readonly connections = new Set<Socket>();
  private port = 0;
  private closing = false;
  private readonly opts: ServerOptions;

  /** Use `stack.createServer()` or `stack.listen()`. */
  constructor(stack: Stack, opts: ServerOptions = {}, onConnection?: (socket: Socket) => void) {
    super();
    this.stack = stack;
    this.opts = opts;
    if (onConnection) this.on('connection', onConnection);
  }

  /** True while listening. */
  get listening(): boolean {
    return this.handle >= 0;
  }

  /** Starts listening on `port` (0 = any free port); 'listening' follows, or 'error' (EADDRINUSE, EMFILE). */
  listen(port?: number | ListenOptions, cb?: () => void): this {
    const o: ListenOptions = typeof port === 'object' ? port : { port };
    const p = o.port ?? 0;
    if (!Number.isInteger(p) || p < 0 || p > 65535) {
      const err = new RangeError(`options.port should be >= 0 and < 65536. Received ${String(p)}.`) as RangeError & { code: string };
      err.code = 'ERR_SOCKET_BAD_PORT';
      throw err;
    }
    if (this.handle >= 0) throw Object.assign(new Error('Listen method has been called more than once without closing.'), { code: 'ERR_SERVER_ALREADY_LISTEN' });
    if (cb) this.once('listening', cb);
    this.closing = false;
    const r = this.stack.openListener(this, p, o.backlog);
    if (r.handle < 0) {
      const err = systemError(r.handle, 'listen', this.stack.address, p);
      this.stack.defer(() => this.emit('error', err));
      return this;
    }
    this.handle = r.handle;
    this.port = r.port;
    this.stack.defer(() => this.emit('listening'));
    return this;
  }

  /** Where the server listens, or null when it does not. */
  address(): AddressInfo | null {
    return this.handle >= 0 ? { address: this.stack.address, family: 'IPv4', port: this.port } : null;
  }

  /** Stops accepting (embryonic connections are reset); 'close' follows once every accepted socket closed. */
  close(cb?: (err?: Error) => void): this {
    if (this.handle < 0) {
      if (cb) this.stack.defer(() => cb(Object.assign(new Error('Server is not running.'), { code: 'ERR_SERVER_NOT_RUNNING' })));
      return this;
    }
    if (cb) this.once('close', cb);
    this.stack.closeListener(this.handle);
    this.handle = -1;
    this.closing = true;
    this.maybeEmitClose();
    return this;
  }

  /** Number of accepted sockets still open. */
  getConnections(cb?: (err: Error | null, count: number) => void): number {
    const n = this.connections.size;
    if (cb) this.stack.defer(() => cb(null, n));
    return n;
  }

  /** Accepts every connection waiting in the engine's accept queue. @internal */
  onAccept(): void {
    if (this.handle < 0) return;
    for (;;) {
      const conn = this.stack.engine.accept(this.handle);
      if (conn < 0) return;
      const s = new Socket(this.stack, { allowHalfOpen: this.opts.allowHalfOpen });
      this.stack.adopt(conn, s);
      if (this.opts.pauseOnConnect) s.pause();
      this.connections.add(s);
      s.server = this;
      this.emit('connection', s);
    }
  }

  /** An accepted socket closed. @internal */
  onSocketClose(s: Socket): void {
    if (this.connections.delete(s)) this.maybeEmitClose();
  }

  /** Host crashed: the listener vanishes silently. @internal */
  onCrash(): void {
    this.handle = -1;
    this.connections.clear();
  }

  private maybeEmitClose(): void {
    if (this.closing && this.connections.size === 0) {
      this.closing = false;
      this.stack.defer(() => this.emit('close'));
    }
  }
}
