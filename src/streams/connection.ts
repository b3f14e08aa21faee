// TcpConnection: one TCP connection as a pair of web streams over a core Socket. Browser-safe.
import type { Socket } from '../socket.js';
import { chunksOf } from './chunks.js';

/** Bytes the readable side queues on the host before it stops reading from the engine (the receive window then closes). */
const READ_HIGH_WATER = 65536;

/**
 * A connection as web streams (the shape tcpip.js users know). Backpressure runs end to end: a reader
 * that stops reading stops the engine reads, so the receive window closes; `writable` accepts about
 * one send buffer more than the engine holds (`desiredSize` falls to 0 while the send buffer is full).
 * `writer.close()` sends FIN after the queued data, `writer.abort()` and `readable.cancel()` send RST.
 * Errors (err.code ECONNRESET, ETIMEDOUT, …) reject pending reads and writes.
 */
export class TcpConnection {
  /** Received bytes; ends at the peer's FIN. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to send; close() sends FIN. */
  readonly writable: WritableStream<Uint8Array>;
  /** The core socket underneath. */
  readonly socket: Socket;
  private readController: ReadableStreamDefaultController<Uint8Array> | undefined;
  private writeQueued = 0;
  private readonly closed: Promise<void>;

  /** Use `stack.connectTcp()` or `stack.listenTcp()`. @internal */
  constructor(socket: Socket, sendBufferSize: number) {
    this.socket = socket;
    socket.pause();
    let readDone = false;
    let rc!: ReadableStreamDefaultController<Uint8Array>;
    let wc!: WritableStreamDefaultController;
    this.closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          rc = c;
          this.readController = c;
        },
        pull: () => {
          socket.resume();
        },
        cancel: () => {
          readDone = true;
          socket.resetAndDestroy();
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: READ_HIGH_WATER }),
    );
    socket.on('data', (chunk: Uint8Array) => {
      if (readDone) return;
      rc.enqueue(chunk);
      if ((rc.desiredSize ?? 0) <= 0) socket.pause();
    });
    socket.on('end', () => {
      if (readDone) return;
      readDone = true;
      rc.close();
    });
    let failure: Error | undefined;
    socket.on('error', (err: Error) => {
      failure = err;
      if (!readDone) {
        readDone = true;
        rc.error(err);
      }
      wc?.error(err);
    });
    socket.on('close', () => {
      if (!readDone) {
        readDone = true;
        rc.close();
      }
    });
    this.writable = new WritableStream<Uint8Array>(
      {
        start: (c) => {
          wc = c;
        },
        write: (chunk) =>
          new Promise<void>((resolve, reject) => {
            if (failure) return reject(failure);
            if (!(chunk instanceof Uint8Array)) {
              const err = Object.assign(new TypeError('TcpConnection.writable takes Uint8Array chunks'), { code: 'ERR_INVALID_ARG_TYPE' });
              return reject(err);
            }
            this.writeQueued += chunk.length;
            socket.write(chunk, (err) => {
              this.writeQueued -= chunk.length;
              if (err) reject(err);
              else resolve();
            });
          }),
        close: () =>
          new Promise<void>((resolve, reject) => {
            if (failure) return reject(failure);
            socket.end(() => (failure ? reject(failure) : resolve()));
          }),
        abort: () => {
          socket.resetAndDestroy();
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: sendBufferSize }),
    );
  }

  /** Peer address, dotted quad. */
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }
  /** Peer port. */
  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }
  /** Our address. */
  get localAddress(): string {
    return this.socket.localAddress;
  }
  /** Our port. */
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  /** Bytes the host holds for this connection (queued for the reader plus waiting for send-buffer room). @internal */
  get hostBufferedBytes(): number {
    const desired = this.readController?.desiredSize ?? READ_HIGH_WATER;
    return Math.max(0, READ_HIGH_WATER - desired) + this.writeQueued;
  }

  /**
   * Closes the connection as close(2) does once the data written so far is in the engine: FIN, or
   * RST when received data was left unread. Resolves when the socket has closed. (A writable locked
   * by a writer or a pipe keeps what it has not passed on yet: close it first to send that too.)
   */
  async close(): Promise<void> {
    if (!this.writable.locked) await this.writable.close().catch(() => {});
    this.socket.destroySoon();
    return this.closed;
  }

  /** Iterates received chunks (holds the readable's reader; ends at the peer's FIN, throws the connection's error). */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return chunksOf(this.readable);
  }
}
