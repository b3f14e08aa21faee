// What every `tun` mode gets: the stack behind the TUN device and the reporter.
import type { Stack } from '../../stack.js';
import type { Socket } from '../../socket.js';
import type { Reporter } from '../report.js';

/** Shared state of a running mode. */
export interface ModeContext {
  /** Our stack, attached to the TUN device. */
  stack: Stack;
  /** Where results go. */
  out: Reporter;
}

/** `addr:port` of a socket's peer. */
export function peerOf(s: Socket): string {
  return `${s.remoteAddress}:${s.remotePort}`;
}

/** Node-style error code of an error, or its message. */
export function codeOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e?.code === 'string' ? e.code : String(e?.message ?? err);
}

/**
 * Listens on `port` and hands each connection to `onConnection`. The promise settles only on a listen
 * error (exit code 1); a server mode otherwise runs until the command is stopped.
 */
export function serve(ctx: ModeContext, port: number, onConnection: (s: Socket) => void): Promise<number> {
  return new Promise((resolve) => {
    const server = ctx.stack.createServer(onConnection);
    server.on('error', (err: Error) => {
      ctx.out.note(`wasm-tcp tun: cannot listen on port ${port}: ${codeOf(err)}`);
      resolve(1);
    });
    server.listen(port);
  });
}
