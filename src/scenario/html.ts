// Self-contained HTML pages: one Recording (inline SVG ladder, outcome, segment table), or a kernel
// comparison with both ladders side by side. Inline CSS, no external assets. No Node built-ins.
import type { KernelComparison } from './compare.js';
import type { HostName, Recording } from './recording.js';
import { flagWords, formatDuration, formatTime } from './recording.js';
import { esc, renderSvg, type SvgOptions } from './svg.js';
import { outcomeText } from './timeline.js';

/** Renders a complete HTML document showing the recording (ladder, outcome, segment table). */
export function renderHtml(r: Recording): string {
  return page(`wasm-tcp scenario ${r.scenario}`, 920, `<h1>${esc(r.scenario)}</h1>
${r.description ? `<p>${esc(r.description)}</p>` : ''}
<p class="facts">${esc(facts(r).join(' · '))}</p>
<div class="ladder">
${renderSvg(r)}
</div>
<p class="hint">${HINT}</p>
<h2>Outcome</h2>
${outcomeTable(r)}
<h2>Segments</h2>
${segmentTable(r)}`);
}

/**
 * Renders a kernel comparison: the differences first (outcome ones marked), then our engines' ladder
 * and the one with Linux side by side, segments without a counterpart in the other run marked `≠`.
 */
export function renderComparisonHtml(c: KernelComparison, marks: { ours: SvgOptions['marks']; kernel: SvgOptions['marks'] }, kernelName = 'Linux'): string {
  const r = c.ours;
  const diffs = c.differences.length
    ? `<ul class="diffs">\n${c.differences.map((d) => `<li class="${d.outcome ? 'err' : 'other'}">${d.outcome ? '<b>outcome</b> ' : ''}${esc(d.text)}</li>`).join('\n')}\n</ul>`
    : '<p class="ok">No differences.</p>';
  const column = (title: string, rec: Recording, m: SvgOptions['marks']) => `<section>
<h2>${esc(title)}</h2>
<p class="facts">${esc(facts(rec).join(' · '))}</p>
<div class="ladder">
${renderSvg(rec, { marks: m })}
</div>
${outcomeTable(rec)}
<details><summary>Segments</summary>
${segmentTable(rec)}
</details>
</section>`;
  return page(`wasm-tcp scenario ${r.scenario} --kernel ${c.kernelRole}`, 1800, `<h1>${esc(r.scenario)}: our engines and ${esc(kernelName)}</h1>
${r.description ? `<p>${esc(r.description)}</p>` : ''}
<p>The same case twice: on two of our engines (virtual time), and with the ${esc(kernelName)} kernel's TCP as the ${c.kernelRole} (real time).
Segments marked ≠ have no counterpart in the other run.</p>
<h2>Differences</h2>
${diffs}
<div class="pair">
${column('our engines', c.ours, marks.ours)}
${column(`${kernelName} as the ${c.kernelRole}`, c.kernel, marks.kernel)}
</div>
<p class="hint">${HINT}</p>`);
}

const HINT = "Hover over an arrow for the segment's absolute numbers and options, over a state bar for its time span. Sequence numbers in the diagram are relative to each side's ISN.";

function facts(r: Recording): string[] {
  const out = [`seed ${r.seed}`];
  if (r.loss) out.push(`loss ${+(r.loss * 100).toFixed(2)} %`);
  if (r.hosts) out.push(`client ${r.hosts.client}`, `server ${r.hosts.server}`);
  if (r.duration !== undefined) out.push(`${r.realTime ? 'real' : 'virtual'} time ${formatDuration(r.duration)}`);
  return out;
}

function outcomeTable(r: Recording): string {
  const rows = (['client', 'server'] as HostName[]).map((h) =>
    `<tr class="${r.outcome[h].error ? 'err' : 'ok'}"><th>${h}</th><td>${esc(outcomeText(r, h))}</td></tr>`).join('\n');
  return `<table class="outcome">\n${rows}\n</table>`;
}

function segmentTable(r: Recording): string {
  const rows = r.segments.map((s, i) =>
    `<tr${s.dropped ? ' class="dropped"' : ''}><td>${i + 1}</td><td>${formatTime(s.t)}</td><td>${s.from} → ${s.to}</td><td title="${esc(flagWords(s.flags))}">${esc(s.flags)}</td>`
    + `<td>${s.seq}</td><td>${s.ack}</td><td>${s.win}</td><td>${s.len}</td><td>${esc(s.options ?? '')}</td>`
    + `<td>${esc([s.note, s.dropped ? `dropped: ${s.fate ?? 'lost'}` : ''].filter(Boolean).join(', '))}</td></tr>`).join('\n');
  return `<table class="segments">
<tr><th>#</th><th>t (s)</th><th>direction</th><th>flags</th><th>seq</th><th>ack</th><th>win</th><th>len</th><th>options</th><th>note</th></tr>
${rows}
</table>`;
}

function page(title: string, maxWidth: number, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:${maxWidth}px;padding:16px;color:#1d232b;background:#fff}
h1{font-size:1.4em;margin:.2em 0}
.facts{color:#5a6270;margin:.2em 0 1em}
.ladder{overflow-x:auto;border:1px solid #dde1e6;border-radius:6px;padding:4px}
.ladder svg{max-width:100%;height:auto}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(600px,1fr));gap:16px}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
td,th{padding:3px 8px;border-bottom:1px solid #eceff2;text-align:left;vertical-align:top}
table.segments td{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
tr.err td,li.err{color:#b3261e}
tr.ok td,p.ok{color:#1e7b34}
tr.dropped td{color:#b3261e;text-decoration:line-through}
.hint{color:#5a6270;font-size:13px}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
