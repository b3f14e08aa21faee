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

/** Starts the kernel side for one script; throws with a one-line reason when it cannot. */
export function createKernelEngine(o: KernelOptions): KernelEngine {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-kernel-'));
  const req = join(dir, 'req'), rep = join(dir, 'rep'), py = join(dir, 'server.py'), log = join(dir, 'stderr');
  let child: ChildProcess | undefined;
  let reqFd = -1, repFd = -1, logFd = -1;
  const dispose = () => {
    try { if (reqFd >= 0) writeSync(reqFd, '{"op":"bye"}\n'); } catch { /* server gone */ }
    if (child && child.exitCode === null) child.kill('SIGKILL');
    for (const fd of [reqFd, repFd, logFd]) if (fd >= 0) try { closeSync(fd); } catch { /* closed */ }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writeFileSync(py, SERVER);
    execFileSync('mkfifo', [req, rep]);
    logFd = openSync(log, 'w');
    child = spawn('python3', [py, req, rep, o.local, o.remote, JSON.stringify(o.sysctls)], { stdio: ['ignore', 'ignore', logFd] });
    // O_RDWR opens of a FIFO never block on Linux, so a dead server cannot hang us here.
    reqFd = openSync(req, constants.O_RDWR);
    repFd = openSync(rep, constants.O_RDWR | constants.O_NONBLOCK);
  } catch (e) {
    dispose();
    throw new Error(`cannot start the kernel side (needs root, ip, sysctl, python3, /dev/net/tun): ${(e as Error).message.split('\n')[0]}`);
  }
  const pid = child.pid!;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let pending = '';
  const buf = Buffer.alloc(1 << 20);
  const tx: Array<[number, Buffer]> = [];
  let serverNow = 0;
  const events: Array<[number, number, number]> = [];
  const timeout = o.replyTimeoutMs ?? 30000;

  const alive = () => {
    try {
      return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const call = (op: string, args: Record<string, unknown> = {}): any => {
    writeSync(reqFd, `${JSON.stringify({ op, ...args })}\n`);
    const start = Date.now();
    for (;;) {
      const nl = pending.indexOf('\n');
      if (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const r = JSON.parse(line) as { res: any; tx: Array<[number, string]>; ev: Array<[number, number, number]>; now: number };
        for (const [at, h] of r.tx) tx.push([at, Buffer.from(h, 'hex')]);
        serverNow = r.now;
        events.push(...r.ev);
        return r.res;
      }
      let n = 0;
      try {
        n = readSync(repFd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
      if (n > 0) {
        pending += buf.toString('utf8', 0, n);
        continue;
      }
      if (!alive()) {
        const why = readFileSync(log, 'utf8').trim().split('\n').pop() ?? '';
        throw new Error(`kernel server exited during '${op}'${why ? `: ${why}` : ''}`);
      }
      if (Date.now() - start > timeout) throw new Error(`kernel server did not answer '${op}' within ${timeout} ms`);
      Atomics.wait(sleeper, 0, 0, 0.05);
    }
  };
  call('poll', { now: 0 }); // wait for the server: TUN, addresses and sysctls are ready

  return {
    sendBufferSize: 262144,
    dispose,
    input: (p) => void call('input', { hex: Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('hex') }),
    drainTx: (fn) => {
      const n = tx.length;
      for (const [at, p] of tx.splice(0)) fn(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      return n;
    },
    poll: (now) => {
      call('poll', { now });
      return Math.max(now, serverNow) + 1; // 1 ms steps of wall-clock time
    },
    wallClockMs: () => serverNow,
    nextEvent: (ev) => {
      const e = events.shift();
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
