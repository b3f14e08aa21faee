// Device bridge: kernel TUN or TAP device <-> socat <-> one UDP datagram per IPv4 packet (TUN) or
// Ethernet frame (TAP) <-> Node dgram.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { access, readFile, writeFile, constants } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { type Cidr, formatIPv4, inSubnet } from './addr.js';
import { spawnWatchdog, type Watchdog } from './watchdog.js';

/** Which kind of device: `tun` carries IPv4 packets, `tap` Ethernet frames. */
export type DeviceKind = 'tun' | 'tap';

/** How to create the device and where our stack lives behind it. */
export interface TunOptions {
  /** Device kind (default `tun`). */
  kind?: DeviceKind;
  /** Device name (at most 15 characters). */
  dev: string;
  /** Address and prefix the kernel side of the device gets. */
  kernelAddr: Cidr;
  /** Our stack's address; routed to the device when outside `kernelAddr`'s subnet. */
  addr: number;
  /** Device MTU. */
  mtu: number;
  /** Called for every packet (frame) in either direction (e.g. a pcap tee); `data` is valid only during the call. */
  tap?: (data: Uint8Array, timeMs: number) => void;
  /** Milliseconds to wait for socat and the device set-up. */
  startTimeoutMs?: number;
}

/** Error with a one-line message meant for the user (no stack trace needed). */
export class TunError extends Error {
  /** Creates the error; `code` is a short machine-readable reason. */
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/** Packet counters of one bridge. */
export interface TunStats {
  /** Packets (frames) from the kernel handed on. */
  rxPackets: number;
  rxBytes: number;
  /** Packets (frames) sent to the kernel. */
  txPackets: number;
  txBytes: number;
  /** Of those, sent from a fresh copy because every preallocated slot was in flight. */
  txCopies: number;
  /** From the kernel, dropped: not IPv4 (TUN) or shorter than an Ethernet header (TAP). */
  rxDropped: number;
  /** For the kernel, dropped: larger than the MTU allows, or every slot and copy was in flight. */
  txDropped: number;
}

const SLOTS = 1024; // preallocated send buffers; a packet is copied once, into a free slot
// At most this many fresh copies in flight besides the slots: memory stays bounded when socat lags.
const MAX_COPIES = 1024;
const CAP_NET_ADMIN = 12;
/** Ethernet header plus one 802.1Q tag: what a TAP frame carries beyond the MTU. */
const TAP_OVERHEAD = 18;

/** A TUN device bridged to this process; packets from the kernel arrive in `onPacket`. */
export class TunBridge {
  /**
   * Receives each IPv4 packet (TUN) or Ethernet frame (TAP) the kernel sends to the device. The
   * buffer is a fresh one per packet: the callee may keep it.
   */
  onPacket: (packet: Uint8Array) => void = () => {};
  /** Called once if socat or the watchdog dies on its own (not after `close()`). */
  onFailure: (err: Error) => void = () => {};
  /** Counters, updated as packets flow. */
  readonly stats: TunStats = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, txCopies: 0, rxDropped: 0, txDropped: 0 };
  /** The device kind. */
  readonly kind: DeviceKind;
  /** Largest packet (frame) the device takes: the MTU, plus the Ethernet header and a VLAN tag on TAP. */
  readonly maxPacket: number;

  private closing: Promise<void> | undefined;
  private readonly slots: Buffer[];
  private readonly slotBusy: Uint8Array;
  private readonly slotDone: (() => void)[];
  private nextSlot = 0;
  private copies = 0;
  private readonly copyDone = () => { this.copies--; this.wakeSenders(); };
  private sendWaiters: (() => void)[] = [];
  private readonly tap: TunOptions['tap'];
  private readonly log: string[];
  /** Times socat was restarted (it exits on write errors, e.g. while the device is down). */
  socatRestarts = 0;

  private started = false;
  private restarts: number[] = [];
  private startWaiter: ((err?: Error) => void) | undefined;

  private constructor(readonly options: TunOptions, private readonly udp: UdpSocket, private readonly watchdog: Watchdog) {
    this.tap = options.tap;
    this.log = [];
    this.kind = options.kind ?? 'tun';
    this.maxPacket = options.mtu + (this.kind === 'tap' ? TAP_OVERHEAD : 0);
    const slotSize = Math.max(this.maxPacket, 1500);
    this.slots = Array.from({ length: SLOTS }, () => Buffer.allocUnsafe(slotSize));
    this.slotBusy = new Uint8Array(SLOTS);
    this.slotDone = Array.from({ length: SLOTS }, (_, i) => () => { this.slotBusy[i] = 0; this.wakeSenders(); });
  }

  /** Checks prerequisites, starts socat under the watchdog, configures the device; resolves when packets can flow. */
  static async open(options: TunOptions): Promise<TunBridge> {
    const kind = options.kind ?? 'tun';
    await preflight(options.dev, kind);
    const udp = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => { udp.off('error', reject); resolve(); });
    });
    const nodePort = udp.address().port;
    // socat gets a fixed UDP port, so a restarted socat is found at the same address. No -d: at notice
    // level socat logs two lines per datagram; errors are still printed.
    const socatPort = await freeUdpPort();
    const watchdog = spawnWatchdog(options.dev, kind, [
      '-b', '65536',
      `TUN,tun-type=${kind},iff-no-pi,tun-name=${options.dev}`,
      `UDP-DATAGRAM:127.0.0.1:${nodePort},bind=127.0.0.1:${socatPort},rcvbuf=4194304,sndbuf=4194304`,
    ]);
    await new Promise<void>((resolve) => udp.connect(socatPort, '127.0.0.1', resolve));
    const bridge = new TunBridge(options, udp, watchdog);
    try {
      await bridge.waitForSocat(socatPort, options.startTimeoutMs ?? 5000);
      await configureDevice(options);
      return bridge;
    } catch (err) {
      await bridge.close();
      throw err;
    }
  }

  /**
   * Sends one IPv4 packet (TUN) or Ethernet frame (TAP) to the kernel; copies it, so the caller may
   * reuse `packet` at once. Returns false when it was dropped (and counted in `txDropped`): larger
   * than `maxPacket`, or every send buffer is in flight (socat lags behind).
   */
  send(packet: Uint8Array): boolean {
    if (this.closing) return false;
    const r = this.trySend(packet);
    if (r === 'full') this.stats.txDropped++;
    return r === 'sent';
  }

  /**
   * Like send(), but leaves a packet that finds every buffer in flight to the caller ('full', not
   * counted): wait for whenSendable() and try again. 'dropped' means too large (counted).
   */
  trySend(packet: Uint8Array): 'sent' | 'full' | 'dropped' {
    if (this.closing) return 'dropped';
    const len = packet.length;
    if (len > this.maxPacket) {
      this.stats.txDropped++;
      return 'dropped';
    }
    const i = this.nextSlot;
    let slot: Buffer | undefined;
    if (this.slotBusy[i] === 0) {
      this.nextSlot = i + 1 === SLOTS ? 0 : i + 1;
      slot = this.slots[i];
      slot.set(packet);
      this.slotBusy[i] = 1;
    } else if (this.copies >= MAX_COPIES) {
      return 'full';
    }
    const t = this.tap;
    if (t) t(packet, wallMs());
    this.stats.txPackets++;
    this.stats.txBytes += len;
    if (slot) {
      this.udp.send(slot, 0, len, this.slotDone[i]);
    } else {
      // The ring is exhausted (the UDP socket is backed up): a fresh copy, up to MAX_COPIES in flight.
      this.stats.txCopies++;
      this.copies++;
      this.udp.send(Buffer.from(packet), this.copyDone);
    }
    return 'sent';
  }

  /** Resolves once a send buffer has come back (at once when one is free, or after close()). */
  whenSendable(): Promise<void> {
    if (this.closing || this.slotBusy[this.nextSlot] === 0 || this.copies < MAX_COPIES) return Promise.resolve();
    return new Promise((resolve) => this.sendWaiters.push(resolve));
  }

  private wakeSenders(): void {
    if (this.sendWaiters.length === 0) return;
    const w = this.sendWaiters;
    this.sendWaiters = [];
    for (const f of w) f();
  }

  /** Stops the bridge: closes the UDP socket, lets the watchdog stop socat (the device goes away with it). */
  close(): Promise<void> {
    this.closing ??= stop(this.udp, this.watchdog, this.options.dev);
    this.wakeSenders();
    return this.closing;
  }

  /** Follows the watchdog's reports and socat's errors; resolves once socat's UDP socket is bound. */
  private waitForSocat(socatPort: number, timeoutMs: number): Promise<void> {
    const w = this.watchdog;
    this.udp.on('message', (msg) => this.onDatagram(msg));
    this.udp.on('error', (err: NodeJS.ErrnoException) => {
      // ICMP port unreachable while socat restarts: the packet is lost, TCP recovers.
      if (err.code !== 'ECONNREFUSED') this.fail(err);
    });
    w.once('error', (err) => this.fail(new TunError(`cannot start the watchdog shell: ${err.message}`, 'ESPAWN')));
    w.once('exit', () => this.fail(new TunError(`socat ${this.started ? 'exited unexpectedly' : 'failed to start'}${lastError(this.log)}`, 'ESOCAT')));
    createInterface({ input: w.stdout }).on('line', (line) => this.onWatchdogLine(line));
    createInterface({ input: w.stderr }).on('line', (line) => this.onSocatLine(line));
    return new Promise((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      let poll: NodeJS.Timeout | undefined;
      this.startWaiter = (err) => {
        clearTimeout(poll);
        this.startWaiter = undefined;
        if (err) reject(err);
        else resolve();
      };
      // socat opens the TUN device first and binds its UDP socket next: once the port is bound, both are up.
      const check = async () => {
        if (!this.startWaiter) return;
        if (await udpPortBound(socatPort)) {
          this.started = true;
          this.startWaiter?.();
        } else if (performance.now() > deadline) {
          this.fail(new TunError(`socat did not start within ${timeoutMs} ms${lastError(this.log)}`, 'ETIMEDOUT'));
        } else poll = setTimeout(check, 5);
      };
      void check();
    });
  }

  private fail(err: Error): void {
    if (this.closing) return;
    if (this.startWaiter) this.startWaiter(err);
    else this.onFailure(err);
  }

  private onSocatLine(line: string): void {
    this.log.push(line);
    if (this.log.length > 50) this.log.shift();
    if (process.env.WASM_TCP_DEBUG) process.stderr.write(`[socat] ${line}\n`);
    if (/ [EF] /.test(line) && !this.started) this.fail(new TunError(`socat: ${line.replace(/^.*socat\[\d+\] [EF] /, '')}`, 'ESOCAT'));
  }

  private onWatchdogLine(line: string): void {
    if (process.env.WASM_TCP_DEBUG) process.stderr.write(`[watchdog] ${line}\n`);
    if (line === 'tuntap-failed') {
      this.fail(new TunError(`cannot create the ${this.kind.toUpperCase()} device '${this.options.dev}'${lastError(this.log)}`, 'ETUNTAP'));
    } else if (line.startsWith('socat-exit')) {
      // socat died (a write error while the device is down, …); the watchdog restarts it on the same port.
      this.socatRestarts++;
      if (!this.started) return this.fail(new TunError(`socat failed to start${lastError(this.log)}`, 'ESOCAT'));
      const now = performance.now();
      this.restarts.push(now);
      while (this.restarts.length && this.restarts[0] < now - 1000) this.restarts.shift();
      if (this.restarts.length > 20) this.fail(new TunError(`socat keeps exiting${lastError(this.log)}`, 'ESOCAT'));
    }
  }

  private onDatagram(msg: Buffer): void {
    // TUN: IPv4 only (IPv6 is disabled on the device, anything else is noise). TAP: every frame with
    // an Ethernet header goes on; the reader decides what to do with EtherTypes it does not speak.
    if (this.kind === 'tun' ? msg.length < 20 || msg[0] >> 4 !== 4 : msg.length < 14) { this.stats.rxDropped++; return; }
    this.stats.rxPackets++;
    this.stats.rxBytes += msg.length;
    const t = this.tap;
    if (t) t(msg, wallMs());
    this.onPacket(msg);
  }
}

function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

function lastError(log: string[]): string {
  const e = log.filter((l) => / [EF] /.test(l)).pop();
  return e ? `: ${e.replace(/^.*socat\[\d+\] [EF] /, '')}` : '';
}

/** A UDP port on 127.0.0.1 that is free right now (bound once by us, then released). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createSocket('udp4');
    probe.once('error', reject);
    probe.bind(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** True when some UDP socket is bound to 127.0.0.1:`port` (from /proc/net/udp, no child process). */
async function udpPortBound(port: number): Promise<boolean> {
  // Lines read "  sl: LOCAL REMOTE st …"; only the local column counts (our own socket has it as REMOTE).
  const local = new RegExp(`^\\s*\\d+: 0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} `, 'm');
  const table = await readFile('/proc/net/udp', 'utf8').catch(() => '');
  return local.test(table);
}

/** Fails with a clear message when the bridge cannot work here. */
async function preflight(dev: string, kind: DeviceKind): Promise<void> {
  const missing = await tunUnavailable(['socat', 'ip'], ROOT_HINT, kind);
  if (missing) throw missing;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(dev)) throw new TunError(`invalid device name '${dev}' (1-15 of A-Z a-z 0-9 _ . -)`, 'EINVAL');
  if (await exists(`/sys/class/net/${dev}`)) throw new TunError(`network device '${dev}' already exists; pick another --dev`, 'EEXIST');
}

const PACKAGES: Record<string, string> = { ip: 'iproute2' };

const ROOT_HINT = 'run it as root, ideally inside a network namespace: sudo ip netns exec NS wasm-tcp tun ...';

/**
 * Why a TUN (or TAP) device (with `tools` on PATH) cannot be set up here: Linux, root (CAP_NET_ADMIN),
 * /dev/net/tun, the tools; one clear line each (`rootHint` ends the root one). Undefined when
 * everything is there.
 */
export async function tunUnavailable(tools: readonly string[], rootHint = ROOT_HINT, kind: DeviceKind = 'tun'): Promise<TunError | undefined> {
  const name = kind.toUpperCase();
  if (process.platform !== 'linux') return new TunError(`${name} devices are Linux-only (this is ${process.platform})`, 'ENOSYS');
  if (!(await hasNetAdmin())) return new TunError(`creating a ${name} device needs root (CAP_NET_ADMIN); ${rootHint}`, 'EPERM');
  try {
    await access('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    return new TunError('/dev/net/tun is missing or not accessible (load the tun module: modprobe tun; in a container, pass --device /dev/net/tun)', 'ENODEV');
  }
  for (const tool of tools) {
    if (!(await onPath(tool))) return new TunError(`'${tool}' not found on PATH (install it: apt-get install ${PACKAGES[tool] ?? tool})`, 'ENOENT');
  }
  return undefined;
}

async function hasNetAdmin(): Promise<boolean> {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(status);
    if (m) return ((BigInt(`0x${m[1]}`) >> BigInt(CAP_NET_ADMIN)) & 1n) === 1n;
  } catch { /* not Linux procfs: fall back to the uid */ }
  return process.getuid?.() === 0;
}

async function exists(path: string): Promise<boolean> {
  try { await access(path); return true; } catch { return false; }
}

async function onPath(tool: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    if (dir && (await exists(`${dir}/${tool}`))) return true;
  }
  return false;
}

/** The MAC address the kernel gave a device (`aa:bb:cc:dd:ee:ff`), from sysfs. */
export async function deviceMac(dev: string): Promise<string> {
  return (await readFile(`/sys/class/net/${dev}/address`, 'utf8')).trim();
}

/** Gives the device its address, disables IPv6, brings it up and routes our address to it. */
async function configureDevice(o: TunOptions): Promise<void> {
  try {
    await writeFile(`/proc/sys/net/ipv6/conf/${o.dev}/disable_ipv6`, '1');
  } catch { /* IPv6 absent from this kernel: nothing to disable */ }
  await ip(['addr', 'add', `${formatIPv4(o.kernelAddr.addr)}/${o.kernelAddr.prefix}`, 'dev', o.dev]);
  await ip(['link', 'set', 'dev', o.dev, 'mtu', String(o.mtu), 'up']);
  if (!inSubnet(o.addr, o.kernelAddr)) await ip(['route', 'add', `${formatIPv4(o.addr)}/32`, 'dev', o.dev]);
}

function ip(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 5000 }, (err, _stdout, stderr) => {
      if (err) reject(new TunError(`ip ${args.join(' ')}: ${(stderr || err.message).trim()}`, 'EIP'));
      else resolve();
    });
  });
}

/** Closes the UDP socket and the watchdog's pipe, then waits for the watchdog to stop socat and delete the device. */
async function stop(udp: UdpSocket, watchdog: Watchdog, dev: string): Promise<void> {
  try { udp.close(); } catch { /* already closed */ }
  if (watchdog.pid === undefined || watchdog.exitCode !== null || watchdog.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  watchdog.stdin.end();
  let forced = false;
  const timer = setTimeout(() => {
    // The watchdog should finish within milliseconds; if not, kill its whole group (it and socat).
    forced = true;
    try { process.kill(-watchdog.pid!, 'SIGKILL'); } catch { /* gone */ }
  }, 3000);
  await exited;
  clearTimeout(timer);
  if (forced) await ip(['link', 'del', 'dev', dev]).catch(() => {});
}
