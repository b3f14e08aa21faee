// Node only: `wasm-tcp scenario NAME --kernel`. The same scenario twice: once on two of our engines
// (virtual time, the kernel case's settings), once with the Linux kernel's TCP as one host, in real
// time. The kernel host lives in a network namespace of its own behind a TUN device (netns-host.ts)
// and is attached to the same SimNetwork as our engine, so the faults are injected the same way:
// the network drops, delays, partitions and answers ICMP; a crash kills the namespace, a reboot
// starts a fresh one with the same address, a process kill kills its application.
import { RealClock } from '../clock/real.js';
import { parseIPv4 } from '../util/ip.js';
import { NetnsHost, type AppEvent } from '../tun/netns-host.js';
import { tunUnavailable } from '../tun/bridge.js';
import { scenarioBytes, type ScenarioConn, type ScenarioHost } from './actors.js';
import { compareRecordings, type KernelComparison } from './compare.js';
import type { HostName, HostOutcome, Recording } from './recording.js';
import { kernelCase, prepareScenario, runScenario, type LiveWorld } from './scenarios.js';
import { ADDRESSES, type World } from './world.js';

export type { KernelComparison } from './compare.js';

/** Options of a kernel comparison. */
export interface KernelRunOptions {
  /** The host Linux plays (default: the scenario's, see `kernelCase`). */
  role?: HostName;
  /** Seeds our engine's ISNs and the network's randomness (default 1). */
  seed?: number;
  /** Random loss probability of the path. */
  loss?: number;
}

/** Real time from 0 at its first use (the scenario's first action); `stop()` drops every armed timer. */
class RunClock extends RealClock {
  private origin = -1;
  private frozen: number | undefined;

  override now(): number {
    if (this.frozen !== undefined) return this.frozen;
    const wall = super.now();
    if (this.origin < 0) this.origin = wall;
    return wall - this.origin;
  }

  /** Runs `fn` at one instant: what arrived together (a state and its segment) is recorded together. */
  atOneInstant(fn: () => void): void {
    this.frozen = this.now();
    try {
      fn();
    } finally {
      this.frozen = undefined;
    }
  }

  private held = 0;

  /** Counts what holds the process alive (our stacks' open sockets and servers), so `stop()` can let go. */
  override hold(on: boolean): void {
    this.held = Math.max(0, this.held + (on ? 1 : -1));
    super.hold(on);
  }

  /**
   * Ends the run: disarms every timer (the scenario's pending actions, packets in flight, our engine's
   * timers) and lets go of the process, which connections still open at the end would keep alive.
   */
  stop(): void {
    for (let t = this.heap.peek(); t; t = this.heap.peek()) t.disarm();
    while (this.held > 0) this.hold(false);
  }
}

/** One connection of the kernel host's application. */
class KernelConn implements ScenarioConn {
  received = 0;
  sent = 0;
  error: string | null = null;
  /** Set when the host crashed under this connection. */
  lost = false;
  /** Our port and the peer's, once known: the key of the kernel's socket states. */
  localPort = 0;
  remotePort = 0;
  /** The application stopped reading (the kernel host reads nothing until `start()`). */
  private paused = false;
  private readonly connectFns: (() => void)[] = [];
  private readonly dataFns: (() => void)[] = [];
  private readonly endFns: (() => void)[] = [];

  constructor(private readonly host: KernelHost, readonly h: number) {}

  write(data: string | Uint8Array | number): void {
    const bytes = scenarioBytes(data);
    this.sent += bytes.length;
    this.host.request({ op: 'write', h: this.h, hex: Buffer.from(bytes).toString('hex') });
  }

  end(): void { this.host.request({ op: 'end', h: this.h }); }
  close(): void { this.host.request({ op: 'close', h: this.h }); }
  pause(): void {
    this.paused = true;
    this.host.request({ op: 'pause', h: this.h });
  }

  resume(): void {
    this.paused = false;
    this.host.request({ op: 'resume', h: this.h });
  }

  /** Starts reading once the scenario's accept or connect handlers ran (unless one of them paused). */
  start(): void {
    if (!this.paused) this.host.request({ op: 'resume', h: this.h });
  }
  setKeepAlive(on: boolean): void { this.host.request({ op: 'keepalive', h: this.h, on }); }
  onConnect(fn: () => void): void { this.connectFns.push(fn); }
  onData(fn: () => void): void { this.dataFns.push(fn); }
  onEnd(fn: () => void): void { this.endFns.push(fn); }

  /** Applies one event of the application to this connection. */
  event(ev: AppEvent): void {
    switch (ev.ev) {
      case 'bound': this.localPort = ev.lport; break;
      case 'connect':
        for (const fn of this.connectFns.splice(0)) fn();
        this.start();
        break;
      case 'data':
        this.received += ev.n;
        for (const fn of this.dataFns) fn();
        break;
      case 'end': for (const fn of this.endFns.splice(0)) fn(); break;
      case 'error': this.error ??= ev.code; break;
    }
  }
}

/** A scenario host played by the Linux kernel: a LinkEndpoint on the world's network, and the host's sockets. */
class KernelHost implements ScenarioHost {
  readonly address: string;
  readonly addr: number;
  main: KernelConn | undefined;
  /** True while crashed or booting: packets to it are lost. */
  down = false;
  private proc: NetnsHost | undefined;
  private next: Promise<NetnsHost> | undefined;
  private queue: Parameters<NetnsHost['request']>[0][] = [];
  private readonly conns = new Map<number, KernelConn>();
  private readonly acceptFns: ((c: ScenarioConn) => void)[] = [];
  /** Last state of every socket of the namespace by `localPort:remotePort`. */
  private readonly states = new Map<string, string>();
  private readonly listening = new Set<number>();
  private nextHandle = 1;
  private stopped = false;

  constructor(private readonly world: World<RunClock>, readonly name: HostName, proc: NetnsHost, private readonly sysctls: KernelRunSettings) {
    this.address = ADDRESSES[name];
    this.addr = parseIPv4(this.address);
    world.net.attach(this);
    this.use(proc);
  }

  /** Starts the Linux host that plays `name` (before the run, so its start-up time is not in it). */
  static boot(name: HostName, s: KernelRunSettings): Promise<NetnsHost> {
    return NetnsHost.start({ cidr: `${ADDRESSES[name]}/24`, sysctls: s.sysctls });
  }

  /** Called by the network with a packet for the kernel. */
  receive(packet: Uint8Array): void {
    if (!this.down) this.proc?.send(packet);
  }

  request(r: Parameters<NetnsHost['request']>[0]): void {
    if (this.stopped) return;
    if (this.proc) this.proc.request(r);
    else this.queue.push(r);
  }

  listen(port: number): void {
    this.listening.add(port);
    this.request({ op: 'listen', h: this.nextHandle++, port, rcvbuf: this.sysctls.rcvbuf });
  }

  onAccept(fn: (c: ScenarioConn) => void): void {
    this.acceptFns.push(fn);
  }

  connect(peer: ScenarioHost, port: number, opts: { localPort?: number } = {}): ScenarioConn {
    const c = new KernelConn(this, this.nextHandle++);
    c.remotePort = port;
    this.conns.set(c.h, c);
    this.main ??= c;
    this.request({ op: 'connect', h: c.h, host: peer.address, port, src: opts.localPort, rcvbuf: this.sysctls.rcvbuf });
    return c;
  }

  crash(): void {
    this.world.note(`${this.name} host crashes (silently)`, this.name, 'crash');
    if (this.main) this.main.lost = true;
    this.down = true;
    this.drop();
    // The replacement boots while the host is down, so a reboot is instant.
    this.next = KernelHost.boot(this.name, this.sysctls);
    this.next.catch(() => {});
  }

  reboot(): void {
    this.world.note(`${this.name} host boots again, no memory of connections`, this.name, 'reboot');
    if (!this.down) this.crash();
    const next = this.next!;
    this.next = undefined;
    void next.then((proc) => {
      if (this.stopped) return void proc.close();
      this.use(proc);
      this.down = false;
      for (const r of this.queue.splice(0)) proc.request(r);
    }, (err: Error) => this.world.fail(err));
  }

  killProcess(): void {
    this.world.note(`${this.name} process killed: the kernel closes its sockets`, this.name);
    this.proc?.killApp();
  }

  outcome(): HostOutcome {
    const m = this.main;
    if (!m) return { state: !this.down && this.listening.size ? 'LISTEN' : 'CLOSED', error: null, sent: 0, received: 0 };
    const state = m.lost ? 'CLOSED' : (this.states.get(`${m.localPort}:${m.remotePort}`) ?? 'CLOSED');
    return { state, error: m.error, sent: m.sent, received: m.received };
  }

  /** Ends the run: late events are ignored from now on; resolves once the namespace is gone. */
  stop(): Promise<void> {
    this.stopped = true;
    return Promise.all([this.proc?.close(), this.next?.then((p) => p.close(), () => {})]).then(() => {});
  }

  private use(proc: NetnsHost): void {
    this.proc = proc;
    this.states.clear();
    this.listening.clear();
    proc.onPacket = (p) => { if (!this.down && !this.stopped) this.world.net.send(p, this); };
    proc.onState = (lport, rport, state) => this.onState(lport, rport, state);
    proc.onAppEvent = (ev) => this.onAppEvent(ev);
    proc.onExit = (why) => this.world.fail(new Error(why));
    proc.batch = (handle) => this.world.clock.atOneInstant(handle);
  }

  /** The old namespace dies with its sockets; their connections are forgotten. */
  private drop(): void {
    const old = this.proc;
    this.proc = undefined;
    this.queue = [];
    this.conns.clear();
    void old?.close();
  }

  private onState(lport: number, rport: number, state: string): void {
    if (rport === 0 || this.down || this.stopped) return; // listeners are no connections
    const key = `${lport}:${rport}`;
    const from = this.states.get(key) ?? (this.listening.has(lport) ? 'LISTEN' : 'CLOSED');
    if (from === state) return;
    this.world.transition(this.name, from, state);
    this.states.set(key, state);
  }

  private onAppEvent(ev: AppEvent): void {
    if (this.stopped || ev.ev === 'hello') return;
    if (ev.ev === 'accept') {
      const c = new KernelConn(this, ev.h);
      c.localPort = ev.lport;
      c.remotePort = ev.rport;
      this.conns.set(c.h, c);
      this.main ??= c;
      for (const fn of this.acceptFns) fn(c);
      c.start();
      return;
    }
    this.conns.get(ev.h)?.event(ev);
  }
}

/** How the kernel host is set up for one case. */
interface KernelRunSettings {
  sysctls: ReadonlyArray<readonly [string, string]>;
  /** SO_RCVBUF of its sockets (the scenario's receive buffer for that host), when set. */
  rcvbuf?: number;
}

/** Why `--kernel` cannot run here (one line), or undefined when it can. */
export async function kernelUnavailable(): Promise<string | undefined> {
  // The kernel host makes its own namespace (it needs CAP_SYS_ADMIN too, which root has).
  return (await tunUnavailable(['python3', 'ip'], 'run it as root (sudo): the kernel side gets a network namespace of its own'))?.message;
}

/** Runs scenario `name` on our engines and with Linux as one host; both runs use the kernel case's settings. */
export async function runKernelScenario(name: string, opts: KernelRunOptions = {}): Promise<KernelComparison> {
  const k = kernelCase(name);
  const role = opts.role ?? k.role;
  const base = { seed: opts.seed, loss: opts.loss, kernel: true };
  const ours = runScenario(name, base);
  const rcvbuf = k.recvBufferSize?.[role];
  const settings: KernelRunSettings = { sysctls: k.sysctls, rcvbuf };
  const proc = await KernelHost.boot(role, settings);
  const clock = new RunClock();
  let kernelHost: KernelHost | undefined;
  const hosts = { [role]: (world: World<RunClock>, h: HostName) => (kernelHost = new KernelHost(world, h, proc, settings)) };
  let kernel: Recording;
  try {
    const w = prepareScenario(name, base, { clock, hosts: hosts as LiveWorld<RunClock>['hosts'] });
    await w.runFor(k.durationMs);
    kernel = w.recording();
  } finally {
    const gone = kernelHost ? kernelHost.stop() : proc.close();
    clock.stop();
    await gone;
  }
  return { scenario: name, kernelRole: role, ours, kernel, differences: compareRecordings(ours, kernel) };
}
