// One self-contained HTML page for a Recording: inline SVG ladder, inline CSS, no external assets. No Node built-ins.
import type { HostName, Recording } from './recording.js';
import { flagWords, formatDuration, formatTime } from './recording.js';
import { esc, renderSvg } from './svg.js';
import { outcomeText } from './timeline.js';

/** Renders a complete HTML document showing the recording (ladder, outcome, segment table). */
export function renderHtml(r: Recording): string {
  const title = `wasm-tcp scenario ${r.scenario}`;
  const facts = [`seed ${r.seed}`];
  if (r.loss) facts.push(`loss ${+(r.loss * 100).toFixed(2)} %`);
  if (r.hosts) facts.push(`client ${r.hosts.client}`, `server ${r.hosts.server}`);
  if (r.duration !== undefined) facts.push(`virtual time ${formatDuration(r.duration)}`);
  const outcome = (['client', 'server'] as HostName[]).map((h) =>
    `<tr class="${r.outcome[h].error ? 'err' : 'ok'}"><th>${h}</th><td>${esc(outcomeText(r, h))}</td></tr>`).join('\n');
  const segRows = r.segments.map((s, i) =>
    `<tr${s.dropped ? ' class="dropped"' : ''}><td>${i + 1}</td><td>${formatTime(s.t)}</td><td>${s.from} → ${s.to}</td><td title="${esc(flagWords(s.flags))}">${esc(s.flags)}</td>`
    + `<td>${s.seq}</td><td>${s.ack}</td><td>${s.win}</td><td>${s.len}</td><td>${esc(s.options ?? '')}</td>`
    + `<td>${esc([s.note, s.dropped ? `dropped: ${s.fate ?? 'lost'}` : ''].filter(Boolean).join(', '))}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:920px;padding:16px;color:#1d232b;background:#fff}
h1{font-size:1.4em;margin:.2em 0}
.facts{color:#5a6270;margin:.2em 0 1em}
.ladder{overflow-x:auto;border:1px solid #dde1e6;border-radius:6px;padding:4px}
.ladder svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
td,th{padding:3px 8px;border-bottom:1px solid #eceff2;text-align:left;vertical-align:top}
table.segments td{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
tr.err td{color:#b3261e}
tr.ok td{color:#1e7b34}
tr.dropped td{color:#b3261e;text-decoration:line-through}
.hint{color:#5a6270;font-size:13px}
</style>
</head>
<body>
<h1>${esc(r.scenario)}</h1>
${r.description ? `<p>${esc(r.description)}</p>` : ''}
<p class="facts">${esc(facts.join(' · '))}</p>
<div class="ladder">
${renderSvg(r)}
</div>
<p class="hint">Hover over an arrow for the segment's absolute numbers and options, over a state bar for its time span. Sequence numbers in the diagram are relative to each side's ISN.</p>
<h2>Outcome</h2>
<table class="outcome">
${outcome}
</table>
<h2>Segments</h2>
<table class="segments">
<tr><th>#</th><th>t (s)</th><th>direction</th><th>flags</th><th>seq</th><th>ack</th><th>win</th><th>len</th><th>options</th><th>note</th></tr>
${segRows}
</table>
</body>
</html>
`;
}
