// `tun get URL [--out FILE]`: HTTP/1.1 GET with our stack as the client.
import { createHash } from 'node:crypto';
import type { WriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isIPv4 } from '../../util/ip.js';
import { HttpError, HttpResponseParser } from '../http.js';
import { type ModeContext, codeOf } from './context.js';

/** Target of a GET, parsed from an http:// URL with an IPv4 host. */
export interface GetTarget { host: string; port: number; path: string; hostHeader: string }

/** Parses `url`; returns an error message instead when it is not http://IPv4[:port]/path. */
export function parseGetUrl(url: string): GetTarget | string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `invalid URL '${url}'`;
  }
  if (u.protocol !== 'http:') return `only http:// URLs are supported (got ${u.protocol})`;
  if (!isIPv4(u.hostname)) return `the host must be an IPv4 address (no DNS behind a TUN device): '${u.hostname}'`;
  return { host: u.hostname, port: u.port ? Number(u.port) : 80, path: `${u.pathname}${u.search}`, hostHeader: u.host };
}

/**
 * Fetches `target`; writes the body to `out` ('-' for stdout: the caller then reports on stderr) if
 * given; reports status, bytes and sha256.
 */
export async function get(ctx: ModeContext, url: string, target: GetTarget, out?: string): Promise<number> {
  let file: FileHandle | undefined;
  if (out && out !== '-') {
    try {
      file = await open(out, 'w'); // fail before connecting, with one clear line
    } catch (err) {
      ctx.out.note(`wasm-tcp tun: cannot write '${out}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return 1;
    }
  }
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    const sink: WriteStream | NodeJS.WriteStream | undefined = out === '-' ? process.stdout : file?.createWriteStream();
    const report = ctx.out;
    let finished = false;
    const finish = (code: number, error?: string) => {
      if (finished) return;
      finished = true;
      s.destroy();
      const done = () => {
        if (error) report.line('get', { url, status: parser.status, bytes: parser.bodyBytes, error }, `get ${url} error ${error} after ${parser.bodyBytes} body bytes`);
        else {
          const sha256 = hash.digest('hex');
          report.line('get', { url, status: parser.status, bytes: parser.bodyBytes, sha256 },
            `get ${url} status ${parser.status} bytes ${parser.bodyBytes} sha256 ${sha256}`);
        }
        resolve(code);
      };
      if (sink && sink !== process.stdout) (sink as WriteStream).end(done);
      else done();
    };
    const parser = new HttpResponseParser((chunk) => {
      hash.update(chunk);
      if (sink && !sink.write(chunk)) {
        s.pause();
        sink.once('drain', () => s.resume());
      }
    });
    sink?.on('error', (err: Error) => finish(1, `writing ${out}: ${err.message}`));
    const s = ctx.stack.connect({ host: target.host, port: target.port });
    s.on('connect', () => {
      s.write(`GET ${target.path} HTTP/1.1\r\nHost: ${target.hostHeader}\r\nUser-Agent: wasm-tcp\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
    });
    s.on('data', (d: Uint8Array) => {
      try {
        parser.push(d);
      } catch (err) {
        return finish(1, (err as Error).message);
      }
      if (parser.complete) finish(parser.status >= 200 && parser.status < 300 ? 0 : 1, statusError(parser.status));
    });
    s.on('end', () => {
      try {
        parser.end();
      } catch (err) {
        return finish(1, err instanceof HttpError ? err.message : String(err));
      }
      finish(parser.status >= 200 && parser.status < 300 ? 0 : 1, statusError(parser.status));
    });
    s.on('error', (err: Error) => finish(1, codeOf(err)));
  });
}

function statusError(status: number): string | undefined {
  return status >= 200 && status < 300 ? undefined : `HTTP status ${status}`;
}
