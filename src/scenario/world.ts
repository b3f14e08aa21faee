// The world a scenario plays in: two hosts (client 10.0.0.1, server 10.0.0.2) on a SimNetwork, by
// default two Stacks on a VirtualClock, with every packet and state change going to a Recorder.
// No Node built-ins.
import type { Clock } from '../clock/clock.js';
import { VirtualClock } from '../clock/virtual.js';
import type { EngineConfig } from '../engine/engine.js';
import { SimNetwork } from '../link/sim.js';
import type { Server } from '../server.js';
import type { Socket } from '../socket.js';
import { Stack } from '../stack.js';
import { parseIPv4 } from '../util/ip.js';
import { scenarioBytes, type ScenarioConn, type ScenarioHost } from './actors.js';
import { Recorder } from './recorder.js';
import type { HostName, HostOutcome, Recording } from './recording.js';

/** Settings of one world. */
export interface WorldOptions {
  scenario: string;
  description?: string;
  seed: number;
  /** Random loss probability of the path (both ways). */
  loss?: number;
  /** One-way delay of the path in ms (default 10). */
  delayMs?: number;
  /** Engine config overrides of each host. */
  client?: Partial<EngineConfig>;
  server?: Partial<EngineConfig>;
  /** The run stops at this virtual time at the latest (default 4 h). */
  maxTimeMs?: number;
  /** Resolution of the recorded times in ms (default 0.001; real-time runs record whole ms). */
  resolutionMs?: number;
  /** The clock given to the constructor is a real one. */
  realTime?: boolean;
  /** Plays a host with something other than one of our engines (the kernel); called once, in the constructor. */
  hosts?: Partial<Record<HostName, (w: World<Clock>, name: HostName) => ScenarioHost>>;
}

/** Addresses of the hosts and of the router that answers ICMP. */
export const ADDRESSES = { client: '10.0.0.1', server: '10.0.0.2', router: '10.0.0.254' } as const;

/** One connection of one of our engines, as the scenario's application sees it. */
export class Conn implements ScenarioConn {
  readonly socket: Socket;
  /** Engine handle of the connection while it lives (kept after the socket releases it). */
  readonly handle: number;
  /** Set when the host crashed under this connection. */
  lost = false;
  /** Node error code the application saw, or null. */
  error: string | null = null;
  private readonly dataFns: (() => void)[] = [];
  private paused = false;

  /** Wraps a socket: reads everything that arrives (unless paused) and keeps its error. */
  constructor(socket: Socket) {
    this.socket = socket;
    this.handle = socket.conn;
    socket.on('error', (err: Error & { code?: string }) => { this.error = err.code ?? err.message; });
    socket.on('data', () => { for (const fn of this.dataFns) fn(); });
  }

  /** Application bytes received so far. */
  get received(): number {
    return this.socket.bytesRead;
  }

  /** Application bytes written so far. */
  get sent(): number {
    return this.socket.bytesWritten;
  }

  /** Writes text, bytes, or `n` bytes of filler text. */
  write(data: string | Uint8Array | number): void {
    this.socket.write(typeof data === 'number' ? scenarioBytes(data) : data);
  }

  /** Half-close: FIN after everything written. */
  end(): void {
    this.socket.end();
  }

  /** Closes both directions as close(2) does: FIN, or RST when received data is still unread (RFC 2525 §2.17). */
  close(): void {
    this.socket.destroy();
  }

  /** Stops reading: the receive window fills and closes. */
  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  /** Reads again. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  /** Turns keepalive on with the engine's default timers. */
  setKeepAlive(on: boolean): void {
    this.socket.setKeepAlive(on);
  }

  /** Calls `fn` once the handshake completes. */
  onConnect(fn: () => void): void {
    this.socket.once('connect', fn);
  }

  /** Calls `fn` after every chunk of data read. */
  onData(fn: () => void): void {
    this.dataFns.push(fn);
  }

  /** Calls `fn` at end of stream (the peer's FIN, after all data). */
  onEnd(fn: () => void): void {
    this.socket.once('end', fn);
  }
}

/** One host played by one of our engines: its stack, its listening servers and the connection whose outcome is reported. */
export class Host implements ScenarioHost {
  readonly name: HostName;
  readonly stack: Stack;
  readonly address: string;
  /** The connection the outcome line reports (the first one opened or accepted). */
  main: Conn | undefined;
  private readonly world: World<Clock>;
  private readonly servers: Server[] = [];
  private readonly acceptFns: ((c: Conn) => void)[] = [];
  /** Last state of every engine connection handle, from the stack's transitions. */
  private readonly states = new Map<number, string>();

  /** Use `World`; hosts are made by it. */
  constructor(world: World<Clock>, name: HostName, stack: Stack) {
    this.world = world;
    this.name = name;
    this.stack = stack;
    this.address = stack.address;
    stack.on('transition', (tr: { conn: number; from: string; to: string }) => {
      this.states.set(tr.conn, tr.to);
      world.transition(name, tr.from, tr.to);
    });
  }

  /** Listens on `port`; accepted connections go to `onAccept` handlers. */
  listen(port: number): void {
    const server = this.stack.listen(port, { allowHalfOpen: true }, (s: Socket) => {
      const c = new Conn(s);
      this.main ??= c;
      for (const fn of this.acceptFns) fn(c);
    });
    server.on('error', () => {});
    this.servers.push(server);
  }

  /** Calls `fn` with every accepted connection. */
  onAccept(fn: (c: Conn) => void): void {
    this.acceptFns.push(fn);
  }

  /** Connects to `peer:port`, optionally from a fixed local port. */
  connect(peer: ScenarioHost, port: number, opts: { localPort?: number } = {}): Conn {
    const s = this.stack.connect({ host: peer.address, port, localPort: opts.localPort, allowHalfOpen: true });
    const c = new Conn(s);
    this.main ??= c;
    return c;
  }

  /** The host dies silently: no FIN, no RST, every connection forgotten. */
  crash(): void {
    this.world.note(`${this.name} host crashes (silently)`, this.name, 'crash');
    if (this.main) this.main.lost = true;
    this.states.clear();
    this.stack.crash();
  }

  /** The host boots again with a fresh engine that remembers nothing. */
  reboot(): void {
    this.world.note(`${this.name} host boots again, no memory of connections`, this.name, 'reboot');
    this.stack.reboot();
  }

  /** The application process is killed: the stack closes its sockets (as close(2)) and listeners. */
  killProcess(): void {
    this.world.note(`${this.name} process killed: the stack closes its sockets`, this.name);
    this.stack.close();
  }

  /** Final state and error of the main connection (LISTEN or CLOSED when there is none). */
  outcome(): HostOutcome {
    if (!this.main) {
      const listening = !this.stack.down && this.servers.some((s) => s.listening);
      return { state: listening ? 'LISTEN' : 'CLOSED', error: null, sent: 0, received: 0 };
    }
    const state = this.main.lost ? 'CLOSED' : (this.states.get(this.main.handle) ?? 'CLOSED');
    return { state, error: this.main.error, sent: this.main.sent, received: this.main.received };
  }
}

/** Two hosts, a network and a clock (virtual unless given), recording everything; `run()` plays it out. */
export class World<C extends Clock = VirtualClock> {
  readonly clock: C;
  readonly net: SimNetwork;
  readonly client: ScenarioHost;
  readonly server: ScenarioHost;
  private readonly recorder: Recorder;
  private readonly maxTimeMs: number;
  private failure: Error | undefined;
  private onFailure: ((err: Error) => void) | undefined;

  /** Builds the world at time 0; nothing happens until actions are scheduled and `run()` is called. */
  constructor(opts: WorldOptions, clock?: C) {
    this.maxTimeMs = opts.maxTimeMs ?? 4 * 3600_000;
    this.clock = clock ?? (new VirtualClock() as Clock as C);
    this.recorder = new Recorder({
      scenario: opts.scenario, seed: opts.seed, description: opts.description, loss: opts.loss,
      client: parseIPv4(ADDRESSES.client), server: parseIPv4(ADDRESSES.server), resolutionMs: opts.resolutionMs, realTime: opts.realTime,
    });
    this.net = new SimNetwork({ clock: this.clock, seed: mix(opts.seed, 3), router: ADDRESSES.router, delay: opts.delayMs ?? 10, loss: opts.loss ?? 0 });
    const host = (name: HostName, k: number, config?: Partial<EngineConfig>): ScenarioHost => {
      const other = opts.hosts?.[name];
      if (other) return other(this as World<Clock>, name);
      return new Host(this as World<Clock>, name, new Stack({ address: ADDRESSES[name], clock: this.clock, link: this.net, seed: mix(opts.seed, k), config, name, recordTransitions: false }));
    };
    this.client = host('client', 1, opts.client);
    this.server = host('server', 2, opts.server);
    this.net.tap((ev) => this.recorder.tap(ev));
  }

  /** Runs `fn` at virtual time `ms`. */
  at(ms: number, fn: () => void): void {
    this.clock.schedule(ms, fn);
  }

  /** Runs `fn` `ms` after now. */
  after(ms: number, fn: () => void): void {
    this.clock.schedule(this.clock.now() + ms, fn);
  }

  /** Records a state change of one of `host`'s connections at the current time. */
  transition(host: HostName, from: string, to: string): void {
    this.recorder.transition(this.clock.now(), host, from, to);
  }

  /** Adds a note to the recording at the current time. */
  note(text: string, host?: HostName, kind?: 'crash' | 'reboot'): void {
    this.recorder.note(this.clock.now(), text, host, kind);
  }

  /** Breaks the path between the hosts: packets vanish, or the router answers ICMP host unreachable. */
  partition(opts: { icmp?: boolean } = {}): void {
    this.note(opts.icmp ? 'the path fails: the router answers ICMP host unreachable' : 'the path fails: packets are dropped');
    this.net.partition(ADDRESSES.client, ADDRESSES.server, opts);
  }

  /** Repairs the path. */
  heal(): void {
    this.note('the path is repaired');
    this.net.heal(ADDRESSES.client, ADDRESSES.server);
  }

  /** Runs the clock until nothing is left to do (or the time limit) and returns the recording. */
  run(): Recording {
    this.virtualClock().runUntil(() => false, { timeout: this.maxTimeMs });
    return this.recording();
  }

  /** Advances to the next event (step mode); false once nothing is left or the time limit is reached. */
  step(): boolean {
    const clock = this.virtualClock();
    if (clock.nextDeadline() > this.maxTimeMs) return false;
    return clock.step();
  }

  /** Real-clock runs: resolves once `ms` of clock time have passed, rejects at once when `fail()` is called. */
  runFor(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const timer = this.clock.schedule(ms, () => {
        this.onFailure = undefined;
        resolve();
      });
      this.onFailure = (err) => {
        timer.disarm();
        reject(err);
      };
    });
  }

  /** Ends a real-clock run with an error (a host that cannot go on). */
  fail(err: Error): void {
    this.failure ??= err;
    this.onFailure?.(err);
    this.onFailure = undefined;
  }

  private virtualClock(): VirtualClock {
    if (!(this.clock instanceof VirtualClock)) throw new Error('World: run() and step() need the virtual clock');
    return this.clock;
  }

  /** The recording so far, outcome as of now (callable at any time, e.g. between steps). */
  recording(): Recording {
    return this.recorder.finish({ client: this.client.outcome(), server: this.server.outcome() }, this.clock.now());
  }
}

/** Derives independent seeds for the hosts and the network from the run's seed. */
function mix(seed: number, k: number): number {
  let h = Math.imul((seed >>> 0) ^ Math.imul(k, 0x9e3779b9), 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return Math.imul(h, 0xc2b2ae35) >>> 0;
}
