// Node only: runs a script against the Linux kernel's own TCP instead of the engine, to confirm
// that our scripts state what Linux does. The kernel sits behind a TUN device; kernel-server.py (in that namespace) owns the TUN and the sockets and
// answers one JSON line per request over two FIFOs; it runs in an anonymous network namespace
// of its own, so nothing outlives it. The clock is the wall clock, advanced in
// 1 ms steps; after every call the script's clock moves up to the server's, and packets carry
// the time the server read them. Commands are never executed: the runner's interpretation of the init command
// (the Linux profile's sysctls plus the script's overrides) is applied with sysctl(8).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScriptEngine } from './runner.js';
import { KERNEL_SERVER_PY as SERVER } from './kernel-server.js';

/** A kernel-backed engine plus the clean-up it needs. */
export interface KernelEngine extends ScriptEngine {
  /** Stops the server and deletes the namespace and temporary files. */
  dispose(): void;
}

/** Options of a kernel run. */
export interface KernelOptions {
  local: string;
  remote: string;
  /** net.ipv4 sysctls to set in the namespace before the script starts. */
  sysctls: ReadonlyArray<[string, string]>;
  /** Longest wait for one reply, in ms. */
  replyTimeoutMs?: number;
}

/** The server process and the files it uses; `dispose` stops it and deletes them (idempotent). */
interface ServerProcess {
  pid: number;
  reqFd: number;
  repFd: number;
  /** The server's stderr, for the reason it exited. */
  log: string;
  dispose(): void;
}

/** One reply of the server: the call's result, the packets and events since the last one, its clock. */
interface Reply {
  res: any;
  tx: Array<[number, string]>;
  ev: Array<[number, number, number]>;
  now: number;
}

/** Starts the kernel side for one script; throws with a one-line reason when it cannot. */
export function createKernelEngine(o: KernelOptions): KernelEngine {
  const server = startServer(o);
  try {
    const channel = new Channel(server, o.replyTimeoutMs ?? 30000);
    channel.call('poll', { now: 0 }); // wait for the server: TUN, addresses and sysctls are ready
    return kernelCalls(channel, server.dispose);
  } catch (e) {
    server.dispose();
    throw e;
  }
}

/** Step 1: the temporary directory, the two FIFOs and the server in its own namespace. */
function startServer(o: KernelOptions): ServerProcess {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-kernel-'));
  const req = join(dir, 'req'), rep = join(dir, 'rep'), py = join(dir, 'server.py'), log = join(dir, 'stderr');
  let child: ChildProcess | undefined;
  let logFd = -1;
  const s: ServerProcess = {
    pid: 0, reqFd: -1, repFd: -1, log,
    dispose: () => {
      try { if (s.reqFd >= 0) writeSync(s.reqFd, '{"op":"bye"}\n'); } catch { /* server gone */ }
      if (child && child.exitCode === null) child.kill('SIGKILL');
      for (const fd of [s.reqFd, s.repFd, logFd]) if (fd >= 0) try { closeSync(fd); } catch { /* closed */ }
      s.reqFd = s.repFd = logFd = -1;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    writeFileSync(py, SERVER);
    execFileSync('mkfifo', [req, rep]);
    logFd = openSync(log, 'w');
    child = spawn('python3', [py, req, rep, o.local, o.remote, JSON.stringify(o.sysctls)], { stdio: ['ignore', 'ignore', logFd] });
    // O_RDWR opens of a FIFO never block on Linux, so a dead server cannot hang us here.
    s.reqFd = openSync(req, constants.O_RDWR);
    s.repFd = openSync(rep, constants.O_RDWR | constants.O_NONBLOCK);
    s.pid = child.pid!;
  } catch (e) {
    s.dispose();
    throw new Error(`cannot start the kernel side (needs root, ip, sysctl, python3, /dev/net/tun): ${(e as Error).message.split('\n')[0]}`);
  }
  return s;
}

/** Step 2: one JSON line per request, one per reply; packets and events the replies carry queue here. */
class Channel {
  /** Packets the kernel sent, with the server's time of reading them. */
  readonly tx: Array<[number, Buffer]> = [];
  /** Socket events [kind, handle, arg]. */
  readonly events: Array<[number, number, number]> = [];
  /** The server's clock at its last reply (ms). */
  serverNow = 0;
  private pending = '';
  private readonly buf = Buffer.alloc(1 << 20);
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));

  constructor(private readonly server: ServerProcess, private readonly timeoutMs: number) {}

  /** Sends one request and blocks until its reply (or the server's death, or the timeout). */
  call(op: string, args: Record<string, unknown> = {}): any {
    writeSync(this.server.reqFd, `${JSON.stringify({ op, ...args })}\n`);
    const start = Date.now();
    for (;;) {
      const line = this.nextLine();
      if (line !== undefined) return this.take(JSON.parse(line) as Reply);
      if (this.read() > 0) continue;
      if (!this.alive()) {
        const why = readFileSync(this.server.log, 'utf8').trim().split('\n').pop() ?? '';
        throw new Error(`kernel server exited during '${op}'${why ? `: ${why}` : ''}`);
      }
      if (Date.now() - start > this.timeoutMs) throw new Error(`kernel server did not answer '${op}' within ${this.timeoutMs} ms`);
      Atomics.wait(this.sleeper, 0, 0, 0.05);
    }
  }

  private nextLine(): string | undefined {
    const nl = this.pending.indexOf('\n');
    if (nl < 0) return undefined;
    const line = this.pending.slice(0, nl);
    this.pending = this.pending.slice(nl + 1);
    return line;
  }

  private take(r: Reply): any {
    for (const [at, h] of r.tx) this.tx.push([at, Buffer.from(h, 'hex')]);
    this.serverNow = r.now;
    this.events.push(...r.ev);
    return r.res;
  }

  /** Reads what the server has written so far (0 when nothing). */
  private read(): number {
    let n = 0;
    try {
      n = readSync(this.server.repFd, this.buf, 0, this.buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
    if (n > 0) this.pending += this.buf.toString('utf8', 0, n);
    return n;
  }

  private alive(): boolean {
    try {
      return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${this.server.pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }
}

/** Step 3: the runner's engine calls as server requests (socket options by their Linux numbers). */
function kernelCalls(ch: Channel, dispose: () => void): KernelEngine {
  const call = ch.call.bind(ch);
  return {
    sendBufferSize: 262144,
    dispose,
    input: (p) => void call('input', { hex: Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('hex') }),
    drainTx: (fn) => {
      const n = ch.tx.length;
      for (const [at, p] of ch.tx.splice(0)) fn(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      return n;
    },
    poll: (now) => {
      call('poll', { now });
      return Math.max(now, ch.serverNow) + 1; // 1 ms steps of wall-clock time
    },
    wallClockMs: () => ch.serverNow,
    nextEvent: (ev) => {
      const e = ch.events.shift();
      if (!e) return false;
      [ev.kind, ev.conn, ev.arg] = e;
      return true;
    },
    listen: (port, backlog) => call('listen', { port, backlog: backlog ?? 128 }),
    unlisten: (h) => void call('unlisten', { h }),
    accept: (h) => call('accept', { h }),
    connect: (_addr, port, _now, src) => call('connect', { port, src: src ?? 0 }),
    send: (h, data) => call('send', { h, n: data.length }),
    recv: (h, into) => call('recv', { h, n: into.length }),
    shutdown: (h) => call('shutdown', { h }),
    shutdownRead: (h) => call('shutdownRead', { h }),
    close: (h) => call('close', { h }),
    abort: (h) => call('abort', { h }),
    release: () => {},
    setNoDelay: (h, on) => void call('setsockopt', { h, level: 6, opt: 1, value: on ? 1 : 0 }),
    setKeepAlive: (h, on, idleMs) => {
      call('setsockopt', { h, level: 1, opt: 9, value: on ? 1 : 0 });
      if (idleMs) call('setsockopt', { h, level: 6, opt: 4, value: Math.round(idleMs / 1000) });
    },
    setLinger0: (h, on) => void call('linger0', { h, on }),
    setUserTimeout: (h, ms) => void call('setsockopt', { h, level: 6, opt: 18, value: ms }),
    setLinger2: (h, secs) => void call('setsockopt', { h, level: 6, opt: 8, value: secs }),
    getLinger2: (h) => call('getsockopt', { h, level: 6, opt: 8 }),
    state: (h) => call('state', { h }),
    info: (h) => call('info', { h }),
    bufferedSend: (h) => call('outq', { h }),
    bufferedRecv: (h) => call('readable', { h }),
    maxSeg: (h) => call('info', { h }).mss,
    soError: (h) => call('soError', { h }),
    pollMask: (h) => call('pollmask', { h }),
    setsockopt: (h, level, opt, value) => call('setsockopt', { h, level, opt, value }),
  };
}
