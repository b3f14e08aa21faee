// One small check per construct of packetdrill-syntax.md that the other runner tests do not pin
// down: each passes as written and fails (or behaves differently) when the construct is wrong.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createScriptEngine } from '../../src/script/engine.js';
import { flagBits } from '../../src/script/matcher.js';
import type { EngineFactory } from '../../src/script/runner.js';
import { decodeSegment } from '../../src/script/wire.js';
import { OPEN, run } from './fixtures.js';

describe('packetdrill constructs', () => {
  it('absolute times, and an absolute range', () => {
    expect(run(`${OPEN}0.150 write(4, ..., 10) = 10\n0.150 > P. 1:11(10) ack 1\n`).verdict).toBe('PASS');
    expect(run(`${OPEN}0.150 write(4, ..., 10) = 10\n0.140~0.160 > P. 1:11(10) ack 1\n`).verdict).toBe('PASS');
    const late = run(`${OPEN}0.150 write(4, ..., 10) = 10\n0.200~0.300 > P. 1:11(10) ack 1\n`);
    expect(late).toMatchObject({ verdict: 'FAIL', line: 10 });
    expect(late.message).toMatch(/timing error: expected outbound packet at 0\.200000~0\.300000/);
    expect(run(`0.1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n`)).toMatchObject({ verdict: 'FAIL', line: 1 });
  });

  it('tolerance is max(tolerance_usecs, 12.5 % of the gap to the previous expected time)', () => {
    // Data at 0.1, RTT 100 ms: the retransmission comes 300 ms later (RTO = SRTT + 4·RTTVAR).
    const rto = (t: string) => run(`${OPEN}+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n${t} > P. 1:11(10) ack 1\n`);
    expect(rto('+.3').verdict).toBe('PASS');
    expect(rto('+.33').verdict).toBe('PASS'); // 30 ms off, 12.5 % of 330 ms = 41 ms
    const far = rto('+.36'); // 60 ms off, 45 ms allowed
    expect(far).toMatchObject({ verdict: 'FAIL', line: 11 });
    expect(far.message).toMatch(/\(±0\.045000\)/);
    expect(run(`--tolerance_usecs=70000\n${OPEN}+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n+.36 > P. 1:11(10) ack 1\n`).verdict).toBe('PASS');
  });

  it('blocking calls: relative start and end, absolute end, +0...0 returns at once', () => {
    // A blocking call is the base of the next line from where it started (0.150 here).
    const data = '+.1 < P. 1:11(10) ack 1 win 257\n';
    expect(run(`${OPEN}+.05...0.1 read(4, ..., 100) = 10\n${data.replace('+.1', '+.05')}`).verdict).toBe('PASS');
    expect(run(`${OPEN}0.150...0.200 read(4, ..., 100) = 10\n${data.replace('+.1', '+.05')}`).verdict).toBe('PASS');
    expect(run(`${OPEN}+.05...0.1 read(4, ..., 100) = 10\n${data}`)).toMatchObject({ verdict: 'FAIL', line: 9 });
    expect(run(`${OPEN}+0 write(4, ..., 10) = 10\n+0...0 read(4, ..., 100) = -1 EAGAIN\n`).verdict).toBe('FAIL'); // blocks: no data
    expect(run(`${OPEN}${data.replace('+.1', '+0')}+0...0 read(4, ..., 100) = 10\n`).verdict).toBe('PASS');
    const early = run(`${OPEN}${data.replace('+.1', '+0')}+0...0.1 read(4, ..., 100) = 10\n`);
    expect(early).toMatchObject({ verdict: 'FAIL', line: 10 });
    expect(early.message).toMatch(/returned at once .* expects it to block until 0\.200000/);
  });

  it('every flag letter maps to its bit; inbound "-" carries no flags at all', () => {
    const bits: Array<[string, number]> = [['S', 0x02], ['F', 0x01], ['R', 0x04], ['P', 0x08], ['.', 0x10], ['U', 0x20], ['E', 0x40], ['W', 0x80], ['', 0]];
    expect(bits.map(([letter]) => [letter, flagBits(letter)])).toEqual(bits);
    // Without the ACK bit the data is dropped (RFC 9293 §3.10.7.4), so nothing becomes readable.
    const noFlags = `${OPEN}+0 < - 1:11(10) win 257\n+0 ioctl(4, SIOCINQ, [0]) = 0\n`;
    expect(run(noFlags).verdict).toBe('PASS');
    expect(run(noFlags.replace('< -', '< P.').replace('(10) win', '(10) ack 1 win')).verdict).toBe('FAIL');
  });

  it('outbound ECE, CWR and URG are compared exactly', () => {
    for (const f of ['S.E', 'S.W', 'S.U']) {
      const r = run(OPEN.replace('> S. 0:0(0)', `> ${f} 0:0(0)`));
      expect(r).toMatchObject({ verdict: 'FAIL', line: 6 });
      expect(r.message).toMatch(new RegExp(`flags: expected ${f.replace('.', '\\.')} vs actual S\\.`));
    }
  });

  it('outbound win is compared when given; an omitted ack must be 0 with no ACK bit', () => {
    expect(run(`${OPEN}+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1 win 2109\n`).verdict).toBe('PASS');
    const w = run(`${OPEN}+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1 win 2110\n`);
    expect(w.message).toMatch(/win: expected 2110 vs actual 2109/);
    // A segment for a port nobody listens on: RST with seq = its ack, no ACK bit, ack field 0.
    const rst = `\`./defaults.sh\`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < . 1:1(0) ack 5 win 257\n+0 > R 5:5(0) win 0\n`;
    expect(run(rst).verdict).toBe('PASS');
    expect(run(rst.replace('> R 5:5(0)', '> R. 5:5(0) ack 1')).message).toMatch(/flags: expected R\. vs actual R/);
  });

  it('option lists: none means none, <...> anything, and <...> is refused inbound', () => {
    const noOpts = run(OPEN.replace(' <mss 1460,nop,nop,sackOK,nop,wscale 8>', ''));
    expect(noOpts.message).toMatch(/options: expected none vs actual <mss 1460,nop,nop,sackOK,nop,wscale 8>/);
    expect(run(OPEN.replace('<mss 1460,nop,nop,sackOK,nop,wscale 8>', '<...>')).verdict).toBe('PASS');
    const order = run(OPEN.replace('<mss 1460,nop,nop,sackOK,nop,wscale 8>', '<mss 1460,sackOK,nop,nop,nop,wscale 8>'));
    expect(order).toMatchObject({ verdict: 'FAIL', line: 6 });
    const inbound = run(OPEN.replace('win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>', 'win 32792 <...>'));
    expect(inbound).toMatchObject({ verdict: 'FAIL', line: 5 });
    expect(inbound.message).toMatch(/only allowed on outbound packets/);
  });

  it('TS val is checked only with --tcp_ts_tick_usecs, as a difference from the first one', () => {
    const ts = (val: number) => `\`./defaults.sh\`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 5 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 5,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 6 ecr 100>
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 10) = 10
+0 > P. 1:11(10) ack 1 <nop,nop,TS val ${val} ecr 6>
`;
    expect(run(ts(999)).verdict).toBe('PASS'); // not checked without a tick
    expect(run(`--tcp_ts_tick_usecs=1000\n${ts(200)}`).verdict).toBe('PASS'); // 100 ms later
    const off = run(`--tcp_ts_tick_usecs=1000\n${ts(250)}`);
    expect(off).toMatchObject({ verdict: 'FAIL', line: 11 });
    expect(off.message).toMatch(/TS val: expected 250 vs actual 200/);
  });

  it('--mss and unknown header options are noted; the defaults are 192.168.0.1, 192.0.2.1 and port 8080', () => {
    const seen: { addr?: number; remote?: number; port?: number; dst?: string } = {};
    const factory: EngineFactory = (o) => {
      seen.addr = o.addr;
      seen.remote = o.remote;
      const e = createScriptEngine(o);
      return { ...e, listen: (port, backlog) => ((seen.port = port), e.listen(port, backlog)),
        input: (p, now) => {
          const s = decodeSegment(p);
          if (typeof s !== 'string') seen.dst = `${s.dstPort}`;
          e.input(p, now);
        } };
    };
    const r = run(`--mss=1000\n--frobnicate=1\n${OPEN}`, { factory });
    expect(r.verdict).toBe('PASS');
    expect(r.notes).toEqual(expect.arrayContaining(['--mss ignored', '--frobnicate: unknown option, ignored']));
    expect(seen).toEqual({ addr: 0xc0a80001, remote: 0xc0000201, port: 8080, dst: '8080' });
  });

  it('backquoted commands are interpreted, never executed', () => {
    const marker = `/tmp/wasm-tcp-never-executed-${process.pid}`;
    const r = run(`${OPEN}+0 \`touch ${marker}\`\n\`touch ${marker}\`\n`);
    expect(r.verdict).toBe('PASS');
    expect(existsSync(marker)).toBe(false);
    expect(r.notes.filter((n) => n.includes(`command not interpreted: touch ${marker}`))).toHaveLength(1);
  });

  it('errno results: EINPROGRESS, ECONNREFUSED, EPIPE, EBADF by name', () => {
    const refused = `\`./defaults.sh\`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <...>
+.1 < R. 0:0(0) ack 1 win 0
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0
+0 write(3, ..., 10) = -1 EPIPE (Broken pipe)
+0 write(7, ..., 10) = -1 EBADF (Bad file descriptor)
`;
    expect(run(refused).verdict).toBe('PASS');
    const wrong = run(refused.replace('= -1 EPIPE', '= -1 ECONNRESET'));
    expect(wrong).toMatchObject({ verdict: 'FAIL', line: 8 });
    expect(wrong.message).toMatch(/failed with EPIPE, expected ECONNRESET/);
  });
});
