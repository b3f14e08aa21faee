// Every scenario: what the world does to a connection between two real engines. No Node built-ins.
// Only the actions are written here (connect, write, crash, partition, …); what TCP does about them
// is whatever the engines do, recorded from the wire and from their state logs. Each scenario also
// says how it runs with the Linux kernel as one of the hosts (`scenario NAME --kernel`, kernel.ts).
import type { Clock } from '../clock/clock.js';
import type { EngineConfig } from '../engine/config.js';
import { interpretSysctl, type CommandEffect } from '../script/profile.js';
import type { ScenarioConn } from './actors.js';
import type { HostName, Recording } from './recording.js';
import { World, type WorldOptions } from './world.js';

/** Name and one-line description of a scenario (`wasm-tcp scenarios`). */
export interface ScenarioInfo {
  name: string;
  description: string;
}

/** How a scenario runs with the Linux kernel as one host, and the settings both runs of the comparison share. */
export interface KernelCase {
  /** The host Linux plays unless told otherwise: the one whose behaviour the case is about. */
  role: HostName;
  /**
   * net.ipv4 sysctls of the kernel's namespace that shorten its timers; our engines get the same
   * settings (through the script runner's sysctl table) in both runs of the comparison.
   */
  sysctls: ReadonlyArray<[string, string]>;
  /** Length of both runs in ms (Linux's 60 s TIME_WAIT cannot be shortened, so runs may end in it). */
  durationMs: number;
  /** One-way delay of the path in both runs, where the case needs more than 10 ms. */
  delayMs?: number;
  /** Receive buffer of a host where the scenario sets one (the kernel host's SO_RCVBUF). */
  recvBufferSize?: Partial<Record<HostName, number>>;
}

/** Times (ms) of a scenario's actions, by name. */
type Times = Record<string, number>;

/** One scenario: its description, world settings and the actions it takes. */
interface ScenarioDef extends ScenarioInfo {
  /** Loss used when the caller gives none. */
  defaultLoss?: number;
  /** Engine and network settings of this scenario. */
  world?: Omit<WorldOptions, 'scenario' | 'description' | 'seed' | 'loss' | 'hosts'>;
  /** Times of the actions `play` takes at fixed times. */
  times?: Times;
  /** The `--kernel` case: role, shortened timers, duration, and shorter `times` where the all-engine ones take minutes. */
  kernel: Omit<KernelCase, 'recvBufferSize'> & { times?: Times };
  /** Schedules the scenario's actions on a fresh world at t = 0. */
  play(w: World<Clock>, t: Times): void;
}

const PORT = 80;
const REQUEST = 'GET /index.html HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n';

/** Client connects to the server's port 80 at t = 0; the server accepts (and leaves the connection alone unless the scenario adds an onAccept). */
function connected(w: World<Clock>, onConnect?: (c: ScenarioConn) => void): ScenarioConn {
  w.server.listen(PORT);
  const c = w.client.connect(w.server, PORT);
  if (onConnect) c.onConnect(() => onConnect(c));
  return c;
}

/** `connected`, and once connected the client sends REQUEST, then `then` runs. */
function requested(w: World<Clock>, then?: (c: ScenarioConn) => void): ScenarioConn {
  return connected(w, (c) => {
    c.write(REQUEST);
    then?.(c);
  });
}

const DEFS: ScenarioDef[] = [
  {
    name: 'handshake',
    description: 'client connects: SYN, SYN-ACK, ACK (three-way handshake)',
    kernel: { role: 'client', sysctls: [], durationMs: 1000 },
    play(w) {
      connected(w);
    },
  },
  {
    name: 'close',
    description: 'after some data the client closes first, then the server (FIN, ACK, FIN, ACK, TIME_WAIT)',
    kernel: { role: 'client', sysctls: [], durationMs: 2000 },
    play(w) {
      requested(w, (c) => w.after(100, () => c.end()));
      w.server.onAccept((s) => {
        s.onData(() => { if (s.received === REQUEST.length) s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); });
        // The application notices end-of-stream, then closes its side a little later.
        s.onEnd(() => w.after(100, () => s.end()));
      });
    },
  },
  {
    name: 'simultaneous-open',
    description: 'both hosts connect to each other at the same instant (SYN crosses SYN)',
    // 100 ms one way: the SYNs must cross even when the kernel's connect() is a few ms late.
    kernel: { role: 'client', sysctls: [], durationMs: 1000, delayMs: 100 },
    play(w) {
      w.client.connect(w.server, 6000, { localPort: 5000 });
      w.server.connect(w.client, 5000, { localPort: 6000 });
    },
  },
  {
    name: 'simultaneous-close',
    description: 'both sides close at the same instant (FIN crosses FIN: CLOSING on both)',
    kernel: { role: 'client', sysctls: [], durationMs: 2000 },
    play(w) {
      const c = connected(w);
      w.server.onAccept((s) => {
        w.at(500, () => {
          c.end();
          s.end();
        });
      });
    },
  },
  {
    name: 'half-close',
    description: 'client shuts down its write side; the server keeps sending, then closes',
    kernel: { role: 'server', sysctls: [], durationMs: 2000 },
    play(w) {
      requested(w, (c) => c.end());
      w.server.onAccept((s) => {
        s.onEnd(() => {
          // The request is complete (the client's FIN); the answer still flows the other way.
          s.write(3000);
          w.after(200, () => s.write(3000));
          w.after(400, () => {
            s.write(1000);
            s.end();
          });
        });
      });
    },
  },
  {
    name: 'server-crash',
    description: 'the server host dies silently while the client has data in flight',
    // tcp_retries2 = 4: the client gives up after 4 retransmissions, 6–8 s after the write, not 15 min.
    kernel: { role: 'client', sysctls: [['net.ipv4.tcp_retries2', '4']], durationMs: 14000 },
    play(w) {
      connected(w);
      // The client writes; 5 ms later, with the segment half-way there, the server host dies.
      w.at(1000, () => w.client.main!.write(1000));
      w.at(1005, () => w.server.crash());
    },
  },
  {
    name: 'server-reboot',
    description: 'the server crashes and comes back with no memory of the connection',
    kernel: { role: 'server', sysctls: [], durationMs: 11000 },
    play(w) {
      connected(w);
      w.at(1000, () => w.server.crash());
      w.at(5000, () => {
        w.server.reboot();
        w.server.listen(PORT);
      });
      w.at(10000, () => w.client.main!.write(REQUEST));
    },
  },
  {
    name: 'network-outage',
    description: 'a router on the path fails and answers ICMP host unreachable; the client gives up',
    kernel: { role: 'client', sysctls: [['net.ipv4.tcp_retries2', '4']], durationMs: 15000 },
    play(w) {
      connected(w);
      w.at(1000, () => w.partition({ icmp: true }));
      w.at(2000, () => w.client.main!.write(REQUEST));
    },
  },
  {
    name: 'outage-recovery-idle',
    description: 'the path fails while the connection is idle, then heals: nothing is lost',
    times: { heal: 61000, request: 62000 },
    kernel: { role: 'client', sysctls: [], durationMs: 5000, times: { heal: 3000, request: 4000 } },
    play(w, t) {
      connected(w);
      w.server.onAccept((s) => s.onData(() => { if (s.received === REQUEST.length) s.write(2000); }));
      w.at(1000, () => w.partition());
      w.at(t.heal, () => w.heal());
      w.at(t.request, () => w.client.main!.write(REQUEST));
    },
  },
  {
    name: 'outage-recovery-timeout',
    description: 'during an outage the client sends and gives up; after it heals the server gets RST',
    // The client's retransmissions run out after about 15 minutes (tcp_retries2 = 15), 6–8 s with 4.
    times: { heal: 1_000_000, answer: 1_001_000 },
    kernel: { role: 'client', sysctls: [['net.ipv4.tcp_retries2', '4']], durationMs: 16000, times: { heal: 14000, answer: 15000 } },
    play(w, t) {
      connected(w);
      let server: ScenarioConn | undefined;
      w.server.onAccept((s) => { server = s; });
      w.at(1000, () => w.partition());
      w.at(2000, () => w.client.main!.write(REQUEST));
      w.at(t.heal, () => w.heal());
      w.at(t.answer, () => server?.write('HTTP/1.1 200 OK\r\n\r\n'));
    },
  },
  {
    name: 'server-process-killed',
    description: 'the server process is killed: its stack closes the socket with FIN; orderly close',
    kernel: { role: 'server', sysctls: [], durationMs: 2000 },
    play(w) {
      requested(w, (c) => c.onEnd(() => w.after(100, () => c.end())));
      w.at(1000, () => w.server.killProcess());
    },
  },
  {
    name: 'port-closed',
    description: 'client connects to a port with no listener: RST, connection refused',
    kernel: { role: 'server', sysctls: [], durationMs: 1000 },
    play(w) {
      w.client.connect(w.server, 81);
    },
  },
  {
    name: 'keepalive-dead-peer',
    description: 'keepalive on; the server host dies while the connection is idle',
    // Probes after 2 s idle, every second, 3 of them: the client gives up 5 s in, not after 2 h 11 min.
    kernel: {
      role: 'client',
      sysctls: [['net.ipv4.tcp_keepalive_time', '2'], ['net.ipv4.tcp_keepalive_intvl', '1'], ['net.ipv4.tcp_keepalive_probes', '3']],
      durationMs: 7000,
    },
    play(w) {
      connected(w, (c) => c.setKeepAlive(true));
      w.at(1000, () => w.server.crash());
    },
  },
  {
    name: 'connect-timeout',
    description: 'the server host is down: SYN retransmitted with doubling intervals, then ETIMEDOUT',
    // tcp_syn_retries = 2: SYNs at 0, 1 and 3 s, ETIMEDOUT at 7 s.
    kernel: { role: 'client', sysctls: [['net.ipv4.tcp_syn_retries', '2']], durationMs: 9000 },
    play(w) {
      w.server.crash();
      w.client.connect(w.server, PORT);
    },
  },
  {
    name: 'connect-unreachable',
    description: 'the path is down and the router answers ICMP host unreachable: connect fails at once',
    kernel: { role: 'client', sysctls: [], durationMs: 1000 },
    play(w) {
      w.server.listen(PORT);
      w.partition({ icmp: true });
      w.client.connect(w.server, PORT);
    },
  },
  {
    name: 'close-unread',
    description: 'the server closes with unread data in its buffer: RST instead of FIN, the client gets ECONNRESET',
    kernel: { role: 'server', sysctls: [], durationMs: 2000 },
    play(w) {
      requested(w);
      w.server.onAccept((s) => {
        s.pause();
        w.at(1000, () => s.close());
      });
    },
  },
  {
    name: 'syn-lost',
    description: 'the first two SYNs are lost; the client retransmits after 1 s, then 2 s more',
    kernel: { role: 'client', sysctls: [], durationMs: 4000 },
    play(w) {
      w.server.listen(PORT);
      w.partition();
      w.client.connect(w.server, PORT);
      w.at(2500, () => w.heal());
    },
  },
  {
    name: 'lossy-bulk',
    description: 'a 100 KB transfer over a lossy path: dup ACKs, fast retransmit, SACK',
    kernel: { role: 'client', sysctls: [], durationMs: 5000 },
    defaultLoss: 0.03,
    play(w) {
      connected(w, (c) => {
        c.write(100_000);
        c.end();
      });
      w.server.onAccept((s) => s.onEnd(() => s.end()));
    },
  },
  {
    name: 'zero-window',
    description: 'the server application stops reading: window 0, persist probes, then the window reopens',
    kernel: { role: 'client', sysctls: [], durationMs: 7000 },
    world: { server: { recvBufferSize: 8192 } },
    play(w) {
      connected(w, (c) => c.write(20000));
      w.server.onAccept((s) => {
        s.pause();
        w.at(6000, () => s.resume());
      });
    },
  },
];

/** Every scenario, in the order `wasm-tcp scenarios` lists them. */
export const SCENARIOS: readonly ScenarioInfo[] = DEFS.map((d) => ({ name: d.name, description: d.description }));

/** Options of one run. */
export interface RunScenarioOptions {
  /** Seeds ISNs and network randomness (default 1). */
  seed?: number;
  /** Random loss probability of the path; undefined uses the scenario's default (usually 0). */
  loss?: number;
  /**
   * The settings of the `--kernel` comparison: the kernel case's sysctls as engine config on both
   * hosts, its shorter action times, and its duration as the time limit.
   */
  kernel?: boolean;
}

function scenarioDef(name: string): ScenarioDef {
  const def = DEFS.find((d) => d.name === name);
  if (!def) throw new RangeError(`unknown scenario '${name}' (valid: ${DEFS.map((d) => d.name).join(', ')})`);
  return def;
}

/** The `--kernel` case of scenario `name`: the role Linux plays by default, its sysctls and the run's length. */
export function kernelCase(name: string): KernelCase {
  const def = scenarioDef(name);
  const { role, sysctls, durationMs, delayMs } = def.kernel;
  const k: KernelCase = { role, sysctls, durationMs };
  if (delayMs !== undefined) k.delayMs = delayMs;
  const c = def.world?.client?.recvBufferSize;
  const s = def.world?.server?.recvBufferSize;
  if (c !== undefined || s !== undefined) k.recvBufferSize = { client: c, server: s };
  return k;
}

/** Engine config equivalent to a kernel case's sysctls (one table: the script runner's). */
export function kernelCaseConfig(k: Pick<KernelCase, 'sysctls'>): Partial<EngineConfig> {
  const effect: CommandEffect = { config: {}, loadsLinuxProfile: false, notes: [], sysctls: [] };
  for (const [key, value] of k.sysctls) interpretSysctl(`${key}=${value}`, effect);
  if (effect.notes.length) throw new Error(`kernel case sysctls without an engine knob: ${effect.notes.join('; ')}`);
  return effect.config as Partial<EngineConfig>;
}

/** A world in real time: its clock and the host(s) that are not our engines (how the kernel run uses it). */
export interface LiveWorld<C extends Clock> {
  clock: C;
  hosts: WorldOptions['hosts'];
}

/**
 * Sets scenario `name` up at t = 0 without running it: call `world.step()` (step mode) or `world.run()`;
 * with `live`, on its clock with its hosts, times recorded to the millisecond.
 */
export function prepareScenario(name: string, opts?: RunScenarioOptions): World;
export function prepareScenario<C extends Clock>(name: string, opts: RunScenarioOptions, live: LiveWorld<C>): World<C>;
export function prepareScenario<C extends Clock>(name: string, opts: RunScenarioOptions = {}, live?: LiveWorld<C>): World<C> {
  const def = scenarioDef(name);
  const k = opts.kernel ? def.kernel : undefined;
  const config = k ? kernelCaseConfig(k) : {};
  const w = new World<C>({
    ...def.world,
    client: { ...def.world?.client, ...config },
    server: { ...def.world?.server, ...config },
    maxTimeMs: k ? k.durationMs : def.world?.maxTimeMs,
    delayMs: k?.delayMs ?? def.world?.delayMs,
    scenario: def.name,
    description: def.description,
    seed: opts.seed ?? 1,
    loss: opts.loss ?? def.defaultLoss ?? 0,
    hosts: live?.hosts,
    resolutionMs: live ? 1 : undefined,
    realTime: live !== undefined,
  }, live?.clock);
  def.play(w as World<Clock>, { ...def.times, ...k?.times });
  return w;
}

/** Runs the scenario `name` on two fresh engines and returns what happened. */
export function runScenario(name: string, opts: RunScenarioOptions = {}): Recording {
  return prepareScenario(name, opts).run();
}
