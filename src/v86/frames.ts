// v86Frames: a v86 emulator's network card as web streams of Ethernet frames. Browser-safe.
// The card talks on the emulator's bus: `net<id>-send` carries a frame the guest sent, `net<id>-receive`
// hands the card a frame, `net<id>-mac` tells the card's MAC address. Works for ne2k and virtio alike.

/** The part of a v86 emulator (`new V86(...)`, npm `v86`) the adapter uses. */
export interface V86Emulator {
  /** Subscribes to a bus event. */
  add_listener(event: string, listener: (value: any) => void): void;
  /** Unsubscribes. */
  remove_listener(event: string, listener: (value: any) => void): void;
}

/** Options of {@link v86Frames} and {@link attachV86}. */
export interface V86FramesOptions {
  /** Which card: v86 names its events `net<id>-…` (`net_device.id`). Default 0. */
  id?: number;
  /** Largest IP packet the card carries; longer frames to the guest are dropped and counted. Default 1500 (virtio's `net_device.mtu` may be larger). */
  mtu?: number;
  /** Frames from the guest held for a slow reader; past it they are dropped and counted. Default 256. */
  queue?: number;
  /** Frames handed to the card per turn of the event loop before the guest gets to run. Default 4. */
  burst?: number;
}

/** Counters of one {@link V86Frames}. */
export interface V86FrameStats {
  /** Frames the guest sent. */
  fromGuest: number;
  /** Of those, dropped because the reader was gone or too slow (the queue was full). */
  droppedFromGuest: number;
  /** Frames handed to the card. */
  toGuest: number;
  /** Frames written for the guest and dropped: shorter than an Ethernet header, longer than the MTU, or written after close(). */
  droppedToGuest: number;
}

/** Ethernet header length: destination MAC, source MAC, EtherType. */
const ETH_HEADER = 14;
/** Minimum Ethernet frame without the FCS (IEEE 802.3); the card expects shorter frames padded. */
const ETH_MIN_FRAME = 60;

/** The guest's network card as streams of Ethernet frames (no FCS), made by {@link v86Frames}. */
export interface V86Frames {
  /** Frames the guest sends, each a copy the reader owns. Ends at close(). */
  readonly readable: ReadableStream<Uint8Array>;
  /** Frames for the guest: padded to 60 bytes and handed to the card outside the emulator's own handlers. */
  readonly writable: WritableStream<Uint8Array>;
  /** The guest card's MAC (`00:22:15:…`), from the card's announcement or the source of the guest's first frame; undefined until known. */
  readonly mac: string | undefined;
  /** Counters. */
  readonly stats: Readonly<V86FrameStats>;
  /** Stops listening to the card: the readable ends, the writable errors (frames still queued are dropped). Idempotent. */
  close(): void;
}

/** Formats 6 bytes as `aa:bb:cc:dd:ee:ff`. */
function macText(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + b[at + i].toString(16).padStart(2, '0');
  return s;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new RangeError(`v86Frames: ${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

/**
 * Runs callbacks in a later task of the event loop, after the emulator's next slice: setImmediate
 * in Node (v86 runs its slices by setImmediate), else a MessageChannel (not clamped like nested
 * setTimeout in browsers).
 */
function taskScheduler(): { run(fn: () => void): void; close(): void } {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') return { run: (fn) => void immediate(fn), close: () => {} };
  if (typeof MessageChannel !== 'function') return { run: (fn) => void setTimeout(fn, 0), close: () => {} };
  const channel = new MessageChannel();
  const queued: (() => void)[] = [];
  channel.port1.onmessage = () => queued.shift()?.();
  return {
    run: (fn) => {
      queued.push(fn);
      channel.port2.postMessage(0);
    },
    close: () => channel.port1.close(),
  };
}

/** A bus to hand frames to the card, from an emulator object. */
function busOf(emulator: V86Emulator): { send(event: string, value: unknown): void } {
  const bus = (emulator as { bus?: { send?: unknown } } | null)?.bus;
  if (typeof emulator?.add_listener !== 'function' || typeof emulator.remove_listener !== 'function' || typeof bus?.send !== 'function') {
    throw new TypeError('v86Frames: expected a v86 emulator (new V86(...) with add_listener, remove_listener and bus)');
  }
  return bus as { send(event: string, value: unknown): void };
}

/**
 * Opens the card of a running or booting v86 `emulator` as {@link V86Frames}. Frames the guest sends
 * are copied out of the card's memory (ne2k hands out a live view of it); frames written are padded
 * to 60 bytes and injected from a later task, never from inside the emulator's synchronous handlers,
 * at most `burst` per turn of the event loop so the guest runs between bursts.
 */
export function v86Frames(emulator: V86Emulator, options: V86FramesOptions = {}): V86Frames {
  const bus = busOf(emulator);
  const id = positiveInt('id', options.id, 0, 0);
  const maxFrame = ETH_HEADER + positiveInt('mtu', options.mtu, 1500, 68);
  const queue = positiveInt('queue', options.queue, 256, 1);
  const burst = positiveInt('burst', options.burst, 4, 1);
  const stats: V86FrameStats = { fromGuest: 0, droppedFromGuest: 0, toGuest: 0, droppedToGuest: 0 };
  const receiveEvent = `net${id}-receive`;
  let mac: string | undefined;
  let closed = false;
  let readerGone = false;
  let rc!: ReadableStreamDefaultController<Uint8Array>;
  let wc!: WritableStreamDefaultController;

  const onSend = (frame: Uint8Array) => {
    stats.fromGuest++;
    // A unicast source address is the card's own.
    if (mac === undefined && frame.length >= ETH_HEADER && (frame[6] & 1) === 0) mac = macText(frame, 6);
    if (readerGone || (rc.desiredSize ?? 0) <= 0) {
      stats.droppedFromGuest++;
      return;
    }
    rc.enqueue(frame.slice());
  };
  const onMac = (text: unknown) => {
    if (typeof text === 'string') mac = text.toLowerCase();
  };
  emulator.add_listener(`net${id}-send`, onSend);
  emulator.add_listener(`net${id}-mac`, onMac);

  const readable = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        rc = c;
      },
      cancel: () => {
        readerGone = true;
      },
    },
    new CountQueuingStrategy({ highWaterMark: queue }),
  );

  // Frames injected in this turn of the event loop; the budget refills on the next one.
  let budget = burst;
  let nextTurn: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  const nextTask = taskScheduler();
  const turn = (): Promise<void> => (nextTurn ??= new Promise<void>((resolve) => {
    wake = () => {
      budget = burst;
      nextTurn = wake = undefined;
      resolve();
    };
    nextTask.run(() => wake?.());
  }));
  const writable = new WritableStream<Uint8Array>({
    start: (c) => {
      wc = c;
    },
    write: async (chunk) => {
      // Any realm's Uint8Array (or Buffer); other views and values are a caller's bug.
      if (!ArrayBuffer.isView(chunk) || (chunk as Uint8Array).BYTES_PER_ELEMENT !== 1 || chunk instanceof DataView) {
        throw new TypeError(`v86Frames: frames are Uint8Array, got ${Object.prototype.toString.call(chunk)}`);
      }
      if (chunk.length < ETH_HEADER || chunk.length > maxFrame || closed) {
        stats.droppedToGuest++;
        return;
      }
      const frame = new Uint8Array(Math.max(ETH_MIN_FRAME, chunk.length));
      frame.set(chunk);
      // Out of the caller's synchronous code (it may be the emulator's own net-send handler), within the turn's budget.
      if (budget > 0) await Promise.resolve();
      while (budget === 0) await turn();
      if (closed) {
        stats.droppedToGuest++;
        return;
      }
      if (budget-- === burst) void turn();
      bus.send(receiveEvent, frame);
      stats.toGuest++;
    },
  }, new CountQueuingStrategy({ highWaterMark: burst }));

  return {
    readable,
    writable,
    get mac() {
      return mac;
    },
    stats,
    close() {
      if (closed) return;
      closed = true;
      emulator.remove_listener(`net${id}-send`, onSend);
      emulator.remove_listener(`net${id}-mac`, onMac);
      if (!readerGone) {
        readerGone = true;
        rc.close();
      }
      wc.error(new Error('v86Frames: closed'));
      wake?.(); // a write waiting for the next turn drops its frame now, so pipes into `writable` can stop
      nextTask.close();
    },
  };
}
