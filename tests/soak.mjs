// The soak: many small jobs of every kind in ONE tab and one engine worker, some cancelled at their first progress,
// the first one crashing its worker on purpose, with the memory of both sides read after the first 10 jobs and after
// the last. Used by tests/soak.test.mjs (20 jobs) and by the bench (`ONLY=soak`, 200 jobs). Not a test file itself
// (`node --test tests/` runs *.test.mjs only).
//
// Why one tab: a leak shows as memory that grows with the number of jobs a visitor runs without reloading, in the
// page (its JS heap, its wasm memory) or in the worker (same two), so every job runs in the same document, and all
// but the first in the same worker. Experiments are switched with the page's own "Import experiment" (the
// `#import-experiment` file input), which keeps the document and, the backend being unchanged, the worker; a new
// link would reload the page and start a new worker, which is what a soak must not do.
import { openPage, experiment, waitReady, openTab } from './support.mjs';

/** The test switch (src/page_options.rs) a soak page is opened with:
 *   - `fault`: the first worker crashes at the end of epoch 2 of the first training job; the page starts a CPU
 *     worker and runs the job again. It is job 1, so that the baseline after 10 jobs is read on the replacement,
 *     the worker that then runs every other job.
 *   - `step_ms`: every optimiser step lasts at least 2 ms, so that the jobs meant to be cancelled (thousands of
 *     steps) are still running when the cancel lands, on any machine; the small jobs (tens of steps) lose little.
 *   - `cancel_ms`: the worker has 30 s to confirm a cancel before the page restarts it (the page's own grace is
 *     1 s): a busy machine's late confirmation must not replace the worker the memory is measured in. */
export const SOAK_SWITCH = { fault: 'worker-crash@2', step_ms: 2, cancel_ms: 30000 };

/** Stores the page's wasm exports (trunk's loader fires `TrunkApplicationStarted` with them once the page's wasm
 * is initialised), so that the soak can read the page's wasm memory. Runs before any page script. */
export function exposePageWasm() {
  addEventListener('TrunkApplicationStarted', (e) => { window.__letheWasm = e.detail.wasm; });
}

/** A page ready for `soak`: the test switch above and the page's wasm exports kept. */
export function openSoakPage(browser, url, options = {}) {
  return openPage(browser, url, { ...options, testSwitch: SOAK_SWITCH, init: exposePageWasm });
}

export const KINDS = ['train', 'forget', 'federated', 'vbu'];

/** Each kind's controls, and what its status line shows once the worker has reported progress (a cancel clicked
 * then lands on a job the worker is running, not on one it has not started). */
const CONTROLS = {
  train: { run: '#train', cancel: '#cancel', status: '#status', progress: '· (step|loss) ' },
  forget: { run: '#lab-run', cancel: '#lab-cancel', status: '#lab-status', progress: '^(training the model first|unlearning: )' },
  federated: { run: '#fed-run', cancel: '#fed-cancel', status: '#fed-status', progress: '^(?!starting…).+…$' },
  vbu: { run: '#vbu-run', cancel: '#vbu-cancel', status: '#vbu-status', progress: '^(?!starting…).+…$' },
};
/** The workspace's tab of each kind. */
const TABS = { train: 'train', forget: 'forget', federated: 'federated', vbu: 'vbu' };
const FINAL = '^(done|failed|cancelled)';
// A cancel is over when the worker confirmed it, or when the page gave up waiting and restarted the worker.
const CANCEL_OVER = '\\(the engine stopped in \\d+ ms\\)|restarted';

/** Job `i`'s kind and whether it is cancelled: the four kinds in turn, every fifth job cancelled, so that 20 jobs
 * cancel each kind once (jobs 5, 10, 15, 20). */
export function plan(i) {
  return { kind: KINDS[i % KINDS.length], cancel: i % 5 === 4 };
}

/** Job `i`'s experiment: tiny (200 moons, a 1×16 MLP, 5 epochs), or long by construction when it is to be cancelled
 * (thousands of slowed steps: seconds at least, whatever the machine). Each job has its own seed: the page shows
 * the seed in its hash, which is how the soak knows the import took, and the lab must train its model again. */
export function jobExperiment(i, { kind, cancel }, backend = 'auto') {
  return experiment((e) => {
    e.seed = 1000 + i;
    e.backend = backend;
    e.data = { source: 'moons', n_samples: 200, noise: 0.1, classes: 2, test_fraction: 0.25, plot_features: [0, 1] };
    e.model = { kind: 'mlp', layers: 1, width: 16, activation: 'relu' };
    // 150 training points in batches of 64: 3 steps an epoch. 3,000 epochs are 9,000 steps of at least 2 ms.
    e.train = { optimizer: 'adam', learning_rate: 0.01, momentum: 0.9, batch_size: 64, epochs: cancel ? 3000 : 5, l2: 0 };
    if (kind === 'forget') {
      // The lab trains the model first (a new seed), retrains once, and runs two methods.
      e.unlearn = { forget: { kind: 'random', fraction: 0.1 }, methods: ['finetune', 'neggrad_plus'], retrain_seeds: 1 };
    }
    if (kind === 'federated') {
      // Two clients of 75 points, batches of 16: 5 steps a client and round. 500 rounds: 5,000 slowed steps.
      e.train = { optimizer: 'sgd', learning_rate: 0.1, momentum: 0.9, batch_size: 16, epochs: 5, l2: 0 };
      const rounds = cancel ? 500 : 2;
      e.federated = {
        clients: 2, split: { kind: 'iid' }, rounds, participation: 1.0, local_epochs: 1,
        retain_every: cancel ? 50 : 1, calibration_ratio: 0.5, continue_rounds: 1, target_client: 0,
        methods: ['fed_retrain', 'federaser'],
      };
    }
    if (kind === 'vbu') {
      // VBU's iterations run without a checkpoint inside a stage (the engine checks for a cancel between stages),
      // so the long variant has many stages of moderate length (2 + 20 λ × 2 methods, 30,000 iterations each)
      // rather than a few endless ones: the cancel lands at the end of the current stage, within seconds.
      e.data = { source: 'moons', n_samples: 100, noise: 0.1, classes: 2, test_fraction: 0.2, plot_features: [0, 1] };
      e.model = { kind: 'bayes_logistic', width: 8, bayes: { features: 'rff', prior_variance: 10, samples: 8, bandwidth: 1.0, covariance: 'full', iterations: cancel ? 30000 : 300, learning_rate: 0.02 } };
      e.train = { optimizer: 'adam', learning_rate: 0.01, batch_size: 64, epochs: 1, l2: 0 };
      e.vbu = cancel
        ? { erase: { kind: 'region', feature: 0, top_fraction: 0.2 }, lambdas: Array.from({ length: 20 }, (_, k) => 10 ** -(k / 2)), methods: ['vi_retrain', 'vbu_eubo', 'vbu_rkl'] }
        : { erase: { kind: 'region', feature: 0, top_fraction: 0.2 }, lambdas: [1e-3], methods: ['vi_retrain', 'full', 'vbu_eubo'] };
    }
  });
}

/** Loads `e` into the page through its own import, and waits until the page holds it (its hash names the seed). */
async function importExperiment(page, e, name) {
  await page.setInputFiles('#import-experiment', { name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(e)) });
  await page.waitForFunction((seed) => {
    const h = location.hash.match(/[#&]e=([^&]*)/);
    if (!h) return false;
    const b64 = h[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    return JSON.parse(json).seed === seed;
  }, e.seed, { timeout: 30000 });
  const error = await page.$('#input-error');
  if (error) throw new Error(`the page refused the soak's experiment ${name}: ${await error.textContent()}`);
}

/** The page's current experiment (from its hash). */
async function currentExperiment(page) {
  const hash = await page.evaluate(() => location.hash);
  const m = /[#&]e=([^&]*)/.exec(hash);
  return m ? JSON.parse(Buffer.from(m[1], 'base64url').toString()) : null;
}

/** Watches job `c` from now on: whether its Cancel button was enabled at any moment (it is exactly while the job
 * runs, however short), so that a final status seen later is this job's and not the previous one's, which the
 * status line still shows after an import. The whole body is watched, so that controls rendered anew are still
 * seen; the callback runs after every DOM change, before the next task, so no state is missed. */
async function watchJob(page, c) {
  await page.evaluate((c) => {
    window.__soakWatch?.observer.disconnect();
    const w = { ran: false };
    const check = () => { const b = document.querySelector(c.cancel); if (b && !b.disabled) w.ran = true; };
    w.observer = new MutationObserver(check);
    w.observer.observe(document.body, { childList: true, characterData: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
    window.__soakWatch = w;
  }, c);
}

/** Runs one job to its final state; returns the final status text. */
async function runJob(page, { kind, cancel }, timeout) {
  const c = CONTROLS[kind];
  await openTab(page, TABS[kind]);
  await watchJob(page, c);
  await page.click(c.run, { timeout });
  if (cancel) {
    // The cancel is clicked in the same task in which the page shows the worker's first progress, once the Cancel
    // button is enabled (it follows the same state, possibly a microtask later): a click from the test process
    // would come tens of milliseconds later.
    await page.waitForFunction(({ c, FINAL }) => {
      const text = document.querySelector(c.status)?.textContent ?? '';
      if (window.__soakWatch.ran && new RegExp(FINAL).test(text)) return 'ended before the cancel';
      const button = document.querySelector(c.cancel);
      if (new RegExp(c.progress).test(text) && button && !button.disabled) {
        button.click();
        return 'clicked';
      }
      return false;
    }, { c, FINAL }, { timeout, polling: 'raf' });
  }
  await page.waitForFunction(({ c, FINAL, CANCEL_OVER }) => {
    const text = document.querySelector(c.status)?.textContent ?? '';
    if (!window.__soakWatch.ran || !new RegExp(FINAL).test(text)) return false;
    // "cancelled (stopping the engine…)" is not over yet: the worker's confirmation (or the restart) follows.
    return !/^cancelled/.test(text) || new RegExp(CANCEL_OVER).test(text);
  }, { c, FINAL, CANCEL_OVER }, { timeout });
  return (await page.textContent(c.status)).trim();
}

/** The page's engine worker: the live worker that holds the engine's wasm exports (`self.lethe_wasm`, set by the
 * worker's loader once wasm-bindgen is initialised); the newest when several do. */
async function engineWorker(page) {
  let found = null;
  for (const w of page.workers()) {
    if (await w.evaluate(() => typeof self.lethe_wasm === 'object' && self.lethe_wasm !== null).catch(() => false)) found = w;
  }
  return found;
}

/** A CDP session to a dedicated worker, through the browser's session: Playwright opens CDP sessions to pages and
 * frames only, so the worker is attached as a target (not flattened) and spoken to through
 * Target.sendMessageToTarget. */
async function workerSession(browserCdp, url) {
  const { targetInfos } = await browserCdp.send('Target.getTargets');
  const target = targetInfos.find((t) => t.type === 'worker' && t.url === url);
  if (!target) return null;
  const { sessionId } = await browserCdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let id = 0;
  const pending = new Map();
  const onMessage = (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    if (pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); }
  };
  browserCdp.on('Target.receivedMessageFromTarget', onMessage);
  return {
    url,
    send(method, params = {}) {
      return new Promise((resolve, reject) => {
        const i = ++id;
        pending.set(i, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
        browserCdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: i, method, params }) }).catch(reject);
      });
    },
    async detach() {
      browserCdp.off('Target.receivedMessageFromTarget', onMessage);
      await browserCdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    },
  };
}

/** Reads the four figures, each after a full garbage collection of its own isolate (CDP HeapProfiler.collectGarbage):
 *   - pageHeap, workerHeap: V8's used JS heap (CDP Runtime.getHeapUsage `usedSize`: the figure
 *     performance.memory.usedJSHeapSize gives with --enable-precise-memory-info; without that flag Chromium
 *     rounds performance.memory to coarse buckets and refreshes it every 20 minutes, useless for a soak, and
 *     workers have no performance.memory at all);
 *   - pageWasm, workerWasm: the byte length of each side's wasm memory (it grows and never shrinks, so growth
 *     across jobs is memory the engine or the page kept, or fragmentation).
 * `probe` keeps the CDP sessions between reads. A figure that cannot be read is null. */
export async function readMemory(page, probe) {
  probe.page ??= await page.context().newCDPSession(page);
  probe.browser ??= await page.context().browser().newBrowserCDPSession();
  // Let the page finish drawing what the job's end asked for: the held chart updates are applied before the job's
  // end, so two animation frames see the last render (no wait on the clock).
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await probe.page.send('HeapProfiler.collectGarbage');
  const pageHeap = (await probe.page.send('Runtime.getHeapUsage')).usedSize;
  const pageWasm = await page.evaluate(() => window.__letheWasm?.memory?.buffer?.byteLength ?? null);
  const worker = await engineWorker(page);
  let workerHeap = null;
  let workerWasm = null;
  if (worker) {
    if (probe.worker?.url !== worker.url()) {
      await probe.worker?.detach();
      probe.worker = await workerSession(probe.browser, worker.url());
    }
    if (probe.worker) {
      await probe.worker.send('HeapProfiler.collectGarbage');
      workerHeap = (await probe.worker.send('Runtime.getHeapUsage')).usedSize;
    }
    workerWasm = await worker.evaluate(() => self.lethe_wasm.memory?.buffer?.byteLength ?? null);
  }
  return { pageHeap, pageWasm, workerHeap, workerWasm, worker: worker?.url() ?? null };
}

/** Releases the CDP sessions `readMemory` opened. */
export async function closeProbe(probe) {
  await probe.worker?.detach();
  await probe.page?.detach().catch(() => {});
  await probe.browser?.detach().catch(() => {});
}

/**
 * Drives `page` (opened with `openSoakPage`) through `jobs` jobs (see `plan`), each to its final state, and returns
 * { kinds, cancelled, cancelConfirmed, finals, jobs: [...], crash, memory: { first10, last, series }, workersStarted,
 * sameWorker, errors: { firstJob, later }, seconds }. Throws when a job does not reach a final state within
 * `jobTimeout` ms (a stuck job blocks every later one). `log` receives a line per job.
 */
export async function soak(page, { jobs = 20, log = () => {}, jobTimeout = 180000, memoryEvery = 10 } = {}) {
  const started = Date.now();
  await waitReady(page);
  // The backend stays the page's own: a change of backend would restart the worker.
  const backend = (await currentExperiment(page))?.backend ?? 'auto';
  let workersStarted = 0;
  const onWorker = () => { workersStarted += 1; };
  page.on('worker', onWorker);
  const errorsAtStart = page.errors?.length ?? 0;
  let errorsAfterFirst = errorsAtStart;
  const probe = {};
  const kinds = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const done = [];
  const memory = { first10: null, last: null, series: [] };
  let crash = null;
  try {
    for (let i = 0; i < jobs; i++) {
      const p = plan(i);
      const t0 = Date.now();
      await importExperiment(page, jobExperiment(i, p, backend), `soak-${i + 1}-${p.kind}.json`);
      const status = await runJob(page, p, jobTimeout);
      kinds[p.kind] += 1;
      done.push({ job: i + 1, kind: p.kind, cancel: p.cancel, status, seconds: (Date.now() - t0) / 1000 });
      log(`job ${i + 1}/${jobs} ${p.kind}${p.cancel ? ' (cancelled at its first progress)' : ''}: ${status} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      if (i === 0) {
        // The injected crash happened in this job: the page's notice says so, and the job was run again.
        crash = { status, notices: (await page.$('.notices')) ? (await page.textContent('.notices')).trim() : '' };
        errorsAfterFirst = page.errors?.length ?? 0;
      }
      if ((i + 1) % memoryEvery === 0 || i + 1 === jobs) {
        const m = { job: i + 1, ...(await readMemory(page, probe)) };
        memory.series.push(m);
        if (i + 1 === 10) memory.first10 = m;
        log(`  memory after ${i + 1} jobs: ${describe(m)}`);
      }
    }
  } finally {
    page.off('worker', onWorker);
    await closeProbe(probe);
  }
  memory.last = memory.series.at(-1) ?? null;
  const finals = done.map((d) => d.status);
  return {
    kinds,
    cancelled: finals.filter((s) => s.startsWith('cancelled')).length,
    cancelConfirmed: finals.filter((s) => /the engine stopped in \d+ ms/.test(s)).length,
    finals,
    jobs: done,
    crash,
    memory,
    // Workers the page started during the soak: the one that replaced the crashed worker, and any other restart.
    workersStarted,
    sameWorker: memory.first10 != null && memory.first10.worker != null && memory.first10.worker === memory.last?.worker,
    errors: { firstJob: page.errors?.slice(errorsAtStart, errorsAfterFirst) ?? [], later: page.errors?.slice(errorsAfterFirst) ?? [] },
    seconds: (Date.now() - started) / 1000,
  };
}

const MiB = 2 ** 20;
/** The four figures in MiB, for a log line. */
export function describe(m) {
  const f = (v) => (v == null ? '–' : (v / MiB).toFixed(1));
  return `page heap ${f(m.pageHeap)} MiB, page wasm ${f(m.pageWasm)} MiB, worker heap ${f(m.workerHeap)} MiB, worker wasm ${f(m.workerWasm)} MiB`;
}
