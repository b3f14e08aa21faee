// The demo page in real Chromium: scenarios drawn from the in-page engines, a lossy 5 MB transfer, step mode, pcap.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readCapture } from '../../src/pcap/reader.js';
import { SCENARIOS, initialStates, runScenario as runScenarioInNode, type HostName, type Recording } from '../../src/browser.js';
import { chromiumMissing, launchChromium, startWeb, type LaunchedBrowser, type WebProcess } from './launch.js';

const ARTIFACTS = 'test/artifacts';

/** States `h` enters in a Node recording: its transitions, plus `(crashed)` at a crash and `CLOSED` at a
 * reboot (notes come before transitions of the same instant). */
function expectedStates(rec: Recording, h: HostName): string[] {
  const events = [
    ...(rec.notes ?? []).filter((n) => n.host === h && n.kind).map((n) => ({ t: n.t, order: 0, state: n.kind === 'crash' ? '(crashed)' : 'CLOSED' })),
    ...rec.transitions.filter((x) => x.host === h).map((x) => ({ t: x.t, order: 1, state: x.to })),
  ];
  return events.sort((a, b) => a.t - b.t || a.order - b.order).map((e) => e.state);
}
const missing = chromiumMissing();
const ci = process.env.CI === 'true';

if (missing && !ci) console.warn(`[browser tests skipped] ${missing}`);

describe('browser test prerequisites', () => {
  // Under CI the page must be tested: a missing Chromium or build is a failure, not a skip.
  it.runIf(ci)('Chromium and dist/ are present under CI', () => {
    expect(missing, missing ?? '').toBeNull();
  });
});

describe.skipIf(missing !== null)(`demo page in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let web: WebProcess;
  let chromium: LaunchedBrowser;
  let page: Page;
  const foreign: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    web = await startWeb();
    chromium = await launchChromium();
    page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const origin = new URL(web.url).origin;
    page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) foreign.push(r.url()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(web.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await chromium?.close();
    await web?.close();
  });

  /** What the page shows: states, outcome, and the segments drawn in the SVG. */
  const read = () => page.evaluate(() => {
    const host = (h: string) => {
      const card = document.getElementById(`host-${h}`)!;
      return {
        timeline: document.getElementById(`timeline-${h}`)!.dataset.states!.split(' '),
        svgStates: [...document.querySelectorAll(`#ladder svg g.wt-state[data-host="${h}"]`)].map((g) => (g as SVGElement).dataset.state),
        final: card.dataset.finalState,
        error: card.dataset.error,
      };
    };
    const segs = [...document.querySelectorAll('#ladder svg g.wt-seg')].map((g) => ({
      flags: (g as SVGElement).dataset.flags!,
      t: Number((g as SVGElement).dataset.t),
      cls: g.getAttribute('class')!,
    }));
    return { client: host('client'), server: host('server'), segs, run: document.getElementById('run-info')!.dataset };
  });

  async function runScenario(name: string): Promise<void> {
    await page.selectOption('#scenario', name);
    await page.click('#run');
    await page.waitForSelector(`#run-info[data-name="${name}"][data-done="true"]`, { timeout: 30_000 });
  }

  it('one import of the bundle runs two stacks in the page (the README example)', async () => {
    // A plain string, run as the page's own code (vitest would rewrite a dynamic import() in a function).
    const out = await page.evaluate(`(async () => {
      const { Stack, SimNetwork, VirtualClock } = await import('/wasm-tcp.js');
      const clock = new VirtualClock();
      const net = new SimNetwork({ clock, seed: 42, delay: 10, loss: 0.02 });
      const client = new Stack({ address: '10.0.0.1', clock, link: net, name: 'client' });
      const server = new Stack({ address: '10.0.0.2', clock, link: net, name: 'server' });
      server.listen(80, {}, (sock) => sock.on('data', (d) => sock.end(d)));
      const sock = client.connect({ host: '10.0.0.2', port: 80 });
      let echoed = '';
      sock.on('connect', () => sock.write('hello'));
      sock.on('data', (d) => { echoed += new TextDecoder().decode(d); });
      clock.runFor(5000);
      return { echoed, states: client.transitions.map((t) => t.to) };
    })()`) as { echoed: string; states: string[] };
    expect(out.echoed).toBe('hello');
    expect(out.states.slice(0, 2)).toEqual(['SYN_SENT', 'ESTABLISHED']);
  });

  it('runs handshake on load: SYN, SYN-ACK, ACK and both state timelines', async () => {
    const r = await read();
    expect(r.run.name).toBe('handshake');
    expect(r.segs.map((s) => s.flags)).toEqual(['S', 'S.', '.']);
    expect(r.client.timeline).toEqual(['CLOSED', 'SYN_SENT', 'ESTABLISHED']);
    expect(r.server.timeline).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED']);
    // The SVG's own state bars say the same.
    expect(r.client.svgStates).toEqual(r.client.timeline);
    expect(r.server.svgStates).toEqual(r.server.timeline);
    expect([r.client.final, r.server.final]).toEqual(['ESTABLISHED', 'ESTABLISHED']);
    expect(await page.locator('#ladder svg').textContent()).toContain('SYN_SENT');
    await page.screenshot({ path: `${ARTIFACTS}/browser-handshake.png`, fullPage: true });
  });

  it('every scenario of the picker is offered', async () => {
    const names = await page.$$eval('#scenario option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    for (const n of ['handshake', 'close', 'simultaneous-open', 'simultaneous-close', 'half-close', 'server-crash', 'server-reboot',
      'network-outage', 'outage-recovery-idle', 'outage-recovery-timeout', 'server-process-killed', 'port-closed', 'keepalive-dead-peer']) {
      expect(names).toContain(n);
    }
  });

  it('server-crash: the client retransmits with doubling gaps, then CLOSED with ETIMEDOUT', async () => {
    await runScenario('server-crash');
    const r = await read();
    expect(r.client.final).toBe('CLOSED');
    expect(r.client.error).toBe('ETIMEDOUT');
    expect(r.client.timeline).toEqual(['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'CLOSED']);
    // The crash ends the server's timeline, in the chips as in the SVG.
    expect(r.server.timeline).toEqual(['LISTEN', 'SYN_RCVD', 'ESTABLISHED', '(crashed)']);
    expect(r.server.svgStates).toEqual(r.server.timeline);
    const retrans = r.segs.filter((s) => s.cls.includes('wt-retransmission'));
    expect(retrans.length).toBeGreaterThanOrEqual(5);
    expect(retrans.every((s) => s.cls.includes('wt-dropped'))).toBe(true);
    // The first gaps double (exponential backoff, RFC 6298 §5.5) until the RTO cap.
    const times = r.segs.filter((s) => s.flags.includes('P')).map((s) => s.t);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    for (let i = 1; i < 4; i++) expect(gaps[i] / gaps[i - 1]).toBeCloseTo(2, 1);
    await page.screenshot({ path: `${ARTIFACTS}/browser-server-crash.png`, fullPage: true });
  });

  it('port-closed: SYN answered by RST,ACK; client CLOSED with ECONNREFUSED', async () => {
    await runScenario('port-closed');
    const r = await read();
    expect(r.segs.map((s) => s.flags)).toEqual(['S', 'R.']);
    expect(r.segs[1].cls).toContain('wt-rst');
    expect(r.client.timeline).toEqual(['CLOSED', 'SYN_SENT', 'CLOSED']);
    expect([r.client.final, r.client.error]).toEqual(['CLOSED', 'ECONNREFUSED']);
    expect(r.server.timeline).toEqual(['CLOSED']);
    await page.screenshot({ path: `${ARTIFACTS}/browser-port-closed.png`, fullPage: true });
  });

  it('every scenario in the page matches the same scenario run in Node', async () => {
    await page.fill('#seed', '1');
    await page.fill('#loss', '0');
    for (const { name } of SCENARIOS) {
      await runScenario(name);
      const page = await read();
      const node = runScenarioInNode(name, { seed: 1 });
      const init = initialStates(node);
      for (const h of ['client', 'server'] as const) {
        expect(page[h].timeline, `${name} ${h}`).toEqual([init[h], ...expectedStates(node, h)]);
        // The state chips and the SVG's state bars tell the same story.
        expect(page[h].svgStates, `${name} ${h}`).toEqual(page[h].timeline);
        expect([page[h].final, page[h].error || null], `${name} ${h}`).toEqual([node.outcome[h].state, node.outcome[h].error]);
      }
      expect(page.segs.map((x) => x.flags), name).toEqual(node.segments.map((x) => x.flags));
      expect(page.segs.map((x) => x.t), name).toEqual(node.segments.map((x) => x.t));
    }
  });

  it('the pcap download holds every segment of the ladder', async () => {
    await runScenario('server-crash');
    const drawn = (await read()).segs.length;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#pcap')]);
    expect(download.suggestedFilename()).toBe('server-crash-seed1.pcap');
    const file = await download.path();
    const records = [...readCapture(new Uint8Array(readFileSync(file)))];
    expect(records.length).toBe(drawn);
  });

  it('step mode advances the scenario virtual clock one event at a time', async () => {
    await page.check('#step-mode');
    await page.selectOption('#scenario', 'handshake');
    await page.click('#run');
    await page.waitForSelector('#run-info[data-name="handshake"][data-done="false"]');
    const count = () => page.$$eval('#ladder svg g.wt-seg', (g) => g.length);
    const event = async () => Number(/^Event (\d+) /.exec((await page.textContent('#step-info')) ?? '')?.[1] ?? NaN);
    expect(await count()).toBe(0);
    expect(await event()).toBe(0);
    const seen: number[] = [];
    for (let i = 1; i <= 50 && (await page.getAttribute('#run-info', 'data-done')) === 'false'; i++) {
      await page.click('#step');
      if ((await page.getAttribute('#run-info', 'data-done')) === 'false') expect(await event()).toBe(i);
      seen.push(await count());
    }
    // Segments appear one by one as the clock fires, never all at once.
    for (let i = 1; i < seen.length; i++) expect(seen[i] - seen[i - 1]).toBeLessThanOrEqual(1);
    expect(seen.filter((n) => n === 1).length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(3);
    expect(await page.getAttribute('#host-client', 'data-final-state')).toBe('ESTABLISHED');
    expect(await page.getAttribute('#pcap', 'aria-disabled')).toBe('false');
    await page.uncheck('#step-mode');
  });

  it('step mode on a transfer fires single clock events', async () => {
    await page.check('#step-mode');
    await page.selectOption('#size', '100000');
    await page.click('#bulk');
    await page.waitForSelector('#run-info[data-kind="bulk"]');
    const info = () => page.textContent('#step-info');
    expect(await info()).toMatch(/^Event 0 /);
    await page.click('#step');
    expect(await info()).toMatch(/^Event 1 /);
    await page.click('#step10');
    expect(await info()).toMatch(/^Event 11 /);
    await page.click('#finish');
    await page.waitForSelector('#transfer[data-done="true"]', { timeout: 60_000 });
    expect(await page.getAttribute('#sha-match', 'data-match')).toBe('true');
    await page.uncheck('#step-mode');
  });

  it('a transfer shows live progress while it runs, and Stop stops it', async () => {
    await page.selectOption('#size', '20000000');
    await page.fill('#loss', '0');
    // Watch the figures from inside the page; press Stop once two partial updates were seen.
    const watch = page.evaluate(() => new Promise<{ partial: number[]; atStop: number; later: number; done: string }>((resolve) => {
      const fig = document.getElementById('throughput')!;
      const partial: number[] = [];
      const obs = new MutationObserver(() => {
        const n = Number(fig.dataset.bytes);
        if (n > 0 && n < 20_000_000 && !partial.includes(n)) partial.push(n);
        const finished = document.getElementById('transfer')!.dataset.done === 'true';
        if (partial.length < 2 && !finished) return;
        obs.disconnect();
        (document.getElementById('stop') as HTMLButtonElement).click();
        const atStop = Number(fig.dataset.bytes);
        setTimeout(() => resolve({ partial, atStop, later: Number(fig.dataset.bytes), done: document.getElementById('transfer')!.dataset.done! }), 300);
      });
      obs.observe(fig, { attributes: true, attributeFilter: ['data-bytes'] });
    }));
    await page.click('#bulk');
    const r = await watch;
    expect(r.partial.length, 'two figure updates before the 20 MB transfer ended').toBe(2);
    expect(r.partial[1]).toBeGreaterThan(r.partial[0]);
    expect(r.later).toBe(r.atStop);
    expect(r.done).toBe('false');
    expect(await page.textContent('#run-title')).toContain('(stopped)');
  });

  it('5 MB with 5 % loss: both ends report the same sha256', async () => {
    await page.selectOption('#size', '5000000');
    await page.fill('#loss', '5');
    await page.fill('#seed', '7');
    await page.click('#bulk');
    await page.waitForSelector('#transfer[data-done="true"]', { timeout: 120_000 });
    const sent = await page.getAttribute('#sha-client', 'data-sha');
    const received = await page.getAttribute('#sha-server', 'data-sha');
    expect(sent).toMatch(/^[0-9a-f]{64}$/);
    expect(received).toBe(sent);
    expect(await page.getAttribute('#sha-match', 'data-match')).toBe('true');
    expect(Number(await page.getAttribute('#throughput', 'data-bytes'))).toBe(5_000_000);
    expect(Number(await page.textContent('#retransmits'))).toBeGreaterThan(0);
    expect(await page.$$eval('#ladder svg g.wt-dropped', (g) => g.length)).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/browser-bulk-5MB-loss5.png`, fullPage: true });
  }, 150_000);

  it("the transfer's pcap download carries the very bytes whose sha256 the page shows", async () => {
    // Reassemble the client's payload from the capture (every packet as sent, lost ones too) and hash it here.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#pcap')]);
    expect(download.suggestedFilename()).toBe('bulk-5000000-seed7.pcap');
    const payload = new Uint8Array(5_000_000);
    let isn = -1;
    let covered = 0;
    for (const { data } of readCapture(new Uint8Array(readFileSync(await download.path())))) {
      const ihl = (data[0] & 15) * 4;
      const tcp = data.subarray(ihl);
      if (data.subarray(12, 16).join('.') !== '10.0.0.1' || data[9] !== 6) continue;
      const seq = new DataView(tcp.buffer, tcp.byteOffset).getUint32(4);
      if (tcp[13] & 0x02) isn = seq;
      const body = tcp.subarray((tcp[12] >> 4) * 4, ((data[2] << 8) | data[3]) - ihl);
      if (!body.length) continue;
      const off = (seq - isn - 1) >>> 0;
      payload.set(body, off);
      covered = Math.max(covered, off + body.length);
    }
    expect(covered).toBe(5_000_000);
    expect(createHash('sha256').update(payload).digest('hex')).toBe(await page.getAttribute('#sha-client', 'data-sha'));
  });

  it('the delay and reordering sliders drive the transfer', async () => {
    await page.fill('#loss', '0');
    await page.fill('#delay', '40');
    await page.fill('#reorder', '10');
    await page.fill('#seed', '2');
    await page.selectOption('#size', '100000');
    await page.click('#bulk');
    await page.waitForSelector('#transfer[data-done="true"]', { timeout: 60_000 });
    expect(await page.textContent('#run-facts')).toBe('loss 0 % · delay 40 ms · reordering 10 % · seed 2');
    const r = await read();
    // The server answers the SYN one 40 ms trip later.
    expect(r.segs.slice(0, 2).map((x) => [x.flags, x.t])).toEqual([['S', 0], ['S.', 0.04]]);
    // Segments overtaken in the network make the receiver send duplicate ACKs (with SACK blocks); no byte is lost.
    expect(r.segs.filter((x) => x.cls.includes('wt-dup-ack')).length).toBeGreaterThan(0);
    expect(await page.getAttribute('#sha-match', 'data-match')).toBe('true');
    await page.fill('#delay', '5');
    await page.fill('#reorder', '0');
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await runScenario('handshake');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${ARTIFACTS}/browser-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('loads nothing from outside the server and throws no errors', () => {
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });
});
