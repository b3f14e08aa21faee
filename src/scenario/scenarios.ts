// Every scenario: what the world does to a connection between two real engines. No Node built-ins.
// Only the actions are written here (connect, write, crash, partition, …); what TCP does about them
// is whatever the engines do, recorded from the wire and from their state logs.
import { World, type Conn, type WorldOptions } from './world.js';
import type { Recording } from './recording.js';

/** Name and one-line description of a scenario (`wasm-tcp scenarios`). */
export interface ScenarioInfo {
  name: string;
  description: string;
}

/** One scenario: its description, world settings and the actions it takes. */
interface ScenarioDef extends ScenarioInfo {
  /** Loss used when the caller gives none. */
  defaultLoss?: number;
  /** Engine and network settings of this scenario. */
  world?: Omit<WorldOptions, 'scenario' | 'description' | 'seed' | 'loss'>;
  /** Schedules the scenario's actions on a fresh world at t = 0. */
  play(w: World): void;
}

const PORT = 80;
const REQUEST = 'GET /index.html HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n';

/** Client connects to the server's port 80 at t = 0; the server accepts. */
function connected(w: World, onConnect?: (c: Conn) => void): Conn {
  w.server.listen(PORT);
  const c = w.client.connect(w.server, PORT);
  if (onConnect) c.onConnect(() => onConnect(c));
  return c;
}

const DEFS: ScenarioDef[] = [
  {
    name: 'handshake',
    description: 'client connects: SYN, SYN-ACK, ACK (three-way handshake)',
    play(w) {
      connected(w);
    },
  },
  {
    name: 'close',
    description: 'after some data the client closes first, then the server (FIN, ACK, FIN, ACK, TIME_WAIT)',
    play(w) {
      connected(w, (c) => {
        c.write(REQUEST);
        w.after(100, () => c.end());
      });
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
    play(w) {
      w.client.connect(w.server, 6000, { localPort: 5000 });
      w.server.connect(w.client, 5000, { localPort: 6000 });
    },
  },
  {
    name: 'simultaneous-close',
    description: 'both sides close at the same instant (FIN crosses FIN: CLOSING on both)',
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
    play(w) {
      connected(w, (c) => {
        c.write(REQUEST);
        c.end();
      });
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
    play(w) {
      connected(w);
      w.server.onAccept(() => {});
      // The client writes; 5 ms later, with the segment half-way there, the server host dies.
      w.at(1000, () => w.client.main!.write(1000));
      w.at(1005, () => w.server.crash());
    },
  },
  {
    name: 'server-reboot',
    description: 'the server crashes and comes back with no memory of the connection',
    play(w) {
      connected(w);
      w.server.onAccept(() => {});
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
    play(w) {
      connected(w);
      w.server.onAccept(() => {});
      w.at(1000, () => w.partition({ icmp: true }));
      w.at(2000, () => w.client.main!.write(REQUEST));
    },
  },
  {
    name: 'outage-recovery-idle',
    description: 'the path fails while the connection is idle, then heals: nothing is lost',
    play(w) {
      connected(w);
      w.server.onAccept((s) => s.onData(() => { if (s.received === REQUEST.length) s.write(2000); }));
      w.at(1000, () => w.partition());
      w.at(61000, () => w.heal());
      w.at(62000, () => w.client.main!.write(REQUEST));
    },
  },
  {
    name: 'outage-recovery-timeout',
    description: 'during an outage the client sends and gives up; after it heals the server gets RST',
    play(w) {
      connected(w);
      let server: Conn | undefined;
      w.server.onAccept((s) => { server = s; });
      w.at(1000, () => w.partition());
      w.at(2000, () => w.client.main!.write(REQUEST));
      // The client's retransmissions run out after about 15 minutes (tcp_retries2 = 15).
      w.at(1_000_000, () => w.heal());
      w.at(1_001_000, () => server?.write('HTTP/1.1 200 OK\r\n\r\n'));
    },
  },
  {
    name: 'server-process-killed',
    description: 'the server process is killed: its stack closes the socket with FIN; orderly close',
    play(w) {
      connected(w, (c) => {
        c.write(REQUEST);
        c.onEnd(() => w.after(100, () => c.end()));
      });
      w.server.onAccept(() => {});
      w.at(1000, () => w.server.killProcess());
    },
  },
  {
    name: 'port-closed',
    description: 'client connects to a port with no listener: RST, connection refused',
    play(w) {
      w.client.connect(w.server, 81);
    },
  },
  {
    name: 'keepalive-dead-peer',
    description: 'keepalive on; the server host dies while the connection is idle',
    play(w) {
      connected(w, (c) => c.setKeepAlive(true));
      w.server.onAccept(() => {});
      w.at(1000, () => w.server.crash());
    },
  },
  {
    name: 'connect-timeout',
    description: 'the server host is down: SYN retransmitted with doubling intervals, then ETIMEDOUT',
    play(w) {
      w.server.crash();
      w.client.connect(w.server, PORT);
    },
  },
  {
    name: 'connect-unreachable',
    description: 'the path is down and the router answers ICMP host unreachable: connect fails at once',
    play(w) {
      w.server.listen(PORT);
      w.partition({ icmp: true });
      w.client.connect(w.server, PORT);
    },
  },
  {
    name: 'close-unread',
    description: 'the server closes with unread data in its buffer: RST instead of FIN, the client gets ECONNRESET',
    play(w) {
      connected(w, (c) => c.write(REQUEST));
      w.server.onAccept((s) => {
        s.pause();
        w.at(1000, () => s.close());
      });
    },
  },
  {
    name: 'syn-lost',
    description: 'the first two SYNs are lost; the client retransmits after 1 s, then 2 s more',
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
}

/** Sets scenario `name` up at t = 0 without running it: call `world.step()` (step mode) or `world.run()`. */
export function prepareScenario(name: string, opts: RunScenarioOptions = {}): World {
  const def = DEFS.find((d) => d.name === name);
  if (!def) throw new RangeError(`unknown scenario '${name}' (valid: ${DEFS.map((d) => d.name).join(', ')})`);
  const w = new World({
    ...def.world,
    scenario: def.name,
    description: def.description,
    seed: opts.seed ?? 1,
    loss: opts.loss ?? def.defaultLoss ?? 0,
  });
  def.play(w);
  return w;
}

/** Runs the scenario `name` on two fresh engines and returns what happened. */
export function runScenario(name: string, opts: RunScenarioOptions = {}): Recording {
  return prepareScenario(name, opts).run();
}
