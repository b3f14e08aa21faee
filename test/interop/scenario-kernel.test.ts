// `wasm-tcp scenario NAME --kernel`: every seed case of issue 16 with the Linux kernel's TCP as one
// host. A case fails where our engine and Linux differ in outcome (final state, error, who sends
// RST or FIN); the expected outcome of each case is checked too, so that both runs going wrong the
// same way cannot pass. Cases run four at a time (each takes 1–16 s of real time).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { renderLadder } from '../../src/scenario/ladder.js';
import type { HostName, Recording } from '../../src/scenario/recording.js';
import { runKernelScenario, type KernelComparison } from '../../src/scenario/kernel.js';
import { kernelCase } from '../../src/scenario/scenarios.js';
import { NetnsHost, type AppEvent } from '../../src/tun/netns-host.js';
import { CLI, cliForOthers, destroyAll, run } from './netns.js';
import { describeInterop } from './suite.js';

/** At most this many kernel runs at once: each is real time, and the machine is shared. */
const PARALLEL = 4;
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

type Outcome = Record<HostName, [state: string, error: string | null]>;

/** Each seed case of issue 16 (role: the host Linux plays), with the outcome RFC 9293 and docs/scenarios.md give for it. */
const SEEDS: { name: string; role?: HostName; outcome: Outcome; rst?: HostName; fin?: HostName[]; noConnection?: boolean }[] = [
  { name: 'handshake', role: 'client', outcome: { client: ['ESTABLISHED', null], server: ['ESTABLISHED', null] } },
  { name: 'handshake', role: 'server', outcome: { client: ['ESTABLISHED', null], server: ['ESTABLISHED', null] } },
  // Both runs stop after 2 s: the first to close is still in TIME_WAIT (Linux's lasts 60 s and has no knob).
  { name: 'close', role: 'client', outcome: { client: ['TIME_WAIT', null], server: ['CLOSED', null] }, fin: ['client', 'server'] },
  { name: 'close', role: 'server', outcome: { client: ['TIME_WAIT', null], server: ['CLOSED', null] }, fin: ['client', 'server'] },
  { name: 'server-crash', outcome: { client: ['CLOSED', 'ETIMEDOUT'], server: ['CLOSED', null] } },
  { name: 'server-reboot', outcome: { client: ['CLOSED', 'ECONNRESET'], server: ['CLOSED', null] }, rst: 'server' },
  { name: 'network-outage', outcome: { client: ['CLOSED', 'EHOSTUNREACH'], server: ['ESTABLISHED', null] } },
  { name: 'connect-unreachable', outcome: { client: ['CLOSED', 'EHOSTUNREACH'], server: ['LISTEN', null] } },
  { name: 'outage-recovery-idle', outcome: { client: ['ESTABLISHED', null], server: ['ESTABLISHED', null] } },
  { name: 'outage-recovery-timeout', outcome: { client: ['CLOSED', 'ETIMEDOUT'], server: ['CLOSED', 'ECONNRESET'] }, rst: 'client' },
  { name: 'server-process-killed', outcome: { client: ['CLOSED', null], server: ['TIME_WAIT', null] }, fin: ['server', 'client'] },
  // No socket: the kernel answers the SYN itself, so it has no state to report.
  { name: 'port-closed', outcome: { client: ['CLOSED', 'ECONNREFUSED'], server: ['CLOSED', null] }, rst: 'server', noConnection: true },
];

/** Both ladders and the differences, for a failure message. */
function explain(c: KernelComparison): string {
  return [renderLadder(c.ours), renderLadder(c.kernel), ...c.differences.map((d) => `${d.outcome ? '✗' : '·'} ${d.text}`)].join('\n');
}

const outcomeOf = (r: Recording): Outcome => ({
  client: [r.outcome.client.state, r.outcome.client.error],
  server: [r.outcome.server.state, r.outcome.server.error],
});
const senders = (r: Recording, flag: string) => [...new Set(r.segments.filter((s) => s.flags.includes(flag)).map((s) => s.from))];

describeInterop('scenario --kernel: the seed cases against Linux', () => {
  for (const seed of SEEDS) {
    const role = seed.role ?? kernelCase(seed.name).role;
    // One retry: a run is real time on a shared machine, and a timer late by seconds changes the story.
    it.concurrent(`${seed.name}, Linux as the ${role}`, { timeout: 180_000, retry: 1 }, async () => {
      const c = await limited(() => runKernelScenario(seed.name, { role }));
      expect(c.kernelRole).toBe(role);
      expect(c.kernel.realTime).toBe(true);
      expect(c.differences.filter((d) => d.outcome).map((d) => d.text), explain(c)).toEqual([]);
      expect(outcomeOf(c.kernel), explain(c)).toEqual(seed.outcome);
      expect(outcomeOf(c.ours)).toEqual(seed.outcome);
      expect(senders(c.kernel, 'R'), explain(c)).toEqual(seed.rst ? [seed.rst] : []);
      if (seed.fin) expect(senders(c.kernel, 'F').sort(), explain(c)).toEqual([...seed.fin].sort());
      // The kernel's own states (from sock_diag) made it into the recording.
      expect(c.kernel.transitions.some((t) => t.host === role), explain(c)).toBe(!seed.noConnection);
    });
  }

  // Found with --kernel, kept as a test so that a change on either side shows: Linux sends RST when
  // keepalive gives up (tcp_keepalive_timer → tcp_send_active_reset); our engine does only with
  // keepaliveRst, which its default config leaves off and its Linux profile turns on.
  it.concurrent('keepalive-dead-peer: Linux resets the dead connection, our default engine does not', { timeout: 180_000, retry: 1 }, async () => {
    const c = await limited(() => runKernelScenario('keepalive-dead-peer'));
    expect(outcomeOf(c.kernel), explain(c)).toEqual({ client: ['CLOSED', 'ETIMEDOUT'], server: ['CLOSED', null] });
    expect(c.differences.filter((d) => d.outcome).map((d) => [d.what, d.host, d.ours, d.kernel]), explain(c)).toEqual([['rst', 'client', false, true]]);
    expect(c.kernel.segments.filter((s) => s.note === 'keepalive').length).toBe(3);
  });
});

describeInterop('scenario --kernel: the Linux host', () => {
  const hosts: NetnsHost[] = [];
  afterAll(async () => { await Promise.all(hosts.map((h) => h.close())); });

  it('reports the states ss shows, relays the SYN, and dies with its application socket closed', { timeout: 60_000 }, async () => {
    const h = await NetnsHost.start({ cidr: '10.0.0.1/24', sysctls: [['net.ipv4.tcp_syn_retries', '1']] });
    hosts.push(h);
    const states: string[] = [];
    const packets: Uint8Array[] = [];
    const events: AppEvent[] = [];
    h.onState = (l, r, s) => states.push(`${l}>${r} ${s}`);
    h.onPacket = (p) => packets.push(p.slice());
    h.onAppEvent = (ev) => events.push(ev);
    h.request({ op: 'connect', h: 1, host: '10.0.0.2', port: 80 });
    await until(() => packets.length > 0 && events.some((e) => e.ev === 'bound'));
    const port = (events.find((e) => e.ev === 'bound') as { lport: number }).lport;
    expect(states).toContain(`${port}>80 SYN_SENT`);
    const syn = packets[0];
    expect([syn[9], syn[33] & 0x3f]).toEqual([6, 0x02]); // TCP, SYN only
    // The namespace's sysctl took effect, and ss in that namespace agrees with sock_diag.
    const ns = (args: string[]) => execFileSync('nsenter', [`--net=/proc/${h.pid}/ns/net`, ...args], { encoding: 'utf8' });
    expect(ns(['cat', '/proc/sys/net/ipv4/tcp_syn_retries']).trim()).toBe('1');
    expect(ns(['ss', '-tanH'])).toMatch(new RegExp(`^SYN-SENT\\s+0\\s+1\\s+10\\.0\\.0\\.1:${port}\\s+10\\.0\\.0\\.2:80\\s*$`, 'm'));
    // Nobody answers: with one SYN retry the connect fails with ETIMEDOUT and the socket is gone.
    await until(() => events.some((e) => e.ev === 'error'), 15_000);
    expect(events.find((e) => e.ev === 'error')).toEqual({ ev: 'error', h: 1, code: 'ETIMEDOUT' });
    // The application's error and the state reader's next lookup race: the CLOSED state follows within a poll.
    await until(() => states.at(-1) === `${port}>80 CLOSED`, 5000);
    expect(states.filter((s) => s.startsWith(`${port}>80 `))).toEqual([`${port}>80 SYN_SENT`, `${port}>80 CLOSED`]);
    const pid = h.pid;
    await h.close();
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});

describeInterop('wasm-tcp scenario --kernel (CLI)', () => {
  afterAll(destroyAll);

  it('--json has exactly {scenario, kernelRole, ours, kernel, differences}; --html shows both ladders; --pcap holds the kernel run', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-tcp-kscen-'));
    try {
      const html = join(dir, 'p.html');
      const pcap = join(dir, 'p.pcap');
      const r = await run(process.execPath, [CLI, 'scenario', 'port-closed', '--kernel', '--json', '--html', html, '--pcap', pcap], 60_000);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(Object.keys(j)).toEqual(['scenario', 'kernelRole', 'ours', 'kernel', 'differences']);
      expect([j.scenario, j.kernelRole]).toEqual(['port-closed', 'server']);
      for (const rec of [j.ours, j.kernel]) expect(Object.keys(rec)).toEqual(['scenario', 'seed', 'segments', 'transitions', 'outcome']);
      expect(j.kernel.segments.map((s: { from: string; flags: string }) => `${s.from} ${s.flags}`)).toEqual(['client S', 'server R.']);
      expect(j.differences.filter((d: { outcome: boolean }) => d.outcome)).toEqual([]);
      const page = readFileSync(html, 'utf8');
      expect(page.match(/<svg /g)).toHaveLength(2);
      expect(page).toContain('as the server');
      const bytes = readFileSync(pcap);
      expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(r.stderr).toMatch(/^wrote .*p\.pcap \(2 packets, the run with Linux\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints both ladders and the differences', { timeout: 60_000 }, async () => {
    const r = await run(process.execPath, [CLI, 'scenario', 'handshake', '--kernel', 'server'], 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('our engines on both hosts, virtual time');
    expect(r.stdout).toMatch(/^Linux \S+ as the server, our engine as the client, real time$/m);
    expect(r.stdout.match(/^client {2}ESTABLISHED, no error/gm)).toHaveLength(2);
    expect(r.stdout).toContain('same outcome: final states, errors, and who sends RST and FIN');
  });

  it('without root or /dev/net/tun: one line, exit 1', { timeout: 30_000 }, async () => {
    const noRoot = await run('setpriv', ['--inh-caps=-all', '--bounding-set=-all', '--reuid=65534', '--regid=65534', '--clear-groups',
      'sh', '-c', 'cd / && exec "$@"', 'sh', process.execPath, cliForOthers(), 'scenario', 'close', '--kernel']);
    expect(noRoot.code).toBe(1);
    expect(noRoot.stdout).toBe('');
    expect(noRoot.stderr).toMatch(/^wasm-tcp scenario: --kernel: creating a TUN device needs root \(CAP_NET_ADMIN\)[^\n]*\n$/);
    const noTun = await run('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /dev/net && exec "$@"', 'sh', process.execPath, CLI, 'scenario', 'close', '--kernel']);
    expect(noTun.code).toBe(1);
    expect(noTun.stderr).toMatch(/^wasm-tcp scenario: --kernel: \/dev\/net\/tun is missing or not accessible[^\n]*\n$/);
  });
});

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
