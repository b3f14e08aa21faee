// attachV86: joins a v86 emulator's network card to anything with Ethernet frame streams (a TAP
// interface of a Stack, another card, a tunnel), both ways, until detach(). Browser-safe.
import { v86Frames, type V86Emulator, type V86Frames, type V86FramesOptions } from './frames.js';

/** Anything that carries Ethernet frames as web streams, e.g. `stack.createTapInterface(...)`. */
export interface FrameStreams {
  /** Frames for the guest. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Frames from the guest. */
  readonly writable: WritableStream<Uint8Array>;
}

/** The handle {@link attachV86} returns. */
export interface V86Attachment {
  /** The card's streams being piped (its `mac` and `stats`). */
  readonly frames: V86Frames;
  /**
   * Settles when the piping stops: resolves after detach() or when one side ends, rejects with the
   * error of a side that failed. Either way both directions have stopped and the card is released.
   */
  readonly closed: Promise<void>;
  /** Stops both directions and releases the interface's streams (they stay open for another use). */
  detach(): Promise<void>;
}

/** Why a pipe stopped when we stopped it. */
const DETACHED = Symbol('detached');

function isFrameStreams(x: unknown): x is FrameStreams {
  const s = x as { readable?: { pipeTo?: unknown }; writable?: { getWriter?: unknown } } | null;
  return typeof s?.readable?.pipeTo === 'function' && typeof s.writable?.getWriter === 'function';
}

/**
 * Pipes the card of `emulator` (running or still booting) to `tap` and back: frames the guest sends
 * go to `tap.writable`, frames read from `tap.readable` go to the guest. Neither of `tap`'s streams
 * is closed, aborted or cancelled by the adapter.
 */
export function attachV86(emulator: V86Emulator, tap: FrameStreams, options: V86FramesOptions = {}): V86Attachment {
  if (!isFrameStreams(tap)) throw new TypeError('attachV86: expected an interface with readable and writable streams of frames');
  if (tap.readable.locked || tap.writable.locked) throw new TypeError('attachV86: the interface\'s streams are locked (attached elsewhere?)');
  const frames = v86Frames(emulator, options);
  const stop = new AbortController();
  const opts: StreamPipeOptions = { signal: stop.signal, preventClose: true, preventAbort: true, preventCancel: true };
  let failure: unknown;
  let failed = false;
  const watch = (pipe: Promise<void>) => pipe.then(
    () => stop.abort(DETACHED),
    (err: unknown) => {
      if (!(stop.signal.aborted && stop.signal.reason === DETACHED) && !failed) {
        failed = true;
        failure = err;
      }
      stop.abort(DETACHED);
    },
  );
  const closed = Promise.all([
    watch(frames.readable.pipeTo(tap.writable, opts)),
    watch(tap.readable.pipeTo(frames.writable, opts)),
  ]).then(() => {
    frames.close();
    if (failed) throw failure;
  });
  closed.catch(() => {}); // reported through `closed` to whoever awaits it, never as unhandled
  return {
    frames,
    closed,
    async detach() {
      stop.abort(DETACHED);
      await closed.catch(() => {});
    },
  };
}
