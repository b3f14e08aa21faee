// Our stack joined to a v86 guest: a Stack on the real clock with one TAP interface at the guest's
// gateway address, attached to the emulator's card through taps that capture every frame both ways
// (LINKTYPE_ETHERNET pcap) and let a test write frames of its own into the guest.
import { RealClock } from '../../src/clock/real.js';
import type { EngineConfig } from '../../src/engine/abi.js';
import type { TapInterface } from '../../src/iface/interfaces.js';
import { LINKTYPE_ETHERNET, PcapWriter } from '../../src/pcap/writer.js';
import { Stack } from '../../src/stack.js';
import { attachV86, type V86Attachment } from '../../src/v86/attach.js';
import type { V86Emulator, V86FramesOptions } from '../../src/v86/frames.js';

/** Our MAC on the guest's segment. */
export const STACK_MAC = '02:00:00:00:00:02';

export interface GuestLink {
  readonly stack: Stack;
  readonly clock: RealClock;
  readonly tap: TapInterface;
  /** Every frame both ways, in order, as a pcap file (LINKTYPE_ETHERNET). */
  pcap(): Uint8Array;
  /** Frames the guest sent, in order (copies). */
  readonly fromGuest: Uint8Array[];
  /** Writes a frame of the test's own into the guest (beside the stack's). */
  inject(frame: Uint8Array): Promise<void>;
  /** Joins the stack to (another) emulator; the previous attachment is detached first. */
  attach(emulator: V86Emulator): Promise<V86Attachment>;
  /** Detaches and closes the stack. */
  close(): Promise<void>;
}

/** A stack at `cidr` (the guest's gateway, '10.0.2.2/24'), attached to `emulator`; `seed` varies its ISNs and ports, `frames` are attachV86's options. */
export async function linkStack(emulator: V86Emulator, cidr: string, config: Partial<EngineConfig> = {}, seed = 7, frames: V86FramesOptions = {}): Promise<GuestLink> {
  const clock = new RealClock();
  const stack = new Stack({ clock, name: 'us', seed, config });
  const tap = stack.createTapInterface({ mac: STACK_MAC, ip: cidr });
  const t0 = clock.now();
  const chunks: Uint8Array[] = [];
  const pcap = new PcapWriter((c) => chunks.push(c.slice()), 65535, LINKTYPE_ETHERNET);
  const fromGuest: Uint8Array[] = [];
  const record = (f: Uint8Array) => pcap.packet(f, clock.now() - t0);

  // What the stack sends and what the test injects merge into one stream for the card.
  let injectCtl!: ReadableStreamDefaultController<Uint8Array>;
  const injected = new ReadableStream<Uint8Array>({ start: (c) => { injectCtl = c; } });
  const toCard = new TransformStream<Uint8Array, Uint8Array>({ transform: (f, c) => { record(f); c.enqueue(f); } });
  const toCardWriter = toCard.writable.getWriter();
  const pump = async (r: ReadableStream<Uint8Array>) => {
    const reader = r.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      await toCardWriter.write(value);
    }
  };
  void pump(tap.readable).catch(() => {});
  void pump(injected).catch(() => {});
  const fromCard = new WritableStream<Uint8Array>({
    write: async (f) => {
      record(f);
      fromGuest.push(f);
      const w = tap.writable.getWriter();
      try {
        await w.write(f);
      } finally {
        w.releaseLock();
      }
    },
  });
  const side = { readable: toCard.readable, writable: fromCard };
  let attached: V86Attachment | undefined;
  const link: GuestLink = {
    stack, clock, tap, fromGuest,
    pcap: () => {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let off = 0;
      for (const c of chunks) (out.set(c, off), (off += c.length));
      return out;
    },
    inject: async (frame) => injectCtl.enqueue(frame),
    attach: async (em) => {
      await attached?.detach();
      attached = attachV86(em, side, frames);
      return attached;
    },
    close: async () => {
      await attached?.detach();
      stack.close();
      stack.removeInterface(tap);
    },
  };
  await link.attach(emulator);
  return link;
}
