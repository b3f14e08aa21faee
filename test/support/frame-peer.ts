// A minimal IPv4 host on raw Ethernet frames for tests that talk to the guest before the stack has an
// Ethernet layer: it answers ARP requests and pings for its address and collects what the guest sends.
import type { FrameStreams } from '../../src/v86/attach.js';
import { arpFrame, echoFrame, macString, parseArp, parseEcho, type Arp, type Echo } from './ethernet.js';

export class FramePeer {
  /** Every frame the guest sent, in order. */
  readonly frames: Uint8Array[] = [];
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly waiters = new Set<() => void>();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly done: Promise<void>;

  /** Reads and writes frames on `wire` (the guest's card, or the far ends of an interface). */
  constructor(wire: FrameStreams, readonly mac: string, readonly ip: string) {
    this.writer = wire.writable.getWriter();
    const reader = (this.reader = wire.readable.getReader());
    this.done = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        this.frames.push(value);
        await this.answer(value);
        for (const w of this.waiters) w();
      }
    })();
  }

  /** Sends a frame to the guest. */
  send(frame: Uint8Array): Promise<void> {
    return this.writer.write(frame);
  }

  /** Resolves with the first frame (from index `from` on) that `pick` maps to a value. */
  next<T>(pick: (f: Uint8Array) => T | undefined, timeoutMs: number, from = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      let i = from;
      const check = () => {
        for (; i < this.frames.length; i++) {
          const v = pick(this.frames[i]);
          if (v !== undefined) {
            this.waiters.delete(check);
            clearTimeout(timer);
            resolve(v);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching frame from the guest within ${timeoutMs} ms (${this.frames.length} frames seen)`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** ARP for `ip`; resolves with the reply. */
  async resolve(ip: string, timeoutMs = 5000): Promise<Arp> {
    const from = this.frames.length;
    await this.send(arpFrame({ op: 'request', senderMac: this.mac, senderIp: this.ip, targetMac: '00:00:00:00:00:00', targetIp: ip }));
    return this.next((f) => {
      const a = parseArp(f);
      return a?.op === 'reply' && a.senderIp === ip ? a : undefined;
    }, timeoutMs, from);
  }

  /** Sends one echo request to `dstIp` at `dstMac`; resolves with the matching reply. */
  async ping(dstMac: string, dstIp: string, seq: number, data: Uint8Array, timeoutMs = 5000): Promise<Echo> {
    const from = this.frames.length;
    const id = 0x7a86;
    await this.send(echoFrame(dstMac, this.mac, { type: 'request', src: this.ip, dst: dstIp, id, seq, data }));
    return this.next((f) => {
      const e = parseEcho(f);
      return e?.type === 'reply' && e.id === id && e.seq === seq && e.src === dstIp ? e : undefined;
    }, timeoutMs, from);
  }

  /** Echo requests the guest sent us. */
  echoRequests(): Echo[] {
    return this.frames.map(parseEcho).filter((e): e is Echo => e?.type === 'request' && e.dst === this.ip);
  }

  private async answer(f: Uint8Array): Promise<void> {
    const a = parseArp(f);
    if (a?.op === 'request' && a.targetIp === this.ip) {
      await this.send(arpFrame({ op: 'reply', senderMac: this.mac, senderIp: this.ip, targetMac: a.senderMac, targetIp: a.senderIp }));
      return;
    }
    const e = parseEcho(f);
    if (e?.type === 'request' && e.dst === this.ip) {
      await this.send(echoFrame(macString(f, 6), this.mac, { ...e, type: 'reply', src: this.ip, dst: e.src }));
    }
  }

  /** Stops reading and writing; the streams are released. */
  async close(): Promise<void> {
    await this.reader.cancel();
    await this.done;
    this.writer.releaseLock();
  }
}
