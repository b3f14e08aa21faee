// `wasm-tcp transfer`: two stacks over SimNetwork on the virtual clock, N bytes each way, then an orderly close.
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriter } from '../pcap/writer.js';
import { runTransfer } from '../scenario/transfer.js';
import { commandArgs } from './args.js';

const HELP = `usage: wasm-tcp transfer --bytes N [options]

Two WASM stacks (10.0.0.1 client, 10.0.0.2 server) over a simulated network on a virtual
clock: N pseudo-random bytes each way at once, then an orderly close. Exit 0 when both
directions arrive bit-exact (sha256), 1 when not, 2 on bad usage.

options:
  --bytes N       bytes per direction; suffixes k M G (10^3) and Ki Mi Gi (2^10)  (required)
  --mss M         MSS of both engines, 64..65495 (default: engine default, 1460)
  --loss P        probability a packet is lost
  --dup P         probability a packet is duplicated
  --reorder P     probability a packet is held back and overtaken
  --corrupt P     probability a packet gets a flipped bit
                  P is a fraction 0..1 ("0.05") or a percentage ("5%")
  --delay MS      one-way delay in ms (default 5)
  --seed S        seed of network, engines and payload (default 1)
  --pcap FILE     write every packet sent to FILE (pcap, raw IPv4)
  --json          print one JSON object with exactly these keys:
                  { "bytes", "sha256Sent": { "clientToServer", "serverToClient" },
                    "sha256Received": { "clientToServer", "serverToClient" },
                    "retransmits", "virtualSeconds", "memoryGrew" }
                  bytes is per direction; sha256Sent.clientToServer is what the client sent,
                  sha256Received.clientToServer what the server received; the two must be equal
                  (likewise serverToClient); retransmits counts both engines. A failure is also
                  described on stderr.
  -h, --help      this text`;

class UsageError extends Error {}

const OPTIONS = {
  bytes: { type: 'string' }, mss: { type: 'string' }, loss: { type: 'string' }, dup: { type: 'string' },
  reorder: { type: 'string' }, corrupt: { type: 'string' }, seed: { type: 'string' }, delay: { type: 'string' },
  pcap: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

/** Wall time before progress appears, and between updates (ms). */
const PROGRESS_AFTER_MS = 500;
const PROGRESS_EVERY_MS = 200;

/**
 * A progress line on stderr for long runs when stderr is a terminal: percent received, MB/s of
 * wall time, virtual time. Returns the callback for runTransfer and a function that clears the line.
 */
export function progressLine(stream: { isTTY?: boolean; write(s: string): unknown }, now = () => performance.now()) {
  const start = now();
  let last = 0;
  let shown = false;
  const update = (received: number, total: number, virtualMs: number) => {
    const t = now();
    if (t - start < PROGRESS_AFTER_MS || t - last < PROGRESS_EVERY_MS) return;
    last = t;
    shown = true;
    const pct = total ? Math.floor((100 * received) / total) : 100;
    const mbs = received / 1e6 / ((t - start) / 1000);
    stream.write(`\rtransfer: ${pct}%  ${mbs.toFixed(1)} MB/s  virtual ${(virtualMs / 1000).toFixed(1)} s\x1b[K`);
  };
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
  };
  return { update: stream.isTTY ? update : undefined, clear };
}

/** Parses a byte count with an optional k/M/G (10^3) or Ki/Mi/Gi (2^10) suffix. */
export function parseBytes(text: string): number {
  if (/^\s*-/.test(text)) throw new UsageError(`--bytes: must be 0 or more, got '${text}'`);
  const m = /^(\d+(?:\.\d+)?)\s*(k|M|G|Ki|Mi|Gi)?B?$/.exec(text.trim());
  if (!m) throw new UsageError(`--bytes: expected a byte count like 1000000, 20M or 4Mi, got '${text}'`);
  const mult: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  const n = Math.round(Number(m[1]) * (m[2] ? mult[m[2]] : 1));
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--bytes: out of range: '${text}'`);
  return n;
}

/** Parses a probability given as a fraction ("0.05") or a percentage ("5%"). */
export function parseProbability(flag: string, text: string | undefined): number {
  if (text === undefined) return 0;
  const pct = text.trim().endsWith('%');
  const body = pct ? text.trim().slice(0, -1) : text.trim();
  if (body.startsWith('-')) throw new UsageError(`--${flag}: must be between 0 and 1 (or 0% and 100%), got '${text}'`);
  if (!/^\d*\.?\d+(e-?\d+)?$/i.test(body)) throw new UsageError(`--${flag}: expected a fraction like 0.05 or a percentage like 5%, got '${text}'`);
  const p = Number(body) / (pct ? 100 : 1);
  if (!(p >= 0 && p <= 1)) throw new UsageError(`--${flag}: must be between 0 and 1 (or 0% and 100%), got '${text}'`);
  return p;
}

function parseIntFlag(flag: string, text: string | undefined, min: number, max: number, dflt: number | undefined): number | undefined {
  if (text === undefined) return dflt;
  if (/^\s*-\d+\s*$/.test(text)) throw new UsageError(`--${flag}: must be between ${min} and ${max}, got ${text.trim()}`);
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--${flag}: expected an integer, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${flag}: must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const values = commandArgs('transfer', argv, OPTIONS, HELP);
  if (typeof values === 'number') return values;
  let opts;
  try {
    if (values.bytes === undefined) throw new UsageError('--bytes N is required');
    opts = {
      bytes: parseBytes(values.bytes),
      mss: parseIntFlag('mss', values.mss, 64, 65495, undefined),
      loss: parseProbability('loss', values.loss),
      duplicate: parseProbability('dup', values.dup),
      reorder: parseProbability('reorder', values.reorder),
      corrupt: parseProbability('corrupt', values.corrupt),
      seed: parseIntFlag('seed', values.seed, 0, 2 ** 32 - 1, 1),
      delay: parseIntFlag('delay', values.delay, 0, 60_000, 5),
    };
    if (opts.loss >= 0.5) throw new UsageError('--loss: must be below 0.5 (50%) or the transfer cannot finish');
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`wasm-tcp transfer: ${err.message} (see wasm-tcp transfer --help)`);
    return 2;
  }
  let pcapFd: number | undefined;
  let pcap: PcapWriter | undefined;
  if (values.pcap) {
    try {
      pcapFd = openSync(values.pcap, 'w');
    } catch (err) {
      console.error(`wasm-tcp transfer: cannot write --pcap ${values.pcap}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return 1;
    }
    const fd = pcapFd;
    pcap = new PcapWriter((c) => void writeSync(fd, c));
  }
  const started = performance.now();
  // Progress only for people watching: never with --json, never into a pipe or file.
  const bar = progressLine(values.json ? {} as { write(s: string): unknown } : process.stderr);
  let r;
  try {
    r = runTransfer({ ...opts, hash: () => createHash('sha256'), pcap, progress: bar.update });
  } catch (err) {
    bar.clear();
    console.error(`wasm-tcp transfer: ${(err as Error).message}`);
    return 1;
  } finally {
    if (pcapFd !== undefined) closeSync(pcapFd);
  }
  bar.clear();
  const wallSeconds = (performance.now() - started) / 1000;
  if (values.json) {
    console.log(JSON.stringify({
      bytes: r.bytes, sha256Sent: r.sha256Sent, sha256Received: r.sha256Received, retransmits: r.retransmits,
      virtualSeconds: round(r.virtualSeconds), memoryGrew: r.memoryGrew,
    }));
    if (!r.ok) {
      const e = r.errors;
      console.error(`wasm-tcp transfer: FAILED: received ${r.received.clientToServer} / ${r.received.serverToClient} of ${r.bytes} bytes; errors: client ${e.client ?? 'none'}, server ${e.server ?? 'none'}`);
    }
  } else {
    const line = (dir: string, sent: string, got: string, n: number) =>
      `${dir}  ${n === r.bytes && sent === got ? 'ok  ' : 'FAIL'}  ${n} bytes  sha256 sent ${sent.slice(0, 16)}…  received ${got.slice(0, 16)}…`;
    console.log(`transfer: ${r.bytes} bytes each way, seed ${opts.seed}, loss ${opts.loss}, dup ${opts.duplicate}, reorder ${opts.reorder}, corrupt ${opts.corrupt}`);
    console.log(line('client → server', r.sha256Sent.clientToServer, r.sha256Received.clientToServer, r.received.clientToServer));
    console.log(line('server → client', r.sha256Sent.serverToClient, r.sha256Received.serverToClient, r.received.serverToClient));
    console.log(`retransmits ${r.retransmits}, virtual time ${round(r.virtualSeconds)} s (wall ${round(wallSeconds)} s), memory grew: ${r.memoryGrew ? 'YES' : 'no'}`);
    const n = r.network;
    console.log(`network: ${n.sent} packets sent, ${n.lost} lost, ${n.duplicated} duplicated, ${n.reordered} reordered, ${n.corrupted} corrupted`);
    if (r.errors.client || r.errors.server) console.log(`errors: client ${r.errors.client ?? 'none'}, server ${r.errors.server ?? 'none'}`);
    console.log(r.ok ? 'result: bit-exact both ways, orderly close' : 'result: FAILED');
  }
  return r.ok && !r.memoryGrew ? 0 : 1;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
