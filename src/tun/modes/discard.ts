// `tun discard --port P`: read everything, print byte count and sha256 when each connection ends.
import { createHash } from 'node:crypto';
import { type ModeContext, codeOf, peerOf, serve } from './context.js';

/** Runs a discard server on `port` until stopped. */
export function discard(ctx: ModeContext, port: number): Promise<number> {
  return serve(ctx, port, (s) => {
    const peer = peerOf(s);
    const hash = createHash('sha256');
    let bytes = 0;
    let reported = false;
    const report = (end: string) => {
      if (reported) return;
      reported = true;
      const sha256 = hash.digest('hex');
      ctx.out.line('discard', { peer, bytes, sha256, end },
        `discard ${peer} bytes ${bytes} sha256 ${sha256} ${end === 'eof' ? 'eof' : `error ${end}`}`);
    };
    // Zero-copy reads into one buffer per connection, hashed in place.
    const buffer = new Uint8Array(65536);
    s.setOnRead({ buffer, callback: (n) => { bytes += n; hash.update(buffer.subarray(0, n)); } });
    s.on('end', () => report('eof'));
    s.on('error', (err: Error) => report(codeOf(err)));
    s.on('close', () => report('closed'));
  });
}
