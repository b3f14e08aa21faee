// Browser benchmark: the demo page's bulk transfer in headless Chromium next to the same transfer
// (web/bulk.ts, same options and seed) in Node, in one run. Run: `npm run bench:browser [-- --json]`.
import { BulkTransfer, type BulkOptions } from '../web/bulk.js';
import { chromiumMissing, launchChromium, startWeb } from '../test/browser/launch.js';

/** One workload measured in both runtimes (best of `rounds`, MB/s of application bytes per wall second). */
interface Row {
  name: string;
  opts: BulkOptions;
  browser: number;
  node: number;
  /** Same sha256 on both ends in every run, in both runtimes. */
  intact: boolean;
}

const ROUNDS = 5;
const WORKLOADS: { name: string; size: string; loss: string; opts: BulkOptions }[] = [
  { name: '20 MB, no loss', size: '20000000', loss: '0', opts: { bytes: 20_000_000, loss: 0, delay: 5, seed: 1 } },
  { name: '5 MB, 5 % loss', size: '5000000', loss: '5', opts: { bytes: 5_000_000, loss: 0.05, delay: 5, seed: 1 } },
];

/** Node: the same BulkTransfer, run to the end; MB/s over the wall time spent inside run(). */
function inNode(opts: BulkOptions): { mbs: number; intact: boolean } {
  const t = new BulkTransfer(opts);
  t.run();
  const p = t.progress();
  return { mbs: p.received / 1e6 / (p.wallMs / 1000), intact: t.clientSha === t.serverSha && p.received === opts.bytes };
}

async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  const missing = chromiumMissing();
  if (missing) {
    console.error(`bench:browser: ${missing}`);
    return 1;
  }
  const web = await startWeb();
  const chromium = await launchChromium();
  const rows: Row[] = [];
  let chromeVersion = '';
  try {
    chromeVersion = chromium.browser.version();
    const page = await chromium.browser.newPage();
    await page.goto(web.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.uncheck('#capture');
    for (const w of WORKLOADS) {
      let browser = 0;
      let node = 0;
      let intact = true;
      // Round 0 warms up both JITs and is not counted.
      for (let r = 0; r <= ROUNDS; r++) {
        await page.selectOption('#size', w.size);
        await page.fill('#loss', w.loss);
        await page.fill('#delay', String(w.opts.delay));
        await page.fill('#reorder', '0');
        await page.fill('#seed', String(w.opts.seed));
        await page.click('#bulk');
        await page.waitForSelector('#transfer[data-done="true"]', { timeout: 300_000 });
        const got = await page.evaluate(() => ({
          mbs: Number(document.getElementById('throughput')!.dataset.mbps),
          match: document.getElementById('sha-match')!.dataset.match === 'true',
        }));
        const n = inNode(w.opts);
        intact &&= got.match && n.intact;
        if (r === 0) continue;
        browser = Math.max(browser, got.mbs);
        node = Math.max(node, n.mbs);
      }
      rows.push({ name: w.name, opts: w.opts, browser, node, intact });
    }
  } finally {
    await chromium.close();
    await web.close();
  }
  if (json) {
    console.log(JSON.stringify({ node: process.version, chromium: chromeVersion, rounds: ROUNDS, rows }));
    return rows.every((r) => r.intact) ? 0 : 1;
  }
  console.log(`Node ${process.version}, headless Chromium ${chromeVersion}; best of ${ROUNDS} rounds after one warm-up round; capture off, 5 ms one-way delay, seed 1.`);
  console.log('MB/s = application bytes delivered per wall-clock second spent running the simulation (both stacks, network, hashing).\n');
  console.log('| transfer | Chromium (page) MB/s | Node MB/s | Chromium / Node | sha256 equal |');
  console.log('|---|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.browser.toFixed(1)} | ${r.node.toFixed(1)} | ${(r.browser / r.node).toFixed(2)} | ${r.intact ? 'yes' : 'NO'} |`);
  }
  return rows.every((r) => r.intact) ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(`bench:browser: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
