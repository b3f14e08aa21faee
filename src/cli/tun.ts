// `wasm-tcp tun`: talk TCP to the Linux kernel through a TUN device (see docs/tun.md).
import { access, constants, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatIPv4, inSubnet, macProblem, parseCidr, parseIPv4 } from '../tun/addr.js';
import { formatMac, parseMac } from '../util/mac.js';
import { TAP_MAX_MTU } from '../iface/config.js';
import { TunError } from '../tun/bridge.js';
import { parseGetUrl } from '../tun/modes/get.js';
import { runTun, type ModeSpec } from '../tun/run.js';
import { argsErrorMessage, negativeValues } from './args.js';


const USAGE = `usage: wasm-tcp tun [options] <mode> [mode arguments]

Creates a TUN device (or with --tap a TAP device; root needed), gives the kernel side --kernel-addr
and runs our TCP stack at --addr behind it. Prints "ready <dev> <addr>" once packets flow;
SIGINT/SIGTERM close connections and remove the device. Run it inside a network namespace:
  ip netns add wt && ip -n wt link set lo up && ip netns exec wt wasm-tcp tun echo --port 7

modes:
  echo --port P                 listen, echo everything back
  discard --port P              listen, count bytes, print sha256 when each connection ends
  serve FILE --port P           send FILE to each connection, then close
  get URL [--out FILE|-]        HTTP/1.1 GET (http://IPv4[:port]/path); print status, bytes, sha256
  send HOST:PORT --bytes N      connect, send N pseudo-random bytes (--seed S), close, print sha256
  dump [--count N] [--quiet]    no TCP: print the packets the kernel sends (bridge check); --quiet
                                counts them and prints one summary line at the end

options:
  --tap                         a TAP device: Ethernet frames, our stack answers ARP and ping;
                                --addr must lie inside --kernel-addr's subnet (the kernel is
                                our gateway)
  --mac MAC                     with --tap: our stack's MAC (default: a random locally
                                administered one)
  --dev NAME                    device name (default wtcp0)
  --kernel-addr A.B.C.D/LEN     kernel side of the device (default 10.77.0.1/24)
  --addr A.B.C.D                our stack's address (default 10.77.0.2)
  --mtu N                       device MTU, 576-65535 (TAP: 576-9216; default 1500); our MSS
                                is MTU - 40
  --pcap FILE                   write every packet crossing the device to FILE (pcap: raw IP,
                                or Ethernet with --tap)
  --log-states                  print every TCP state transition on stderr
  --json                        one JSON object per line on stdout instead of text
  -h, --help                    this help`;

const OPTIONS = {
  tap: { type: 'boolean' },
  mac: { type: 'string' },
  dev: { type: 'string' },
  'kernel-addr': { type: 'string' },
  addr: { type: 'string' },
  mtu: { type: 'string' },
  pcap: { type: 'string' },
  'log-states': { type: 'boolean' },
  json: { type: 'boolean' },
  port: { type: 'string' },
  out: { type: 'string' },
  bytes: { type: 'string' },
  seed: { type: 'string' },
  count: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}
/** An input file that cannot be read: exit 1, as in every command. */
class InputError extends Error {}

/** Entry point of `wasm-tcp tun`. */
export async function run(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = await parse(argv);
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`wasm-tcp tun: ${err.message}`);
      return 1;
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // parseArgs messages can span lines: keep the one-line contract.
      console.error(`wasm-tcp tun: ${err instanceof UsageError ? err.message.replace(/\s*\n\s*/g, ' ') : argsErrorMessage(err)} (see wasm-tcp tun --help)`);
      return 2;
    }
    throw err;
  }
  if (opts === 'help') {
    console.log(USAGE);
    return 0;
  }
  try {
    return await runTun(opts);
  } catch (err) {
    if (err instanceof TunError) {
      console.error(`wasm-tcp tun: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

async function parse(argv: string[]) {
  const { values: v, positionals } = parseArgs({ args: negativeValues(argv, OPTIONS), options: OPTIONS, allowPositionals: true, strict: true });
  if (v.help) return 'help' as const;
  const [modeName, ...rest] = positionals;
  if (!modeName) throw new UsageError('missing mode (echo, discard, serve, get, send, dump)');
  const kernelAddr = parseCidr(v['kernel-addr'] ?? '10.77.0.1/24');
  if (!kernelAddr) throw new UsageError(`invalid --kernel-addr '${v['kernel-addr']}' (want A.B.C.D/LEN)`);
  const addr = parseIPv4(v.addr ?? '10.77.0.2');
  if (addr === undefined) throw new UsageError(`invalid --addr '${v.addr}'`);
  if (addr === kernelAddr.addr) throw new UsageError('--addr must differ from the kernel side address');
  let tap: { mac?: string } | undefined;
  if (v.tap) {
    tap = {};
    if (v.mac !== undefined) {
      const mac = parseMac(v.mac);
      if (mac === undefined) throw new UsageError(`invalid --mac '${v.mac}' (want aa:bb:cc:dd:ee:ff)`);
      const problem = macProblem(mac);
      if (problem) throw new UsageError(`--mac ${v.mac}: ${problem}`);
      tap.mac = formatMac(mac);
    }
    // Our TAP interface sits on the kernel's subnet and reaches everything else through it.
    if (!inSubnet(addr, kernelAddr) || kernelAddr.prefix > 30) {
      throw new UsageError(`with --tap, --addr ${formatIPv4(addr)} must lie inside --kernel-addr ${formatIPv4(kernelAddr.addr)}/${kernelAddr.prefix} (a /30 or larger)`);
    }
  } else if (v.mac !== undefined) {
    throw new UsageError('--mac needs --tap (a TUN device has no MAC)');
  }
  // TAP: jumbo frames at most, the largest MTU a stack's TAP interface takes (stack.createTapInterface).
  const mtu = int(v.mtu ?? '1500', '--mtu', 576, tap ? TAP_MAX_MTU : 65535);
  const used = new Set(Object.keys(v).filter((k) => v[k as keyof typeof v] !== undefined));
  const allow = (names: string[]) => {
    for (const k of ['port', 'out', 'bytes', 'seed', 'count', 'quiet']) {
      if (used.has(k) && !names.includes(k)) throw new UsageError(`--${k} does not apply to mode '${modeName}'`);
    }
  };
  const positional = (n: number, what: string) => {
    if (rest.length !== n) throw new UsageError(n ? `mode '${modeName}' takes ${what}` : `unexpected argument '${rest[0]}'`);
  };
  const port = (): number => {
    if (v.port === undefined) throw new UsageError(`mode '${modeName}' needs --port P`);
    return int(v.port, '--port', 1, 65535);
  };
  let mode: ModeSpec;
  switch (modeName) {
    case 'echo':
    case 'discard':
      allow(['port']);
      positional(0, '');
      mode = { name: modeName, port: port() };
      break;
    case 'serve': {
      allow(['port']);
      positional(1, 'one FILE');
      const p = port();
      let file: Uint8Array;
      try {
        file = await readFile(rest[0]);
      } catch (err) {
        throw new InputError(`cannot read '${rest[0]}': ${(err as { code?: string }).code ?? (err as Error).message}`);
      }
      mode = { name: 'serve', port: p, file };
      break;
    }
    case 'get': {
      allow(['out']);
      positional(1, 'one URL');
      const target = parseGetUrl(rest[0]);
      if (typeof target === 'string') throw new UsageError(target);
      // An unwritable --out fails here, before any device exists.
      if (v.out !== undefined && v.out !== '-') {
        await access(dirname(resolve(v.out)), constants.W_OK).catch((err: NodeJS.ErrnoException) => {
          throw new UsageError(`cannot write '${v.out}': ${err.code ?? err.message}`);
        });
      }
      mode = { name: 'get', url: rest[0], target, out: v.out };
      break;
    }
    case 'send': {
      allow(['bytes', 'seed']);
      positional(1, 'one HOST:PORT');
      const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(rest[0]);
      if (!m || parseIPv4(m[1]) === undefined) throw new UsageError(`invalid target '${rest[0]}' (want A.B.C.D:PORT)`);
      if (v.bytes === undefined) throw new UsageError("mode 'send' needs --bytes N");
      mode = {
        name: 'send', host: m[1], port: int(m[2], 'port', 1, 65535),
        bytes: int(v.bytes, '--bytes', 0, Number.MAX_SAFE_INTEGER), seed: int(v.seed ?? '1', '--seed', 0, 0xffffffff),
      };
      break;
    }
    case 'dump':
      allow(['count', 'quiet']);
      positional(0, '');
      mode = { name: 'dump', count: int(v.count ?? '0', '--count', 0, Number.MAX_SAFE_INTEGER), quiet: !!v.quiet };
      break;
    default:
      throw new UsageError(`unknown mode '${modeName}' (echo, discard, serve, get, send, dump)`);
  }
  const remote = mode.name === 'get' ? parseIPv4(mode.target.host) : mode.name === 'send' ? parseIPv4(mode.host) : undefined;
  if (remote !== undefined && remote === addr) throw new UsageError(`${formatIPv4(remote)} is our own address; the kernel side is ${formatIPv4(kernelAddr.addr)}`);
  return {
    tap, dev: v.dev ?? 'wtcp0', kernelAddr, addr, mtu, pcap: v.pcap, json: !!v.json, logStates: !!v['log-states'], mode,
  };
}

function int(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${name} must be a whole number, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${text}`);
  return n;
}
