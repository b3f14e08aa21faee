// TcpListener: a listening port as an async iterable of TcpConnections. Browser-safe.
import type { Server } from '../server.js';
import type { Socket } from '../socket.js';
import { TcpConnection } from './connection.js';

/**
 * A listening port. Iterate it for accepted connections; a connection is taken from the engine only
 * when the iterator asks for one, so until then the engine's backlog holds them (and refuses more).
 */
export class TcpListener implements AsyncIterable<TcpConnection> {
  /** The core server underneath. */
  readonly server: Server;
  private readonly sendBufferSize: number;
  private waiting: ((conn: TcpConnection | undefined) => void)[] = [];
  private done = false;
  private closing: Promise<void> | undefined;

  /** Use `stack.listenTcp()`. @internal */
  constructor(server: Server, sendBufferSize: number) {
    this.server = server;
    this.sendBufferSize = sendBufferSize;
    server.on('acceptable', () => this.serve());
  }

  /** The port listened on. */
  get port(): number {
    return this.server.address()?.port ?? 0;
  }

  /** Stops listening (connections waiting in the backlog are reset); open connections live on. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.done = true;
    for (const w of this.waiting.splice(0)) w(undefined);
    this.closing = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close();
      // The core server's 'close' waits for accepted sockets; the listener itself is gone at once.
      this.server.stackPort.defer(resolve);
    });
    return this.closing;
  }

  /** The next accepted connection, or undefined once closed. */
  accept(): Promise<TcpConnection | undefined> {
    if (this.done) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.serve();
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<TcpConnection> {
    return {
      next: async () => {
        const conn = await this.accept();
        return conn ? { value: conn, done: false } : { value: undefined, done: true };
      },
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** Hands waiting connections to waiting iterators. */
  private serve(): void {
    while (this.waiting.length && !this.done) {
      let got: Socket | undefined;
      const take = (s: Socket) => (got = s);
      this.server.once('connection', take);
      const ok = this.server.acceptOne();
      this.server.off('connection', take);
      if (!ok) return;
      if (got) this.waiting.shift()!(new TcpConnection(got, this.sendBufferSize));
    }
  }
}
