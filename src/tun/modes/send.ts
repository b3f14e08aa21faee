// `tun send HOST:PORT --bytes N`: connect, send N pseudo-random bytes, close, print sha256.
import { createHash } from 'node:crypto';
import { Prng } from '../../util/prng.js';
import { type ModeContext, codeOf } from './context.js';

const CHUNK = 65536;

/** Sends `bytes` bytes from a PRNG seeded with `seed` to host:port; resolves with the exit code. */
export function send(ctx: ModeContext, host: string, port: number, bytes: number, seed: number): Promise<number> {
  return new Promise((resolve) => {
    const target = `${host}:${port}`;
    const hash = createHash('sha256');
    const prng = new Prng(seed);
    let queued = 0;
    let error: string | undefined;
    const s = ctx.stack.connect({ host, port });
    // Unexpected bytes from the peer are read and dropped (unread data would turn our FIN into RST).
    s.on('data', () => {});
    const pump = () => {
      while (queued < bytes) {
        const chunk = new Uint8Array(Math.min(CHUNK, bytes - queued)); // Socket.write keeps it until sent
        prng.fill(chunk);
        hash.update(chunk);
        queued += chunk.length;
        if (!s.write(chunk)) {
          s.once('drain', pump);
          return;
        }
      }
      s.end();
    };
    s.on('connect', pump);
    // Success needs the peer's FIN after ours: it read everything we sent. A close without it (the
    // command stopped by a signal mid-transfer) is reported as ECONNABORTED, never as a result.
    let peerEnded = false;
    s.on('end', () => { peerEnded = true; });
    s.on('error', (err: Error) => { error = codeOf(err); });
    s.on('close', () => {
      if (!error && !peerEnded) error = 'ECONNABORTED';
      if (error) {
        ctx.out.line('send', { target, bytes: queued, error }, `send ${target} error ${error} after ${queued} bytes queued`);
        resolve(1);
      } else {
        const sha256 = hash.digest('hex');
        ctx.out.line('send', { target, bytes: queued, sha256 }, `send ${target} bytes ${queued} sha256 ${sha256}`);
        resolve(0);
      }
    });
  });
}
