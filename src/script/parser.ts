// Recursive-descent parser for the packetdrill language (see docs/script.md).
import { Scanner, ScriptSyntaxError, secondsToUsecs } from './lexer.js';
import type { Expr, IcmpSpec, PacketEvent, Script, ScriptEvent, TcpOptionSpec, TcpSpec, TimeSpec } from './model.js';

export { ScriptSyntaxError } from './lexer.js';

const FLAG_LETTERS = /^(-|[SFRPUEW.]+)$/;

/** Parses a whole script; throws ScriptSyntaxError with the line number on bad input. */
export function parseScript(text: string): Script {
  const sc = new Scanner(text);
  const script: Script = { options: [], events: [] };
  while (!sc.atEnd() && sc.startsWith('--')) {
    const line = sc.line;
    sc.pos += 2;
    const m = /^[A-Za-z0-9_-]+/.exec(text.slice(sc.pos, sc.pos + 128));
    if (!m) throw sc.error('expected an option name after --');
    sc.pos += m[0].length;
    let value = '';
    if (sc.peek() === '=') {
      sc.pos++;
      value = sc.word();
    }
    script.options.push({ name: m[0], value, line });
  }
  let pendingCleanup: { command: string; line: number } | undefined;
  while (!sc.atEnd()) {
    const line = sc.line;
    if (sc.peek() === '`') {
      sc.next();
      const command = sc.until('`', 'backquoted command').trim();
      if (script.events.length === 0 && !script.init) script.init = { command, line };
      else if (pendingCleanup) throw new ScriptSyntaxError(pendingCleanup.line, 'a command without a time must come first or last');
      else pendingCleanup = { command, line };
      continue;
    }
    if (pendingCleanup) throw new ScriptSyntaxError(pendingCleanup.line, 'a command without a time must come first or last');
    script.events.push(parseEvent(sc));
  }
  script.cleanup = pendingCleanup;
  return script;
}

function parseEvent(sc: Scanner): ScriptEvent {
  sc.skipSpace();
  const line = sc.line;
  const time = parseTime(sc);
  let end: { usecs: number; relative: boolean } | undefined;
  sc.skipSpace();
  if (sc.startsWith('...')) {
    sc.pos += 3;
    const plus = sc.accept('+');
    if (!sc.atNumber()) throw sc.error(`expected the end time of a blocking call after '...' but found ${sc.describeNext()}`);
    if (time.kind !== 'absolute' && time.kind !== 'relative') throw sc.error('a blocking call needs a plain start time');
    end = { usecs: secondsToUsecs(sc.numberText()), relative: plus || time.kind === 'relative' };
  }
  sc.skipSpace();
  const start = sc.pos;
  const c = sc.peek();
  if (c === '<' || c === '>') {
    if (end) throw sc.error("'...' is only allowed on system calls");
    const ev = parsePacket(sc, line, time);
    ev.text = oneLine(sc.text.slice(start, sc.pos));
    return ev;
  }
  if (c === '`') {
    if (end) throw sc.error("'...' is only allowed on system calls");
    sc.next();
    return { type: 'command', line, time, command: sc.until('`', 'backquoted command').trim() };
  }
  if (sc.startsWith('%{')) {
    sc.pos += 2;
    return { type: 'code', line, time, code: sc.until('}%', 'code block %{ … }%') };
  }
  const name = sc.ident();
  if (!name) throw sc.error(`expected a packet, a system call or a command but found ${sc.describeNext()}`);
  sc.expect('(', `'(' after ${name}`);
  const args = parseArgs(sc, ')');
  sc.expect('=', `'= result' after ${name}(…)`);
  const result = parseExpr(sc, false);
  let errno: string | undefined;
  sc.skipSpace();
  if (/[A-Z]/.test(sc.peek())) errno = sc.ident();
  sc.skipSpace();
  if (sc.peek() === '(' ) skipBalanced(sc);
  if (time.kind === 'any' || time.kind === 'range') throw new ScriptSyntaxError(line, `'${time.kind === 'any' ? '*' : '~'}' times are only allowed on outbound packets`);
  return { type: 'syscall', line, time, name, args, result, errno, end, text: oneLine(sc.text.slice(start, sc.pos)) };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Parses the time column: `0.1`, `+0.1`, `*`, `a~b`, `+a~+b`. */
function parseTime(sc: Scanner): TimeSpec {
  if (sc.accept('*')) return { kind: 'any' };
  const plus = sc.accept('+');
  if (!sc.atNumber()) throw sc.error(`expected a time (e.g. 0.100, +0.1 or *) but found ${sc.describeNext()}`);
  const usecs = secondsToUsecs(sc.numberText());
  sc.skipSpace();
  if (sc.accept('~')) {
    const plus2 = sc.accept('+');
    if (plus !== plus2) throw sc.error("both ends of a time range must be relative ('+a~+b') or absolute ('a~b')");
    const endUsecs = secondsToUsecs(sc.numberText());
    if (endUsecs < usecs) throw sc.error('time range ends before it starts');
    return { kind: 'range', start: usecs, end: endUsecs, relative: plus };
  }
  return plus ? { kind: 'relative', usecs } : { kind: 'absolute', usecs };
}

function parsePacket(sc: Scanner, line: number, time: TimeSpec): PacketEvent {
  const direction = sc.next() === '<' ? 'in' : 'out';
  const ev: PacketEvent = { type: 'packet', line, time, direction, text: '' };
  sc.skipSpace();
  const save = sc.pos;
  if (sc.ident() === 'icmp') {
    ev.icmp = parseIcmp(sc);
    return ev;
  }
  sc.pos = save;
  const flags = sc.word();
  if (!FLAG_LETTERS.test(flags)) throw sc.error(`bad TCP flags '${flags}' (letters S F R P U E W, '.' for ACK, '-' for none)`);
  const seq = parseSeqRange(sc);
  const tcp: TcpSpec = { flags: flags === '-' ? '' : flags, ...seq };
  for (;;) {
    sc.skipSpace();
    const save2 = sc.pos;
    const word = sc.ident();
    if (word === 'ack' || word === 'win' || word === 'urg') {
      const v = sc.integer(`a number after '${word}'`);
      if (word === 'ack') tcp.ack = v >>> 0;
      else if (word === 'win') {
        if (v > 0xffff) throw sc.error(`win ${v} does not fit the 16-bit window field`);
        tcp.win = v;
      } else tcp.urg = v;
      continue;
    }
    sc.pos = save2;
    if (word === '' && sc.peek() === '<') {
      sc.next();
      tcp.options = parseOptions(sc);
      continue;
    }
    break;
  }
  if (direction === 'in' && tcp.win === undefined) throw new ScriptSyntaxError(line, "inbound packets need 'win N'");
  ev.tcp = tcp;
  return ev;
}

/** Parses `start:end(len)` and checks end = start + len. */
function parseSeqRange(sc: Scanner): { seq: number; end: number; len: number } {
  const seq = sc.integer('a sequence range start:end(len)');
  sc.expect(':', "':' in start:end(len)");
  const end = sc.integer('the end of start:end(len)');
  sc.expect('(', "'(' in start:end(len)");
  const len = sc.integer('the length in start:end(len)');
  sc.expect(')', "')' in start:end(len)");
  if (((seq + len) >>> 0) !== end >>> 0) throw sc.error(`inconsistent sequence range ${seq}:${end}(${len}): end must be start + len`);
  return { seq: seq >>> 0, end: end >>> 0, len };
}

/** Parses the inside of `<…>` after the opening bracket. */
function parseOptions(sc: Scanner): TcpOptionSpec[] | 'any' {
  if (sc.accept('...')) {
    sc.expect('>', "'>' after '<...'");
    return 'any';
  }
  const opts: TcpOptionSpec[] = [];
  if (sc.accept('>')) return opts;
  for (;;) {
    const name = sc.ident();
    switch (name) {
      case 'mss': opts.push({ kind: 'mss', value: sc.integer("a value after 'mss'") }); break;
      case 'nop': opts.push({ kind: 'nop' }); break;
      case 'eol': opts.push({ kind: 'eol' }); break;
      case 'sackOK': opts.push({ kind: 'sackOK' }); break;
      case 'wscale': opts.push({ kind: 'wscale', value: sc.integer("a value after 'wscale'") }); break;
      case 'TS': {
        sc.expect('val', "'val' after 'TS'");
        const val = sc.integer("a value after 'TS val'") >>> 0;
        sc.expect('ecr', "'ecr' after 'TS val N'");
        opts.push({ kind: 'TS', val, ecr: sc.integer("a value after 'ecr'") >>> 0 });
        break;
      }
      case 'sack': {
        const blocks: Array<[number, number]> = [];
        while (sc.atNumber()) {
          const l = sc.integer() >>> 0;
          sc.expect(':', "':' in a SACK block L:R");
          blocks.push([l, sc.integer('the right edge of a SACK block') >>> 0]);
        }
        opts.push({ kind: 'sack', blocks });
        break;
      }
      case '':
        throw sc.error(`expected a TCP option but found ${sc.describeNext()}`);
      default: {
        // FO, md5, exp, …: keep the name, skip the arguments; the runner reports them.
        while (!sc.atEnd() && sc.peek() !== ',' && sc.peek() !== '>') sc.next();
        opts.push({ kind: 'unsupported', name });
      }
    }
    if (sc.accept(',')) continue;
    sc.expect('>', "',' or '>' in the option list");
    return opts;
  }
}

function parseIcmp(sc: Scanner): IcmpSpec {
  const type = sc.ident();
  if (!type) throw sc.error(`expected an ICMP type (e.g. unreachable) but found ${sc.describeNext()}`);
  const spec: IcmpSpec = { type };
  for (;;) {
    sc.skipSpace();
    const save = sc.pos;
    const w = sc.ident();
    if (w === 'mtu') {
      spec.mtu = sc.integer("a value after 'mtu'");
      continue;
    }
    if (w && spec.code === undefined && /_|^[a-z]/.test(w) && !/^(ack|win)$/.test(w)) {
      spec.code = w;
      continue;
    }
    sc.pos = save;
    break;
  }
  if (sc.accept('[')) {
    spec.echoed = parseSeqRange(sc);
    sc.expect(']', "']' after the echoed sequence range");
  }
  return spec;
}

/** Parses comma-separated expressions up to `close`. */
function parseArgs(sc: Scanner, close: string): Expr[] {
  const args: Expr[] = [];
  if (sc.accept(close)) return args;
  for (;;) {
    args.push(parseExpr(sc, true));
    if (sc.accept(',')) continue;
    sc.expect(close, `',' or '${close}'`);
    return args;
  }
}

function parseExpr(sc: Scanner, allowCalls: boolean): Expr {
  const terms = [parseTerm(sc, allowCalls)];
  while (sc.accept('|')) terms.push(parseTerm(sc, allowCalls));
  return terms.length === 1 ? terms[0] : { kind: 'or', terms };
}

function parseTerm(sc: Scanner, allowCalls: boolean): Expr {
  sc.skipSpace();
  if (sc.accept('...')) return { kind: 'ellipsis' };
  if (sc.accept('[')) return { kind: 'list', items: parseArgs(sc, ']') };
  if (sc.accept('{')) {
    const fields: Array<{ name: string; value: Expr }> = [];
    if (sc.accept('}')) return { kind: 'struct', fields };
    for (;;) {
      const name = sc.ident();
      if (!name) throw sc.error(`expected a field name in {…} but found ${sc.describeNext()}`);
      sc.expect('=', `'=' after field ${name}`);
      fields.push({ name, value: parseExpr(sc, allowCalls) });
      if (sc.accept(',')) continue;
      sc.expect('}', "',' or '}'");
      return { kind: 'struct', fields };
    }
  }
  if (sc.peek() === '"') {
    sc.next();
    return { kind: 'string', value: sc.until('"', 'string') };
  }
  const neg = sc.accept('-');
  if (sc.atNumber()) {
    const t = sc.numberText();
    const v = Number(t);
    return { kind: 'number', value: neg ? -v : v };
  }
  if (neg) throw sc.error(`expected a number after '-' but found ${sc.describeNext()}`);
  const name = sc.ident();
  if (!name) throw sc.error(`expected an argument but found ${sc.describeNext()}`);
  if (allowCalls && sc.accept('(')) return { kind: 'call', name, args: parseArgs(sc, ')') };
  return { kind: 'symbol', name };
}

function skipBalanced(sc: Scanner): void {
  const line = sc.line;
  let depth = 0;
  do {
    if (sc.pos >= sc.text.length) throw new ScriptSyntaxError(line, "unbalanced '(' in the result comment");
    const c = sc.next();
    if (c === '(') depth++;
    else if (c === ')') depth--;
  } while (depth > 0);
}
