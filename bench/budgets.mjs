// Measures the foundation's budgets in headless Chromium against the release build in dist/:
// the worker's training time on the 2-64-64-2 MLP (4096 two-moons points, 20 epochs, batch 128, Adam), the wasm
// sizes (raw and gzip), the time until the page is interactive and until the engine is ready, and the longest
// main-thread task during training. Prints JSON; `make bench` runs it. REPS=5 by default (medians).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve, launch, openPage, experimentHash, DIST, ROOT } from '../tests/support.mjs';

const reps = Number(process.env.REPS || 5);
const experiment = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'moons-benchmark.json'), 'utf8'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const sizes = {};
for (const f of fs.readdirSync(DIST).filter((f) => f.endsWith('.wasm'))) {
  const bytes = fs.readFileSync(path.join(DIST, f));
  const key = f.startsWith('lethe-worker') ? 'worker_wasm' : 'page_wasm';
  sizes[key] = { raw_bytes: bytes.length, gzip_bytes: zlib.gzipSync(bytes, { level: 9 }).length };
}

const server = await serve();
const browser = await launch();
const runs = [];
for (let i = 0; i < reps; i++) {
  const page = await openPage(browser, server.url + experimentHash(experiment));
  const t = await page.evaluate(() => new Promise((resolve) => {
    const t0 = performance.timeOrigin;
    const poll = () => {
      const train = document.querySelector('#train');
      const badge = document.querySelector('#backend-badge');
      if (train && !window.__interactive) window.__interactive = performance.now();
      if (badge && !badge.textContent.includes('loading') && document.querySelector('#data-chart svg')) {
        resolve({ interactive_ms: window.__interactive, engine_ready_ms: performance.now(), t0 });
      } else requestAnimationFrame(poll);
    };
    poll();
  }));
  await page.evaluate(() => {
    window.__longest = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration); })
      .observe({ type: 'longtask' });
  });
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120000 }),
    (async () => {
      await page.click('#train');
      await page.waitForFunction(() => /^done/.test(document.querySelector('#status').textContent), null, { timeout: 120000 });
      await page.click('#download-report');
    })(),
  ]);
  const report = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  const epochs = report.runs[0].history;
  runs.push({
    interactive_ms: t.interactive_ms,
    engine_ready_ms: t.engine_ready_ms,
    train_seconds: report.runs[0].seconds,
    first_epoch_seconds: epochs[0].elapsed_seconds,
    longest_task_ms: await page.evaluate(() => window.__longest),
    test_acc: report.runs[0].test_acc,
  });
  await page.context().close();
}
await browser.close();
await server.close();
const keys = Object.keys(runs[0]);
const result = {
  date: new Date().toISOString(),
  machine: `${process.platform} ${process.arch}, ${(await import('node:os')).cpus().length} cores, headless Debian Chromium`,
  workload: 'MLP 2-64-64-2, two moons 4096 points (3072 train), 20 epochs, batch 128, Adam 1e-2, CPU backend (flex, simd128), per-epoch evaluation included',
  repetitions: reps,
  median: Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))])),
  sizes,
  runs,
};
console.log(JSON.stringify(result, null, 2));
