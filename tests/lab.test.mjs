// The Forget step: pick a forget set and methods, run the lab as its own job on the trained model, and read the
// comparison (table, CSV, charts). The lab starts from the model Train left in the worker; when that model is gone
// (a reload), it trains it again first and says so. Cancel keeps the trained model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, launch, openPage, experiment, experimentHash, waitReady, trainToDone, downloadReport, screenshot, linkExperiment, openTab, openView } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Unchecks every method, then checks `keys`. */
async function pickMethods(page, keys) {
  await openTab(page, 'forget');
  for (const box of await page.$$('#lab-methods input[type=checkbox]')) {
    if (await box.isChecked()) {
      await box.uncheck();
    }
  }
  for (const key of keys) await page.check(`#method-check-${key}`);
}

/** Records every text the lab's status line shows (a step can be on screen for a few milliseconds). */
async function recordLabStatus(page) {
  await page.evaluate(() => {
    window.__labStatus = [];
    const status = document.querySelector('#lab-status');
    new MutationObserver(() => window.__labStatus.push(status.textContent))
      .observe(status, { childList: true, characterData: true, subtree: true });
  });
}

async function forgetToDone(page, timeout = 180000) {
  await openTab(page, 'forget');
  await page.click('#lab-run');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#lab-status').textContent), null, { timeout });
  const status = await page.textContent('#lab-status');
  assert.match(status, /^done/, status);
}

test('Forget runs the chosen methods on the trained model and compares them with retraining', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 10; })));
  await waitReady(page);
  await trainToDone(page);
  const trained = await downloadReport(page);
  await pickMethods(page, ['finetune', 'scrub', 'sisa']);
  await page.fill('#retrain-seeds', '2');
  await page.dispatchEvent('#retrain-seeds', 'change');
  await recordLabStatus(page);
  await forgetToDone(page);
  const seen = await page.evaluate(() => window.__labStatus.join('\n'));
  assert.match(seen, /unlearning: starting from the trained model/, 'the lab reused the kept model');
  assert.match(seen, /unlearning: (retrain|finetune|scrub|sisa|training SISA's shards) \(\d+ of \d+\)/);
  assert.doesNotMatch(seen, /training the model first/);
  // Every step is marked done.
  const steps = await page.$$eval('#lab-steps li', (lis) => lis.map((l) => l.textContent));
  assert.deepEqual(steps, ['retrain (2 seeds): done', 'sisa: done', 'finetune: done', 'scrub: done']);
  // The table: a row per model, in the lab's order, with the stable keys as columns.
  const methods = await page.$$eval('#lab-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(methods, ['train', 'retrain', 'sisa', 'finetune', 'scrub']);
  const header = await page.$$eval('#lab-table thead th', (ths) => ths.map((t) => t.textContent));
  for (const key of ['method', 'seconds', 'speedup_vs_retrain', 'sample_grads', 'work_speedup_vs_retrain', 'retain_acc', 'forget_acc', 'test_acc', 'mia_auc', 'tow', 'warnings']) {
    assert.ok(header.includes(key), `no column ${key}`);
  }
  assert.match(await page.textContent('#lab-band'), /Retrain band .*forget_acc \d\.\d{3} … \d\.\d{3}/);
  // Sorting by forget_acc puts the smallest first, then the largest first.
  // Columns are found by their key, not by their place: a new column must not shift what the test reads.
  const col = header.indexOf('forget_acc');
  const forgetAcc = async () => page.$$eval('#lab-table tbody tr', (trs, c) => trs.map((tr) => Number(tr.children[c].textContent)), col);
  await page.click('#sort-forget_acc');
  const up = await forgetAcc();
  assert.deepEqual(up, [...up].sort((a, b) => a - b));
  await page.click('#sort-forget_acc');
  const down = await forgetAcc();
  assert.deepEqual(down, [...down].sort((a, b) => b - a));
  // The CSV holds the same rows; the train row is the Train job's own run (same seconds: the model was reused).
  await openView(page, 'table');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#lab-csv')]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n').map((l) => l.split(','));
  assert.equal(csv[0][0], 'method');
  assert.equal(csv.length, 6);
  const seconds = csv[0].indexOf('seconds');
  const trainRow = csv.find((r) => r[0] === 'train');
  assert.equal(Number(trainRow[seconds]), trained.runs[0].seconds);
  // The wide table scrolls inside its own box: the page does not widen.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page has a horizontal scroll');
  // The lab's report, as the CLI prints it.
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#lab-report')]);
  const labReport = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  assert.deepEqual(labReport.runs.map((r) => r.method), ['train', 'retrain', 'sisa', 'finetune', 'scrub']);
  assert.equal(labReport.boundaries.length, 5);
  assert.equal(labReport.forget.size, 77); // round(0.1 × 768 training points)
  assert.ok(labReport.runs[1].forget_acc_std != null, 'two retrain seeds give a spread');
  // Charts with titles, axes and legends, each downloadable.
  await openView(page, 'charts');
  for (const id of ['chart-tradeoff', 'chart-forget-acc', 'chart-mia-auc', 'chart-test-acc', 'chart-per-class', 'chart-distribution']) {
    assert.ok(await page.isVisible(`#${id} svg`), `no ${id}`);
  }
  assert.match(await page.textContent('#chart-tradeoff svg'), /speed-up over retraining/);
  assert.match(await page.textContent('#chart-forget-acc svg'), /retrain band/);
  assert.match(await page.textContent('#chart-distribution svg'), /before \(768 points\)/);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#chart-tradeoff .download-svg')]);
  assert.match(fs.readFileSync(await svg.path(), 'utf8'), /^<svg/);
  // One method beside the trained and the retrained model: boundaries with the forget points, the difference
  // against retraining, the attack's loss histograms; another method on request.
  await openView(page, 'closer');
  assert.equal((await page.$$('#lab-boundaries svg')).length, 4);
  assert.match(await page.textContent('#boundary-difference svg'), /sisa vs retrain: \d+\.\d% of the plane differs/);
  assert.match(await page.textContent('#boundary-train svg'), /forgotten \(77\)/);
  assert.equal((await page.$$('#lab-histograms svg')).length, 3);
  assert.match(await page.textContent('#lab-histograms'), /forget set \(members\)/);
  await page.selectOption('#lab-view-method', 'scrub');
  await page.waitForFunction(() => /scrub vs retrain/.test(document.querySelector('#boundary-difference svg')?.textContent || ''));
  // The link carries the lab's settings, so it reproduces the comparison.
  const shared = await linkExperiment(page);
  assert.deepEqual(shared.unlearn.methods, ['sisa', 'finetune', 'scrub']);
  assert.equal(shared.unlearn.retrain_seeds, 2);
  await screenshot(page, 'lab.png');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('after a reload the engine no longer holds the model: Forget trains it first and says so', async () => {
  const e = experiment((x) => {
    x.train.epochs = 5;
    x.unlearn = { forget: { kind: 'class', classes: [1] }, methods: ['neggrad_plus'], retrain_seeds: 1 };
  });
  const page = await openPage(browser, server.url + experimentHash(e));
  await waitReady(page);
  await trainToDone(page);
  await page.reload();
  await waitReady(page);
  // Training's results come back in the Train tab (the link opens on Forget).
  await page.waitForSelector('#results', { state: 'attached' });
  // The reload opens the tab the page was on (Train, where Train was pressed).
  assert.equal(await page.getAttribute('#tab-train', 'aria-selected'), 'true');
  await openTab(page, 'forget');
  assert.equal(await page.isChecked('#forget-class-1'), true, 'the forget set comes from the link');
  await recordLabStatus(page);
  await forgetToDone(page);
  assert.match(await page.textContent('.notices'), /no longer holds the trained model .* trains it again first, with the same seed/);
  const seen = await page.evaluate(() => window.__labStatus.join('\n'));
  assert.match(seen, /training the model first/);
  const header = await page.$$eval('#lab-table thead th', (ths) => ths.map((t) => t.textContent));
  const forgetAcc = await page.$$eval('#lab-table tbody tr', (trs, c) => trs.map((tr) => [tr.children[0].textContent, tr.children[c].textContent]), header.indexOf('forget_acc'));
  // Forgetting a whole class: the retrained model never saw it, so it classifies none of it right.
  assert.deepEqual(forgetAcc.find((r) => r[0] === 'retrain'), ['retrain', '0.000']);
  // Another reload keeps the lab's results (not its models): the same table, read back from the browser's storage.
  await page.reload();
  await waitReady(page);
  await page.waitForSelector('#lab-table');
  const again = await page.$$eval('#lab-table tbody tr', (trs, c) => trs.map((tr) => [tr.children[0].textContent, tr.children[c].textContent]), header.indexOf('forget_acc'));
  assert.deepEqual(again, forgetAcc);
  assert.match(await page.textContent('#lab-status'), /^done: 1 method against retraining/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Cancel stops the lab and keeps the trained model; Forget then runs again', async () => {
  // Long by construction: every optimiser step lasts at least 20 ms (test switch), training is 5 epochs of 12
  // steps, so the lab's three retrains alone last at least 3.6 s before any method runs, on any machine. The
  // worker has 30 s to confirm the cancel, so a busy machine's late answer is not taken for an ignored Cancel.
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 5; })), { testSwitch: { step_ms: 20, cancel_ms: 30000 } });
  await waitReady(page);
  await trainToDone(page);
  await pickMethods(page, ['finetune', 'neggrad', 'neggrad_plus', 'random_labels', 'scrub', 'bad_teacher', 'salun', 'unsir']);
  await page.fill('#retrain-seeds', '3');
  await page.dispatchEvent('#retrain-seeds', 'change');
  await page.click('#lab-run');
  await page.waitForFunction(() => /^unlearning: /.test(document.querySelector('#lab-status').textContent), null, { timeout: 60000 });
  await page.click('#lab-cancel');
  await page.waitForFunction(() => /^cancelled \(the engine stopped in \d+ ms\); the trained model is kept/.test(document.querySelector('#lab-status').textContent), null, { timeout: 60000 });
  assert.ok(await page.$('#results'), 'the Train results stay');
  assert.match(await page.textContent('#status'), /^done/);
  await pickMethods(page, ['finetune']);
  await page.fill('#retrain-seeds', '1');
  await page.dispatchEvent('#retrain-seeds', 'change');
  await recordLabStatus(page);
  await forgetToDone(page);
  assert.match(await page.evaluate(() => window.__labStatus.join('\n')), /starting from the trained model/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('on digits the PCA view leads, and the forgotten images are shown', async () => {
  const e = experiment((x) => {
    x.data = { source: 'digits', test_fraction: 0.25, plot_features: [33, 26] };
    x.train.epochs = 5;
    x.unlearn = { forget: { kind: 'class', classes: [3] }, methods: ['finetune'], retrain_seeds: 1 };
  });
  const page = await openPage(browser, server.url + experimentHash(e));
  await waitReady(page);
  const order = await page.evaluate(() => {
    const views = document.querySelector('.data-views');
    return [getComputedStyle(document.querySelector('#pca-chart')).order, getComputedStyle(document.querySelector('#data-chart')).order, views.classList.contains('lead-pca')];
  });
  assert.deepEqual(order, ['-1', '0', true]);
  await trainToDone(page, 180000);
  await forgetToDone(page);
  assert.match(await page.textContent('#lab-thumbnails h3'), /Forgotten images \(\d+ of \d+ shown/);
  assert.ok((await page.$$('#lab-thumbnails svg')).length > 0);
  assert.equal(await page.$('#lab-boundaries'), null, 'no boundary panels for 64 features');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('points picked on the scatter, by click and by box, become the forget set', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 5; })));
  await waitReady(page);
  await trainToDone(page);
  await openTab(page, 'forget');
  await page.selectOption('#forget-kind', 'rows');
  await page.click('#pick-on-plot');
  await page.$eval('#data-chart', (e) => e.scrollIntoView({ block: 'start' }));
  // The first circle is a training point (class 0 first, training points before test points).
  const box = await page.evaluate(() => {
    const r = document.querySelector('#data-chart svg circle').getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
  await page.mouse.click(box.x, box.y);
  await page.waitForFunction(() => /to forget \(1\)/.test(document.querySelector('#data-chart svg').textContent));
  const one = await page.inputValue('#forget-rows');
  assert.match(one, /^\d+$/);
  // A box over the middle of the plot adds the training points inside it.
  await page.$eval('#data-chart', (e) => e.scrollIntoView({ block: 'start' }));
  const plot = await page.evaluate(() => {
    const r = document.querySelector('#data-chart svg').getBoundingClientRect();
    return { x: r.x + r.width * 0.4, y: r.y + r.height * 0.4, w: r.width * 0.2, h: r.height * 0.2 };
  });
  await page.mouse.move(plot.x, plot.y);
  await page.mouse.down();
  await page.mouse.move(plot.x + plot.w, plot.y + plot.h, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('#forget-rows').value.split(',').length > 1);
  const rows = (await page.inputValue('#forget-rows')).split(',').map((r) => Number(r.trim()));
  assert.ok(rows.includes(Number(one)), 'the clicked row stays');
  assert.match(await page.textContent('#data-chart svg'), new RegExp(`to forget \\(${rows.length}\\)`));
  await pickMethods(page, ['finetune']);
  await forgetToDone(page);
  const shared = await linkExperiment(page);
  assert.deepEqual(shared.unlearn.forget, { kind: 'rows', rows });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an embedded experiment with an unlearn section reproduces the comparison', async () => {
  const e = experiment((x) => {
    x.train.epochs = 5;
    x.unlearn = { forget: { kind: 'random', fraction: 0.05 }, methods: ['finetune', 'neggrad_plus'], retrain_seeds: 1 };
  });
  const page = await openPage(browser, server.url + '?embed' + experimentHash(e));
  await page.waitForSelector('#embed');
  await waitReady(page);
  await trainToDone(page);
  await forgetToDone(page);
  const methods = await page.$$eval('#lab-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(methods, ['train', 'retrain', 'finetune', 'neggrad_plus']);
  assert.equal(await page.$('#forget-step'), null, 'the embed shows the comparison, not the settings');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// The shared forget-set type: the lab takes `region` (the source paper's moon setting, also VBU's) from the page.
// Source: the definition of the kind: the retained set's largest value of the feature lies below the training
// split's, and the forgotten count is round(fraction × 768 training points).
test('the points highest along one feature are forgotten as a region, and warnings come as data', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 5; })));
  await waitReady(page);
  await trainToDone(page);
  await openTab(page, 'forget');
  await page.selectOption('#forget-kind', 'region');
  await page.waitForSelector('#forget-feature');
  await page.selectOption('#forget-feature', '1');
  await page.fill('#forget-top-fraction', '0.1');
  await page.dispatchEvent('#forget-top-fraction', 'change');
  await pickMethods(page, ['finetune']);
  await forgetToDone(page);
  await openView(page, 'table');
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#lab-report')]);
  const report = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  assert.equal(report.task, 'unlearn');
  assert.deepEqual(report.experiment.unlearn.forget, { kind: 'region', feature: 1, top_fraction: 0.1 });
  assert.equal(report.forget.kind, 'region');
  assert.equal(report.forget.size, 77);
  const [train, retain] = [report.distribution.train.features[1], report.distribution.retain.features[1]];
  assert.ok(retain.max < train.max, `retained max ${retain.max} below the split's ${train.max}`);
  for (const row of report.runs) {
    for (const w of row.warnings) {
      assert.ok(['over_unlearning', 'under_unlearning', 'few_attack_pairs'].includes(w.kind), JSON.stringify(w));
      assert.equal(typeof w.text, 'string');
    }
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// The privacy score as a page user runs it: the runs per side, the table's score columns, the ε chart beside the
// floor. Source: the score's definition (docs/privacy-score.md): scores are in [0, 1], ε in [0, 50], and the
// report carries one ε per forget example.
test('the privacy score runs from the Forget step: table columns and the ε chart against the floor', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 5; x.data.n_samples = 300; })));
  await waitReady(page);
  await trainToDone(page);
  await pickMethods(page, ['finetune']);
  await page.fill('#privacy-runs', '8');
  await page.dispatchEvent('#privacy-runs', 'change');
  await recordLabStatus(page);
  await forgetToDone(page);
  assert.match(await page.evaluate(() => window.__labStatus.join('\n')), /privacy score: (retrain|finetune)/);
  const header = await page.$$eval('#lab-table thead th', (ths) => ths.map((t) => t.textContent));
  const cells = await page.$$eval('#lab-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  for (const key of ['forgetting_score', 'unlearning_score', 'epsilon_median', 'lira_auc']) {
    const c = header.indexOf(key);
    assert.ok(c >= 0, `no column ${key}`);
    for (const row of cells.filter((r) => r[0] !== 'train')) assert.ok(Number.isFinite(Number(row[c])) && row[c] !== '', `${row[0]} ${key} ${row[c]}`);
  }
  const ci = header.indexOf('forgetting_score_ci');
  assert.ok(ci >= 0, 'no column forgetting_score_ci');
  for (const row of cells) assert.match(row[ci], /^\d\.\d{3}–\d\.\d{3}$/, `${row[0]} ${row[ci]}`);
  await openView(page, 'privacy');
  assert.ok(await page.isVisible('#chart-epsilon svg'), 'no ε chart');
  assert.equal(await page.$('#privacy-off'), null, 'the privacy view does not ask for a score it has');
  assert.match(await page.textContent('#chart-epsilon svg'), /the floor/);
  // The verdict: the control, the floor and each method with its interval; the chart of the intervals.
  assert.ok(await page.isVisible('#chart-privacy-intervals svg'), 'no intervals chart');
  assert.match(await page.textContent('#chart-privacy-intervals svg'), /original \(control\)[\s\S]*retrain \(floor\)[\s\S]*finetune/);
  const readings = await page.textContent('#privacy-readings');
  assert.match(readings, /positive control[\s\S]*the floor\): F = [0-9.]+ \[[0-9.]+, [0-9.]+\][\s\S]*finetune: F = /);
  assert.equal(await page.inputValue('#privacy-originals'), 'per_run');
  await page.hover('#privacy-verdict');
  await screenshot(page, 'privacy-score.png');
  // The trade-off chart takes the score as its fidelity axis.
  await page.selectOption('#tradeoff-axis', 'score');
  await page.waitForFunction(() => /forgetting score/.test(document.querySelector('#chart-tradeoff svg')?.textContent || ''));
  await openView(page, 'table');
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#lab-report')]);
  const report = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  assert.equal(report.experiment.unlearn.privacy_score.originals, undefined, 'the default is not written out');
  for (const row of report.runs) {
    const p = row.privacy_score;
    assert.equal(p.runs, 8);
    const [lo, hi] = p.forgetting_score_ci;
    assert.ok(lo <= p.forgetting_score && p.forgetting_score <= hi, JSON.stringify(p));
    assert.equal(p.originals, row.method === 'finetune' ? 'per_run' : undefined);
    // The words "indistinguishable from retraining" only where the intervals overlap.
    if (row.method === 'finetune') {
      const floor = report.runs.find((r) => r.method === 'retrain').privacy_score.forgetting_score_ci;
      const overlaps = lo <= floor[1] && floor[0] <= hi;
      assert.equal(/finetune: [^\n]*indistinguishable from retraining/.test(readings), overlaps, readings);
    }
    if (row.method === 'train' || row.method === 'retrain') continue;
    assert.equal(p.epsilons.length, report.forget.size);
    assert.ok(p.forgetting_score >= 0 && p.forgetting_score <= 1 && p.lira_auc >= 0 && p.lira_auc <= 1, JSON.stringify(p));
    assert.ok(p.epsilons.every((e) => e >= 0 && e <= 50));
    assert.ok(row.warnings.some((w) => w.kind === 'coarse_privacy_score'));
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
