// Terminal ladder diagram of a Recording: time, client state, one arrow per segment, server state, outcome. No Node built-ins.
import type { HostName, Recording, SegmentRecord } from './recording.js';
import { formatDuration, formatTime } from './recording.js';
import { fateText, initialStates, isns, ladderRows, outcomeText, segmentLabel } from './timeline.js';

/** Rendering options of the terminal ladder. */
export interface LadderOptions {
  /** ANSI colours (the CLI turns them on for a TTY only). */
  color?: boolean;
  /** A line under the title (e.g. who played which host). */
  subtitle?: string;
  /** Segments to mark with `≠` in a left margin: those the other run of a comparison has no counterpart for. */
  marks?: ReadonlySet<SegmentRecord>;
}

const STATE_WIDTH = 11; // 'ESTABLISHED'
const MIN_MIDDLE = 44;

/** Renders a recording as a plain-text ladder diagram, one line per row, ending with a newline. */
export function renderLadder(r: Recording, opts: LadderOptions = {}): string {
  const c = colors(opts.color ?? false);
  const isn = isns(r);
  const rows = ladderRows(r);
  const labels = new Map<SegmentRecord, string>();
  let middle = MIN_MIDDLE;
  for (const s of r.segments) {
    let label = segmentLabel(s, isn);
    if (s.note) label += ` (${s.note})`;
    labels.set(s, label);
    middle = Math.max(middle, label.length + (s.dropped ? 8 + fateText(s.fate).length : 6));
  }
  for (const i of r.icmp ?? []) middle = Math.max(middle, icmpLabel(i.text, i.from).length + 6);
  for (const n of r.notes ?? []) middle = Math.max(middle, n.text.length + 8);

  const out: string[] = [];
  const title = `${r.scenario}${r.description ? `: ${r.description}` : ''}`;
  out.push(c.bold(title));
  if (opts.subtitle) out.push(opts.subtitle);
  const facts = [`seed ${r.seed}`];
  if (r.loss) facts.push(`loss ${+(r.loss * 100).toFixed(2)} %`);
  if (r.hosts) facts.push(`client ${r.hosts.client}`, `server ${r.hosts.server}`);
  facts.push('seq/ack relative to each side\'s ISN (absolute on SYNs)');
  out.push(c.dim(facts.join(' · ')));
  out.push('');
  const timeW = Math.max(8, ...rows.map((x) => formatTime(x.t).length));
  const marks = opts.marks;
  let mark = '';
  const line = (time: string, client: string, clientLen: number, mid: string, midLen: number, server: string) =>
    `${marks ? (mark || '  ') : ''}${time.padStart(timeW)}  ${client}${' '.repeat(Math.max(0, STATE_WIDTH - clientLen))}  ${mid}${' '.repeat(Math.max(0, middle - midLen))}  ${server}`.trimEnd();
  out.push(line('time (s)', 'client', 6, '', 0, 'server'));
  const init = initialStates(r);
  out.push(line('', c.dim(init.client), init.client.length, '', 0, c.dim(init.server)));

  for (const row of rows) {
    if (row.gapBefore !== undefined) out.push(line('', '', 0, c.dim(centre(`⋮  ${formatDuration(row.gapBefore)} later`, middle)), middle, ''));
    const time = row.first ? formatTime(row.t) : '';
    mark = row.segment && marks?.has(row.segment) ? c.magenta('≠ ') : '';
    const cs = row.client ?? '';
    const ss = row.server ?? '';
    let mid = '';
    let midLen = 0;
    if (row.segment) {
      const s = row.segment;
      [mid, midLen] = arrow(labels.get(s) ?? '', s.from, s.dropped ? fateText(s.fate) : undefined, middle, c, s.flags.includes('R'));
    } else if (row.icmp) {
      const label = icmpLabel(row.icmp.text, row.icmp.from);
      const toClient = row.icmp.to === 'client';
      const body = toClient ? `◀┄ ${label} ${'┄'.repeat(Math.max(1, middle - label.length - 4))}` : `${'┄'.repeat(Math.max(1, middle - label.length - 4))} ${label} ┄▶`;
      mid = c.magenta(body);
      midLen = body.length;
    } else if (row.note) {
      const body = centre(`·· ${row.note.text} ··`, middle);
      mid = c.yellow(body);
      midLen = body.length;
    }
    out.push(line(time, cs ? c.green(cs) : '', cs.length, mid, midLen, ss ? c.green(ss) : ''));
    mark = '';
  }
  out.push('');
  const hosts: HostName[] = ['client', 'server'];
  for (const h of hosts) {
    const o = r.outcome[h];
    const text = outcomeText(r, h);
    out.push(`${h.padEnd(7)} ${o.error ? c.red(text) : c.green(text)}`);
  }
  const n = r.segments.length;
  if (r.duration !== undefined) out.push(c.dim(`${r.realTime ? 'real' : 'virtual'} time ${formatDuration(r.duration)}, ${n} segment${n === 1 ? '' : 's'}, ${r.segments.filter((s) => s.dropped).length} dropped`));
  return out.join('\n') + '\n';
}

/** An arrow of exactly `width` columns with the label inside; returns [coloured text, visible length]. */
function arrow(label: string, from: HostName, dropped: string | undefined, width: number, c: Colors, rst: boolean): [string, number] {
  const text = ` ${label} `;
  let body: string;
  if (from === 'client') {
    const tail = dropped ? ` ✕ ${dropped}` : '▶';
    body = `──${text}${'─'.repeat(Math.max(1, width - text.length - 2 - tail.length))}${tail}`;
  } else {
    const head = dropped ? `${dropped} ✕ ` : '◀';
    body = `${head}${'─'.repeat(Math.max(1, width - text.length - 2 - head.length))}${text}──`;
  }
  const paint = dropped ? c.red : rst ? c.boldRed : from === 'client' ? c.cyan : c.blue;
  return [paint(body), body.length];
}

function icmpLabel(text: string, from: string): string {
  return `ICMP ${text} (from ${from})`;
}

function centre(s: string, width: number): string {
  const pad = Math.max(0, Math.floor((width - s.length) / 2));
  return ' '.repeat(pad) + s;
}

type Paint = (s: string) => string;
interface Colors { bold: Paint; dim: Paint; red: Paint; boldRed: Paint; green: Paint; yellow: Paint; cyan: Paint; blue: Paint; magenta: Paint }

function colors(on: boolean): Colors {
  const sgr = (code: string): Paint => (on ? (s) => (s ? `\x1b[${code}m${s}\x1b[0m` : s) : (s) => s);
  return { bold: sgr('1'), dim: sgr('2'), red: sgr('31'), boldRed: sgr('1;31'), green: sgr('32'), yellow: sgr('33'), cyan: sgr('36'), blue: sgr('34'), magenta: sgr('35') };
}
