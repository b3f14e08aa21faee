// The demo page: runs scenarios and bulk transfers between two in-page stacks and draws what happened.
// Imports the core from ./wasm-tcp.js (dist/browser.js); see scripts/build.mjs.
import {
  SCENARIOS, STATE_COLORS, formatDuration, initialStates, ladderRows, outcomeText, recordingToPcap, renderSvg, runScenario,
  type HostName, type Recording,
} from '../src/browser.js';
import { BulkTransfer, type BulkOptions, type BulkProgress } from './bulk.js';
import { stepScenario } from './stepper.js';

const HOSTS: HostName[] = ['client', 'server'];

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

const ui = {
  scenario: $<HTMLSelectElement>('scenario'),
  description: $('scenario-description'),
  seed: $<HTMLInputElement>('seed'),
  loss: $<HTMLInputElement>('loss'),
  delay: $<HTMLInputElement>('delay'),
  reorder: $<HTMLInputElement>('reorder'),
  size: $<HTMLSelectElement>('size'),
  capture: $<HTMLInputElement>('capture'),
  stop: $<HTMLButtonElement>('stop'),
  stepMode: $<HTMLInputElement>('step-mode'),
  step: $<HTMLButtonElement>('step'),
  step10: $<HTMLButtonElement>('step10'),
  finish: $<HTMLButtonElement>('finish'),
  stepInfo: $('step-info'),
  runInfo: $('run-info'),
  runTitle: $('run-title'),
  runFacts: $('run-facts'),
  pcap: $<HTMLAnchorElement>('pcap'),
  transfer: $('transfer'),
  progress: $<HTMLProgressElement>('progress'),
  delivered: $('delivered'),
  throughput: $('throughput'),
  goodput: $('goodput'),
  retransmits: $('retransmits'),
  shaClient: $('sha-client'),
  shaServer: $('sha-server'),
  shaMatch: $('sha-match'),
  ladder: $('ladder'),
};

/** What the step buttons drive right now. */
interface Stepper {
  step(n: number): void;
  finish(): void;
}

let stepper: Stepper | null = null;
let cancelLive: (() => void) | null = null;
let pcapUrl = '';

// ---------- rendering ----------

/** Draws a (possibly partial) recording: ladder, both state timelines, outcomes when `done`. */
function show(rec: Recording, done: boolean): void {
  ui.ladder.innerHTML = renderSvg(rec);
  ui.ladder.dataset.segments = String(rec.segments.length);
  const init = initialStates(rec);
  // The same state periods as the SVG's bars: transitions plus `(crashed)` / `CLOSED` at a crash / reboot.
  const rows = ladderRows(rec);
  for (const h of HOSTS) {
    const list = $(`timeline-${h}`);
    const states = [{ state: init[h], t: 0 }, ...rows.filter((r) => r[h]).map((r) => ({ state: r[h]!, t: r.t }))];
    list.replaceChildren(...states.map((s) => {
      const li = document.createElement('li');
      li.dataset.state = s.state;
      li.textContent = s.state;
      li.title = `${h} entered ${s.state} at t=${s.t.toFixed(3)} s`;
      li.style.setProperty('--state', STATE_COLORS[s.state] ?? '#ccc');
      return li;
    }));
    list.dataset.states = states.map((s) => s.state).join(' ');
    const card = $(`host-${h}`);
    const out = $(`outcome-${h}`);
    if (done) {
      card.dataset.finalState = rec.outcome[h].state;
      card.dataset.error = rec.outcome[h].error ?? '';
      out.textContent = outcomeText(rec, h);
      out.className = `outcome ${rec.outcome[h].error ? 'err' : 'ok'}`;
    } else {
      card.dataset.finalState = '';
      card.dataset.error = '';
      out.textContent = 'running…';
      out.className = 'outcome';
    }
  }
}

/** Sets the run header; `data-done` goes true when the run is complete. */
function setRun(kind: string, name: string, title: string, facts: string): void {
  ui.runInfo.dataset.kind = kind;
  ui.runInfo.dataset.name = name;
  ui.runInfo.dataset.done = 'false';
  ui.runTitle.textContent = title;
  ui.runFacts.textContent = facts;
}

/** Points the download link at `blob` (or disables it). */
function setPcap(blob: Blob | null, name: string): void {
  if (pcapUrl) URL.revokeObjectURL(pcapUrl);
  pcapUrl = blob ? URL.createObjectURL(blob) : '';
  ui.pcap.href = pcapUrl || '#';
  ui.pcap.download = name;
  ui.pcap.setAttribute('aria-disabled', String(!blob));
  ui.pcap.dataset.bytes = String(blob?.size ?? 0);
}

/** Shows an error in the run header (and the console). */
function showError(err: unknown): void {
  ui.runTitle.textContent = `Error: ${err instanceof Error ? err.message : String(err)}`;
  ui.runInfo.dataset.error = 'true';
  console.error(err);
}

/** Enables the step buttons for `s` (or disables them) and sets the step line. */
function setStepper(s: Stepper | null, info = ''): void {
  stepper = s;
  for (const b of [ui.step, ui.step10, ui.finish]) b.disabled = !s;
  ui.stepInfo.textContent = info || (ui.stepMode.checked ? 'Run a scenario or start a transfer to step through it.' : 'Turn it on, then run a scenario or start a transfer.');
}

/** Stops a live transfer and detaches the step buttons. */
function stopLive(): void {
  cancelLive?.();
  cancelLive = null;
  ui.stop.disabled = true;
  setStepper(null);
}

/** Yields to the browser without setTimeout's 4 ms clamp. */
const channel = new MessageChannel();
const queue: (() => void)[] = [];
channel.port1.onmessage = () => queue.shift()?.();
function yieldThen(fn: () => void): void {
  queue.push(fn);
  channel.port2.postMessage(0);
}

// ---------- scenarios ----------

/** The seed field as a u32 (1 when it is not a whole number). */
function readSeed(): number {
  const n = Number(ui.seed.value);
  return Number.isInteger(n) && n >= 0 ? n >>> 0 : 1;
}

/** Runs scenario `name` to the end, or in step mode sets it up and lets the step buttons drive its clock. */
function playScenario(name: string): void {
  stopLive();
  ui.transfer.hidden = true;
  delete ui.runInfo.dataset.error;
  const seed = readSeed();
  const loss = Number(ui.loss.value) / 100 || undefined;
  const title = `${name}: ${SCENARIOS.find((s) => s.name === name)?.description ?? ''}`;
  history.replaceState(null, '', `?scenario=${encodeURIComponent(name)}&seed=${seed}`);
  const finished = (rec: Recording, wallMs?: number) => {
    const facts = [`seed ${seed}`];
    if (rec.loss) facts.push(`loss ${+(rec.loss * 100).toFixed(2)} %`);
    facts.push(count(rec.segments.length, 'segment'), `virtual time ${formatDuration(rec.duration ?? 0)}`);
    if (wallMs !== undefined) facts.push(`computed in ${wallMs.toFixed(1)} ms`);
    setRun('scenario', name, title, facts.join(' · '));
    setPcap(new Blob([recordingToPcap(rec) as BlobPart], { type: 'application/vnd.tcpdump.pcap' }), `${name}-seed${seed}.pcap`);
    show(rec, true);
    ui.runInfo.dataset.done = 'true';
  };
  try {
    if (!ui.stepMode.checked) {
      const t0 = performance.now();
      const rec = runScenario(name, { seed, loss });
      finished(rec, performance.now() - t0);
      return;
    }
    const run = stepScenario(name, { seed, loss });
    setRun('scenario', name, title, `seed ${seed} · step mode`);
    setPcap(null, `${name}-seed${seed}.pcap`);
    const draw = () => {
      if (run.done) {
        finished(run.finish());
        setStepper(null, `Done after ${run.events()} clock events.`);
        return;
      }
      const rec = run.snapshot();
      show(rec, false);
      const next = run.next();
      setStepper(s, `Event ${run.events()} · t = ${(run.now() / 1000).toFixed(3)} s · ${count(rec.segments.length, 'segment')}, `
        + `${count(rec.transitions.length, 'state change')} · next event ${next < Infinity ? `at ${(next / 1000).toFixed(3)} s` : 'none: the run ends'}`);
    };
    const s: Stepper = {
      step(n) {
        for (let i = 0; i < n && run.step(); i++);
        draw();
      },
      finish() {
        run.finish();
        draw();
      },
    };
    draw();
  } catch (err) {
    showError(err);
  }
}

// ---------- bulk transfer ----------

/** `1 segment`, `3 segments`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `1.50 MB`, `12.0 kB`, `80 B`. */
function fmtBytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

/** The bulk panel's settings, read from the sliders. */
function bulkOptions(): BulkOptions {
  return {
    bytes: Number(ui.size.value),
    loss: Number(ui.loss.value) / 100,
    delay: Number(ui.delay.value),
    reorder: Number(ui.reorder.value) / 100,
    seed: readSeed(),
    capture: ui.capture.checked,
  };
}

/** Starts a client → server transfer with the slider settings; live, or stepped in step mode. */
function startBulk(): void {
  stopLive();
  delete ui.runInfo.dataset.error;
  const opts = bulkOptions();
  let t: BulkTransfer;
  try {
    t = new BulkTransfer(opts);
  } catch (err) {
    showError(err);
    return;
  }
  setRun('bulk', 'bulk-transfer', `Bulk transfer: ${fmtBytes(opts.bytes)} from client to server`,
    `loss ${(opts.loss ?? 0) * 100} % · delay ${opts.delay} ms · reordering ${(opts.reorder ?? 0) * 100} % · seed ${opts.seed}`);
  resetTransferCard();
  let drawnSegments = -1;
  const update = (force = false) => {
    const p = t.progress();
    showBulkFigures(p);
    const rec = t.recording();
    if (force || p.done || rec.segments.length !== drawnSegments) {
      drawnSegments = rec.segments.length;
      show(rec, p.done);
    }
    if (p.done) showBulkResult(t, p);
  };
  if (ui.stepMode.checked) stepBulk(t, update);
  else {
    update(true);
    runBulkLive(t, update);
  }
}

/** Empties the transfer card for a new run. */
function resetTransferCard(): void {
  setPcap(null, 'bulk-transfer.pcap');
  ui.transfer.hidden = false;
  ui.transfer.dataset.done = 'false';
  for (const el of [ui.shaClient, ui.shaServer]) {
    el.textContent = '…';
    el.dataset.sha = '';
  }
  ui.shaMatch.textContent = '\u00a0';
  ui.shaMatch.dataset.match = '';
}

/** Progress bar, wall-time throughput, virtual-time goodput and retransmissions. */
function showBulkFigures(p: BulkProgress): void {
  ui.progress.max = Math.max(1, p.bytes);
  ui.progress.value = p.received;
  ui.delivered.textContent = `${fmtBytes(p.received)} of ${fmtBytes(p.bytes)}`;
  const mbs = p.wallMs > 0 ? p.received / 1e6 / (p.wallMs / 1000) : 0;
  ui.throughput.textContent = p.wallMs > 0 ? `${mbs.toFixed(1)} MB/s (${fmtBytes(p.received)} in ${p.wallMs.toFixed(0)} ms of wall time)` : '–';
  ui.throughput.dataset.bytes = String(p.received);
  ui.throughput.dataset.wallMs = p.wallMs.toFixed(3);
  ui.throughput.dataset.mbps = mbs.toFixed(3);
  ui.throughput.dataset.virtualS = p.virtualSeconds.toFixed(6);
  const vs = Number.isNaN(p.deliveredSeconds) ? p.virtualSeconds : p.deliveredSeconds;
  ui.goodput.textContent = vs > 0 ? `${((p.received * 8) / vs / 1e6).toFixed(2)} Mbit/s (${fmtBytes(p.received)} in ${formatDuration(vs)} of virtual time)` : '–';
  ui.retransmits.textContent = String(p.retransmits);
}

/** Both hashes, whether they match, and the pcap download, once the transfer is done. */
function showBulkResult(t: BulkTransfer, p: BulkProgress): void {
  ui.shaClient.textContent = ui.shaClient.dataset.sha = t.clientSha;
  ui.shaServer.textContent = ui.shaServer.dataset.sha = t.serverSha;
  const match = t.clientSha === t.serverSha && p.received === p.bytes && !p.error;
  ui.shaMatch.dataset.match = String(match);
  ui.shaMatch.textContent = match ? '✓ identical: every byte arrived intact and in order'
    : `✗ ${p.error ? `error ${p.error}` : 'the hashes differ'}`;
  ui.shaMatch.className = match ? 'ok' : 'err';
  ui.transfer.dataset.done = 'true';
  ui.runInfo.dataset.done = 'true';
  if (t.opts.capture) setPcap(t.pcap(), `bulk-${t.opts.bytes}-seed${t.opts.seed}.pcap`);
  else ui.pcap.title = 'turn on "keep pcap" before the transfer to download it';
}

/** Runs the transfer in slices of ~12 ms between frames, redrawing at most every 100 ms, until done or stopped. */
function runBulkLive(t: BulkTransfer, update: () => void): void {
  let cancelled = false;
  let last = 0;
  cancelLive = () => { cancelled = true; };
  ui.stop.disabled = false;
  setStepper(null, ui.stepMode.checked ? 'Running to the end…' : '');
  const tick = () => {
    if (cancelled) return;
    try {
      t.run(12);
    } catch (err) {
      stopLive();
      showError(err);
      return;
    }
    const now = performance.now();
    if (t.done || now - last > 100) {
      update();
      last = now;
    }
    if (t.done) {
      cancelLive = null;
      ui.stop.disabled = true;
      setStepper(null);
    } else yieldThen(tick);
  };
  yieldThen(tick);
}

/** Step mode: one clock event (or n) per click; "finish" runs the rest live. */
function stepBulk(t: BulkTransfer, update: (force?: boolean) => void): void {
  const info = () => {
    const p = t.progress();
    return p.done ? 'Done.' : `Event ${p.events} · t = ${(t.clock.now() / 1000).toFixed(3)} s · ${fmtBytes(p.received)} delivered · next event at ${(t.clock.nextDeadline() / 1000).toFixed(3)} s`;
  };
  const s: Stepper = {
    step(n) {
      for (let i = 0; i < n && t.step(); i++);
      update(true);
      setStepper(t.done ? null : s, info());
    },
    finish() {
      runBulkLive(t, update);
    },
  };
  update(true);
  setStepper(s, info());
}

// ---------- wiring ----------

/** Mirrors the sliders' values in their labels. */
function sliderLabels(): void {
  $('loss-out').textContent = `${ui.loss.value} %`;
  $('delay-out').textContent = `${ui.delay.value} ms`;
  $('reorder-out').textContent = `${ui.reorder.value} %`;
}

/** Shows the picked scenario's description. */
function describe(): void {
  ui.description.textContent = SCENARIOS.find((s) => s.name === ui.scenario.value)?.description ?? '';
}

/** Fills the picker, wires the controls and runs the first scenario. */
function init(): void {
  ui.scenario.replaceChildren(...SCENARIOS.map((s) => {
    const o = document.createElement('option');
    o.value = s.name;
    o.textContent = s.name;
    return o;
  }));
  const params = new URLSearchParams(location.search);
  const wanted = params.get('scenario');
  ui.scenario.value = wanted && SCENARIOS.some((s) => s.name === wanted) ? wanted : 'handshake';
  if (params.has('seed')) ui.seed.value = String(Number(params.get('seed')) >>> 0);
  describe();
  sliderLabels();
  ui.scenario.addEventListener('change', describe);
  for (const s of [ui.loss, ui.delay, ui.reorder]) s.addEventListener('input', sliderLabels);
  $('scenario-form').addEventListener('submit', (e) => {
    e.preventDefault();
    playScenario(ui.scenario.value);
  });
  $('bulk-form').addEventListener('submit', (e) => {
    e.preventDefault();
    startBulk();
  });
  ui.stop.addEventListener('click', () => {
    stopLive();
    ui.runTitle.textContent += ' (stopped)';
  });
  ui.stepMode.addEventListener('change', () => { if (!stepper) setStepper(null); });
  ui.step.addEventListener('click', () => stepper?.step(1));
  ui.step10.addEventListener('click', () => stepper?.step(10));
  ui.finish.addEventListener('click', () => stepper?.finish());
  ui.pcap.addEventListener('click', (e) => { if (!pcapUrl) e.preventDefault(); });
  // "Linux in this page" loads on demand (web/guest.ts → guest.js): the page never needs it.
  const linux = $<HTMLButtonElement>('linux-start');
  linux.addEventListener('click', () => {
    linux.disabled = true;
    const url = './guest.js'; // a variable: the bundler leaves the module to the page
    void (import(url) as Promise<{ startLinux(): Promise<void> }>).then((m) => m.startLinux()).catch((err: unknown) => {
      $('linux-status').textContent = `Linux did not start: ${err instanceof Error ? err.message : String(err)}`;
      $('linux-panel').dataset.state = 'error';
    });
  });
  playScenario(ui.scenario.value);
  document.body.dataset.ready = 'true';
}

try {
  init();
} catch (err) {
  showError(err);
  document.body.dataset.ready = 'error';
}
