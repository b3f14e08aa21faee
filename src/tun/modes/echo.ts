// `tun echo --port P`: every byte received is sent back.
import { type ModeContext, codeOf, peerOf, serve } from './context.js';

/** Runs an echo server on `port` until stopped. */
export function echo(ctx: ModeContext, port: number): Promise<number> {
  return serve(ctx, port, (s) => {
    const peer = peerOf(s);
    let error: string | undefined;
    s.on('data', (d: Uint8Array) => {
      // 'data' chunks are ours to keep, so they can be queued as they are.
      if (!s.write(d)) {
        s.pause();
        s.once('drain', () => s.resume());
      }
    });
    s.on('error', (err: Error) => { error = codeOf(err); });
    s.on('close', () => {
      ctx.out.line('echo', { peer, bytes: s.bytesRead, error },
        `echo ${peer} bytes ${s.bytesRead}${error ? ` error ${error}` : ''}`);
    });
  });
}
