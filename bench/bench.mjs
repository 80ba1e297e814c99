// `make bench`: drives the release build (dist/) in headless Chromium, served on 127.0.0.1, and records
//   * the training time of three workloads, each on the CPU (burn flex, wasm simd128) and on WebGPU, which here is
//     Chromium's SwiftShader software adapter (labelled so: it says nothing about a real GPU);
//   * side by side, in the same browser and run, alternating: Lethe's engine alone (its worker with no page, the
//     fair counterpart of `fit`), the full page, and TensorFlow.js 4 (a dev-only npm package, never shipped) on its
//     wasm and cpu backends (and webgpu with the WebGPU runs), from the same split and initial weights
//     (`lethe export`), with the ratio Lethe / TensorFlow.js per workload (bench/harness/);
//   * the page's and the worker's wasm sizes, raw and gzip;
//   * the time until the page is interactive and until the engine is ready;
//   * the longest main-thread task during training and the peak main-thread JS heap.
// Each figure is the median of REPS runs (GPU_REPS on WebGPU). The result goes to OUT (default docs/bench.json);
// when a previous result is there, each median is printed next to it. SMOKE=1 runs a tiny workload once (for
// `make test`; it also runs a tiny unlearning lab; any failure, or a backend that fell back, fails it): no timing is
// asserted anywhere. The
// unlearning workloads (bench/workloads/unlearn-*.json, CPU only) record each method's speed-up over retraining
// in the same run. BACKENDS=cpu skips WebGPU (on SwiftShader the three workloads take
// about 14 minutes), ONLY=moons runs the workloads whose file name holds that text; a run past RUN_TIMEOUT_S (900) is recorded as failed and the bench goes on.
// The soak (ONLY=soak; not in SMOKE) runs SOAK_JOBS (200) small jobs of every kind in one tab (tests/soak.mjs) and
// records the page's and the worker's JS heap and wasm memory after the first 10 jobs and after the last.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { serve, launch, openPage, experimentHash, openTab, openView, DIST, ROOT } from '../tests/support.mjs';
import { soak, openSoakPage, describe as describeMemory } from '../tests/soak.mjs';

const smoke = process.env.SMOKE === '1';
const reps = Number(process.env.REPS || (smoke ? 1 : 3));
const gpuReps = Number(process.env.GPU_REPS || 1);
// A run that has not finished after RUN_TIMEOUT_S seconds is recorded as failed; the bench goes on with the next.
const runTimeoutMs = Number(process.env.RUN_TIMEOUT_S || 900) * 1000;
const backends = (process.env.BACKENDS || 'cpu,webgpu').split(',');
const out = process.env.OUT || (smoke ? path.join(os.tmpdir(), 'lethe-bench-smoke.json') : path.join(ROOT, 'docs', 'bench.json'));
const median = (xs) => { const s = xs.filter((x) => x != null).sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : null; };

const base = (data, model, train) => ({
  version: 1, seed: 1, data: { test_fraction: 0.25, ...data }, model: { activation: 'relu', layers: 2, width: 64, ...model },
  train: { optimizer: 'adam', learning_rate: 0.01, batch_size: 128, ...train },
});
// `compare`: also trained by Lethe's engine alone and by TensorFlow.js, side by side. The smoke's comparison
// runs on the CPU only (TensorFlow.js wasm), and checks that both sides ran the same steps and reached `floor`.
const workloads = smoke ? [
  { name: 'smoke: MLP 2-8-2, two moons 128 points, 2 epochs', experiment: base({ source: 'moons', n_samples: 128, noise: 0.1 }, { kind: 'mlp', layers: 1, width: 8 }, { epochs: 2, batch_size: 32 }) },
  // Floor: a linear boundary classifies about 86 % of the two moons at this noise, so any working MLP passes 0.8.
  { name: 'smoke: side by side with TensorFlow.js, MLP 2-16-2, two moons 256 points, 10 epochs', compare: true, cpuOnly: true, floor: 0.8,
    experiment: base({ source: 'moons', n_samples: 256, noise: 0.1 }, { kind: 'mlp', layers: 1, width: 16 }, { epochs: 10, batch_size: 32 }) },
] : [
  // The same files run natively: `lethe run bench/workloads/moons-mlp.json [--backend wgpu]`.
  { name: 'MLP 2-64-64-2, two moons 4096 points, 20 epochs, batch 128, Adam', file: 'moons-mlp.json' },
  { name: 'MLP 64-128-128-10, digits, 20 epochs, batch 128, Adam', file: 'digits-mlp.json' },
  { name: 'CNN (conv 16, conv 32, pool, linear), digits, 5 epochs, batch 128, Adam', file: 'digits-cnn.json' },
].filter((w) => !process.env.ONLY || w.file.includes(process.env.ONLY))
  .map((w) => ({ name: w.name, compare: true, experiment: JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'workloads', w.file), 'utf8')) }));

const sizes = {};
for (const f of fs.readdirSync(DIST).filter((f) => f.endsWith('.wasm'))) {
  const bytes = fs.readFileSync(path.join(DIST, f));
  const key = f.startsWith('lethe-worker-gpu') ? 'worker_gpu_wasm' : f.startsWith('lethe-worker') ? 'worker_wasm' : 'page_wasm';
  sizes[key] = { raw_bytes: bytes.length, gzip_bytes: zlib.gzipSync(bytes, { level: 9 }).length };
}

// The TensorFlow.js comparison: the protocol version the harness speaks, the data and weights from `lethe export`.
const protocol = Number(/PROTOCOL_VERSION: u32 = (\d+)/.exec(fs.readFileSync(path.join(ROOT, 'crates', 'protocol', 'src', 'message.rs'), 'utf8'))[1]);
function exportWorkload(experiment) {
  const file = path.join(os.tmpdir(), `lethe-bench-export-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(experiment));
  // LETHE_CLI: a CLI already built (make test passes its test build's, so burn is not compiled again for cargo run).
  const [command, args] = process.env.LETHE_CLI ? [process.env.LETHE_CLI, ['export', file]] : ['cargo', ['run', '-q', '-p', 'lethe-cli', '--', 'export', file]];
  const text = execFileSync(command, args, { cwd: ROOT, maxBuffer: 1 << 28 });
  fs.rmSync(file);
  return JSON.parse(text);
}
/** Runs `fn` on the harness page (bench/harness/) in a fresh context, failing after RUN_TIMEOUT_S. */
async function onHarness(browser, server, fn, arg) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}bench/index.html`);
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no result after ${runTimeoutMs / 1000} s`)), runTimeoutMs); });
    try {
      return await Promise.race([page.evaluate(fn, arg), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await context.close().catch(() => {});
  }
}
const letheEngine = (browser, server, experiment, gpu) => onHarness(browser, server, ([e, o]) => window.runLethe(e, o), [experiment, { gpu, protocol }]);
const tfjs = (browser, server, exported, backend) => onHarness(browser, server, ([x, b]) => window.runTf(x, b), [exported, backend]);
const attempt = async (what, fn) => {
  try {
    return await fn();
  } catch (e) {
    const error = e.message.split('\n')[0].replace(/^page\.evaluate: Error: /, '');
    process.stderr.write(`  ${what}: FAILED ${error}\n`);
    if (smoke) throw e;
    return { error };
  }
};

/** One training run in a fresh browser context: load, wait for the engine, train, read the report. */
async function once(browser, server, experiment) {
  const page = await openPage(browser, server.url + experimentHash(experiment));
  const load = await page.evaluate(() => new Promise((resolve) => {
    const poll = () => {
      if (document.querySelector('#train') && !window.__interactive) window.__interactive = performance.now();
      const badge = document.querySelector('#backend-badge');
      if (badge && !badge.textContent.includes('loading') && document.querySelector('#data-chart svg')) {
        resolve({ interactive_ms: window.__interactive, engine_ready_ms: performance.now() });
      } else requestAnimationFrame(poll);
    };
    poll();
  }));
  const badge = (await page.textContent('#backend-badge')).trim();
  await page.evaluate(() => {
    window.__longest = 0;
    window.__heap = performance.memory ? performance.memory.usedJSHeapSize : null;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration); })
      .observe({ type: 'longtask' });
    setInterval(() => { if (performance.memory) window.__heap = Math.max(window.__heap, performance.memory.usedJSHeapSize); }, 100);
  });
  if (experiment.vbu) {
    // The VBU mode's job: VI, retraining and both variants over the λ sweep.
    await page.click('#vbu-run');
    await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#vbu-status').textContent), null, { timeout: runTimeoutMs });
    const vbu = (await page.textContent('#vbu-status')).trim();
    if (!vbu.startsWith('done')) throw new Error(`VBU did not finish: ${vbu}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#vbu-report')]);
    const report = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    await page.context().close();
    return { report, ...load, badge };
  }
  if (experiment.federated) {
    // The federated mode's own job: learning and every way to forget the client.
    await page.click('#fed-run');
    await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#fed-status').textContent), null, { timeout: runTimeoutMs });
    const fed = (await page.textContent('#fed-status')).trim();
    if (!fed.startsWith('done')) throw new Error(`federation did not finish: ${fed}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#fed-report')]);
    const report = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    await page.context().close();
    return { report, ...load, badge };
  }
  await openTab(page, 'train');
  await page.click('#train');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#status').textContent), null, { timeout: runTimeoutMs });
  // A cold link to a trained model: from navigation to the run's end (the bench clicks Train once the engine is ready).
  const link_to_trained_ms = await page.evaluate(() => performance.now());
  const status = (await page.textContent('#status')).trim();
  if (!status.startsWith('done')) throw new Error(`run did not finish: ${status}`);
  let [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
  let report = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  if (experiment.unlearn) {
    // The lab is the Forget step's job, on the model Train left in the engine.
    await openTab(page, 'forget');
    await page.click('#lab-run');
    await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#lab-status').textContent), null, { timeout: runTimeoutMs });
    const lab = (await page.textContent('#lab-status')).trim();
    if (!lab.startsWith('done')) throw new Error(`lab did not finish: ${lab}`);
    await openView(page, 'table');
    [download] = await Promise.all([page.waitForEvent('download'), page.click('#lab-report')]);
    report = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  }
  const result = {
    report,
    ...load,
    badge,
    train_seconds: report.runs[0].seconds,
    link_to_trained_ms,
    first_epoch_seconds: report.runs[0].history[0].elapsed_seconds,
    test_acc: report.runs[0].test_acc,
    longest_task_ms: await page.evaluate(() => window.__longest),
    peak_js_heap_mb: await page.evaluate(() => (window.__heap == null ? null : window.__heap / 2 ** 20)),
  };
  await page.context().close();
  return result;
}

// Unlearning: each method's wall time against retraining in the same run and backend (the CPU), with the issue's
// goals. Smoke: a tiny lab run, so that `make test` checks that the worker runs the whole lab.
const unlearnWorkloads = smoke ? [
  { name: 'smoke: unlearning, two moons 128 points', goal: {}, experiment: { ...workloads[0].experiment,
    unlearn: { forget: { kind: 'random', fraction: 0.1 }, methods: ['finetune', 'sisa', 'amnesiac'] } } },
] : [
  { name: 'certified removal of one point, breast cancer, logistic (speed-up vs its oracle)', file: 'unlearn-certified.json', goal: { certified: 50 } },
  { name: 'SISA (S = 5, R = 4) deletion of one point, digits MLP', file: 'unlearn-digits-sisa.json', goal: { sisa: 3 } },
  { name: 'approximate methods, class 3 of digits, MLP 64-128-128-10', file: 'unlearn-digits-class.json', goal: { '*': 5 } },
].filter((w) => !process.env.ONLY || w.file.includes(process.env.ONLY))
  .map((w) => ({ ...w, experiment: JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'workloads', w.file), 'utf8')) }));

// Federated: 10 clients × 20 rounds × 2 local epochs of the digits MLP (the issue's budget: ≤ 20 s in the
// browser on the CPU; FedEraser ≤ 1/3 of FedRetrain's time).
const federatedWorkloads = smoke || (process.env.ONLY && !'federated'.includes(process.env.ONLY)) ? [] : [
  { name: 'federated: digits MLP, 10 clients × 20 rounds × 2 local epochs, client 3 backdoored', goal: { learning_seconds: 20, federaser_share: 1 / 3 },
    experiment: JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'digits-federated.json'), 'utf8')) },
];

// VBU: the paper's moon preset, VI, retraining and both variants over the six λ (the issue's goal: ≤ 10 s).
const vbuWorkloads = smoke || (process.env.ONLY && !'vbu'.includes(process.env.ONLY)) ? [] : [
  { name: 'VBU: the moon preset (100 points, 20 random features, six λ)', goal_seconds: 10,
    experiment: JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'moons-vbu.json'), 'utf8')) },
];

// The privacy score: moons MLP, 5 % random, 32 runs per side, five approximate methods in the browser's CPU worker
// (the issue's goal: ≤ 60 s for the lab with its score).
const privacyWorkloads = smoke || (process.env.ONLY && !'privacy'.includes(process.env.ONLY)) ? [] : [
  { name: 'privacy score: moons MLP, 5 % random, 32 runs, five approximate methods', goal_seconds: 60,
    experiment: JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'workloads', 'privacy-moons.json'), 'utf8')) },
  { name: 'privacy score: digits MLP, 5 % random, 32 runs, five approximate methods', goal_seconds: 90,
    experiment: JSON.parse(fs.readFileSync(path.join(ROOT, 'bench', 'workloads', 'privacy-digits.json'), 'utf8')) },
];

// The soak: 200 small jobs (Train, Forget, Federated, VBU in turn, every fifth cancelled, the first crashing its
// worker on purpose) in one tab, about 15 minutes on two cores; the memory after 10 jobs against after the last.
const soakJobs = smoke || (process.env.ONLY && !'soak'.includes(process.env.ONLY)) ? 0 : Number(process.env.SOAK_JOBS || 200);

const server = await serve(DIST, { '/tfjs/': path.join(ROOT, 'node_modules', '@tensorflow'), '/bench/': path.join(ROOT, 'bench', 'harness') });
// Side by side: per workload and browser backend, each contender's runs.
const sideBySide = [];
const results = [];
const federated = [];
const vbu = [];
const privacy = [];
let soaked = null;
if (backends.includes('cpu') && soakJobs) {
  const browser = await launch({ webgpu: false });
  const name = `soak: ${soakJobs} small jobs of every kind in one tab, every fifth cancelled, one injected worker crash`;
  try {
    const page = await openSoakPage(browser, server.url);
    // A line every 10 jobs (the memory readings), and any job that did not finish as planned.
    const s = await soak(page, { jobs: soakJobs, log: (line) => { if (/^ {2}memory|: failed/.test(line)) process.stderr.write(`soak ${line.trim()}\n`); } });
    const mib = (m) => m && Object.fromEntries(['pageHeap', 'pageWasm', 'workerHeap', 'workerWasm'].map((k) => [k, m[k] == null ? null : m[k] / 2 ** 20]));
    soaked = {
      workload: name,
      jobs: soakJobs,
      seconds: s.seconds,
      kinds: s.kinds,
      cancelled: s.cancelled,
      cancel_confirmed: s.cancelConfirmed,
      failed: s.finals.filter((f) => f.startsWith('failed')).length,
      crash_recovered: /^done/.test(s.crash?.status ?? ''),
      same_worker: s.sameWorker,
      page_errors_after_crash: s.errors.later.length,
      memory_mib: { first10: mib(s.memory.first10), last: mib(s.memory.last) },
      memory_series_mib: s.memory.series.map((m) => ({ job: m.job, ...mib(m) })),
    };
    process.stderr.write(`${name}: ${s.seconds.toFixed(0)} s; after 10 jobs ${describeMemory(s.memory.first10)}; after ${soakJobs} ${describeMemory(s.memory.last)}\n`);
  } catch (e) {
    process.stderr.write(`${name}: FAILED ${e.message.split('\n')[0]}\n`);
    soaked = { workload: name, jobs: soakJobs, error: e.message.split('\n')[0] };
  }
  await browser.close();
}
if (backends.includes('cpu') && privacyWorkloads.length) {
  const browser = await launch({ webgpu: false });
  for (const w of privacyWorkloads) {
    try {
      const { report } = await once(browser, server, { ...w.experiment, backend: 'cpu' });
      const scored = report.runs.filter((r) => r.privacy_score);
      privacy.push({ workload: w.name, wall_seconds: report.wall_seconds, goal_seconds: w.goal_seconds,
        rows: scored.map((r) => ({ method: r.method, forgetting_score: r.privacy_score.forgetting_score, forgetting_score_ci: r.privacy_score.forgetting_score_ci, epsilon_median: r.privacy_score.epsilon_median, lira_auc: r.privacy_score.lira_auc })) });
      process.stderr.write(`${w.name}: ${report.wall_seconds.toFixed(2)} s (goal ≤ ${w.goal_seconds} s)\n`);
    } catch (e) {
      process.stderr.write(`${w.name}: FAILED ${e.message.split('\n')[0]}\n`);
      privacy.push({ workload: w.name, error: e.message.split('\n')[0] });
    }
  }
  await browser.close();
}
if (backends.includes('cpu') && vbuWorkloads.length) {
  const browser = await launch({ webgpu: false });
  for (const w of vbuWorkloads) {
    try {
      const { report } = await once(browser, server, { ...w.experiment, backend: 'cpu' });
      const total = report.wall_seconds;
      const best = (m) => Math.min(...report.runs.filter((r) => r.method === m).map((r) => r.kl_to_retrain));
      vbu.push({ workload: w.name, wall_seconds: total, goal_seconds: w.goal_seconds, kl_full: report.runs[1].kl_full_to_retrain, best_eubo: best('vbu_eubo'), best_rkl: best('vbu_rkl') });
      process.stderr.write(`${w.name}: ${total.toFixed(2)} s (goal ≤ ${w.goal_seconds} s)\n`);
    } catch (e) {
      process.stderr.write(`${w.name}: FAILED ${e.message.split('\n')[0]}\n`);
      vbu.push({ workload: w.name, error: e.message.split('\n')[0] });
    }
  }
  await browser.close();
}
if (backends.includes('cpu') && federatedWorkloads.length) {
  const browser = await launch({ webgpu: false });
  for (const w of federatedWorkloads) {
    try {
      const { report } = await once(browser, server, { ...w.experiment, backend: 'cpu' });
      const row = (m) => report.runs.find((r) => r.method === m);
      const learning = row('federated').learning_seconds;
      const share = row('federaser').unlearning_seconds / row('fed_retrain').unlearning_seconds;
      federated.push({
        workload: w.name,
        learning_seconds: learning,
        goal: w.goal,
        rows: report.runs.map((r) => ({ method: r.method, unlearning_seconds: r.unlearning_seconds, speedup_vs_retrain: r.speedup_vs_retrain, test_acc: r.test_acc, backdoor_asr: r.backdoor_asr, client_epochs: r.client_epochs })),
        federaser_share_of_retrain_time: share,
      });
      process.stderr.write(`${w.name}: learning ${learning.toFixed(2)} s (goal ≤ ${w.goal.learning_seconds}), FedEraser ${share.toFixed(2)} of FedRetrain's time (goal ≤ 0.33)\n`);
    } catch (e) {
      process.stderr.write(`${w.name}: FAILED ${e.message.split('\n')[0]}\n`);
      federated.push({ workload: w.name, error: e.message.split('\n')[0] });
    }
  }
  await browser.close();
}
const unlearning = [];
if (backends.includes('cpu') && unlearnWorkloads.length) {
  const browser = await launch({ webgpu: false });
  for (const w of unlearnWorkloads) {
    let report;
    try {
      ({ report } = await once(browser, server, { ...w.experiment, backend: 'cpu' }));
    } catch (e) {
      process.stderr.write(`unlearning ${w.name}: FAILED ${e.message.split('\n')[0]}\n`);
      if (smoke) throw e;
      unlearning.push({ workload: w.name, error: e.message.split('\n')[0] });
      continue;
    }
    const rows = report.runs.filter((r) => r.method !== 'train' && r.method !== 'retrain');
    if (smoke && rows.length !== w.experiment.unlearn.methods.length) throw new Error(`unlearning smoke: ${rows.length} method rows`);
    const retrain = report.runs.find((r) => r.method === 'retrain');
    unlearning.push({
      workload: w.name,
      retrain_seconds: retrain.seconds,
      wall_seconds: report.wall_seconds,
      methods: rows.map((r) => ({
        method: r.method,
        seconds: r.seconds,
        speedup_vs_retrain: r.speedup_vs_retrain,
        goal: w.goal[r.method] ?? w.goal['*'] ?? null,
        forget_acc: r.forget_acc,
        retain_acc: r.retain_acc,
        test_acc: r.test_acc,
      })),
    });
    process.stderr.write(`unlearning ${w.name}: ${rows.map((r) => `${r.method} ${r.speedup_vs_retrain.toFixed(1)}×`).join(', ')}\n`);
  }
  await browser.close();
}
for (const backend of backends) {
  const browser = await launch({ webgpu: backend === 'webgpu' });
  for (const w of workloads) {
    if (w.cpuOnly && backend !== 'cpu') continue;
    const runs = [];
    const n = backend === 'cpu' ? reps : gpuReps;
    // The contenders of the side-by-side comparison, run in turn within each repetition.
    const tfBackends = backend === 'webgpu' ? ['webgpu'] : smoke ? ['wasm'] : ['wasm', 'cpu'];
    const side = w.compare ? { workload: w.name, backend, engine: [], tfjs: Object.fromEntries(tfBackends.map((b) => [b, []])) } : null;
    const exported = side ? exportWorkload(w.experiment) : null;
    for (let i = 0; i < n; i++) {
      try {
        const { report: _report, ...r } = await once(browser, server, { ...w.experiment, backend });
        process.stderr.write(`${backend} ${w.name} #${i + 1}: ${r.train_seconds.toFixed(2)} s (${r.badge})\n`);
        // A backend that should have run but fell back is a failure, not a figure.
        if (!r.badge.toLowerCase().startsWith(backend)) throw new Error(`asked for ${backend}, ran on ${r.badge}`);
        runs.push(r);
      } catch (e) {
        process.stderr.write(`${backend} ${w.name} #${i + 1}: FAILED ${e.message.split('\n')[0]}\n`);
        // The smoke run (in `make test`) fails with its first failure; the full bench records it and goes on.
        if (smoke) throw e;
        runs.push({ error: e.message.split('\n')[0] });
        for (const c of browser.contexts()) await c.close().catch(() => {});
      }
      if (!side) continue;
      const engine = await attempt(`Lethe engine ${backend}`, () => letheEngine(browser, server, w.experiment, backend === 'webgpu'));
      side.engine.push(engine);
      if (!engine.error) process.stderr.write(`  Lethe engine alone (${engine.backend}): ${engine.seconds.toFixed(2)} s, ${engine.steps} steps, train acc ${engine.train_acc.toFixed(3)}\n`);
      for (const b of tfBackends) {
        const tf = await attempt(`TensorFlow.js ${b}`, () => tfjs(browser, server, exported, b));
        side.tfjs[b].push(tf);
        if (!tf.error) process.stderr.write(`  TensorFlow.js ${tf.backend}: ${tf.seconds.toFixed(2)} s, ${tf.steps} steps, train acc ${tf.train_acc.toFixed(3)}\n`);
      }
    }
    results.push({
      workload: w.name,
      backend: backend === 'cpu' ? 'CPU (burn flex, wasm simd128)' : 'WebGPU on SwiftShader (software adapter, not a GPU)',
      repetitions: n,
      median: Object.fromEntries([...new Set(runs.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'badge' && k !== 'error').map((k) => [k, median(runs.map((r) => r[k]))])),
      runs,
    });
    if (side) {
      side.page = runs;
      if (smoke) {
        // Fair and working: the same number of optimiser steps on both sides, and both above the floor.
        const [lethe, tf] = [side.engine[0], side.tfjs.wasm[0]];
        if (lethe.steps !== tf.steps) throw new Error(`side by side: Lethe ran ${lethe.steps} steps, TensorFlow.js ${tf.steps}`);
        for (const [who, r] of [['Lethe', lethe], ['TensorFlow.js', tf]]) {
          if (!(r.train_acc >= w.floor)) throw new Error(`side by side: ${who} reached training accuracy ${r.train_acc}, under the floor ${w.floor}`);
        }
      }
      sideBySide.push(side);
    }
  }
  await browser.close();
}
await server.close();

const cpuRuns = results.filter((r) => r.backend.startsWith('CPU')).flatMap((r) => r.runs);
// Medians of each contender, and Lethe / TensorFlow.js per workload (below 1: Lethe is faster).
const ok = (runs) => runs.filter((r) => !r.error);
const summary = (runs) => (ok(runs).length ? {
  seconds: median(ok(runs).map((r) => r.seconds ?? r.train_seconds)),
  steps: median(ok(runs).map((r) => r.steps)),
  train_acc: median(ok(runs).map((r) => r.train_acc)),
  test_acc: median(ok(runs).map((r) => r.test_acc)),
  first_epoch_seconds: median(ok(runs).map((r) => r.first_epoch_seconds)),
  runs: runs.length,
  each_seconds: runs.map((r) => r.seconds ?? r.train_seconds ?? null),
} : { error: runs.find((r) => r.error)?.error ?? 'not run', runs: runs.length });
const comparison = sideBySide.map((side) => {
  const engine = summary(side.engine);
  const page = summary(side.page);
  const tf = Object.fromEntries(Object.entries(side.tfjs).map(([b, runs]) => [b, summary(runs)]));
  // A side that did not learn (training accuracy 0.05 or more below the other's) is not a time to compare.
  for (const t of Object.values(tf)) {
    if (t.train_acc != null && engine.train_acc != null && t.train_acc < engine.train_acc - 0.05) t.did_not_learn = true;
  }
  const ratio = (a, b) => (a.seconds != null && b?.seconds != null && !b.did_not_learn ? a.seconds / b.seconds : null);
  return {
    workload: side.workload,
    backend: side.backend,
    lethe_engine: engine,
    lethe_page: page,
    tfjs: tf,
    ratios: Object.fromEntries(Object.keys(tf).flatMap((b) => [[`engine_vs_tfjs_${b}`, ratio(engine, tf[b])], [`page_vs_tfjs_${b}`, ratio(page, tf[b])]])),
  };
});
const result = {
  date: new Date().toISOString(),
  command: smoke ? 'SMOKE=1 node bench/bench.mjs'
    : `make bench (REPS=${reps}, GPU_REPS=${gpuReps}${process.env.BACKENDS ? `, BACKENDS=${process.env.BACKENDS}` : ''}${process.env.ONLY ? `, ONLY=${process.env.ONLY}` : ''})`,
  machine: `${os.cpus().length} cores (${os.cpus()[0]?.model?.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.arch()}, headless Debian Chromium`,
  sizes,
  page: {
    interactive_ms: median(cpuRuns.map((r) => r.interactive_ms)),
    engine_ready_ms: median(cpuRuns.map((r) => r.engine_ready_ms)),
    // The moons workload's runs: a cold link to its trained model.
    link_to_trained_ms: median(results.filter((r) => r.backend.startsWith('CPU') && r.workload.includes('moons')).flatMap((r) => r.runs).map((r) => r.link_to_trained_ms)),
  },
  workloads: results,
  comparison,
  unlearning,
  federated,
  vbu,
  privacy,
  soak: soaked,
};

let previous = null;
if (fs.existsSync(out)) { try { previous = JSON.parse(fs.readFileSync(out, 'utf8')); } catch { previous = null; } }
const fmt = (v, d = 2) => (v == null ? '–' : Number(v).toFixed(d));
const was = (w, key) => {
  const p = previous?.workloads?.find((x) => x.workload === w.workload && x.backend === w.backend);
  return p ? ` (was ${fmt(p.median[key])})` : '';
};
const failedRuns = (w) => { const f = w.runs.filter((r) => r.error).length; return f ? ` (${f} failed)` : ''; };
const tfCell = (c, b) => (!c.tfjs[b] ? '–' : c.tfjs[b].error ? `failed: ${c.tfjs[b].error.slice(0, 90)}`
  : c.tfjs[b].did_not_learn ? `${fmt(c.tfjs[b].seconds)}, did not learn (train acc ${fmt(c.tfjs[b].train_acc, 3)})` : fmt(c.tfjs[b].seconds));
const ratioCell = (x) => (x == null ? '–' : `${fmt(x)}×`);
const comparisonLines = [
  `| workload | browser backend | Lethe engine s | Lethe page s | TF.js wasm s | TF.js cpu s | TF.js webgpu s | engine / TF.js | page / TF.js | steps (Lethe / TF.js) | train acc (Lethe / TF.js) |`,
  `|---|---|---|---|---|---|---|---|---|---|---|`,
  ...comparison.map((c) => {
    // The ratio against TensorFlow.js's fastest backend that trained the workload.
    const best = Object.entries(c.tfjs).filter(([, t]) => t.seconds != null && !t.did_not_learn).sort((a, b) => a[1].seconds - b[1].seconds)[0];
    const tf = best?.[1];
    return `| ${c.workload} | ${c.backend} | ${fmt(c.lethe_engine.seconds)} | ${fmt(c.lethe_page.seconds)} | ${tfCell(c, 'wasm')} | ${tfCell(c, 'cpu')} | ${tfCell(c, 'webgpu')} | ${best ? `${ratioCell(c.ratios[`engine_vs_tfjs_${best[0]}`])} (vs ${best[0]})` : '–'} | ${best ? ratioCell(c.ratios[`page_vs_tfjs_${best[0]}`]) : '–'} | ${fmt(c.lethe_engine.steps, 0)} / ${fmt(tf?.steps, 0)} | ${fmt(c.lethe_engine.train_acc, 3)} / ${fmt(tf?.train_acc, 3)} |`;
  }),
];
const lines = [
  ...(comparison.length ? ['Side by side with TensorFlow.js 4.22 (medians; below 1× Lethe is faster):', '', ...comparisonLines, ''] : []),
  `| workload | backend | runs | train s | first epoch s | test acc | longest task ms | peak JS heap MB |`,
  `|---|---|---|---|---|---|---|---|`,
  ...results.map((w) => `| ${w.workload} | ${w.backend} | ${w.repetitions}${failedRuns(w)} | ${fmt(w.median.train_seconds)}${was(w, 'train_seconds')} | ${fmt(w.median.first_epoch_seconds)} | ${fmt(w.median.test_acc, 3)} | ${fmt(w.median.longest_task_ms, 0)} | ${fmt(w.median.peak_js_heap_mb, 1)} |`),
  '',
  `| what | raw | gzip |`,
  `|---|---|---|`,
  ...Object.entries(sizes).map(([k, s]) => `| ${k} | ${(s.raw_bytes / 1024).toFixed(0)} KB | ${(s.gzip_bytes / 1024).toFixed(0)} KB |`),
  '',
  `| unlearning workload | method | seconds | retrain s | speed-up | goal | forget acc | retain acc | test acc |`,
  `|---|---|---|---|---|---|---|---|---|`,
  ...unlearning.flatMap((w) => (w.error ? [`| ${w.workload} | failed: ${w.error} | | | | | | | |`] : w.methods.map((m) =>
    `| ${w.workload} | ${m.method} | ${fmt(m.seconds, 3)} | ${fmt(w.retrain_seconds, 3)} | ${fmt(m.speedup_vs_retrain, 1)}× | ${m.goal == null ? '–' : `≥ ${m.goal}×${m.speedup_vs_retrain >= m.goal ? '' : ' (missed)'}`} | ${fmt(m.forget_acc, 3)} | ${fmt(m.retain_acc, 3)} | ${fmt(m.test_acc, 3)} |`))),
  '',
  ...(soaked ? [soaked.error ? `${soaked.workload}: failed: ${soaked.error}` : `${soaked.workload}: ${soaked.jobs} jobs in ${fmt(soaked.seconds, 0)} s (${Object.entries(soaked.kinds).map(([k, n]) => `${k} ${n}`).join(', ')}; ${soaked.cancelled} cancelled, ${soaked.cancel_confirmed} confirmed by the worker; ${soaked.failed} failed; crash ${soaked.crash_recovered ? 'recovered' : 'NOT recovered'}${soaked.same_worker ? '' : '; the worker changed after job 10'}); MiB after 10 jobs → after ${soaked.jobs}: ${['pageHeap', 'pageWasm', 'workerHeap', 'workerWasm'].map((k) => `${k} ${fmt(soaked.memory_mib.first10?.[k], 1)} → ${fmt(soaked.memory_mib.last?.[k], 1)}`).join(', ')}`] : []),
  ...privacy.map((w) => (w.error ? `${w.workload}: failed: ${w.error}` : `${w.workload}: ${fmt(w.wall_seconds)} s (goal ≤ ${w.goal_seconds} s); ${w.rows.map((r) => `${r.method} F ${fmt(r.forgetting_score, 3)} [${fmt(r.forgetting_score_ci[0], 3)}, ${fmt(r.forgetting_score_ci[1], 3)}] LiRA ${fmt(r.lira_auc, 3)}`).join(', ')}`)),
  ...vbu.map((w) => (w.error ? `${w.workload}: failed: ${w.error}` : `${w.workload}: ${fmt(w.wall_seconds)} s (goal ≤ ${w.goal_seconds} s); best KL to retrain EUBO ${fmt(w.best_eubo, 3)}, rKL ${fmt(w.best_rkl, 3)}, untouched ${fmt(w.kl_full, 3)}`)),
  ...federated.map((w) => (w.error ? `${w.workload}: failed: ${w.error}` : `${w.workload}: learning ${fmt(w.learning_seconds)} s (goal ≤ ${w.goal.learning_seconds} s); FedEraser took ${fmt(w.federaser_share_of_retrain_time)} of FedRetrain's time (goal ≤ 0.33)`)),
  '',
  `page interactive ${fmt(result.page.interactive_ms, 0)} ms, engine ready ${fmt(result.page.engine_ready_ms, 0)} ms (medians over the CPU runs); a cold link to a trained moons model ${fmt(result.page.link_to_trained_ms, 0)} ms`,
];
fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
// The full bench also rewrites the side-by-side table in docs/BENCHMARKS.md, with the command, date and machine.
if (!smoke && comparison.length && process.env.WRITE_DOCS !== '0') {
  const doc = path.join(ROOT, 'docs', 'BENCHMARKS.md');
  const [start, end] = ['<!-- bench:tfjs:start -->', '<!-- bench:tfjs:end -->'];
  const text = fs.readFileSync(doc, 'utf8');
  const block = `${start}\nCommand: \`${result.command}\`, ${result.date}, ${result.machine}. Written by the bench; JSON: \`${path.relative(ROOT, out)}\`.\n\n${comparisonLines.join('\n')}\n\nSizes (gzip -9): ${Object.entries(sizes).map(([k, v]) => `${k} ${(v.gzip_bytes / 2 ** 20).toFixed(2)} MiB`).join(', ')}. Page interactive ${fmt(result.page.interactive_ms, 0)} ms, engine ready ${fmt(result.page.engine_ready_ms, 0)} ms after navigation, a cold link to a trained moons model ${fmt(result.page.link_to_trained_ms, 0)} ms; longest main-thread task while training ${fmt(Math.max(...cpuRuns.map((r) => r.longest_task_ms ?? 0)), 0)} ms.\n${end}`;
  const at = text.indexOf(start);
  fs.writeFileSync(doc, at >= 0 ? text.slice(0, at) + block + text.slice(text.indexOf(end) + end.length) : `${text}\n${block}\n`);
}
console.log(`${result.command} on ${result.machine}, ${result.date}\n\n${lines.join('\n')}\n\nJSON: ${out}`);
