// Runs one `tun` session: bridge up, stack on it, the chosen mode, then an orderly teardown.
import type { WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { RealClock } from '../clock/real.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, PcapWriter } from '../pcap/writer.js';
import { Stack } from '../stack.js';
import { type Cidr, formatIPv4 } from './addr.js';
import { TunBridge, TunError } from './bridge.js';
import { openTap, type TapDevice } from './device.js';
import { TunLink } from './link.js';
import { Reporter } from './report.js';
import { type ModeContext } from './modes/context.js';
import { discard } from './modes/discard.js';
import { dump } from './modes/dump.js';
import { echo } from './modes/echo.js';
import { get, type GetTarget } from './modes/get.js';
import { send } from './modes/send.js';
import { serveFile } from './modes/serve.js';

/** A parsed mode with its arguments. */
export type ModeSpec =
  | { name: 'echo' | 'discard'; port: number }
  | { name: 'serve'; port: number; file: Uint8Array }
  | { name: 'get'; url: string; target: GetTarget; out?: string }
  | { name: 'send'; host: string; port: number; bytes: number; seed: number }
  | { name: 'dump'; count: number; quiet: boolean };

/** Everything `wasm-tcp tun` was asked to do. */
export interface TunRunOptions {
  /** A TAP device (Ethernet frames, our stack answers ARP) instead of TUN; `mac` is our stack's MAC (random if absent). */
  tap?: { mac?: string };
  dev: string;
  kernelAddr: Cidr;
  addr: number;
  mtu: number;
  pcap?: string;
  json: boolean;
  /** Print every TCP state transition on stderr. */
  logStates: boolean;
  mode: ModeSpec;
}

const CLOSE_GRACE_MS = 2000;

/**
 * Engine knobs for the bridge: MSS from the MTU, and 512 KiB windows, well above the bridge's
 * bandwidth-delay product (~40 MB/s × a few ms of socat and event-loop latency); 64 connections
 * keep the engine's memory at about 64 MiB.
 */
const TUN_CONFIG = (mtu: number) => ({ mss: mtu - 40, maxConnections: 64, recvBufferSize: 512 << 10, sendBufferSize: 512 << 10 });

/** What a session has started, so the teardown closes exactly that. */
interface Session {
  pcapFile?: WriteStream;
  bridge?: TunBridge;
  tap?: TapDevice;
  stack?: Stack;
  summary: () => void;
}

/** Runs the session; resolves with the exit code once everything it started is gone. */
export async function runTun(o: TunRunOptions): Promise<number> {
  // `get --out -` writes the body to stdout, so every report line goes to stderr instead.
  const out = new Reporter(o.json, o.mode.name === 'get' && o.mode.out === '-');
  const life = new Lifetime(out);
  const s: Session = { summary: () => {} };
  try {
    s.pcapFile = await openCapture(o, out, life.stop);
    const { modeDone } = await startSession(o, out, s, life.stop);
    if (life.code !== undefined) return life.code; // signalled while setting up: never claim readiness
    out.line('ready', { dev: o.dev, addr: formatIPv4(o.addr) }, `ready ${o.dev} ${formatIPv4(o.addr)}`);
    return await Promise.race([modeDone, life.stopped]);
  } finally {
    // A second signal while tearing down is ignored: the watchdog finishes the job if we die anyway.
    life.ignoreSignals();
    await teardown(s, out);
    life.release();
  }
}

/** The process-wide hooks of a session: signals and crashes stop it with an exit code; lost output is ignored. */
class Lifetime {
  /** The first exit code asked for, if any. */
  code: number | undefined;
  readonly stopped: Promise<number>;
  readonly stop: (code: number) => void;
  private readonly onSignal: (sig: NodeJS.Signals) => void;
  private readonly onCrash: (err: unknown) => void;
  private readonly ignore = () => {};
  // Output gone (the reading end of a pipe closed): keep running to an orderly teardown, silently;
  // without this each failed write would raise an error whose report fails again, in a loop.
  private readonly lostOutput = () => {};

  constructor(out: Reporter) {
    let resolve!: (code: number) => void;
    this.stopped = new Promise<number>((r) => (resolve = r));
    this.stop = (code) => {
      this.code ??= code;
      resolve(code);
    };
    this.onSignal = (sig) => {
      out.note(`wasm-tcp tun: ${sig}, shutting down`);
      this.stop(sig === 'SIGINT' ? 130 : 143);
    };
    // A bug in an event handler must not skip the teardown: one line, then the orderly exit path.
    this.onCrash = (err) => {
      out.note(`wasm-tcp tun: internal error: ${err instanceof Error ? err.message : String(err)}`);
      if (process.env.WASM_TCP_DEBUG) console.error(err);
      this.stop(1);
    };
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('uncaughtException', this.onCrash);
    process.stdout.on('error', this.lostOutput);
    process.stderr.on('error', this.lostOutput);
  }

  ignoreSignals(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.on('SIGINT', this.ignore);
    process.on('SIGTERM', this.ignore);
  }

  release(): void {
    process.off('SIGINT', this.ignore);
    process.off('SIGTERM', this.ignore);
    process.off('uncaughtException', this.onCrash);
    process.stdout.off('error', this.lostOutput);
    process.stderr.off('error', this.lostOutput);
  }
}

/** Opens `--pcap`'s file, if any; a write error later stops the session. */
async function openCapture(o: TunRunOptions, out: Reporter, stop: (code: number) => void): Promise<WriteStream | undefined> {
  if (!o.pcap) return undefined;
  const fh = await open(o.pcap, 'w').catch((err: NodeJS.ErrnoException) => {
    throw new TunError(`cannot write the capture '${o.pcap}': ${err.code ?? err.message}`, 'EPCAP');
  });
  const file = fh.createWriteStream();
  file.on('error', (err) => {
    out.note(`wasm-tcp tun: writing ${o.pcap}: ${err.message}`);
    stop(1);
  });
  return file;
}

/** Brings the device up (TAP or TUN) and starts the mode on it; `modeDone` settles when the mode ends
 * (wrapped, so that awaiting the set-up does not wait for the mode). */
async function startSession(o: TunRunOptions, out: Reporter, s: Session, stop: (code: number) => void): Promise<{ modeDone: Promise<number> }> {
  const sink = s.pcapFile;
  const pcap = sink ? new PcapWriter((chunk) => sink.write(chunk), undefined, o.tap ? LINKTYPE_ETHERNET : LINKTYPE_RAW) : undefined;
  const capture = pcap ? (p: Uint8Array, t: number) => pcap.packet(p, t) : undefined;
  const onFailure = (err: Error) => {
    out.note(`wasm-tcp tun: ${err.message}`);
    stop(1);
  };
  const startDump = (m: { count: number; quiet: boolean }, attach: Parameters<typeof dump>[0], kind: 'tap' | 'tun') => {
    const d = dump(attach, kind, out, m.count, m.quiet);
    s.summary = d.summary;
    return d.done;
  };
  if (o.tap) {
    const device = s.tap = await openTap({
      dev: o.dev, kernelAddr: `${formatIPv4(o.kernelAddr.addr)}/${o.kernelAddr.prefix}`, addr: formatIPv4(o.addr),
      mac: o.tap.mac, mtu: o.mtu, capture,
    });
    device.closed.catch(onFailure);
    if (o.mode.name === 'dump') return { modeDone: startDump(o.mode, (fn) => void pump(device.readable, fn), 'tap') };
    s.stack = tapStack(device, o, onFailure);
    return { modeDone: startMode(s.stack, o, out) };
  }
  const b = s.bridge = await TunBridge.open({ dev: o.dev, kernelAddr: o.kernelAddr, addr: o.addr, mtu: o.mtu, tap: capture });
  b.onFailure = onFailure;
  if (o.mode.name === 'dump') return { modeDone: startDump(o.mode, (fn) => { b.onPacket = fn; }, 'tun') };
  s.stack = new Stack({ address: formatIPv4(o.addr), clock: new RealClock(), link: new TunLink(b), ...stackOptions(o) });
  return { modeDone: startMode(s.stack, o, out) };
}

/** Closes what the session started, in order (stack, then device, then capture), with the counters' line. */
async function teardown(s: Session, out: Reporter): Promise<void> {
  if (s.stack) await closeStack(s.stack);
  s.summary();
  const retransmits = s.stack?.engine.stats.retransmits ?? 0;
  if (s.bridge) {
    const st = s.bridge.stats;
    out.note(`tun: ${st.rxPackets} packets from the kernel, ${st.txPackets} to it, ${retransmits} retransmits, ${s.bridge.socatRestarts} socat restarts, ${st.rxDropped} non-IPv4 dropped`);
    await s.bridge.close();
  }
  if (s.tap) {
    await s.tap.close();
    const st = s.tap.stats;
    out.note(`tun: ${st.rxPackets} frames from the kernel, ${st.txPackets} to it, ${retransmits} retransmits, ${st.socatRestarts} socat restarts, ${st.rxQueueDropped + st.txDropped} dropped`);
  }
  const f = s.pcapFile;
  if (f && !f.destroyed) await new Promise((r) => f.end(r));
}

/** Stack settings shared by TUN and TAP sessions. */
function stackOptions(o: TunRunOptions) {
  return {
    config: TUN_CONFIG(o.mtu),
    // Real peers: ISNs and ephemeral ports must differ from run to run (RFC 6528), so a fresh secret.
    seed: randomBytes(4).readUInt32LE(0) || 1,
    recordTransitions: false,
    name: 'tun',
  };
}

/** `--log-states`: every TCP state change on stderr, with the connection's 4-tuple. */
function logStates(st: Stack, addr: number, out: Reporter): void {
  const local = formatIPv4(addr);
  const tuples: string[] = []; // last known 4-tuple per handle: a released handle has no info
  st.on('transition', (tr: { conn: number; from: string; to: string }) => {
    try {
      const i = st.engine.info(tr.conn);
      if (i.remotePort) tuples[tr.conn] = ` ${local}:${i.localPort} ${formatIPv4(i.remoteAddr)}:${i.remotePort}`;
    } catch { /* released handle (EBADF): keep the cached tuple */ }
    out.note(`state ${tr.conn}${tuples[tr.conn] ?? ''} ${tr.from} -> ${tr.to}`);
    if (tr.to === 'CLOSED') delete tuples[tr.conn];
  });
}

/** Reads `readable` to its end, handing each chunk to `fn`. */
async function pump(readable: ReadableStream<Uint8Array>, fn: (p: Uint8Array) => void): Promise<void> {
  const reader = readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      fn(value);
    }
  } catch { /* the device failed: reported through its `closed` */ } finally {
    reader.releaseLock();
  }
}

/**
 * Our stack on a TAP device: a TAP interface at --addr inside --kernel-addr's subnet with the
 * device's MAC, the kernel as gateway; frames flow both ways through the streams (the device's
 * bounded queue and the interface's queue limit drop and count, neither buffers without bound).
 */
function tapStack(device: TapDevice, o: TunRunOptions, onFailure: (err: Error) => void): Stack {
  const stack = new Stack({ clock: new RealClock(), ...stackOptions(o) });
  const iface = stack.createTapInterface({
    mac: device.mac, ip: `${formatIPv4(o.addr)}/${o.kernelAddr.prefix}`, gateway: formatIPv4(o.kernelAddr.addr), mtu: o.mtu,
  });
  // The device ends only when it is closed (teardown) or fails (reported through its `closed`).
  device.readable.pipeTo(iface.writable).catch(() => {});
  iface.readable.pipeTo(device.writable).catch((err: unknown) => {
    if (iface.active) onFailure(err instanceof Error ? err : new Error(String(err)));
  });
  return stack;
}

/** Starts the mode on `stack` (state logging first, so a listener's CLOSED -> LISTEN shows too). */
function startMode(stack: Stack, o: TunRunOptions, out: Reporter): Promise<number> {
  if (o.logStates) logStates(stack, o.addr, out);
  return runMode({ stack, out }, o.mode);
}

function runMode(ctx: ModeContext, m: ModeSpec): Promise<number> {
  switch (m.name) {
    case 'echo': return echo(ctx, m.port);
    case 'discard': return discard(ctx, m.port);
    case 'serve': return serveFile(ctx, m.port, m.file);
    case 'get': return get(ctx, m.url, m.target, m.out);
    case 'send': return send(ctx, m.host, m.port, m.bytes, m.seed);
    default: return Promise.resolve(2);
  }
}

/** Closes every socket (FIN, or RST with unread data) and gives the closes a moment to go out. */
async function closeStack(stack: Stack): Promise<void> {
  stack.close();
  const deadline = performance.now() + CLOSE_GRACE_MS;
  while (stack.openSockets > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  // Let the last pump hand its packets to the bridge.
  await new Promise((r) => setTimeout(r, 20));
}
