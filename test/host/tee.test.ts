import { describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/pcap/writer.js';
import { captureInfo, readCapture } from '../../src/pcap/reader.js';
import { parsePacket, type ParsedTcp } from '../../src/wire/parse.js';
import { CLIENT, concat, directPair, SERVER, simPair } from './helpers.js';

describe('pcap tee of a SimNetwork', () => {
  it('records every packet sent (lost ones too) and the ICMP answers, readable by the project decoder', () => {
    const { clock, net, client, server } = simPair({ loss: 0.1 }, {}, 9);
    const chunks: Uint8Array[] = [];
    net.pcap(new PcapWriter((c) => chunks.push(c.slice())));
    server.listen(80, {}, (s) => s.on('data', () => undefined));
    const c = client.connect({ host: SERVER, port: 80 });
    c.on('connect', () => c.write(new Uint8Array(50_000)));
    clock.runFor(3000);
    net.partition(CLIENT, SERVER, { icmp: true });
    c.write('into the void');
    clock.runFor(3000);
    const file = concat(chunks);
    expect(captureInfo(file)).toMatchObject({ format: 'pcap', linkType: 101 });
    const records = [...readCapture(file)];
    expect(records.length).toBe(net.stats.sent + net.stats.icmp);
    const parsed = records.map((r) => parsePacket(r.data));
    const tcp = parsed.filter((p): p is ParsedTcp => !('skip' in p));
    const icmp = parsed.filter((p) => 'skip' in p && p.skip === 'icmp');
    expect(icmp.length).toBe(net.stats.icmp);
    expect(icmp.length).toBeGreaterThan(0);
    expect(tcp.length + icmp.length).toBe(records.length);
    expect(tcp.every((p) => p.checksumOk === true && p.ipChecksumOk)).toBe(true);
    expect(tcp[0].flagNames).toBe('S');
    expect(net.stats.lost).toBeGreaterThan(0);
    // times are virtual milliseconds, never decreasing
    const times = records.map((r) => r.seconds * 1e3 + r.nanos / 1e6);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
  });
});

describe('pcap tee of a DirectLink', () => {
  it('records every packet both ways with valid checksums; removing the tee stops it', () => {
    const { clock, link, client, server } = directPair();
    const chunks: Uint8Array[] = [];
    const remove = link.pcap(new PcapWriter((c) => chunks.push(c.slice())));
    server.listen(80, {}, (s) => { s.on('data', (d: Uint8Array) => s.write(d)); s.on('end', () => s.end()); });
    const c = client.connect({ host: SERVER, port: 80 });
    c.on('connect', () => c.end('ping'));
    clock.runFor(100);
    const packets = link.packets;
    remove();
    client.connect({ host: SERVER, port: 80 });
    clock.runFor(100);
    const records = [...readCapture(concat(chunks))];
    expect(captureInfo(concat(chunks))).toMatchObject({ format: 'pcap', linkType: 101 });
    expect(records.length).toBe(packets);
    const tcp = records.map((r) => parsePacket(r.data) as ParsedTcp);
    expect(tcp.every((p) => p.checksumOk === true && p.ipChecksumOk)).toBe(true);
    expect(tcp.slice(0, 2).map((p) => p.flagNames)).toEqual(['S', 'S.']);
    expect(new Set(tcp.map((p) => p.src))).toEqual(new Set([CLIENT, SERVER]));
  });
});
