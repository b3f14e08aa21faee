// TCP options negotiated with the kernel, read back from our own --pcap with our decoder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readCapture } from '../../src/pcap/reader.js';
import { parsePacket, type ParsedTcp } from '../../src/wire/parse.js';
import { Netns } from './netns.js';
import { describeInterop, kernelSink, stop, suiteDir } from './suite.js';

const US = '10.77.0.2';

function segments(file: string): ParsedTcp[] {
  const out: ParsedTcp[] = [];
  for (const rec of readCapture(readFileSync(file))) {
    const p = parsePacket(rec.data);
    if (!('skip' in p)) out.push(p);
  }
  return out;
}

/** Checks one connection: the SYN-ACK answers exactly what the SYN offered, and the result is used. */
function checkNegotiation(segs: ParsedTcp[], initiator: string): void {
  const syn = segs.find((s) => s.flagNames === 'S' && s.src === initiator)!;
  const synAck = segs.find((s) => s.flagNames === 'S.' && s.dst === initiator)!;
  expect(syn, 'SYN in the capture').toBeDefined();
  expect(synAck, 'SYN-ACK in the capture').toBeDefined();
  expect(segs.every((s) => s.checksumOk && s.ipChecksumOk), 'every checksum verifies').toBe(true);
  // Both Linux and our engine offer all four options in a SYN.
  expect(syn.mss).toBe(1460);
  expect(syn.wscale).not.toBeNull();
  expect(syn.sackPermitted).toBe(true);
  expect(syn.tsval).not.toBeNull();
  // RFC 7323 §2.2/§3.2, RFC 2018 §2: a SYN-ACK carries wscale, TS and SACK-permitted only if the SYN did.
  expect(synAck.mss).toBe(1460);
  expect(synAck.wscale !== null).toBe(syn.wscale !== null);
  expect(synAck.sackPermitted).toBe(syn.sackPermitted);
  expect(synAck.tsval !== null).toBe(syn.tsval !== null);
  expect(synAck.tsecr).toBe(syn.tsval);
  // Timestamps negotiated: every later non-RST segment of both sides carries them (RFC 7323 §3.2).
  const rest = segs.filter((s) => !(s.flags & 0x02) && !(s.flags & 0x04));
  expect(rest.length).toBeGreaterThan(3);
  for (const s of rest) expect(s.tsval, `${s.src}.${s.sport} > ${s.dst}.${s.dport} ${s.flagNames}`).not.toBeNull();
  const firstAck = rest.find((s) => s.src === initiator)!;
  expect(firstAck.tsecr).toBe(synAck.tsval);
  // Neither side sends segments larger than the MSS the other announced (minus the 12 TS bytes).
  for (const s of rest) expect(s.len).toBeLessThanOrEqual(1460 - 12);
  expect(Math.max(...rest.map((s) => s.len))).toBe(1448);
  // Our SYN (or SYN-ACK) opens a usable window: SYN windows are never scaled (RFC 7323 §2.2), so the
  // raw field must be non-zero, or the kernel could send nothing until our first ACK.
  const ourSyn = syn.src === US ? syn : synAck;
  expect(ourSyn.win, `our ${ourSyn.flagNames} window`).toBeGreaterThan(0);
  // Window scaling in use on our side: our 512 KiB receive buffer shows as windows above 64 KiB
  // once shifted by the scale we announced, never above the buffer (RFC 7323 §2.3).
  const ourWindows = rest.filter((s) => s.src === US).map((s) => s.win * 2 ** ourSyn.wscale!);
  expect(Math.max(...ourWindows)).toBeGreaterThan(65535);
  expect(Math.max(...ourWindows)).toBeLessThanOrEqual(512 * 1024);
}

describeInterop('tun option negotiation with the kernel', () => {
  const dir = suiteDir('wasm-tcp-options-');

  it('kernel SYN to our echo: MSS, window scale, timestamps and SACK-permitted as offered', async () => {
    const ns = await Netns.create();
    const pcap = join(dir, 'passive.pcap');
    const tun = await ns.tun(['--pcap', pcap, 'echo', '--port', '7']);
    const client = ns.peer(['echo-client', US, '7', '100000']);
    const done = await client.waitJson(/"event": "done"/);
    expect(done.received_sha256).toBe(done.sent_sha256);
    await tun.waitLine(/^echo /);
    await stop(tun);
    checkNegotiation(segments(pcap), '10.77.0.1');
    await ns.destroy();
  });

  it('our SYN to a kernel listener: the kernel answers every option we offered', async () => {
    const ns = await Netns.create();
    const pcap = join(dir, 'active.pcap');
    const sink = await kernelSink(ns);
    const send = await ns.tun(['--pcap', pcap, 'send', '10.77.0.1:5001', '--bytes', '100000']);
    expect(await send.exit()).toBe(0);
    await sink.waitLine(/"event": "done"/);
    checkNegotiation(segments(pcap), US);
    await ns.destroy();
  });
});
