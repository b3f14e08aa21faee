// The `wasm-tcp` command line: one module per subcommand under src/cli/.
import pkg from '../package.json' with { type: 'json' };

type Command = { describe: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  tour: { describe: 'a short guided run of what wasm-tcp does', load: () => import('./cli/tour.js') },
  decode: { describe: 'decode a pcap/pcapng capture, tcpdump-style or --json', load: () => import('./cli/decode.js') },
  transfer: { describe: 'two stacks over SimNetwork: N bytes each way, then close', load: () => import('./cli/transfer.js') },
  bench: { describe: 'throughput benchmark: WASM stacks vs Node net on loopback', load: () => import('./cli/bench.js') },
  scenarios: { describe: 'list the failure scenarios', load: () => import('./cli/scenarios.js') },
  scenario: { describe: 'run one scenario: ladder diagram, JSON, pcap, HTML', load: () => import('./cli/scenario.js') },
  script: { describe: 'run packetdrill scripts against the engine', load: () => import('./cli/script.js') },
  tun: { describe: 'talk TCP to the Linux kernel through a TUN device', load: () => import('./cli/tun.js') },
  web: { describe: 'serve the browser demo page', load: () => import('./cli/web.js') },
  fuzz: { describe: 'structured fuzzing of the engine: mutated segments, self-check every step', load: () => import('./cli/fuzz.js') },
};

function usage(): string {
  const lines = ['usage: wasm-tcp <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(12)} ${c.describe}`);
  lines.push('', 'Run `wasm-tcp <command> --help` for the options of one command; `wasm-tcp --version` prints the version.');
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(pkg.version);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    console.error(`wasm-tcp: unknown command '${name}' (run 'wasm-tcp --help' for the list)`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`wasm-tcp: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.WASM_TCP_DEBUG) console.error(err);
    process.exitCode = 1;
  },
);
