// Node only: one Linux host driven from Node, for `wasm-tcp scenario NAME --kernel`. A Python
// process (netns-host-py.ts) moves into a network namespace of its own, creates a TUN device with
// the host's address and relays every IPv4 packet between it and us; its child process is the
// host's application and owns the sockets. The namespace has no name and vanishes with the two
// processes, which die with us (PR_SET_PDEATHSIG): nothing to clean up after a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { NETNS_HOST_PY } from './netns-host-py.js';

/** A request to the host's application (one JSON line; see netns-host-py.ts). */
export type AppRequest =
  | { op: 'listen'; h: number; port: number; rcvbuf?: number }
  | { op: 'connect'; h: number; host: string; port: number; src?: number; rcvbuf?: number }
  | { op: 'write'; h: number; hex: string }
  | { op: 'end' | 'close' | 'pause' | 'resume'; h: number }
  | { op: 'keepalive'; h: number; on: boolean };

/** What the host's application reports about its sockets. */
export type AppEvent =
  | { ev: 'hello'; pid: number }
  | { ev: 'bound'; h: number; lport: number }
  | { ev: 'accept'; h: number; listener: number; lport: number; rport: number }
  | { ev: 'connect' | 'end'; h: number }
  | { ev: 'data'; h: number; n: number }
  | { ev: 'error'; h: number; code: string };

/** Where the host lives and how its kernel is tuned. */
export interface NetnsHostOptions {
  /** The host's address and prefix on its TUN device, e.g. `10.0.0.2/24`. */
  cidr: string;
  /** net.ipv4 sysctls of its namespace, e.g. `['net.ipv4.tcp_retries2', '4']`. */
  sysctls: ReadonlyArray<readonly [string, string]>;
  /** Longest wait for the namespace to come up, in ms (default 10 s). */
  startTimeoutMs?: number;
}

const FRAME_HEAD = 5; // kind byte + u32 length

/** A Linux host in a private network namespace: its packets, its socket states, its application. */
export class NetnsHost {
  /** Each IPv4 packet the kernel sends (valid during the call only). */
  onPacket: (packet: Uint8Array) => void = () => {};
  /** A TCP socket of the namespace changed state (`remotePort` 0 for listeners). */
  onState: (localPort: number, remotePort: number, state: string) => void = () => {};
  /** An event of the application. */
  onAppEvent: (ev: AppEvent) => void = () => {};
  /** The host died without `close()` being called; `why` is one line. */
  onExit: (why: string) => void = () => {};
  /** Runs the handlers of what arrived together (e.g. a state and the segment that caused it), e.g. at one instant. */
  batch: (handle: () => void) => void = (handle) => handle();

  private readonly appIn: Writable;
  private appPid = 0;
  private closed = false;
  private readonly stderr: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.appIn = child.stdio[3] as Writable;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    createInterface({ input: child.stderr! }).on('line', (l) => {
      if (process.env.WASM_TCP_DEBUG) process.stderr.write(`[kernel host] ${l}\n`);
      if (this.stderr.length < 20) this.stderr.push(l);
    });
    // Writes to a dead host fail with EPIPE: the exit handler reports it once.
    for (const s of [child.stdin!, this.appIn]) s.on('error', () => {});
  }

  /** Starts the host; resolves once its device, addresses, sysctls and application are ready. */
  static start(o: NetnsHostOptions): Promise<NetnsHost> {
    const child = spawn('python3', ['-c', NETNS_HOST_PY, o.cidr, JSON.stringify(o.sysctls)], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    const host = new NetnsHost(child);
    return new Promise((resolve, reject) => {
      let relayReady = false;
      const timer = setTimeout(() => fail(`the kernel host did not start within ${o.startTimeoutMs ?? 10000} ms`), o.startTimeoutMs ?? 10000);
      const fail = (why: string) => {
        clearTimeout(timer);
        host.closed = true;
        child.kill('SIGKILL');
        reject(new Error(why));
      };
      child.once('error', (e) => fail(`cannot run python3: ${e.message}`));
      child.once('exit', () => {
        if (host.closed) return;
        // Give readline the last stderr line before reporting it.
        setImmediate(() => (relayReady && host.appPid ? host.died() : fail(`cannot start the kernel host: ${host.lastError()}`)));
      });
      const ready = () => {
        if (!relayReady || !host.appPid) return;
        clearTimeout(timer);
        resolve(host);
      };
      host.readFrames(child.stdout!, () => { relayReady = true; ready(); });
      createInterface({ input: child.stdio[4] as Readable }).on('line', (line) => {
        const ev = JSON.parse(line) as AppEvent;
        if (ev.ev === 'hello') {
          host.appPid = ev.pid;
          ready();
        } else if (!host.closed) host.onAppEvent(ev);
      });
    });
  }

  /** PID of the process holding the namespace (`nsenter --net=/proc/PID/ns/net` enters it). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Hands one IPv4 packet to the kernel (copied). */
  send(packet: Uint8Array): void {
    if (this.closed) return;
    const frame = Buffer.allocUnsafe(FRAME_HEAD + packet.length);
    frame[0] = 0x50; // 'P'
    frame.writeUInt32BE(packet.length, 1);
    frame.set(packet, FRAME_HEAD);
    this.child.stdin!.write(frame);
  }

  /** Sends one request to the application. */
  request(r: AppRequest): void {
    if (!this.closed) this.appIn.write(`${JSON.stringify(r)}\n`);
  }

  /** Kills the application process (SIGKILL): the kernel closes its sockets, the host stays up. */
  killApp(): void {
    if (!this.appPid) return;
    try { process.kill(this.appPid, 'SIGKILL'); } catch { /* already gone */ }
    this.appPid = 0;
  }

  /** Kills the host (SIGKILL): its namespace, device and sockets are gone, nothing more is sent. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.child.kill('SIGKILL');
    }
    return this.exited;
  }

  private died(): void {
    if (this.closed) return;
    this.closed = true;
    this.onExit(`the kernel host exited unexpectedly: ${this.lastError()}`);
  }

  private lastError(): string {
    return this.stderr.filter((l) => l.trim()).pop() ?? `exit code ${this.child.exitCode ?? this.child.signalCode}`;
  }

  /** Splits the relay's output into frames: packets, state changes, the ready frame. */
  private readFrames(out: Readable, onReady: () => void): void {
    let pending: Buffer = Buffer.alloc(0);
    out.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      this.batch(() => { pending = this.frames(pending, onReady); });
    });
  }

  /** Handles every complete frame of `pending`; returns what is left of it. */
  private frames(pending: Buffer, onReady: () => void): Buffer {
    let off = 0;
    while (pending.length - off >= FRAME_HEAD) {
      const n = pending.readUInt32BE(off + 1);
      if (pending.length - off < FRAME_HEAD + n) break;
      const kind = pending[off];
      const body = pending.subarray(off + FRAME_HEAD, off + FRAME_HEAD + n);
      off += FRAME_HEAD + n;
      if (this.closed) continue;
      if (kind === 0x50) this.onPacket(body); // 'P'
      else if (kind === 0x53) { // 'S'
        const [lport, rport, state] = JSON.parse(body.toString()) as [number, number, string];
        this.onState(lport, rport, state);
      } else if (kind === 0x52) onReady(); // 'R'
    }
    return pending.subarray(off);
  }
}
