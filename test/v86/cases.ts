// The guest tests for one network card: a real Linux kernel in v86, reached through v86Frames with
// frames built by the test (ARP, ICMP echo both ways), its serial shell, and its snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachV86 } from '../../src/v86/attach.js';
import { v86Frames, type V86Frames } from '../../src/v86/frames.js';
import { arpFrame, parseArp } from '../support/ethernet.js';
import { FramePeer } from '../support/frame-peer.js';
import { bootGuest, guestImages, type Card, type Guest, type GuestManifest } from '../support/v86-guest.js';

/** Our side of the wire: a locally administered MAC at the guest's gateway address. */
const US_MAC = '02:00:00:00:00:02';

/** The images, or why the tests skip (only outside CI: under CI=true a missing image fails). */
export async function imagesOrSkip(): Promise<GuestManifest | undefined> {
  const images = await guestImages();
  if ('manifest' in images) return images.manifest;
  if (process.env.CI === 'true') throw new Error(`CI=true and the v86 guest cannot be built: ${images.unavailable}`);
  console.warn(`skipping the v86 guest tests: ${images.unavailable}`);
  return undefined;
}

/** Every test of one card, on one guest booted (or restored) for the file. */
export function guestCases(card: Card, manifest: GuestManifest | undefined): void {
  describe.skipIf(!manifest)(`a Linux guest on v86's ${card} card`, () => {
    let guest: Guest;
    let card_: V86Frames;
    let peer: FramePeer;

    beforeAll(async () => {
      guest = await bootGuest(manifest!, { card });
      const how = guest.restored ? 'restored from a snapshot' : 'booted';
      const saved = guest.saved ? `; snapshot saved in ${guest.saved.ms.toFixed(0)} ms (${(guest.saved.bytes / 2 ** 20).toFixed(1)} MiB)` : '';
      console.log(`v86 ${card}: ${how} to a shell in ${(guest.startMs / 1000).toFixed(2)} s${saved}`);
      card_ = v86Frames(guest.emulator);
      peer = new FramePeer(card_, US_MAC, guest.gateway);
    }, 240_000);

    afterAll(async () => {
      await peer?.close();
      card_?.close();
      await guest?.destroy();
    });

    it('the serial shell runs commands: /proc/net/tcp lists httpd on :80 and the echo on :7 listening', async () => {
      const tcp = await guest.sh('cat /proc/net/tcp');
      const listening = tcp.split('\n').filter((l) => / 0A /.test(l)).map((l) => l.trim().split(/\s+/)[1]);
      expect(listening).toEqual(expect.arrayContaining(['00000000:0050', '00000000:0007']));
      expect(await guest.sh(`cat /sys/class/net/eth0/address`)).toBe(`${guest.mac}\n`);
      await expect(guest.sh('false')).rejects.toThrow(/exited 1/);
    });

    it('v86Frames opened on the emulator before the card existed knows its MAC from the card, not from a frame', () => {
      expect(guest.early).toEqual({ mac: guest.mac, fromGuest: 0 });
    });

    it('answers our ARP request with its MAC', async () => {
      const reply = await peer.resolve(guest.ip);
      expect(reply).toEqual({ op: 'reply', senderMac: guest.mac, senderIp: guest.ip, targetMac: US_MAC, targetIp: guest.gateway });
      // The adapter learned the same MAC from the card.
      expect(card_.mac).toBe(guest.mac);
      const frame = peer.frames.find((f) => parseArp(f)?.op === 'reply')!;
      expect([...frame.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':')).toBe(US_MAC);
      expect(await guest.sh(`ip neigh show ${guest.gateway}`)).toContain(US_MAC);
    });

    it('answers our pings: payload, id and sequence echoed, 1472-byte payloads (full 1514-byte frames) too', async () => {
      for (const [seq, size] of [[1, 56], [2, 1], [3, 1472]]) {
        const data = Uint8Array.from({ length: size }, (_, i) => (i * 7 + seq) & 0xff);
        const reply = await peer.ping(guest.mac, guest.ip, seq, data);
        expect(reply.dst).toBe(guest.gateway);
        expect(reply.data).toEqual(data);
      }
    });

    it('answers 256 full-size pings written at once (the adapter paces them into the card)', async () => {
      const data = new Uint8Array(1472).fill(0xa5);
      const replies = await Promise.all(Array.from({ length: 256 }, (_, i) => peer.ping(guest.mac, guest.ip, 100 + i, data, 15_000)));
      expect(replies.map((r) => r.seq)).toEqual(Array.from({ length: 256 }, (_, i) => 100 + i));
      expect(card_.stats.droppedFromGuest).toBe(0);
    });

    it('pings us: the guest resolves our MAC by ARP and gets our echo replies', async () => {
      await guest.sh('ip neigh flush dev eth0'); // it learned our MAC from our own ARP request
      const before = peer.echoRequests().length;
      const from = peer.frames.length;
      const out = await guest.sh(`ping -c 3 -W 5 ${guest.gateway}`, 30_000);
      expect(out).toMatch(/3 packets transmitted, 3 packets received, 0% packet loss/);
      expect(peer.echoRequests().length - before).toBe(3);
      const arp = peer.frames.slice(from).map(parseArp).find((a) => a?.op === 'request');
      expect(arp).toMatchObject({ senderMac: guest.mac, senderIp: guest.ip, targetIp: guest.gateway });
    });

    it('hands frames to the card padded to 60 bytes, never from inside the emulator\'s own handlers', async () => {
      const extra = v86Frames(guest.emulator);
      const w = extra.writable.getWriter();
      const request = arpFrame({ op: 'request', senderMac: US_MAC, senderIp: guest.gateway, targetMac: '00:00:00:00:00:00', targetIp: guest.ip });
      expect(request.length).toBe(42);
      let inSend = false;
      const injected: { length: number; inSend: boolean }[] = [];
      // Our frames go out on the emulator's side of v86's bus pair: record its sends.
      const bus = (guest.emulator as unknown as { bus: { send(event: string, value: unknown): void } }).bus;
      const send = bus.send;
      bus.send = function (this: unknown, event: string, value: unknown) {
        if (event === 'net0-receive') injected.push({ length: (value as Uint8Array).length, inSend });
        return send.call(this, event, value);
      };
      let wrote: Promise<void> | undefined;
      const onSend = () => {
        inSend = true;
        wrote ??= w.write(request); // from inside the card's net0-send
        inSend = false;
      };
      guest.emulator.add_listener('net0-send', onSend);
      try {
        const from = peer.frames.length;
        await peer.ping(guest.mac, guest.ip, 9, new Uint8Array(8)); // makes the guest send
        await wrote;
        expect(injected).toContainEqual({ length: 60, inSend: false });
        expect(injected.every((i) => !i.inSend)).toBe(true);
        // And the guest answered the padded request.
        await peer.next((f) => (parseArp(f)?.op === 'reply' ? true : undefined), 5000, from);
      } finally {
        guest.emulator.remove_listener('net0-send', onSend);
        bus.send = send;
        extra.close();
      }
    });

    it('drops frames it cannot hand to the card and counts them; a frame that is not bytes errors the stream', async () => {
      const extra = v86Frames(guest.emulator);
      const w = extra.writable.getWriter();
      await w.write(new Uint8Array(13)); // shorter than an Ethernet header
      await w.write(new Uint8Array(1515)); // longer than 1500 + 14
      expect(extra.stats).toMatchObject({ droppedToGuest: 2, toGuest: 0 });
      await expect(w.write('nope' as unknown as Uint8Array)).rejects.toThrow(TypeError);
      extra.close();
      await expect(extra.readable.getReader().read()).resolves.toEqual({ done: true, value: undefined });
    });

    it('close() with writes waiting for their turn settles them all: the first frames went to the card, the rest are dropped', async () => {
      const paced = v86Frames(guest.emulator, { burst: 1 });
      const w = paced.writable.getWriter();
      const frame = arpFrame({ op: 'request', senderMac: US_MAC, senderIp: guest.gateway, targetMac: '00:00:00:00:00:00', targetIp: '10.0.2.99' });
      const writes = Array.from({ length: 8 }, () => w.write(frame));
      await writes[0];
      paced.close();
      const settled = await Promise.allSettled(writes);
      expect(settled[0].status).toBe('fulfilled');
      expect(paced.stats.toGuest + paced.stats.droppedToGuest + settled.filter((r) => r.status === 'rejected').length).toBeGreaterThanOrEqual(8);
      expect(paced.stats.toGuest).toBeLessThan(8);
    });

    it('attachV86 joins the card to an interface both ways; detach() releases it for the next attach', async () => {
      // An interface-shaped pair: the test holds the far ends, as a stack holds a TAP interface's.
      const toGuest = new TransformStream<Uint8Array, Uint8Array>();
      const fromGuest = new TransformStream<Uint8Array, Uint8Array>();
      const iface = { readable: toGuest.readable, writable: fromGuest.writable };
      const far = { readable: fromGuest.readable, writable: toGuest.writable };
      const other = new FramePeer(far, '02:00:00:00:00:03', '10.0.2.3');
      for (let round = 1; round <= 2; round++) {
        const attached = attachV86(guest.emulator, iface);
        expect(() => attachV86(guest.emulator, iface)).toThrow(/locked/);
        expect((await other.resolve(guest.ip)).senderMac).toBe(guest.mac);
        const data = new TextEncoder().encode(`round ${round}`);
        expect((await other.ping(guest.mac, guest.ip, round, data)).data).toEqual(data);
        expect(attached.frames.mac).toBe(guest.mac);
        expect(attached.frames.stats).toMatchObject({ toGuest: 2, droppedFromGuest: 0 });
        await attached.detach();
        await expect(attached.closed).resolves.toBeUndefined();
        expect([iface.readable.locked, iface.writable.locked]).toEqual([false, false]);
      }
      await other.close();
      expect(() => attachV86(guest.emulator, {} as never)).toThrow(TypeError);
      expect(() => attachV86({} as never, iface)).toThrow(/expected a v86 emulator/);
    });

    it('attachV86: an interface whose writable fails stops the attachment and rejects closed with its error', async () => {
      const fromGuest = new TransformStream<Uint8Array, Uint8Array>();
      const iface = { readable: new ReadableStream<Uint8Array>(), writable: fromGuest.writable };
      const attached = attachV86(guest.emulator, iface);
      const boom = new Error('interface gone');
      await fromGuest.readable.cancel(boom);
      await guest.sh('ip neigh flush dev eth0; ping -c 1 -W 1 10.0.2.4 || true', 10_000); // the guest ARPs: a frame to deliver
      await expect(attached.closed).rejects.toBe(boom);
      const seen = attached.frames.stats.fromGuest;
      await guest.sh('ping -c 1 -W 1 10.0.2.4 || true', 10_000);
      expect(attached.frames.stats.fromGuest).toBe(seen); // no longer listening
      await attached.detach();
    });

    it('restores a snapshot of this boot: same MAC, ARP, ping and shell answer', async () => {
      const mac = guest.mac;
      await peer.close();
      card_.close();
      await guest.destroy();
      guest = await bootGuest(manifest!, { card });
      expect(guest.mac).toBe(mac);
      console.log(`v86 ${card}: ${guest.restored ? 'restored from the snapshot' : 'booted'} to a shell in ${(guest.startMs / 1000).toFixed(2)} s`);
      expect(guest.restored).toBe(true);
      expect(guest.early).toEqual({ mac, fromGuest: 0 }); // v86 announces the restored card's MAC too
      card_ = v86Frames(guest.emulator);
      peer = new FramePeer(card_, US_MAC, guest.gateway);
      expect((await peer.resolve(guest.ip)).senderMac).toBe(guest.mac);
      const data = new TextEncoder().encode('after restore');
      expect((await peer.ping(guest.mac, guest.ip, 7, data)).data).toEqual(data);
      expect(await guest.sh('cat /proc/net/tcp')).toMatch(/00000000:0050 00000000:0000 0A/);
    }, 120_000);
  });
}
