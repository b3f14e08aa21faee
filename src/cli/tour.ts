// `wasm-tcp tour`: what `npm start` runs: every scenario in one line each, then where to look next.
import { parseArgs } from 'node:util';
import { formatDuration } from '../scenario/recording.js';
import type { HostName, Recording } from '../scenario/recording.js';
import { runScenario, SCENARIOS } from '../scenario/scenarios.js';
import { DEFAULT_PORT } from './web.js';

const HELP = `usage: wasm-tcp tour

Runs every scenario on two WASM TCP engines over a simulated network (virtual time) and prints one
line per scenario, then the commands to look at one in detail.`;

/** Runs the tour; returns the exit code (1 when a scenario failed to run). */
export async function run(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
  } catch (err) {
    console.error(`wasm-tcp tour: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const tty = !!process.stdout.isTTY && !process.env.NO_COLOR;
  const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
  console.log(bold('wasm-tcp: a TCP/IP stack whose hot path is WebAssembly'));
  console.log('');
  console.log('Every scenario, run now on two real engines (client 10.0.0.1, server 10.0.0.2) over a simulated');
  console.log('network on a virtual clock; the outcome is what the engines did, not a script:');
  console.log('');
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  const started = performance.now();
  let failures = 0;
  for (const s of SCENARIOS) {
    let line: string;
    try {
      const r = runScenario(s.name);
      line = `${s.name.padEnd(width)}  ${summary(r).padEnd(62)} ${dim(formatDuration(r.duration ?? 0).padStart(12))}`;
    } catch (err) {
      failures++;
      line = `${s.name.padEnd(width)}  failed to run: ${(err as Error).message}`;
    }
    console.log(`  ${line}`);
  }
  const wall = performance.now() - started;
  console.log(dim(`  (${SCENARIOS.length} scenarios, right column = virtual time, ${Math.round(wall)} ms of real time)`));
  console.log('');
  console.log(bold('Look at one in detail:'));
  const cmd = (c: string, what: string) => console.log(`  ${c.padEnd(52)} ${dim(what)}`);
  cmd('wasm-tcp scenario close', 'ladder diagram: time, states, every segment');
  cmd('wasm-tcp scenario server-crash --json', 'the same recording as one JSON object');
  cmd('wasm-tcp scenario close --pcap close.pcap', 'every packet, for Wireshark / tshark');
  cmd('wasm-tcp scenario network-outage --html outage.html', 'a self-contained page with an SVG ladder');
  cmd('wasm-tcp scenario lossy-bulk --loss 0.1 --seed 7', 'another seed, more loss');
  cmd('wasm-tcp scenarios', 'the list with one-line descriptions');
  console.log('');
  console.log(bold('Other commands:'));
  cmd('wasm-tcp decode FILE.pcap', 'decode a capture, tcpdump-style or --json');
  cmd('wasm-tcp transfer --bytes N', 'two stacks over SimNetwork, N bytes each way');
  cmd('wasm-tcp bench --quick', 'WASM stacks vs Node net on kernel loopback');
  cmd('wasm-tcp script FILE.pkt', 'packetdrill scripts against the engine');
  cmd('wasm-tcp tun --help', 'talk TCP to the Linux kernel through a TUN device');
  cmd('wasm-tcp web', `the browser demo page, then open http://127.0.0.1:${DEFAULT_PORT}/`);
  return failures ? 1 : 0;
}

/** `client CLOSED ETIMEDOUT · server ESTABLISHED` */
function summary(r: Recording): string {
  const host = (h: HostName) => `${h} ${r.outcome[h].state}${r.outcome[h].error ? ` ${r.outcome[h].error}` : ''}`;
  return `${host('client')} · ${host('server')}`;
}
