// stack.connectTcp() and stack.listenTcp(): web-streams connections over a stack's core sockets. Browser-safe.
import type { Server, ServerOptions, ListenOptions } from '../server.js';
import type { Socket } from '../socket.js';
import { checkObject, checkSignal, abortError } from '../util/validate.js';
import { TcpConnection } from './connection.js';
import { TcpListener } from './listener.js';

/** Options of `stack.connectTcp()`. */
export interface TcpConnectOptions {
  /** Peer address, dotted quad ('localhost' means our own address). */
  host?: string;
  /** Peer port. */
  port: number;
  /** Disable Nagle's algorithm. */
  noDelay?: boolean;
  /** Enable keepalive probes. */
  keepAlive?: boolean;
  /** Aborting it before the connection is up rejects with an AbortError; afterwards it closes the connection. */
  signal?: AbortSignal;
}

/** Options of `stack.listenTcp()`. */
export interface TcpListenOptions {
  /** Port to listen on (0 picks a free one). */
  port: number;
  /** Our address, '0.0.0.0' or 'localhost' (another address rejects with EADDRNOTAVAIL). */
  host?: string;
  /** Most embryonic plus unaccepted connections (default: the engine's). */
  backlog?: number;
  /** Aborting it closes the listener (and rejects while it is opening). */
  signal?: AbortSignal;
}

/** What connectTcp/listenTcp need from a Stack (which passes itself). */
export interface TcpOpener {
  connect(opts: TcpConnectOptions & { allowHalfOpen: boolean }): Socket;
  createServer(opts: ServerOptions): Server;
  /** The engine's send buffer in bytes (the writable's high-water mark). */
  readonly sendBufferSize: number;
}

/** Opens a connection; resolves once ESTABLISHED with a TcpConnection, rejects with a Node-coded error. */
export function connectTcp(stack: TcpOpener, opts: TcpConnectOptions): Promise<TcpConnection> {
  try {
    checkObject('options', opts);
    checkSignal('options.signal', opts.signal);
    const socket = stack.connect({ host: opts.host, port: opts.port, noDelay: opts.noDelay, keepAlive: opts.keepAlive, signal: opts.signal, allowHalfOpen: true });
    return new Promise<TcpConnection>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new TcpConnection(socket, stack.sendBufferSize));
      });
    });
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Listens on a port; resolves once listening with a TcpListener, rejects with a Node-coded error (EADDRINUSE, …). */
export function listenTcp(stack: TcpOpener, opts: TcpListenOptions): Promise<TcpListener> {
  try {
    checkObject('options', opts);
    const signal = checkSignal('options.signal', opts.signal);
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const server = stack.createServer({ allowHalfOpen: true, manualAccept: true });
    const listenOpts: ListenOptions = { port: opts.port, host: opts.host, backlog: opts.backlog };
    server.listen(listenOpts);
    const listener = new TcpListener(server, stack.sendBufferSize);
    return new Promise<TcpListener>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.once('listening', () => {
        server.off('error', onError);
        if (signal?.aborted) {
          void listener.close();
          return reject(abortError(signal));
        }
        signal?.addEventListener('abort', () => void listener.close(), { once: true });
        resolve(listener);
      });
    });
  } catch (err) {
    return Promise.reject(err);
  }
}
