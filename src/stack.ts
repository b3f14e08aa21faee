// Stack: one engine instance, its interfaces (an address on a link, TAP/TUN/loopback interfaces) and a
// clock; pumps packets, events and timers.
import type { Clock, ClockTimer } from './clock/clock.js';
import { DEFAULT_CONFIG, Engine, EventKind, IfKind, NEIGH_STATE_NAMES, STATE_NAMES, type EngineConfig } from './engine/engine.js';
import { RECORD_HEADER, RECORD_IFACE_MASK, RECORD_LOCAL } from './engine/abi.js';
import { Errno } from './engine/errno.js';
import { forEachRecord, recordBatch, recordBytes, recordLength, type RecordBatch } from './engine/records.js';
import type { Link, LinkEndpoint } from './link/link.js';
import type { ConnAddresses, ConnOwner, ListenerOwner, StackPort, TaskOwner } from './port.js';
import { Emitter } from './util/emitter.js';
import { systemError } from './util/errors.js';
import { formatIPv4, isIPv4, parseIPv4 } from './util/ip.js';
import { formatMac } from './util/mac.js';
import {
  derivedMac, loopbackConfig, tapConfig, tunConfig,
  type InterfaceConfig, type LoopbackInterfaceOptions, type TapInterfaceOptions, type TunInterfaceOptions,
} from './iface/config.js';
import { LoopbackInterface, TapInterface, TunInterface, type InterfaceHost, type NetworkInterface } from './iface/interfaces.js';
import { abortError, checkInt, checkObject, checkSignal, invalidType, invalidValue, outOfRange } from './util/validate.js';
import { Server, isLocalHost, type ServerOptions } from './server.js';
import { Socket, type SocketOptions } from './socket.js';
import { connectTcp, listenTcp, type TcpConnectOptions, type TcpListenOptions } from './streams/open.js';
import type { TcpConnection } from './streams/connection.js';
import type { TcpListener } from './streams/listener.js';

/** Options of a Stack. */
export interface StackOptions {
  /**
   * Our IPv4 address, dotted quad: the one-interface shorthand (interface 0 reaches every address
   * through `link`). Without it the stack starts with no interface: add them with
   * createTapInterface / createTunInterface / createLoopbackInterface.
   */
  address?: string;
  /** The clock that drives timers (VirtualClock for simulations, RealClock for live use). */
  clock: Clock;
  /** Link to attach to at once (or call `attach()` later); needs `address`. */
  link?: Link;
  /** Seed of the engine's ISN secret; each reboot derives a new one (default 1). */
  seed?: number;
  /** Engine config overrides. */
  config?: Partial<EngineConfig>;
  /** Name for logs and ladders ('client', 'server', …). */
  name?: string;
  /** Keep every state transition in `transitions` (default true; the 'transition' event fires either way). */
  recordTransitions?: boolean;
}

/** One state change of one connection. */
export interface Transition {
  /** Time in ms on the stack's clock. */
  t: number;
  /** Connection handle. */
  conn: number;
  from: string;
  to: string;
}

/** One entry of the ARP neighbour cache (`ip neigh`). */
export interface Neighbour {
  /** IPv4 address. */
  address: string;
  /** MAC ('' while INCOMPLETE). */
  mac: string;
  /** 'INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE'. */
  state: string;
  /** The interface it belongs to. */
  iface: NetworkInterface | undefined;
}

/** Options of `stack.connect()`. */
export interface ConnectOptions extends SocketOptions {
  /** Peer address, dotted quad ('localhost' means our own address). */
  host?: string;
  /** Peer port. */
  port: number;
  /** Our port (default: an ephemeral one chosen by the engine). */
  localPort?: number;
  /** Disable Nagle at once. */
  noDelay?: boolean;
  /** Enable keepalive at once. */
  keepAlive?: boolean;
  /** Keepalive idle time in ms. */
  keepAliveInitialDelay?: number;
  /** Aborting it destroys the socket with an AbortError (as Node's `signal` option). */
  signal?: AbortSignal;
}

/** Pumps running now, across stacks: a zero-delay link hands a tx batch to its peer from inside one. */
let pumping = 0;

/**
 * A TCP/IP host: drives one WASM engine. An engine call made outside the pump asks for one (on the
 * clock, at the current time): fire due timers, dispatch engine events to sockets and servers, hand
 * the whole tx batch to the link, loop until quiet, re-arm the clock at the engine's next deadline
 * (read from its control block, no call). Events: 'transition' (Transition), 'crash', 'reboot'.
 */
export class Stack extends Emitter implements LinkEndpoint {
  /** The address of the one-interface shorthand (`options.address`) as a u32, 0 when none. */
  private readonly mainAddr: number;
  readonly clock: Clock;
  readonly name: string;
  /** The engine; replaced by a fresh one on reboot. */
  engine: Engine;
  /** The attached link, if any. */
  link: Link | undefined;
  /** True while crashed: silent, deaf, state lost. */
  get down(): boolean { return this.isDown; }
  set down(on: boolean) {
    this.isDown = on;
    this.port.up = !on; // what sockets read on every read and write
    this.ifaceHost.down = on; // and what interfaces read on every frame
  }
  private isDown = false;
  /** Every state transition so far (across reboots). */
  readonly transitions: Transition[] = [];
  /** Receive scratch buffer reused by every socket ('data' listeners get copies). */
  private readonly scratch = new Uint8Array(65536);

  private readonly seed: number;
  private readonly config: Partial<EngineConfig> | undefined;
  private readonly record: boolean;
  private boots = 0;
  private readonly timer: ClockTimer;
  private inService = false;
  private sockets: (ConnOwner | undefined)[] = [];
  private servers: (ListenerOwner | undefined)[] = [];
  /**
   * Deferred work in order: a function (task 0 in `deferredTask`), or an owner's task (no closure);
   * the first `deferredCount` entries are live. The lists are never cut back to length 0 (V8 then
   * drops their backing store and the next push allocates a new one: ~110 B per churn connection);
   * run entries are overwritten with undefined instead, so nothing is kept alive.
   */
  private deferred: (TaskOwner | (() => void) | undefined)[] = [];
  private deferredTask: number[] = [];
  private deferredCount = 0;
  private spareDeferred: (TaskOwner | (() => void) | undefined)[] = [];
  private spareTasks: number[] = [];
  private readonly ev = { kind: 0, conn: 0, arg: 0 };
  private readonly txSink = (batch: RecordBatch): void => this.output(batch);
  /** A run of the tx batch going to the link (when looped-back records are cut out of it). */
  private readonly run = recordBatch(new Uint8Array(0));
  private openCount = 0;
  private listening = 0;
  /** Handles to give back to the engine: the first `releaseCount` (the list keeps its backing store, as `deferred`). */
  private toRelease: number[] = [];
  private releaseCount = 0;
  /** Socket whose connection a slot last carried, for state tracking after release. */
  private stateOwner: (ConnOwner | undefined)[] = [];
  /** Open sockets and listening servers that keep a Node process alive (not unref()'d). */
  private refs = 0;
  /** What sockets and servers see of this stack. */
  private readonly port: StackPort & { up: boolean };
  /** Interfaces by engine index (0 is the shorthand's when `address` was given). */
  private ifaces: (NetworkInterface | undefined)[] = [];
  /** Only the shorthand's interface exists: a tx batch goes to the link in one piece. */
  private linkOnly: boolean;
  /** What interfaces see of this stack. */
  private readonly ifaceHost: InterfaceHost & { down: boolean };
  /** StackPort.addresses' reused answer, and the last peer address it formatted. */
  private readonly tuple = { localAddr: 0, localPort: 0, remoteAddr: -1, remotePort: 0, remoteAddress: '', localAddress: '' };
  private peerAddr = -1;
  private peerText = '';
  /** The last local address `addresses` formatted. */
  private localAddr = -1;
  private localText = '';
  /** The last peer address connect() parsed (a dotted quad; names that depend on interfaces are not kept). */
  private lastHost = '';
  private lastDst = 0;
  private lastDstText = '';
  /** The listener whose accept queue held more after the last accept, −1 when none. */
  private moreListener = -1;

  /** Creates the host and its engine; attaches to `opts.link` if given. */
  constructor(opts: StackOptions) {
    super();
    checkObject('options', opts);
    if (opts.address !== undefined && !isIPv4(opts.address)) {
      throw typeof opts.address === 'string' ? invalidValue('options.address', opts.address, 'must be an IPv4 address') : invalidType('options.address', 'of type string', opts.address);
    }
    if (opts.link !== undefined && opts.address === undefined) {
      throw invalidValue('options.link', 'a Link', 'needs options.address (interfaces attach with iface.attach(link))');
    }
    const clock = opts.clock as Partial<Clock> | undefined;
    if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function' || typeof clock.timer !== 'function') {
      throw invalidType('options.clock', 'a Clock (VirtualClock or RealClock)', clock);
    }
    if (opts.seed !== undefined && (typeof opts.seed !== 'number' || !Number.isFinite(opts.seed))) {
      throw typeof opts.seed === 'number' ? outOfRange('options.seed', 'a finite number', opts.seed) : invalidType('options.seed', 'of type number', opts.seed);
    }
    this.mainAddr = opts.address === undefined ? 0 : parseIPv4(opts.address);
    this.linkOnly = this.mainAddr !== 0;
    this.clock = opts.clock;
    this.name = opts.name ?? (opts.address === undefined ? 'stack' : formatIPv4(this.mainAddr));
    this.seed = opts.seed ?? 1;
    this.config = checkConfig(opts.config);
    this.record = opts.recordTransitions ?? true;
    this.engine = this.makeEngine();
    this.timer = this.clock.timer(() => this.service());
    this.timer.setRef(false);
    this.port = this.makePort();
    this.ifaceHost = this.makeIfaceHost();
    if (opts.link) this.attach(opts.link);
  }

  /** Our address as a u32: the shorthand's, else the first interface's; 0 when there is none. */
  get addr(): number {
    if (this.mainAddr !== 0) return this.mainAddr;
    for (const f of this.ifaces) if (f) return f.addr;
    return 0;
  }

  /** Our address, dotted quad (see `addr`; '0.0.0.0' when there is none). */
  get address(): string {
    return formatIPv4(this.addr);
  }

  /** The interfaces, in index order (the shorthand's is not one of these objects). */
  get interfaces(): NetworkInterface[] {
    return this.ifaces.filter((f): f is NetworkInterface => f !== undefined);
  }

  /**
   * An Ethernet interface (L2) whose frames the application carries: `readable` gives what the stack
   * sends, `writable` takes what it receives. ARP resolves on-link addresses and the gateway; the
   * interface announces itself with a gratuitous ARP. Throws for bad options, EADDRINUSE for an
   * address another interface has, ENOBUFS when the engine has no free interface slot.
   */
  createTapInterface(opts: TapInterfaceOptions): TapInterface {
    const index = this.freeIndex('createTapInterface');
    const c = tapConfig(opts, derivedMac(this.seed, index));
    return this.addInterface(new TapInterface(this.ifaceHost, index, c), 'createTapInterface');
  }

  /** An IP interface (L3) whose IPv4 packets the application carries (a VPN, a WebSocket tunnel). */
  createTunInterface(opts: TunInterfaceOptions): TunInterface {
    const index = this.freeIndex('createTunInterface');
    return this.addInterface(new TunInterface(this.ifaceHost, index, tunConfig(opts)), 'createTunInterface');
  }

  /** A loopback interface (default 127.0.0.1/8): its prefix routes to it, and its address is reachable by the stack itself. */
  createLoopbackInterface(opts?: LoopbackInterfaceOptions): LoopbackInterface {
    const index = this.freeIndex('createLoopbackInterface');
    return this.addInterface(new LoopbackInterface(index, loopbackConfig(opts)), 'createLoopbackInterface');
  }

  /** Removes an interface: its connections fail with ENETDOWN, its streams end. */
  removeInterface(iface: NetworkInterface): void {
    if (this.ifaces[iface.index] !== iface) throw invalidValue('iface', iface?.ip, 'is not an interface of this stack');
    this.ifaces[iface.index] = undefined;
    if (!this.down) {
      this.engine.ifaceDown(iface.index, this.clock.now());
      this.kick();
    }
    iface.close();
    this.linkOnly = this.mainAddr !== 0 && this.interfaces.length === 0;
  }

  /** The ARP neighbour cache of every interface (`ip neigh`). */
  neighbours(): Neighbour[] {
    if (this.down) return [];
    return this.engine.neighbours().map((n) => ({
      address: formatIPv4(n.addr),
      mac: n.state === 1 ? '' : formatMac(n.macHi * 0x100000000 + n.macLo),
      state: NEIGH_STATE_NAMES[n.state],
      iface: this.ifaces[n.ifIndex],
    }));
  }

  private freeIndex(call: string): number {
    const max = this.engine.config.maxInterfaces;
    for (let i = this.mainAddr !== 0 ? 1 : 0; i < max; i++) if (!this.ifaces[i]) return i;
    throw Object.assign(systemError(-Errno.ENOBUFS, call), { message: `${call} ENOBUFS: no free interface slot (config maxInterfaces is ${max})` });
  }

  private addInterface<T extends NetworkInterface>(iface: T, call: string): T {
    const c = iface.config;
    const taken = c.addr === this.mainAddr || this.interfaces.some((f) => f.addr === c.addr);
    if (taken) throw systemError(-Errno.EADDRINUSE, call, formatIPv4(c.addr));
    if (!this.down) {
      const r = this.engine.ifaceUp(iface.index, c, this.clock.now());
      if (r < 0) throw systemError(r, call, formatIPv4(c.addr));
      this.kick();
    }
    this.ifaces[iface.index] = iface;
    this.linkOnly = false;
    return iface;
  }

  /** Attaches the stack to a link (a DirectLink end or a SimNetwork). */
  attach(link: Link): void {
    if (this.mainAddr === 0) throw new TypeError('Stack.attach(link) needs options.address; attach an interface instead (iface.attach(link))');
    this.link?.detach(this);
    this.link = link;
    link.attach(this);
  }

  /** Opens a connection to `host:port`; 'connect' or 'error' follows. */
  connect(opts: ConnectOptions, onConnect?: () => void): Socket {
    checkObject('options', opts);
    const port = opts.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) {
      const err = new RangeError(`Port should be > 0 and < 65536. Received ${typeof port === 'string' ? `type string ('${port}')` : String(port)}.`) as RangeError & { code: string };
      err.code = 'ERR_SOCKET_BAD_PORT';
      throw err;
    }
    if (opts.localPort !== undefined) checkInt('options.localPort', opts.localPort, 0, 65535);
    if (opts.host !== undefined && typeof opts.host !== 'string') throw invalidType('options.host', 'of type string', opts.host);
    const signal = checkSignal('options.signal', opts.signal);
    const host = opts.host ?? 'localhost';
    const s = new Socket(this.port, opts);
    s.remoteAddress = host;
    s.remotePort = port;
    s.connecting = true;
    if (onConnect) s.once('connect', onConnect);
    if (opts.noDelay) s.setNoDelay(true);
    if (opts.keepAlive) s.setKeepAlive(true, opts.keepAliveInitialDelay ?? 0);
    if (signal) {
      if (signal.aborted) {
        this.defer(() => s.destroy(abortError(signal)));
        return s;
      }
      const onAbort = () => s.destroy(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      s.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    let dst: number;
    if (host === this.lastHost) {
      dst = this.lastDst; // a client connecting again and again to one peer parses its address once
    } else {
      try {
        dst = host === 'localhost' || (host === '127.0.0.1' && !this.loopbackIface()) ? this.localhost() : parseIPv4(host);
      } catch {
        const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: host });
        this.defer(() => s.destroy(err));
        return s;
      }
      if (host !== 'localhost' && host !== '127.0.0.1') {
        this.lastHost = host;
        this.lastDst = dst;
        this.lastDstText = formatIPv4(dst);
      }
    }
    s.remoteAddress = host === this.lastHost ? this.lastDstText : formatIPv4(dst);
    if (this.down) {
      this.defer(() => s.destroy(systemError(-Errno.ENETUNREACH, 'connect', s.remoteAddress, port)));
      return s;
    }
    const conn = this.engine.connect(dst, port, this.clock.now(), opts.localPort);
    if (conn < 0) {
      this.defer(() => s.destroy(systemError(conn, 'connect', s.remoteAddress, port)));
      return s;
    }
    this.adopt(conn, s, true); // tcpConnect leaves it in SYN_SENT
    this.kick();
    return s;
  }

  /** A server, not yet listening (Node's net.createServer). */
  createServer(opts?: ServerOptions | ((s: Socket) => void), onConnection?: (s: Socket) => void): Server {
    if (typeof opts === 'function') return new Server(this.port, {}, opts);
    return new Server(this.port, opts, onConnection);
  }

  /** A server listening on `port` at once. */
  listen(port: number, opts: ServerOptions & { backlog?: number; host?: string } = {}, onConnection?: (s: Socket) => void): Server {
    return this.createServer(opts, onConnection).listen({ port, backlog: opts.backlog, host: opts.host });
  }

  /** Web streams: opens a connection; resolves once ESTABLISHED, rejects with a Node-coded error (ECONNREFUSED, ETIMEDOUT, …). */
  connectTcp(opts: TcpConnectOptions): Promise<TcpConnection> {
    return connectTcp(this, opts);
  }

  /** Web streams: listens on a port; resolves with an async iterable of accepted connections. */
  listenTcp(opts: TcpListenOptions): Promise<TcpListener> {
    return listenTcp(this, opts);
  }

  /** The engine's send buffer size in bytes. */
  get sendBufferSize(): number {
    return this.engine.config.sendBufferSize;
  }

  /** RFC state name of connection `conn`. */
  stateName(conn: number): string {
    return STATE_NAMES[this.engine.state(conn)] ?? 'CLOSED';
  }

  /** Sockets still open on this stack. */
  get openSockets(): number {
    return this.openCount;
  }

  /**
   * "Process killed": every socket is closed as close(2) would (FIN, or RST with unread data) and
   * every server stops listening. The host stays up so the closes complete.
   */
  close(): void {
    for (const srv of this.servers) srv?.close();
    for (const s of this.sockets) if (s && !s.destroyed) s.destroy();
  }

  /** Host crash: silent from now on, every connection and listener forgotten (the peer finds out by itself). */
  crash(): void {
    if (this.down) return;
    this.down = true;
    this.timer.disarm();
    for (const s of this.sockets) s?.onCrash();
    for (const srv of this.servers) srv?.onCrash();
    this.sockets = [];
    this.stateOwner = [];
    this.toRelease = [];
    this.releaseCount = 0;
    this.servers = [];
    this.listening = 0;
    this.deferred = [];
    this.deferredTask = [];
    this.deferredCount = 0;
    this.engine.dropHeld();
    this.openCount = 0;
    if (this.refs > 0) this.clock.hold?.(false);
    this.refs = 0;
    this.emit('crash');
  }

  /** Boots again after a crash (or now): a fresh engine with the same interfaces, with no memory of old connections. */
  reboot(): void {
    if (!this.down) this.crash();
    this.engine = this.makeEngine();
    this.down = false;
    const now = this.clock.now();
    for (const f of this.interfaces) this.engine.ifaceUp(f.index, f.config, now);
    this.kick();
    this.emit('reboot');
  }

  /** Where 'localhost' goes: the loopback interface's address, else our address. */
  private localhost(): number {
    return this.loopbackIface()?.addr ?? this.addr;
  }

  private loopbackIface(): LoopbackInterface | undefined {
    return this.ifaces.find((f): f is LoopbackInterface => f instanceof LoopbackInterface);
  }

  /** Called by the link with one inbound packet (copied into the engine's rx area). */
  receive(packet: Uint8Array): void {
    if (this.down) return;
    this.engine.input(packet, this.clock.now());
    this.kick();
  }

  /**
   * Called by the link with a batch of packet records (a peer engine's tx batch): one copy, one engine
   * call. From inside a peer's pump (a DirectLink: zero delay) this stack pumps at once, at the same
   * instant, instead of through a clock event per batch, when the clock counts such an inline event
   * (VirtualClock: same event count, same livelock guard); a batch that comes back while our own
   * pump runs waits for the end of its drain, as our looped-back packets do: held in our engine's rx
   * area (Engine.holdRecords), so a peer's answer too reaches our engine in one copy.
   */
  receiveRecords(batch: RecordBatch): void {
    if (this.down) return;
    if (this.inService) {
      this.clock.inlineEvent?.(); // it stands for the pump a timer would have run
      return this.engine.holdRecords(batch.u8, batch.i32, batch.start, batch.end, batch.count);
    }
    this.engine.inputRecords(batch, this.clock.now());
    if (pumping > 0 && this.clock.inlineEvent?.()) this.service();
    else this.kick();
  }

  /** Asks for a pump at the current time (after an engine call made outside the pump). */
  private kick(): void {
    if (this.inService || this.down) return;
    const now = this.clock.now();
    if (this.timer.deadline > now) this.timer.arm(now);
  }

  /** Runs `fn` from the next pump (events are never emitted from inside API calls). */
  private defer(fn: () => void): void {
    this.deferWork(fn, 0);
  }

  /** Queues `fn` (task 0) or `owner.runTask(task)` (task ≥ 1) for the next pump, in order. */
  private deferWork(work: TaskOwner | (() => void), task: number): void {
    const i = this.deferredCount++;
    this.deferred[i] = work; // i ≤ length: an append keeps the list packed
    this.deferredTask[i] = task;
    this.kick();
  }

  /**
   * Registers `owner` for engine connection `conn`, which the engine's accept or connect just returned:
   * its state and 4-tuple are read from the control block (no call).
   */
  private adopt(conn: number, owner: ConnOwner, connecting: boolean): void {
    this.sockets[conn] = owner;
    this.stateOwner[conn] = owner;
    this.openCount++;
    const engine = this.engine;
    engine.opened(this.tuple);
    owner.attach(conn, connecting, STATE_NAMES[engine.openedState] ?? 'CLOSED', this.texts(this.tuple));
  }

  /**
   * The socket is done with its handle: events for it are ignored from now on, and the engine gets the
   * handle back once the event queue is drained (so a slot is never reused while old events are queued).
   */
  private releaseConn(conn: number, owner: ConnOwner): void {
    if (this.sockets[conn] !== owner) return;
    this.sockets[conn] = undefined;
    this.openCount--;
    this.toRelease[this.releaseCount++] = conn;
    this.kick();
  }

  /** Opens an engine listener (port 0: the engine picks a free one from its ephemeral range). */
  private openListener(owner: ListenerOwner, port: number, backlog?: number): { handle: number; port: number } {
    if (this.down) return { handle: -Errno.ENETUNREACH, port };
    const h = this.engine.listen(port, backlog);
    if (h < 0) return { handle: h, port };
    this.servers[h] = owner;
    this.listening++;
    return { handle: h, port: this.engine.lastListenPort };
  }

  /** Closes an engine listener. */
  private closeListener(handle: number): void {
    if (this.servers[handle]) this.listening--;
    this.servers[handle] = undefined;
    if (!this.down) {
      this.engine.unlisten(handle, this.clock.now());
      this.kick();
    }
  }

  /** StackPort.localAddress: our address on `conn` from the engine's tuple; ours when down. */
  private localAddressOf(conn: number): string {
    return this.addresses(conn)?.localAddress ?? this.address;
  }

  /** StackPort.addresses: the engine's tuple into one reused object; each dotted quad is formatted once per new address. */
  private addresses(conn: number): ConnAddresses | undefined {
    const t = this.tuple;
    if (this.down || !this.engine.tuple(conn, t)) return undefined;
    return this.texts(t);
  }

  /** `t` (this.tuple) with its dotted quads, each formatted once per new address. */
  private texts(t: Stack['tuple']): ConnAddresses {
    if (t.remoteAddr !== this.peerAddr) {
      this.peerAddr = t.remoteAddr;
      this.peerText = formatIPv4(t.remoteAddr);
    }
    if (t.localAddr !== this.localAddr) {
      this.localAddr = t.localAddr;
      this.localText = formatIPv4(t.localAddr);
    }
    t.remoteAddress = this.peerText;
    t.localAddress = this.localText;
    return t;
  }

  /** Counts handles that keep a Node process alive; the clock holds it while there is one. */
  private ref(delta: 1 | -1): void {
    const before = this.refs;
    this.refs = Math.max(0, this.refs + delta);
    if ((before === 0) !== (this.refs === 0)) this.clock.hold?.(this.refs > 0);
  }

  /** The narrow interface handed to sockets and servers: each engine call kicks the pump. */
  private makePort(): StackPort & { up: boolean } {
    const now = () => this.clock.now();
    const live = (conn: number) => conn >= 0 && !this.down;
    // A plain literal of data fields, no accessor: every stack's port then has the same hidden class,
    // so the loads of its fields on every read and write stay monomorphic (a getter per port gave
    // each port a map of its own: those loads went through the generic load IC).
    const port: StackPort & { up: boolean } = {
      address: () => this.address,
      isLocal: (host) => isLocalHost(host, this.address) || this.interfaces.some((f) => f.address === host),
      localAddress: (conn) => this.localAddressOf(conn),
      clock: this.clock,
      up: true, // a field, not a getter: sockets read it on every read and write (`down` sets it)
      scratch: this.scratch,
      // The read and write path: no call that is not needed (inside the pump no kick is).
      send: (conn, data) => {
        if (this.isDown) return -Errno.EBADF;
        const n = this.engine.send(conn, data, this.clock.now());
        if (!this.inService) this.kick();
        return n;
      },
      recv: (conn, into) => {
        if (this.isDown) return -Errno.EBADF;
        const n = this.engine.recv(conn, into, this.clock.now());
        if (!this.inService) this.kick();
        return n;
      },
      shutdown: (conn) => {
        if (!live(conn)) return;
        this.engine.shutdown(conn, now());
        this.kick();
      },
      close: (conn) => {
        if (!live(conn)) return;
        this.engine.close(conn, now());
        this.kick();
      },
      abort: (conn) => {
        if (!live(conn)) return;
        this.engine.abort(conn, now());
        this.kick();
      },
      setNoDelay: (conn, on) => {
        if (!live(conn)) return;
        this.engine.setNoDelay(conn, on, now());
        this.kick();
      },
      setKeepAlive: (conn, on, idleMs) => {
        if (!live(conn)) return;
        this.engine.setKeepAlive(conn, on, idleMs, now());
        this.kick();
      },
      stateName: (conn) => this.stateName(conn),
      info: (conn) => this.engine.info(conn),
      addresses: (conn) => this.addresses(conn),
      release: (conn, owner) => {
        if (!this.down) this.releaseConn(conn, owner);
      },
      listen: (owner, port, backlog) => this.openListener(owner, port, backlog),
      unlisten: (handle) => this.closeListener(handle),
      accept: (listener, makeOwner) => {
        if (this.down) return -Errno.EBADF;
        const engine = this.engine;
        const conn = engine.accept(listener);
        this.moreListener = engine.acceptMore ? listener : -1;
        if (conn >= 0) this.adopt(conn, makeOwner(), false);
        return conn;
      },
      acceptMore: (listener) => this.moreListener === listener && !this.down,
      owned: (conn) => this.sockets[conn] !== undefined,
      defer: (fn) => this.defer(fn),
      deferTask: (owner, task) => this.deferWork(owner, task),
      ref: (delta) => this.ref(delta),
    };
    return port;
  }

  private makeEngine(): Engine {
    const seed = (this.seed * 0x9e3779b1 + this.boots++ * 0x85ebca6b) >>> 0;
    return Engine.create({ addr: this.mainAddr, seed, config: this.config });
  }

  /** What interfaces see of this stack: inbound frames go to the engine like a link's packets. */
  private makeIfaceHost(): InterfaceHost & { down: boolean } {
    // Data fields only, as the port: one hidden class for every stack's host (`down` set by the setter).
    return {
      input: (index, data) => {
        if (this.down) return;
        this.engine.inputOn(index, data, this.clock.now());
        this.kick();
      },
      down: false,
      crash: () => this.crash(),
      reboot: () => this.reboot(),
    };
  }

  /**
   * The pump: due timers, events, deferred work and the tx batch, round after round until nothing is
   * left at this instant; then the clock is armed at the engine's next deadline. Each round costs
   * at most one poll and one input of looped-back packets: events are read from the ring and the
   * tx batch goes to the link in one piece.
   */
  private service(): void {
    if (this.down) return;
    const engine = this.engine;
    const now = this.clock.now();
    this.inService = true;
    pumping++;
    let busy = false;
    try {
      for (let round = 0; ; round++) {
        if (engine.nextDeadline <= now) engine.poll(now);
        if (engine.eventsPending) this.dispatch();
        if (this.deferredCount) this.runDeferred();
        if (this.releaseCount) this.releaseAll(now);
        if (this.down || engine !== this.engine) return;
        if (engine.txPending) {
          engine.drainTxRecords(this.txSink);
        } else if (!engine.held && !(engine.nextDeadline <= now) && !engine.eventsPending && !this.deferredCount && !this.releaseCount) {
          break;
        }
        if (engine.held) engine.inputHeld(now); // looped-back records and answers that came during the drain
        if (round === 100_000) {
          busy = true; // hand back to the clock (its livelock guard) rather than spin here; resume at once
          break;
        }
      }
    } finally {
      this.inService = false;
      pumping--;
    }
    this.timer.arm(busy ? now : engine.nextDeadline);
  }

  /**
   * Sends a tx batch: records of interface 0 (the shorthand's) go to the link in runs, local records
   * (to our own addresses) are looped back, the rest go to their interface. With only the
   * shorthand's interface and nothing local, the whole batch goes to the link in one piece.
   */
  private output(batch: RecordBatch): void {
    if (this.linkOnly && this.engine.txLocal === 0) return this.toLink(batch);
    const { u8, i32, end } = batch;
    const run = this.run;
    const toLink = this.mainAddr !== 0;
    run.u8 = u8;
    run.i32 = i32;
    run.start = batch.start;
    run.count = 0;
    for (let p = batch.start; p < end;) {
      const len = recordLength(u8, p);
      const next = p + recordBytes(len);
      const meta = i32[(p >>> 2) + 1];
      const index = meta & RECORD_IFACE_MASK;
      if (index === 0 && toLink && !(meta & RECORD_LOCAL)) {
        run.count++;
      } else {
        run.end = p;
        if (run.count) this.toLink(run);
        if (meta & RECORD_LOCAL) this.engine.holdRecords(u8, i32, p, next, 1);
        else this.ifaces[index]?.emit(u8.subarray(p + RECORD_HEADER, p + RECORD_HEADER + len));
        run.start = next;
        run.count = 0;
      }
      p = next;
    }
    run.end = end;
    if (run.count) this.toLink(run);
  }

  private toLink(batch: RecordBatch): void {
    const link = this.link;
    if (link?.sendRecords) link.sendRecords(batch, this);
    else if (link) forEachRecord(batch.u8, batch.start, batch.end, (p) => link.send(p, this));
  }

  private releaseAll(now: number): void {
    const list = this.toRelease;
    // Cut to the live entries (≥ 1 of them: V8 keeps the backing store at any length but 0).
    if (list.length !== this.releaseCount) list.length = this.releaseCount;
    this.releaseCount = 0;
    this.engine.releaseAll(list, now); // one engine call for the lot
  }

  private runDeferred(): void {
    // Two lists used in turn: work deferred while these run goes to the other one (no array per round).
    const list = this.deferred;
    const tasks = this.deferredTask;
    const n = this.deferredCount;
    this.deferred = this.spareDeferred;
    this.deferredTask = this.spareTasks;
    this.deferredCount = 0;
    let i = 0;
    try {
      for (; i < n; i++) {
        const task = tasks[i];
        const work = list[i];
        list[i] = undefined;
        if (task === 0) (work as () => void)();
        else (work as TaskOwner).runTask(task);
      }
    } finally {
      for (; i < n; i++) list[i] = undefined; // after a throw the rest is dropped, as before
      this.spareDeferred = list;
      this.spareTasks = tasks;
    }
  }

  private dispatch(): number {
    const engine = this.engine;
    const ev = this.ev;
    let n = 0;
    while (engine.nextEvent(ev)) {
      n++;
      const conn = ev.conn;
      switch (ev.kind) {
        case EventKind.Readable:
          this.sockets[conn]?.onReadable();
          break;
        case EventKind.PeerFin:
          this.sockets[conn]?.onPeerFin();
          break;
        case EventKind.Writable:
          this.sockets[conn]?.onWritable();
          break;
        case EventKind.Connected:
          this.sockets[conn]?.onConnected();
          break;
        case EventKind.Accept:
          this.servers[conn]?.onAccept(ev.arg);
          break;
        case EventKind.Closed:
          this.sockets[conn]?.onClosed(ev.arg);
          break;
        case EventKind.State:
          this.onState(conn, ev.arg);
          break;
        case EventKind.SoftError:
          this.sockets[conn]?.onSoftError(ev.arg);
          break;
      }
      if (engine !== this.engine) break;
    }
    return n;
  }

  /** A State event (arg: from << 8 | to): the owner's tcpState, `transitions` and 'transition'. */
  private onState(conn: number, arg: number): void {
    const to = STATE_NAMES[arg & 0xff];
    const owner = this.stateOwner[conn];
    if (owner) {
      owner.onState(to);
      if (to === 'CLOSED') this.stateOwner[conn] = undefined;
    }
    if (this.record || this.listenerCount('transition')) {
      const tr: Transition = { t: this.clock.now(), conn, from: STATE_NAMES[(arg >> 8) & 0xff], to };
      if (this.record) this.transitions.push(tr);
      this.emit('transition', tr, owner);
    }
  }
}

/**
 * Checks the types of a config override (the ranges are the engine's: it refuses a value with
 * EINVAL at create): known keys, booleans where the engine takes a flag, finite numbers elsewhere.
 */
function checkConfig(config: Partial<EngineConfig> | undefined): Partial<EngineConfig> | undefined {
  if (config === undefined) return undefined;
  checkObject('options.config', config);
  for (const [k, v] of Object.entries(config)) {
    const name = `options.config.${k}`;
    if (!(k in DEFAULT_CONFIG)) throw invalidValue(name, v, 'is not an engine setting');
    if (v === undefined) continue;
    const flag = typeof DEFAULT_CONFIG[k as keyof EngineConfig] === 'boolean';
    if (flag ? typeof v !== 'boolean' : typeof v !== 'number') throw invalidType(name, flag ? 'of type boolean' : 'of type number', v);
    if (!flag && !Number.isFinite(v)) throw outOfRange(name, 'a finite number', v);
  }
  return config;
}
