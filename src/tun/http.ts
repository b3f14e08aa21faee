// Incremental HTTP/1.1 response parser for `tun get`: status line, headers, then a body framed by
// Content-Length, chunked transfer coding (RFC 9112 §7.1) or the end of the connection.

/** A malformed or truncated response. */
export class HttpError extends Error {}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'close' | 'done';

const MAX_LINE = 65536;

/** Feeds response bytes in with `push()`, gets body bytes out through `onBody`, calls `end()` at EOF. */
export class HttpResponseParser {
  /** Status code, once the head is parsed. */
  status = 0;
  /** Reason phrase. */
  reason = '';
  /** Header fields, names lower-cased (repeated fields joined with ', '). */
  headers: Record<string, string> = {};
  /** Body bytes delivered so far (after de-chunking). */
  bodyBytes = 0;
  private state: State = 'head';
  private line = '';
  private headLines: string[] = [];
  private remaining = 0;

  /** `onBody` receives body chunks; views are valid only during the call. */
  constructor(private readonly onBody: (chunk: Uint8Array) => void, private readonly method = 'GET') {}

  /** True once the whole response has been read. */
  get complete(): boolean {
    return this.state === 'done';
  }

  /** Parses more bytes; throws HttpError on malformed input. Bytes after the response are ignored. */
  push(data: Uint8Array): void {
    let i = 0;
    while (i < data.length && this.state !== 'done') {
      switch (this.state) {
        case 'head':
        case 'chunk-size':
        case 'chunk-crlf':
        case 'trailer': {
          const nl = data.indexOf(10, i);
          const end = nl < 0 ? data.length : nl;
          this.line += latin1(data, i, end);
          if (this.line.length > MAX_LINE) throw new HttpError('HTTP line too long');
          i = end;
          if (nl < 0) break;
          i++;
          const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
          this.line = '';
          this.onLine(line);
          break;
        }
        case 'length':
        case 'chunk-data': {
          const n = Math.min(this.remaining, data.length - i);
          this.body(data.subarray(i, i + n));
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = this.state === 'length' ? 'done' : 'chunk-crlf';
          break;
        }
        case 'close':
          this.body(data.subarray(i));
          i = data.length;
          break;
      }
    }
  }

  /** The connection ended: completes a close-delimited body, or throws if the response is truncated. */
  end(): void {
    if (this.state === 'close') this.state = 'done';
    if (this.state !== 'done') {
      throw new HttpError(this.state === 'head' ? 'connection closed before the response head' : `response body truncated after ${this.bodyBytes} bytes`);
    }
  }

  private body(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.bodyBytes += chunk.length;
    this.onBody(chunk);
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'head':
        if (line !== '') {
          if (this.headLines.length > 200) throw new HttpError('too many header lines');
          this.headLines.push(line);
        } else if (this.headLines.length) this.finishHead();
        return;
      case 'chunk-size': {
        const m = /^([0-9a-fA-F]{1,8})(?:\s*;.*)?\s*$/.exec(line);
        if (!m) throw new HttpError(`bad chunk size line '${line.slice(0, 40)}'`);
        this.remaining = parseInt(m[1], 16);
        this.state = this.remaining === 0 ? 'trailer' : 'chunk-data';
        return;
      }
      case 'chunk-crlf':
        if (line !== '') throw new HttpError('missing CRLF after chunk data');
        this.state = 'chunk-size';
        return;
      case 'trailer':
        if (line === '') this.state = 'done';
        return;
      default:
        return;
    }
  }

  private finishHead(): void {
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(this.headLines[0]);
    if (!m) throw new HttpError(`not an HTTP/1.x status line: '${this.headLines[0].slice(0, 60)}'`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const l of this.headLines.slice(1)) {
      const c = l.indexOf(':');
      if (c <= 0) throw new HttpError(`bad header line '${l.slice(0, 60)}'`);
      const name = l.slice(0, c).trim().toLowerCase();
      const value = l.slice(c + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    this.headLines = [];
    if (status >= 100 && status < 200) return; // interim response (100 Continue): the real one follows
    this.status = status;
    this.reason = m[2] ?? '';
    this.headers = headers;
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (this.method === 'HEAD' || status === 204 || status === 304) this.state = 'done';
    else if (te !== undefined) {
      if (!/(^|,)\s*chunked\s*$/i.test(te)) throw new HttpError(`unsupported transfer-encoding '${te}'`);
      this.state = 'chunk-size';
    } else if (cl !== undefined) {
      if (!/^\d{1,15}$/.test(cl)) throw new HttpError(`bad content-length '${cl}'`);
      this.remaining = Number(cl);
      this.state = this.remaining === 0 ? 'done' : 'length';
    } else this.state = 'close';
  }
}

function latin1(data: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(data[i]);
  return s;
}
