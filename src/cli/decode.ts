// `wasm-tcp decode FILE [--json]`: decode a pcap/pcapng capture, tcpdump-style or one JSON object per packet.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeCapture, humanLine, jsonObject } from '../pcap/decode.js';
import { PcapError } from '../pcap/reader.js';
import { argsErrorMessage } from './args.js';

const HELP = `usage: wasm-tcp decode FILE [--json]

Decodes a capture: classic pcap (either byte order, µs or ns) or pcapng; link types Ethernet
(with VLAN tags), raw IP (101, 228), Linux cooked (SLL, SLL2). FILE '-' reads standard input.

  (default)  one tcpdump-like line per packet, time relative to the first packet: TCP segments,
             ARP (who-has / is-at) and ICMP (echo request/reply, unreachable, ...) as tcpdump -n -S
             prints them
  --json     one JSON object per packet. TCP: index, ts, src, dst, ttl, id, ipLen, ipChecksumOk,
             sport, dport, seq, ack, flags, flagNames, win, len, checksum, checksumOk, mss,
             wscale, sackPermitted, sack, tsval, tsecr. ARP: index, ts, proto ("arp"), op,
             opName, senderMac, senderIp, targetMac, targetIp, len. ICMP: index, ts, proto
             ("icmp"), src, dst, ttl, id, ipLen, ipChecksumOk, type, code, typeName, checksum,
             checksumOk, ident, seq, len. {"index":N,"skip":"reason"} for anything else

A damaged file prints the packets before the damage, then one error line; exit code 1.`;

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many symbolic links',
};

/** Runs the command; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    console.error(`wasm-tcp decode: ${argsErrorMessage(e)}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`wasm-tcp decode: ${positionals.length === 0 ? 'no capture file given' : 'one capture file at a time'}\n\n${HELP}`);
    return 2;
  }
  const file = positionals[0];

  let bytes: Uint8Array;
  try {
    const buf = readFileSync(file === '-' ? 0 : file);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    console.error(`wasm-tcp decode: ${file}: ${FILE_ERRORS[err.code ?? ''] ?? err.message}`);
    return 1;
  }

  // `decode big.pcap | head` closes the pipe early: stop quietly, as tcpdump does.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });

  // Lines are written in batches: one write per packet would dominate the run time.
  let out: string[] = [];
  let outChars = 0;
  const flush = (): void => {
    if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
    out = [];
    outChars = 0;
  };
  let start: { seconds: number; nanos: number } | undefined;
  try {
    for (const d of decodeCapture(bytes)) {
      let line: string;
      if (values.json) {
        line = JSON.stringify(jsonObject(d));
      } else {
        if (!start && d.record.hasTimestamp) start = { seconds: d.record.seconds, nanos: d.record.nanos };
        line = humanLine(d, start ?? { seconds: 0, nanos: 0 });
      }
      out.push(line);
      outChars += line.length;
      if (outChars >= 1 << 16) flush();
    }
  } catch (e) {
    flush();
    if (e instanceof PcapError) {
      console.error(`wasm-tcp decode: ${file}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  flush();
  return 0;
}
