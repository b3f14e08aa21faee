import { describe, expect, it } from 'vitest';
import { parseScript, ScriptSyntaxError } from '../../src/script/parser.js';
import { secondsToUsecs } from '../../src/script/lexer.js';

describe('script parser', () => {
  it('parses header options, init command, events and cleanup', () => {
    const s = parseScript(`--tolerance_usecs=10000
--tcp_ts_tick_usecs=1000
\`../common/defaults.sh\`

// passive open
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
+0  < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0  > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
/* multi
   line */
+.1 < . 1:1(0) ack 1 win 257
+0  accept(3, ..., ...) = 4
\`/tmp/sysctl_restore_\${PPID}.sh\`
`);
    expect(s.options).toEqual([
      { name: 'tolerance_usecs', value: '10000', line: 1 },
      { name: 'tcp_ts_tick_usecs', value: '1000', line: 2 },
    ]);
    expect(s.init).toEqual({ command: '../common/defaults.sh', line: 3 });
    expect(s.cleanup?.command).toBe('/tmp/sysctl_restore_${PPID}.sh');
    expect(s.events.map((e) => e.line)).toEqual([6, 7, 8, 9, 10, 11, 14, 15]);
    const syn = s.events[4];
    expect(syn.type).toBe('packet');
    if (syn.type !== 'packet') return;
    expect(syn.direction).toBe('in');
    expect(syn.tcp).toEqual({
      flags: 'S', seq: 0, end: 0, len: 0, win: 32792,
      options: [{ kind: 'mss', value: 1000 }, { kind: 'sackOK' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'wscale', value: 7 }],
    });
    const ack = s.events[6];
    expect(ack.time).toEqual({ kind: 'relative', usecs: 100000 });
  });

  it('parses all time forms', () => {
    const s = parseScript(`0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
0.100 close(3) = 0
+.010 > . 1:1(0) ack 1
* > . 1:1(0) ack 1
0.5~0.7 > . 1:1(0) ack 1
+1~+1.2 > . 1:1(0) ack 1
+0.1...0.200 connect(3, ..., ...) = 0
1.5...1.6 read(4, ..., 10) = 10`);
    expect(s.events.map((e) => e.time)).toEqual([
      { kind: 'absolute', usecs: 0 },
      { kind: 'absolute', usecs: 100000 },
      { kind: 'relative', usecs: 10000 },
      { kind: 'any' },
      { kind: 'range', start: 500000, end: 700000, relative: false },
      { kind: 'range', start: 1000000, end: 1200000, relative: true },
      { kind: 'relative', usecs: 100000 },
      { kind: 'absolute', usecs: 1500000 },
    ]);
    const c = s.events[6];
    expect(c.type === 'syscall' && c.end).toEqual({ usecs: 200000, relative: true });
    const r = s.events[7];
    expect(r.type === 'syscall' && r.end).toEqual({ usecs: 1600000, relative: false });
  });

  it('parses packet fields: flags, ack, win, TS, SACK, <...>, no options', () => {
    const s = parseScript(`0 > P. 1:1001(1000) ack 1 <nop,nop,TS val 100 ecr 200>
+0 < . 1:1(0) ack 1001 win 257 <nop, nop, sack 2001:3001 4001:5001>
+0 > R 1001:1001(0) win 0
+0 > F. 1001:1001(0) ack 1 <...>
+0 < - 1:1(0) win 0
+0 < SEW 0:0(0) win 100`);
    const t = s.events.map((e) => (e.type === 'packet' ? e.tcp : undefined));
    expect(t[0]).toMatchObject({ flags: 'P.', seq: 1, end: 1001, len: 1000, ack: 1, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'TS', val: 100, ecr: 200 }] });
    expect(t[1]?.options).toEqual([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[2001, 3001], [4001, 5001]] }]);
    expect(t[2]).toEqual({ flags: 'R', seq: 1001, end: 1001, len: 0, win: 0 });
    expect(t[2]?.ack).toBeUndefined();
    expect(t[3]?.options).toBe('any');
    expect(t[4]?.flags).toBe('');
    expect(t[5]?.flags).toBe('SEW');
  });

  it('parses ICMP lines', () => {
    const s = parseScript(`0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]
+0 < icmp unreachable [5000:6000(1000)]`);
    expect(s.events[0].type === 'packet' && s.events[0].icmp).toEqual({ type: 'unreachable', code: 'frag_needed', mtu: 1200, echoed: { seq: 1, end: 1461, len: 1460 } });
    expect(s.events[1].type === 'packet' && s.events[1].icmp).toEqual({ type: 'unreachable', echoed: { seq: 5000, end: 6000, len: 1000 } });
  });

  it('parses syscall arguments, results, errno and comments', () => {
    const s = parseScript(`0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)
+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
+0 getsockopt(3, SOL_TCP, TCP_MAXSEG, [1088], [4]) = 0
+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1
+0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.168.0.1")}, 16) = 0
+0 write(4, ..., 1000)
   = 1000`);
    const sc = s.events.map((e) => (e.type === 'syscall' ? e : null)!);
    expect(sc[0].args[2]).toEqual({ kind: 'or', terms: [{ kind: 'symbol', name: 'O_RDWR' }, { kind: 'symbol', name: 'O_NONBLOCK' }] });
    expect(sc[1].result).toEqual({ kind: 'number', value: -1 });
    expect(sc[1].errno).toBe('EINPROGRESS');
    expect(sc[2].result).toEqual({ kind: 'number', value: 2 });
    expect(sc[2].errno).toBeUndefined();
    expect(sc[3].args[3]).toEqual({ kind: 'struct', fields: [{ name: 'onoff', value: { kind: 'number', value: 1 } }, { name: 'linger', value: { kind: 'number', value: 0 } }] });
    expect(sc[4].args[3]).toEqual({ kind: 'list', items: [{ kind: 'number', value: 1088 }] });
    expect(sc[5].args[0].kind).toBe('list');
    expect(sc[6].args[1].kind).toBe('struct');
    expect(sc[7].result).toEqual({ kind: 'number', value: 1000 });
    expect(sc[7].line).toBe(8);
  });

  it('parses timed commands and code blocks', () => {
    const s = parseScript(`0 \`sysctl -q net.ipv4.tcp_sack=0\`
+0 %{ assert tcpi_rto == 1000000 }%`);
    expect(s.events[0]).toMatchObject({ type: 'command', command: 'sysctl -q net.ipv4.tcp_sack=0' });
    expect(s.events[1]).toMatchObject({ type: 'code', code: ' assert tcpi_rto == 1000000 ' });
  });

  it.each([
    ['0 > S. 0:10(0) ack 1', 1, /inconsistent sequence range 0:10\(0\)/],
    ['0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n\n+0 < S 0:0(0) <mss 1000>', 3, /inbound packets need 'win N'/],
    ['0 > Q 0:0(0)', 1, /bad TCP flags 'Q'/],
    ['0 socket(..., SOCK_STREAM, IPPROTO_TCP)', 1, /expected '= result'/],
    ['\n\nfoo', 3, /expected a time/],
    ['0 > S 0:0(0) <mss 1000', 1, /',' or '>'/],
    ['* close(3) = 0', 1, /only allowed on outbound packets/],
    ['0 /* open', 1, /unterminated \/\* comment/],
    ['0 < . 1:1(0) ack 1 win 70000', 1, /16-bit window/],
    ['0 > . 1:1(0) ack 1 <TS val 1>', 1, /'ecr'/],
  ])('reports %j at line %i', (text, line, msg) => {
    let err: unknown;
    try {
      parseScript(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScriptSyntaxError);
    expect((err as ScriptSyntaxError).line).toBe(line);
    expect((err as Error).message).toMatch(msg);
  });

  it('converts seconds to microseconds exactly', () => {
    const cases: Array<[string, number]> = [['0.100', 100000], ['.010', 10000], ['2', 2000000], ['1.0000005', 1000001], ['0.3', 300000]];
    expect(cases.map(([text]) => [text, secondsToUsecs(text)])).toEqual(cases);
  });
});

describe('script parser on garbage', () => {
  it('never throws anything but a ScriptSyntaxError', () => {
    const pieces = ['0', '+.1', '*', '~', '...', '<', '>', 'S.', 'P.', '1:1001(1000)', 'ack', 'win', '257', '<mss 1000', ',', 'nop', '>',
      'socket(', ')', '=', '-1', 'EAGAIN', '(', '[', ']', '{', '}', 'x=1', '`', '%{', '}%', '/*', '*/', '//', '\n', ' ', 'icmp', 'unreachable', 'TS', 'val', 'ecr', 'sack', '--mss=1', '"s'];
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const n = 1 + rnd(25);
      for (let j = 0; j < n; j++) text += pieces[rnd(pieces.length)] + (rnd(3) ? ' ' : '');
      try {
        parseScript(text);
      } catch (e) {
        if (!(e instanceof ScriptSyntaxError)) throw new Error(`${(e as Error).message} for ${JSON.stringify(text)}`);
      }
    }
  });
});

describe('command interpretation', () => {
  it('maps sysctls to engine knobs and keeps them for the kernel backend', async () => {
    const { interpretCommand } = await import('../../src/script/profile.js');
    const e = interpretCommand('../common/defaults.sh && sysctl -q -w net.ipv4.tcp_rmem="4096 87380 6291456" net.ipv4.tcp_sack=0; echo 3 > /proc/sys/net/ipv4/tcp_keepalive_probes; nstat -n');
    expect(e.loadsLinuxProfile).toBe(true);
    expect(e.config).toEqual({ windowScale: 7, sack: false, keepaliveCount: 3 });
    expect(e.sysctls).toEqual([['net.ipv4.tcp_rmem', '4096 87380 6291456'], ['net.ipv4.tcp_sack', '0'], ['net.ipv4.tcp_keepalive_probes', '3']]);
    expect(e.notes).toEqual(['command not interpreted: nstat -n']);
  });
});
