// `tun serve FILE --port P`: send the file to each connection, then close.
import { createHash } from 'node:crypto';
import { type ModeContext, codeOf, peerOf, serve } from './context.js';

/** Serves `file` (its bytes, read once) on `port` until stopped. */
export function serveFile(ctx: ModeContext, port: number, file: Uint8Array): Promise<number> {
  const sha256 = createHash('sha256').update(file).digest('hex');
  return serve(ctx, port, (s) => {
    const peer = peerOf(s);
    let error: string | undefined;
    // Read and drop whatever the peer sends (a request line…): unread data at close would turn FIN into RST.
    s.on('data', () => {});
    // 'finish': the whole file and our FIN went to the engine (a destroy() mid-file never emits it).
    let finished = false;
    s.on('finish', () => { finished = true; });
    s.on('error', (err: Error) => { error = codeOf(err); });
    s.on('close', () => {
      const complete = !error && finished;
      ctx.out.line('serve', { peer, bytes: file.length, sha256, error },
        complete ? `serve ${peer} bytes ${file.length} sha256 ${sha256}` : `serve ${peer} error ${error ?? 'incomplete'}`);
    });
    s.end(file);
  });
}
