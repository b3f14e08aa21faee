// openTun / openTap: a real kernel TUN or TAP device as web streams of IPv4 packets or Ethernet
// frames, so a program can join a Stack's interface to the kernel. Node only (the bridge runs socat).
import { chunksOf } from '../streams/chunks.js';
import { formatMac, parseMac } from '../util/mac.js';
import { type Cidr, formatIPv4, macProblem, parseCidr, parseIPv4, randomMac } from './addr.js';
import { TunBridge, deviceMac, type DeviceKind, type TunStats } from './bridge.js';

/** Options of {@link openTun}. */
export interface OpenTunOptions {
  /** Device name, 1-15 of `A-Z a-z 0-9 _ . -` (default `wtcp0`); it must not exist yet. */
  dev?: string;
  /** Address and prefix of the kernel's side of the device, e.g. `10.77.0.1/24`. */
  kernelAddr: string;
  /** Our stack's address; routed to the device when it lies outside `kernelAddr`'s subnet. */
  addr: string;
  /** Device MTU (default 1500). */
  mtu?: number;
  /** Packets from the kernel held for a slow reader; past it they are dropped and counted (default 1024). */
  queue?: number;
  /** Called with every packet (frame) crossing the device, both ways, e.g. for a pcap; `data` is valid only during the call. */
  capture?: (data: Uint8Array, timeMs: number) => void;
}

/** Options of {@link openTap}. */
export interface OpenTapOptions extends OpenTunOptions {
  /** Our stack's MAC address on the segment (default: a random locally administered one); reported as `mac`. */
  mac?: string;
}

/** Counters of a device: the bridge's, plus the reader's queue. */
export interface DeviceStats extends TunStats {
  /** From the kernel, dropped because the reader was too slow (the queue was full) or gone. */
  rxQueueDropped: number;
  /** Times socat was restarted (it exits on write errors, e.g. while the device is down). */
  socatRestarts: number;
}

/** A kernel device as streams, made by {@link openTun} or {@link openTap}. */
export interface KernelDevice {
  /** `tun` (IPv4 packets) or `tap` (Ethernet frames). */
  readonly kind: DeviceKind;
  /** The device name. */
  readonly dev: string;
  /** The kernel side's address and prefix, `a.b.c.d/nn`. */
  readonly kernelAddr: string;
  /** Our stack's address, `a.b.c.d`. */
  readonly addr: string;
  /** The device MTU. */
  readonly mtu: number;
  /** What the kernel sends to the device, each buffer the reader's own. Ends at close(); errors if the bridge fails. */
  readonly readable: ReadableStream<Uint8Array>;
  /** What to hand to the kernel. A write waits while every send buffer is in flight (backpressure). */
  readonly writable: WritableStream<Uint8Array>;
  /** Counters, updated as packets flow. */
  readonly stats: Readonly<DeviceStats>;
  /** Settles once the device is gone: resolves after close(), rejects with the bridge's error if it failed. */
  readonly closed: Promise<void>;
  /** Ends the streams, stops socat and deletes the device; resolves when it is gone. Idempotent. */
  close(): Promise<void>;
  /** Iterates over `readable` (what the kernel sends). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
}

/** A TUN device: IPv4 packets without a link header. */
export interface TunDevice extends KernelDevice {
  readonly kind: 'tun';
}

/** A TAP device: Ethernet II frames (no FCS). */
export interface TapDevice extends KernelDevice {
  readonly kind: 'tap';
  /** Our stack's MAC (the `mac` option, or the random one picked): give it to `stack.createTapInterface`. */
  readonly mac: string;
  /** The MAC the kernel's side of the device has. */
  readonly kernelMac: string;
}

/** Writes held before `writable` reports backpressure. */
const WRITE_QUEUE = 64;
/** A datagram carries one packet or frame: the device MTU is bounded by the 65 507-byte UDP payload. */
const MAX_DATAGRAM = 65507;

/**
 * Creates a TUN device, gives the kernel side `kernelAddr` and bridges it to this process: IPv4
 * packets the kernel routes to the device arrive on `readable`, packets written go to the kernel.
 * Needs Linux, root (CAP_NET_ADMIN), /dev/net/tun, socat and ip; rejects with a one-line TunError
 * (`code` EPERM, ENODEV, ENOENT, EEXIST, …) otherwise. The device goes away with close() or with
 * the process, even after SIGKILL.
 */
export async function openTun(options: OpenTunOptions): Promise<TunDevice> {
  return (await open('tun', options)) as TunDevice;
}

/**
 * Creates a TAP device, like {@link openTun}, carrying Ethernet frames: the kernel resolves our
 * address by ARP on it, so whatever answers there (a Stack's TAP interface) must use `mac`.
 */
export async function openTap(options: OpenTapOptions): Promise<TapDevice> {
  return (await open('tap', options)) as TapDevice;
}

interface Checked {
  dev: string;
  kernelAddr: Cidr;
  addr: number;
  mtu: number;
  queue: number;
  mac?: string;
}

function check(kind: DeviceKind, o: OpenTapOptions): Checked {
  const name = kind === 'tun' ? 'openTun' : 'openTap';
  if (typeof o !== 'object' || o === null) throw new TypeError(`${name}: expected an options object`);
  const text = (key: 'dev' | 'kernelAddr' | 'addr' | 'mac', required: boolean): string | undefined => {
    const v = o[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string') throw new TypeError(`${name}: ${key} must be a string, got ${v === undefined ? 'nothing' : typeof v}`);
    return v;
  };
  const kernelText = text('kernelAddr', true)!;
  const kernelAddr = parseCidr(kernelText);
  if (!kernelAddr || !kernelText.includes('/')) throw new RangeError(`${name}: invalid kernelAddr '${kernelText}' (want a.b.c.d/nn)`);
  const addrText = text('addr', true)!;
  const addr = parseIPv4(addrText);
  if (addr === undefined) throw new RangeError(`${name}: invalid addr '${addrText}' (want a.b.c.d)`);
  if (addr === kernelAddr.addr) throw new RangeError(`${name}: addr must differ from the kernel side's address`);
  const maxMtu = MAX_DATAGRAM - (kind === 'tap' ? 14 : 0);
  const int = (key: 'mtu' | 'queue', fallback: number, min: number, max: number): number => {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`${name}: ${key} must be an integer from ${min} to ${max}, got ${String(v)}`);
    }
    return v;
  };
  const checked: Checked = {
    dev: text('dev', false) ?? 'wtcp0',
    kernelAddr,
    addr,
    mtu: int('mtu', 1500, 576, maxMtu),
    queue: int('queue', 1024, 1, 1 << 20),
  };
  if (o.capture !== undefined && typeof o.capture !== 'function') throw new TypeError(`${name}: capture must be a function`);
  if (kind === 'tap') {
    const macText = text('mac', false);
    if (macText === undefined) checked.mac = randomMac();
    else {
      const mac = parseMac(macText);
      if (mac === undefined) throw new RangeError(`${name}: invalid mac '${macText}' (want aa:bb:cc:dd:ee:ff)`);
      const problem = macProblem(mac);
      if (problem) throw new RangeError(`${name}: mac ${macText}: ${problem}`);
      checked.mac = formatMac(mac);
    }
  }
  return checked;
}

async function open(kind: DeviceKind, options: OpenTapOptions): Promise<KernelDevice> {
  const c = check(kind, options);
  const bridge = await TunBridge.open({ kind, dev: c.dev, kernelAddr: c.kernelAddr, addr: c.addr, mtu: c.mtu, tap: options.capture });
  let kernelMac = '';
  if (kind === 'tap') {
    try {
      kernelMac = await deviceMac(c.dev);
    } catch (err) {
      await bridge.close();
      throw err;
    }
  }
  return streams(bridge, kind, c, kernelMac);
}

/** The bridge as web streams with a bounded receive queue and a send side that waits for buffers. */
function streams(bridge: TunBridge, kind: DeviceKind, c: Checked, kernelMac: string): KernelDevice {
  const name = kind === 'tun' ? 'openTun' : 'openTap';
  const stats = Object.assign(bridge.stats, { rxQueueDropped: 0, socatRestarts: 0 }) as DeviceStats;
  let rc!: ReadableStreamDefaultController<Uint8Array>;
  let wc!: WritableStreamDefaultController;
  let readerGone = false;
  let closing: Promise<void> | undefined;
  let settle!: { resolve: () => void; reject: (err: unknown) => void };
  const closed = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
  closed.catch(() => {}); // reported to whoever awaits it, never as unhandled

  const readable = new ReadableStream<Uint8Array>({
    start: (ctl) => { rc = ctl; },
    cancel: () => { readerGone = true; },
  }, new CountQueuingStrategy({ highWaterMark: c.queue }));
  bridge.onPacket = (p) => {
    if (readerGone || (rc.desiredSize ?? 0) <= 0) {
      stats.rxQueueDropped++;
      return;
    }
    // dgram hands over a fresh buffer per datagram: it becomes the reader's without a copy.
    rc.enqueue(new Uint8Array(p.buffer, p.byteOffset, p.length));
  };

  const writable = new WritableStream<Uint8Array>({
    start: (ctl) => { wc = ctl; },
    write: async (chunk) => {
      if (!ArrayBuffer.isView(chunk) || (chunk as Uint8Array).BYTES_PER_ELEMENT !== 1 || chunk instanceof DataView) {
        throw new TypeError(`${name}: packets are Uint8Array, got ${Object.prototype.toString.call(chunk)}`);
      }
      if (kind === 'tap' && chunk.length < 14) {
        stats.txDropped++;
        return;
      }
      for (;;) {
        if (bridge.trySend(chunk) !== 'full') return;
        await bridge.whenSendable();
      }
    },
  }, new CountQueuingStrategy({ highWaterMark: WRITE_QUEUE }));

  const shutDown = (err?: Error): Promise<void> => {
    closing ??= (async () => {
      if (!readerGone) {
        readerGone = true;
        if (err) rc.error(err);
        else rc.close();
      }
      wc.error(err ?? new Error(`${name}: ${c.dev} closed`));
      await bridge.close();
      stats.socatRestarts = bridge.socatRestarts;
      if (err) settle.reject(err);
      else settle.resolve();
    })();
    return closing;
  };
  bridge.onFailure = (err) => void shutDown(err);

  const device = {
    kind,
    dev: c.dev,
    kernelAddr: `${formatIPv4(c.kernelAddr.addr)}/${c.kernelAddr.prefix}`,
    addr: formatIPv4(c.addr),
    mtu: c.mtu,
    readable,
    writable,
    get stats(): Readonly<DeviceStats> {
      stats.socatRestarts = bridge.socatRestarts;
      return stats;
    },
    closed,
    close: () => shutDown().catch(() => {}),
    [Symbol.asyncIterator]: () => chunksOf(readable),
  };
  return kind === 'tap' ? Object.assign(device, { mac: c.mac!, kernelMac }) : device;
}
