// The playground essentials: the digits CNN with its gallery, the PCA view, the embed view, data that survives a
// reload and can be forgotten, recovery from a crashed engine, accessibility (axe-core) and the phone layout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, openPage, experiment, experimentHash, waitReady, trainToDone, downloadReport, screenshot, ROOT, linkExperiment } from './support.mjs';

let server, browser, dir;
before(async () => {
  server = await serve(); browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lethe-play-'));
});
after(async () => { await browser?.close(); await server?.close(); });

test('the CNN trains on digits to >= 0.95 and shows thumbnails and the misclassified gallery', async () => {
  // Source of 0.95: the acceptance figure; natively the same CNN reaches it in crates/engine/tests/training.rs.
  const e = experiment((x) => {
    x.data.source = 'digits'; x.model.kind = 'cnn'; x.train.epochs = 10; x.train.batch_size = 64;
    x.data.plot_features = [33, 26]; // what the page picks for digits (DataSource::default_plot_features)
  });
  const page = await openPage(browser, server.url + experimentHash(e));
  await waitReady(page);
  await page.waitForSelector('#thumbnails svg');
  assert.equal(await page.$$eval('#thumbnails .thumb svg', (s) => s.length), 10 * 8, 'eight thumbnails per digit');
  const status = await trainToDone(page, 300000);
  const report = await downloadReport(page);
  const run = report.runs[0];
  assert.ok(run.test_acc >= 0.95, `test accuracy ${run.test_acc} (${status})`);
  const wrong = run.confusion.flatMap((row, t) => row.filter((_, p) => p !== t)).reduce((a, b) => a + b, 0);
  const shown = await page.$$eval('#gallery .gallery-item', (s) => s.length);
  assert.equal(shown, Math.min(wrong, 40), 'one gallery image per misclassified test digit, up to 40');
  if (shown > 0) assert.match(await page.textContent('#gallery .gallery-label'), /^true \d, predicted \d$/);
  await screenshot(page, 'digits-cnn.png');
  // The convolutions as filters/kernel/padding/pool: the default stack is shown, a malformed layer is refused by
  // name, one that leaves no pixel of the 8×8 image is refused when the data is prepared, and a valid stack goes
  // into the link and the description.
  assert.equal(await page.inputValue('#convs'), '16/3/1/1, 32/3/1/2');
  await page.fill('#convs', '16');
  await page.dispatchEvent('#convs', 'change');
  await page.waitForFunction(() => /model\.convs: "16" is not filters\/kernel\/padding\/pool/.test(document.querySelector('#input-error')?.textContent || ''));
  await page.fill('#convs', '8/5/2/2, 16/3/1/2');
  await page.dispatchEvent('#convs', 'change');
  await page.fill('#cnn-widths', '32');
  await page.dispatchEvent('#cnn-widths', 'change');
  await page.waitForFunction(() => /5×5 convolution, 8 filters, padding 2, 2×2 max-pool → .* → dense 32 → linear head/.test(document.querySelector('#cnn-shape')?.textContent || ''));
  const model = (await linkExperiment(page)).model;
  assert.deepEqual(model.convs, [{ channels: 8, kernel: 5, padding: 2, pool: 2 }, { channels: 16, kernel: 3, padding: 1, pool: 2 }]);
  assert.deepEqual(model.widths, [32]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the PCA view labels its axes with explained variance that adds up to at most 100%', async () => {
  const e = experiment((x) => { x.data.source = 'wine'; x.model.kind = 'logistic'; });
  const page = await openPage(browser, server.url + experimentHash(e));
  await waitReady(page);
  await page.waitForSelector('#pca-chart svg');
  const text = await page.textContent('#pca-chart svg');
  const pc = [1, 2].map((k) => Number(new RegExp(`PC${k} \\((\\d+)% of variance\\)`).exec(text)[1]));
  // Source: scikit-learn 1.9.1 on all of wine: 36.2% and 19.2%; here fitted on the 75% training split.
  assert.ok(pc[0] >= pc[1] && pc[0] + pc[1] <= 100, `PC1 ${pc[0]}%, PC2 ${pc[1]}%`);
  assert.ok(Math.abs(pc[0] - 36) <= 4 && Math.abs(pc[1] - 19) <= 4, `PC1 ${pc[0]}%, PC2 ${pc[1]}%`);
  await screenshot(page, 'wine-pca.png');
  await page.context().close();
});

test('an embed URL shows the compact view, trains, and links to the full page', async () => {
  const e = experiment((x) => { x.train.epochs = 10; });
  const page = await openPage(browser, server.url + '?embed' + experimentHash(e), { width: 720, height: 560 });
  await waitReady(page);
  assert.ok(await page.isVisible('#embed'));
  assert.equal(await page.$('#dataset'), null, 'no settings panel in the embed');
  assert.match(await page.textContent('#preset'), /Two moons · MLP 2×32 · 10 epochs · seed 42/);
  const href = await page.getAttribute('#open-full', 'href');
  assert.ok(href.includes(experimentHash(e).slice(0, 20)) && !href.includes('embed'), href);
  await trainToDone(page);
  assert.ok(await page.isVisible('#loss-chart svg'));
  // At the embed code's 720 × 560 the curves sit beside the data chart and show without scrolling.
  const [chart, acc] = await Promise.all(['#data-chart', '#accuracy-chart'].map((s) => page.$eval(s, (el) => el.getBoundingClientRect().toJSON())));
  assert.ok(acc.left >= chart.right - 1, `accuracy chart at x=${acc.left}, data chart ends at ${chart.right}`);
  assert.ok(acc.bottom <= 560, `accuracy chart ends at y=${acc.bottom} of 560`);
  await screenshot(page, 'embed.png');
  // The example page in the repository embeds it the same way.
  const host = await openPage(browser, server.url + 'embed-example.html');
  const frame = await (await host.waitForSelector('#lethe')).contentFrame();
  await frame.waitForSelector('#train', { timeout: 60000 });
  assert.deepEqual([...page.errors, ...host.errors], []);
  await page.context().close();
  await host.context().close();
});

test('an uploaded CSV survives a reload; "Forget my data" deletes it and the results for good', async () => {
  const file = path.join(dir, 'private-patients.csv');
  const rows = Array.from({ length: 60 }, (_, i) => `${i % 9},${(i * 7) % 11},${i % 2 ? 'sick' : 'well'}`);
  fs.writeFileSync(file, `a,b,status\n${rows.join('\n')}\n`);
  const page = await openPage(browser, server.url);
  await waitReady(page);
  await page.selectOption('#dataset', 'csv');
  await page.setInputFiles('#csv-file', file);
  await page.waitForFunction(() => /private-patients\.csv/.test(document.querySelector('#data-chart figcaption').textContent));
  await page.fill('#epochs', '5');
  await page.dispatchEvent('#epochs', 'change');
  await trainToDone(page);
  // Reload: the settings, the file and the results come back, from this browser only.
  await page.reload();
  await waitReady(page);
  await page.waitForFunction(() => /private-patients\.csv/.test(document.querySelector('#data-chart figcaption')?.textContent || ''));
  await page.waitForSelector('#results');
  const stored = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  assert.ok(stored.includes('lethe'), `IndexedDB databases: ${stored}`);
  await page.click('#forget-data');
  await page.waitForFunction(() => /Deleted/.test(document.querySelector('#forget-status').textContent));
  assert.match(await page.textContent('#forget-status'), /1 uploaded dataset: "private-patients\.csv" \(\d+\.\d KB\); the stored results/);
  await page.reload();
  await waitReady(page);
  const after = await page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name),
    storage: Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)])),
  }));
  assert.ok(!after.databases.includes('lethe'), `IndexedDB after forgetting: ${after.databases}`);
  assert.equal(after.storage['lethe.results'], undefined, 'no stored results');
  assert.equal(after.storage['lethe.settings'], undefined, 'no stored settings: a page load writes nothing');
  assert.ok(!JSON.stringify(after.storage).includes('private-patients'), JSON.stringify(after.storage));
  assert.equal(await page.$('#results'), null, 'no results after the reload');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a worker crash mid-run (test switch worker-crash@3) is recovered on a fresh CPU worker, and the attempt stays marked', async () => {
  const e = experiment((x) => { x.train.epochs = 8; });
  const page = await openPage(browser, server.url + experimentHash(e), { testSwitch: { fault: 'worker-crash@3' } });
  await waitReady(page);
  await trainToDone(page, 180000);
  const notices = await page.textContent('.notices');
  assert.match(notices, /crashed at epoch 3/, notices);
  assert.match(await page.textContent('#curves-caption'), /failed attempt \(engine crashed at epoch 3\)/);
  assert.match(await page.textContent('#loss-chart svg'), /failed attempt, test/);
  const report = await downloadReport(page);
  assert.equal(report.runs[0].epochs, 8, 'the rerun completed every epoch');
  await screenshot(page, 'recovered-crash.png');
  await page.context().close();
});

test('results kept in this browser that do not fit together are dropped with a notice, not a dead page', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 2; })));
  await waitReady(page);
  await trainToDone(page);
  // Tamper with the stored report the way an old version or a hand edit could: no runs at all.
  await page.evaluate(() => {
    const r = JSON.parse(localStorage.getItem('lethe.results'));
    r.runs = [];
    localStorage.setItem('lethe.results', JSON.stringify(r));
  });
  await page.reload();
  await waitReady(page);
  const notices = await page.textContent('.notices');
  assert.match(notices, /results kept in this browser were unusable and have been deleted \(runs is empty\)/, notices);
  assert.equal(await page.evaluate(() => localStorage.getItem('lethe.results')), null);
  assert.equal(await page.$('#results'), null);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an engine that crashes on every start is restarted a bounded number of times, then the page says it cannot start', async () => {
  const page = await openPage(browser, server.url, { testSwitch: { fault: 'start-crash' } });
  await page.waitForFunction(() => document.querySelector('#backend-badge')?.textContent.includes('engine failed'),
    null, { timeout: 60000 });
  assert.match(await page.textContent('#backend-reason'), /could not start: it crashed 3 times in a row, the last on the CPU/);
  // No fourth worker: the status stays failed and the notices do not grow.
  const notices = await page.textContent('.notices');
  await page.waitForTimeout(3000);
  assert.equal(await page.textContent('.notices'), notices);
  assert.equal((notices.match(/stopped unexpectedly/g) || []).length, 2, notices);
  assert.match(await page.textContent('#backend-badge'), /engine failed/);
  await page.context().close();
});

test('a link cannot inject a fault: ?fault=worker-crash@1 in the URL is ignored', async () => {
  const e = experiment((x) => { x.train.epochs = 3; });
  const page = await openPage(browser, server.url + '?fault=worker-crash@1' + experimentHash(e));
  await waitReady(page);
  await trainToDone(page);
  const notices = (await page.$('.notices')) ? await page.textContent('.notices') : '';
  assert.doesNotMatch(notices, /crash/i, notices);
  const report = await downloadReport(page);
  assert.equal(report.runs[0].epochs, 3);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('axe-core finds no serious or critical violation on the main page and the embed view', async () => {
  const axe = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const main = server.url + experimentHash(experiment());
  const embed = server.url + '?embed' + experimentHash(experiment());
  // The dark theme too, with an error on screen (the error banner's contrast once failed there).
  for (const [url, colorScheme] of [[main, 'light'], [embed, 'light'], [main, 'dark'], [embed, 'dark']]) {
    const page = await openPage(browser, url, { colorScheme });
    await waitReady(page);
    await trainToDone(page);
    if (url === main) {
      await page.fill('#learning-rate', '0');
      await page.dispatchEvent('#learning-rate', 'change');
      await page.waitForSelector('#input-error');
    }
    // page.evaluate runs through the DevTools protocol, which the page's CSP does not govern.
    await page.evaluate(axe);
    const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`));
    assert.deepEqual(violations, [], `${url} (${colorScheme})\n${violations.join('\n')}`);
    await page.context().close();
  }
});

test('picking a bundled dataset plots its two most telling features', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment()));
  await waitReady(page);
  // Source: scikit-learn 1.9.1 f_classif ranks these first (DataSource::default_plot_features).
  for (const [source, x, y] of [['digits', 'pixel 4,1', 'pixel 3,2'], ['iris', 'petal length (cm)', 'petal width (cm)'], ['wine', 'flavanoids', 'proline']]) {
    await page.selectOption('#dataset', source);
    await page.waitForFunction((s) => document.querySelector('#data-chart figcaption').textContent.toLowerCase().includes(s), source);
    const text = await page.textContent('#data-chart svg');
    assert.ok(text.includes(x) && text.includes(y), `${source}: axes in ${text.slice(0, 200)}`);
    assert.equal(await page.$eval('#plot-x', (s) => s.selectedOptions[0].textContent), x);
  }
  assert.equal(await page.$('#input-error'), null, 'switching datasets raised no error');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('what the page shows is what Train runs: stale results are marked, refused values do not stay, no CSV no Train', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 3; })));
  await waitReady(page);
  await trainToDone(page);
  assert.equal(await page.$('#stale-note'), null, 'fresh results are not marked');
  // Each number setting explains itself in a line that screen readers read with it.
  const hint = await page.$eval('#l2', (i) => document.getElementById(i.getAttribute('aria-describedby')).textContent);
  assert.match(hint, /Weight decay/);
  // Another width: the results and curves on screen belong to the old one.
  await page.fill('#width', '4');
  await page.dispatchEvent('#width', 'change');
  await page.waitForSelector('#stale-note');
  assert.match(await page.textContent('#status'), /earlier settings/);
  assert.ok(await page.$eval('#results', (r) => r.classList.contains('stale')));
  // A width per hidden layer: a word in the list is refused by name; "24, 12" goes into the link as model.widths,
  // with layers and width following it; equal widths stay the uniform keys.
  const model = async () => (await linkExperiment(page)).model;
  await page.fill('#widths', '24, x');
  await page.dispatchEvent('#widths', 'change');
  await page.waitForFunction(() => /model\.widths/.test(document.querySelector('#input-error')?.textContent || ''));
  await page.fill('#widths', '24, 12');
  await page.dispatchEvent('#widths', 'change');
  await page.waitForFunction(() => !document.querySelector('#input-error') && document.querySelector('#layers').value === '2');
  assert.deepEqual((await model()).widths, [24, 12]);
  assert.equal(await page.inputValue('#width'), '24');
  await page.fill('#widths', '4 4');
  await page.dispatchEvent('#widths', 'change');
  await page.waitForFunction(() => document.querySelector('#width').value === '4');
  const uniform = await model();
  assert.equal(uniform.widths, undefined);
  assert.deepEqual([uniform.layers, uniform.width], [2, 4]);
  // A CNN on two moons is refused: the error names it and the picker shows the model in force again.
  await page.selectOption('#model-kind', 'cnn');
  await page.waitForSelector('#input-error');
  assert.match(await page.textContent('#input-error'), /model\.kind/);
  assert.equal(await page.$eval('#model-kind', (s) => s.value), 'mlp');
  // So is a batch size of zero: the field shows the kept value.
  await page.fill('#batch-size', '0');
  await page.dispatchEvent('#batch-size', 'change');
  await page.waitForFunction(() => /train\.batch_size/.test(document.querySelector('#input-error')?.textContent || ''));
  assert.equal(await page.inputValue('#batch-size'), '64');
  // "Your own CSV" without a file: nothing to train on, and the page says so.
  await page.selectOption('#dataset', 'csv');
  await page.waitForFunction(() => document.querySelector('#train').disabled);
  assert.match(await page.textContent('#status'), /choose a CSV file/);
  await page.selectOption('#dataset', 'moons');
  await page.waitForFunction(() => !document.querySelector('#train').disabled);
  const status = await trainToDone(page);
  assert.doesNotMatch(status, /earlier settings/);
  assert.equal(await page.$('#stale-note'), null);
  assert.equal(await page.$('#input-error'), null, 'a run clears the error about a refused value');
  const report = await downloadReport(page);
  assert.equal(report.experiment.model.width, 4);
  assert.equal(report.experiment.model.kind, 'mlp');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('in the dark theme the charts are drawn on the dark panel, not on white', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 3; })), { colorScheme: 'dark' });
  await waitReady(page);
  await trainToDone(page);
  const grounds = await page.$$eval('.chart .svg svg', (svgs) => svgs.map((s) => getComputedStyle(s.querySelector('rect')).fill));
  assert.ok(grounds.length >= 3, `charts: ${grounds.length}`);
  const panel = await page.evaluate(() => getComputedStyle(document.querySelector('.panel')).backgroundColor);
  for (const g of grounds) assert.equal(g, panel, 'the chart ground is the panel colour');
  const text = await page.$eval('#data-chart svg text', (t) => getComputedStyle(t).fill);
  assert.notEqual(text, 'rgb(0, 0, 0)', 'axis text is not black on dark');
  await screenshot(page, 'dark-theme.png');
  await page.context().close();
});

test('at 390 px wide the page has no horizontal scroll', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 5; })), { width: 390, height: 844 });
  await waitReady(page);
  await trainToDone(page);
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `scrollWidth ${scroll} > clientWidth ${client}`);
  // The settings come first in one column; Train stays on the first screen, docked at the bottom.
  const train = await page.$eval('#train', (b) => b.getBoundingClientRect());
  assert.ok(train.top >= 0 && train.bottom <= 844, `Train at ${train.top}–${train.bottom} px of an 844 px screen`);
  // Charts are drawn at phone size, not shrunk: their 12 px text shows at 11 px or more.
  const scales = await page.$$eval('.chart .svg svg', (svgs) => svgs.map((s) => s.getBoundingClientRect().width / s.width.baseVal.value));
  assert.ok(scales.length >= 3 && scales.every((k) => k >= 0.9), `chart scales ${scales.map((k) => k.toFixed(2))}`);
  await screenshot(page, 'phone.png');
  await page.context().close();
});
