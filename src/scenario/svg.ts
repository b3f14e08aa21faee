// SVG ladder diagram of a Recording with both hosts' state timelines and hover details. No Node built-ins.
import type { HostName, Recording, SegmentRecord } from './recording.js';
import { formatDuration, formatTime } from './recording.js';
import { initialStates, isns, ladderRows, segmentDetails, segmentLabel } from './timeline.js';

/** Layout options of the SVG ladder. */
export interface SvgOptions {
  /** Pixel height of one row (default 24). */
  rowHeight?: number;
  /** Segments to mark with `≠` (class `wt-diff`): those the other run of a comparison has no counterpart for. */
  marks?: ReadonlySet<SegmentRecord>;
}

/** Layout in px: the width; x of the time column, the client's state bar and lifeline, the server's lifeline and state bar; bar width; top margin. */
const WIDTH = 860, TIME_X = 58, CLIENT_BAR = 70, CLIENT_X = 200, SERVER_X = 660, SERVER_BAR = 778, BAR_W = 12, TOP = 56;

/** Fill colour of each state in the timelines. */
export const STATE_COLORS: Record<string, string> = {
  CLOSED: '#d0d4da', LISTEN: '#9fb3c8', SYN_SENT: '#f3c969', SYN_RCVD: '#f3c969', ESTABLISHED: '#63b37a',
  '(crashed)': '#e6a5a5', FIN_WAIT_1: '#8fa8e0', FIN_WAIT_2: '#7a94d6', CLOSE_WAIT: '#b79ee0', CLOSING: '#9a86d0', LAST_ACK: '#a58bd8', TIME_WAIT: '#6f7fc0',
};

/** Renders a recording as a standalone `<svg>` element (inline styles, no external assets). */
export function renderSvg(r: Recording, opts: SvgOptions = {}): string {
  const rh = opts.rowHeight ?? 24;
  const rows = ladderRows(r);
  const isn = isns(r);
  const out: string[] = [];
  // y of every row; a gap row before a long pause takes extra space.
  const ys: number[] = [];
  // The first row starts one and a half rows down so the initial states get a band of their own.
  let y = TOP + rh * 1.5;
  for (const row of rows) {
    if (row.gapBefore !== undefined) y += rh;
    ys.push(y);
    y += rh;
  }
  const bottom = y;
  const height = bottom + 16;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="wt-ladder" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${esc(`ladder diagram of scenario ${r.scenario}`)}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="11">`);
  out.push(`<style>${STYLE}</style>`);
  out.push(`<defs><marker id="wt-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>`);
  out.push(`<text class="wt-host" x="${CLIENT_X}" y="20" text-anchor="middle">client</text>`);
  out.push(`<text class="wt-host" x="${SERVER_X}" y="20" text-anchor="middle">server</text>`);
  if (r.hosts) {
    out.push(`<text class="wt-addr" x="${CLIENT_X}" y="34" text-anchor="middle">${esc(r.hosts.client)}</text>`);
    out.push(`<text class="wt-addr" x="${SERVER_X}" y="34" text-anchor="middle">${esc(r.hosts.server)}</text>`);
  }
  out.push(`<text class="wt-addr" x="${TIME_X}" y="34" text-anchor="end">time (s)</text>`);
  out.push(`<line class="wt-life" x1="${CLIENT_X}" y1="${TOP}" x2="${CLIENT_X}" y2="${bottom}"/>`);
  out.push(`<line class="wt-life" x1="${SERVER_X}" y1="${TOP}" x2="${SERVER_X}" y2="${bottom}"/>`);

  // State timelines: one bar per state period, labelled where it starts.
  const init = initialStates(r);
  for (const h of ['client', 'server'] as HostName[]) {
    const periods: { state: string; y0: number; t0: number }[] = [{ state: init[h], y0: TOP, t0: 0 }];
    rows.forEach((row, i) => {
      const s = row[h];
      if (s) periods.push({ state: s, y0: ys[i] - rh / 2, t0: row.t });
    });
    const barX = h === 'client' ? CLIENT_BAR : SERVER_BAR;
    const labelX = h === 'client' ? barX + BAR_W + 4 : barX - 4;
    const anchor = h === 'client' ? 'start' : 'end';
    periods.forEach((p, i) => {
      const y1 = i + 1 < periods.length ? periods[i + 1].y0 : bottom;
      const t1 = i + 1 < periods.length ? periods[i + 1].t0 : r.duration;
      const title = `${h} ${p.state} from t=${formatTime(p.t0)} s${t1 !== undefined ? ` to t=${formatTime(t1)} s` : ''}`;
      out.push(`<g class="wt-state" data-host="${h}" data-state="${p.state}"><title>${esc(title)}</title>`
        + `<rect x="${barX}" y="${p.y0}" width="${BAR_W}" height="${Math.max(1, y1 - p.y0)}" fill="${STATE_COLORS[p.state] ?? '#ccc'}"/>`
        + `<text class="wt-statename" x="${labelX}" y="${p.y0 + 12}" text-anchor="${anchor}">${esc(p.state)}</text></g>`);
    });
  }

  rows.forEach((row, i) => {
    const ry = ys[i];
    if (row.gapBefore !== undefined) {
      out.push(`<text class="wt-gap" x="${(CLIENT_X + SERVER_X) / 2}" y="${ry - rh + 4}" text-anchor="middle">⋮ ${esc(formatDuration(row.gapBefore))} later</text>`);
    }
    if (row.first) out.push(`<text class="wt-time" x="${TIME_X}" y="${ry + 4}" text-anchor="end">${formatTime(row.t)}</text>`);
    if (row.segment) {
      const s = row.segment;
      const toRight = s.from === 'client';
      const x1 = toRight ? CLIENT_X : SERVER_X;
      const full = toRight ? SERVER_X : CLIENT_X;
      const x2 = s.dropped ? x1 + (full - x1) * 0.62 : full;
      const y2 = ry + (s.dropped ? rh * 0.3 : rh * 0.45);
      const marked = opts.marks?.has(s) ?? false;
      const cls = `wt-seg ${toRight ? 'wt-c2s' : 'wt-s2c'}${s.dropped ? ' wt-dropped' : ''}${s.flags.includes('R') ? ' wt-rst' : ''}${s.note ? ` wt-${s.note.replace(/ /g, '-')}` : ''}${marked ? ' wt-diff' : ''}`;
      let label = segmentLabel(s, isn);
      if (s.note) label += ` (${s.note})`;
      out.push(`<g class="${cls}" data-flags="${esc(s.flags)}" data-t="${s.t}"><title>${esc(segmentDetails(s))}</title>`
        + `<line x1="${x1}" y1="${ry - 3}" x2="${x2}" y2="${y2 - 3}"${s.dropped ? '' : ' marker-end="url(#wt-head)"'}/>`
        + (s.dropped ? `<text class="wt-x" x="${x2}" y="${y2 + 1}" text-anchor="middle">✕</text>` : '')
        + `<text class="wt-label" x="${(CLIENT_X + SERVER_X) / 2}" y="${ry - 6}" text-anchor="middle"${fit(label)}>${esc(label)}</text>`
        + (marked ? `<text class="wt-mark" x="${CLIENT_X - 12}" y="${ry + 1}" text-anchor="end">≠</text>` : '')
        + '</g>');
    } else if (row.icmp) {
      const m = row.icmp;
      const mid = (CLIENT_X + SERVER_X) / 2;
      const x2 = m.to === 'client' ? CLIENT_X : m.to === 'server' ? SERVER_X : mid;
      // The router sits halfway between the hosts; its message is labelled on the far side of the arrow.
      const right = x2 <= mid;
      out.push(`<g class="wt-icmp"><title>${esc(`t=${m.t.toFixed(3)} s  ICMP type ${m.type} code ${m.code}: ${m.text}, ${m.from} → ${m.to}${m.dropped ? ' (dropped)' : ''}`)}</title>`
        + `<line x1="${mid}" y1="${ry - 3}" x2="${x2}" y2="${ry + rh * 0.45 - 3}" marker-end="url(#wt-head)"/>`
        + `<rect class="wt-router" x="${mid - 4}" y="${ry - 7}" width="8" height="8"/>`
        + `<text class="wt-label" x="${right ? mid + 10 : mid - 10}" y="${ry + 1}" text-anchor="${right ? 'start' : 'end'}">${esc(`ICMP ${m.text} (from ${m.from})`)}</text></g>`);
    } else if (row.note) {
      out.push(`<g class="wt-note"><title>${esc(`t=${row.note.t.toFixed(3)} s  ${row.note.text}`)}</title>`
        + `<line x1="${CLIENT_X}" y1="${ry}" x2="${SERVER_X}" y2="${ry}"/>`
        + `<text x="${(CLIENT_X + SERVER_X) / 2}" y="${ry - 4}" text-anchor="middle">${esc(row.note.text)}</text></g>`);
    }
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Squeezes a label wider than the space between the lifelines (about 6.6 px per character at 11 px). */
function fit(label: string): string {
  const room = SERVER_X - CLIENT_X - 40; // 20 px clear of each host line and its arrowhead
  return label.length * 6.6 > room ? ` textLength="${room}" lengthAdjust="spacingAndGlyphs"` : '';
}

/** Escapes text for XML/HTML content and attributes. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = [
  '.wt-host{font-weight:bold;font-size:14px;fill:#222}',
  '.wt-addr,.wt-time,.wt-gap{fill:#667}',
  '.wt-life{stroke:#445;stroke-width:1.5}',
  '.wt-statename{fill:#223;font-size:10px}',
  '.wt-seg line{stroke-width:1.6}',
  '.wt-c2s line{stroke:#1f77b4}',
  '.wt-s2c line{stroke:#2a9d8f}',
  '.wt-rst line{stroke:#c0392b}',
  '.wt-dropped line{stroke:#c0392b;stroke-dasharray:5 3}',
  '.wt-retransmission .wt-label{fill:#b35900}',
  '.wt-x{fill:#c0392b;font-size:14px;font-weight:bold}',
  '.wt-diff .wt-label,.wt-mark{fill:#c2185b}',
  '.wt-mark{font-size:14px;font-weight:bold}',
  '.wt-label{fill:#222}',
  '.wt-icmp line{stroke:#8e44ad;stroke-dasharray:2 3;stroke-width:1.5}',
  '.wt-icmp .wt-label{fill:#8e44ad}',
  '.wt-router{fill:#8e44ad}',
  '.wt-note line{stroke:#d08c00;stroke-dasharray:1 4}',
  '.wt-note text{fill:#a06a00;font-style:italic}',
  '.wt-seg:hover .wt-label,.wt-icmp:hover .wt-label{font-weight:bold}',
  '.wt-seg:hover line{stroke-width:3}',
  '.wt-state:hover rect{stroke:#000}',
].join('');
