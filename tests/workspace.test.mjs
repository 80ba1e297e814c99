// The workspace: settings at the left, one tab per task (the WAI-ARIA tabs pattern), and the Forget tab's views.
// The Forget overview answers "which method forgot best, at what cost" on one 1280×800 screen; the tab and the view
// travel in the link; the keyboard moves between tabs; every tab is clean for axe at 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, serve, launch, openPage, experiment, experimentHash, waitReady, screenshot, linkExperiment, openTab, openView } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const lab = experiment((x) => {
  x.train.epochs = 10;
  x.unlearn = { forget: { kind: 'random', fraction: 0.1 }, methods: ['finetune', 'neggrad_plus', 'scrub', 'sisa'], retrain_seeds: 2 };
});

async function forget(page) {
  await openTab(page, 'forget');
  await page.click('#lab-run');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#lab-status').textContent), null, { timeout: 180000 });
  assert.match(await page.textContent('#lab-status'), /^done/);
}

/** The element's box lies wholly inside the viewport (not scrolled to). */
async function inViewport(page, selector) {
  const [box, size] = await Promise.all([
    page.$eval(selector, (e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width }; }),
    page.evaluate(() => ({ w: innerWidth, h: innerHeight })),
  ]);
  return box.width > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= size.h && box.right <= size.w ? true : `${selector}: ${JSON.stringify(box)} in ${size.w}×${size.h}`;
}

test('the Forget overview shows the data, the progress, the table\'s key columns and the trade-off on one 1280×800 screen', async () => {
  const page = await openPage(browser, server.url + experimentHash(lab), { width: 1280, height: 800 });
  await waitReady(page);
  // A link with an unlearn section opens on the Forget tab, at the overview.
  assert.equal(await page.getAttribute('#tab-forget', 'aria-selected'), 'true');
  assert.equal(await page.getAttribute('#view-overview', 'aria-selected'), 'true');
  await forget(page);
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const selector of ['#data-chart svg', '#lab-steps', '#chart-tradeoff svg', '#lab-table thead']) {
    assert.equal(await inViewport(page, selector), true);
  }
  // The overview's table keeps the key columns; the Table view shows every column.
  const visibleHeaders = () => page.$$eval('#lab-table thead th', (ths) => ths.filter((t) => t.offsetParent).map((t) => t.textContent));
  const brief = await visibleHeaders();
  assert.deepEqual(brief, ['method', 'speedup_vs_retrain', 'retain_acc', 'forget_acc', 'test_acc', 'mia_auc', 'tow', 'epsilon_median']);
  await screenshot(page, 'workspace-forget.png', { fullPage: false });
  await openView(page, 'table');
  const all = await visibleHeaders();
  assert.ok(all.length > brief.length + 10 && all.includes('sample_grads') && all.includes('warnings'), all.join(' '));
  assert.ok(await page.isVisible('#lab-csv'));
  assert.ok(!(await page.isVisible('#chart-tradeoff')), 'the table view has no charts');
  await openView(page, 'charts');
  for (const id of ['#chart-tradeoff', '#chart-forget-acc', '#chart-mia-auc', '#chart-test-acc', '#chart-per-class']) assert.ok(await page.isVisible(id), id);
  assert.ok(!(await page.isVisible('#lab-table')));
  // Two charts side by side at 1280 px.
  const [a, b] = await Promise.all(['#chart-forget-acc', '#chart-mia-auc'].map((s) => page.$eval(s, (e) => e.getBoundingClientRect().top)));
  assert.equal(Math.round(a), Math.round(b), 'forget_acc and mia_auc charts share a row');
  await openView(page, 'closer');
  assert.ok(await page.isVisible('#lab-view-method') && await page.isVisible('#lab-boundaries'));
  await openView(page, 'privacy');
  assert.ok(await page.isVisible('#privacy-off'), 'the privacy view says how to compute the score');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the tab and the view travel in the link, and the arrows move between tabs', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 3; })));
  await waitReady(page);
  assert.equal(await page.getAttribute('#tab-train', 'aria-selected'), 'true', 'a plain experiment opens on Train');
  await openView(page, 'table');
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /&tab=forget&view=table$/);
  assert.equal((await linkExperiment(page)).train.epochs, 3, 'the experiment is still the link\'s');
  // The link opens where it was shared, in another browser.
  const other = await openPage(browser, server.url + hash);
  await waitReady(other);
  assert.equal(await other.getAttribute('#tab-forget', 'aria-selected'), 'true');
  assert.equal(await other.getAttribute('#view-table', 'aria-selected'), 'true');
  assert.ok(await other.isVisible('#panel-forget') && !(await other.isVisible('#panel-train')));
  await other.context().close();
  // Keyboard: only the selected tab is in the Tab order; arrows, Home and End select and focus.
  const tabindex = await page.$$eval('#tasks [role=tab]', (ts) => ts.map((t) => t.tabIndex));
  assert.deepEqual(tabindex, [-1, 0, -1, -1]);
  await page.focus('#tab-forget');
  const selected = () => page.evaluate(() => [document.querySelector('#tasks [aria-selected=true]').id, document.activeElement.id]);
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await selected(), ['tab-federated', 'tab-federated']);
  await page.keyboard.press('End');
  assert.deepEqual(await selected(), ['tab-vbu', 'tab-vbu']);
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await selected(), ['tab-train', 'tab-train']);
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual(await selected(), ['tab-vbu', 'tab-vbu']);
  await page.keyboard.press('Home');
  assert.deepEqual(await selected(), ['tab-train', 'tab-train']);
  assert.match(await page.evaluate(() => location.hash), /&tab=train$/);
  // Each tab names the panel it controls, and the panel names its tab.
  for (const key of ['train', 'forget', 'federated', 'vbu']) {
    assert.equal(await page.getAttribute(`#tab-${key}`, 'aria-controls'), `panel-${key}`);
    assert.equal(await page.getAttribute(`#panel-${key}`, 'aria-labelledby'), `tab-${key}`);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('axe finds no serious or critical violation in any tab or view, at 1280 and at 390 px', async () => {
  const axe = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  for (const width of [1280, 390]) {
    const page = await openPage(browser, server.url + experimentHash(lab), { width, height: 800 });
    await waitReady(page);
    await forget(page);
    await page.evaluate(axe);
    const places = [['train'], ['forget', 'overview'], ['forget', 'table'], ['forget', 'charts'], ['forget', 'closer'], ['forget', 'privacy'], ['federated'], ['vbu']];
    for (const [tab, view] of places) {
      if (view) await openView(page, view); else await openTab(page, tab);
      const violations = await page.evaluate(async () => (await window.axe.run(document)).violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`));
      assert.deepEqual(violations, [], `${tab} ${view ?? ''} at ${width} px\n${violations.join('\n')}`);
      // Nothing wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      assert.ok(overflow <= 0, `${tab} ${view ?? ''} at ${width} px: ${overflow} px wider than the screen`);
    }
    if (width === 390) {
      await openView(page, 'overview');
      await screenshot(page, 'workspace-phone.png');
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

// A sweep as a page user runs it. Long by construction (every optimiser step lasts at least 20 ms, test switch): each
// point is 20 epochs of finetune, so the second point is still running when Cancel lands. Source for the kept point:
// the engine's rule that a cancel during the sweep keeps the finished points (crates/engine/src/lab/sweep.rs).
test('a 4-point sweep cancelled on its second point keeps the first; "Use this setting" writes it into the link', async () => {
  const e = experiment((x) => {
    x.train.epochs = 5;
    x.unlearn = {
      forget: { kind: 'random', fraction: 0.1 }, methods: ['finetune'], retrain_seeds: 1,
      sweep: { method: 'finetune', grid: { epochs: [20], learning_rate: [0.01, 0.02, 0.03, 0.04] } },
    };
  });
  const page = await openPage(browser, server.url + experimentHash(e), { testSwitch: { step_ms: 20, cancel_ms: 30000 } });
  await waitReady(page);
  assert.match(await page.textContent('#sweep-count'), /^4 points \(at most 25\)/);
  assert.match(await page.textContent('#lab-steps'), /sweep \(4 points\): waiting/);
  await page.click('#lab-run');
  await page.waitForFunction(() => /sweep: finetune \(epochs 20, learning_rate 0\.02\)/.test(document.querySelector('#lab-status').textContent), null, { timeout: 120000 });
  await page.click('#lab-cancel');
  await page.waitForFunction(() => /^cancelled during the sweep/.test(document.querySelector('#lab-status').textContent), null, { timeout: 60000 });
  assert.match(await page.textContent('#lab-status'), /^cancelled during the sweep: kept 1 of its 4 points and the 1 method against retraining/);
  await openView(page, 'charts');
  assert.ok(await page.isVisible('#chart-sweep svg'));
  assert.match(await page.textContent('#chart-sweep svg'), /work saved over retraining/);
  assert.match(await page.textContent('#sweep-status'), /Cancelled: 1 of the 4 points finished; they are kept\. Tuned against the retrained model/);
  const rows = await page.$$eval('#sweep-table tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 1);
  assert.match(rows[0], /on the front/, 'a single point is its own front');
  await page.click('#sweep-use-1');
  await page.waitForFunction(() => /finetune now runs with epochs 20, learning_rate 0.01/.test(document.querySelector('.notices')?.textContent || ''));
  const shared = await linkExperiment(page);
  assert.deepEqual(shared.unlearn.methods, [{ method: 'finetune', epochs: 20, learning_rate: 0.01 }]);
  assert.deepEqual(shared.unlearn.sweep, e.unlearn.sweep, 'the sweep stays in the link');
  // The kept point survives a reload, as every result does.
  await page.reload();
  await waitReady(page);
  await page.waitForSelector('#sweep-table', { state: 'attached' });
  assert.equal((await page.$$('#sweep-table tbody tr')).length, 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the sweep\'s settings go into the link, and a grid over 25 points is refused by field and size', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 3; })));
  await waitReady(page);
  await openTab(page, 'forget');
  await page.selectOption('#sweep-method', 'neggrad_plus');
  assert.match(await page.textContent('#sweep-count'), /Type the values/);
  await page.fill('#sweep-epochs', '1, 2 4');
  await page.dispatchEvent('#sweep-epochs', 'change');
  await page.waitForFunction(() => /^3 points/.test(document.querySelector('#sweep-count').textContent));
  assert.deepEqual((await linkExperiment(page)).unlearn.sweep, { method: 'neggrad_plus', grid: { epochs: [1, 2, 4] } });
  await page.fill('#sweep-beta', '0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9');
  await page.dispatchEvent('#sweep-beta', 'change');
  await page.waitForSelector('#input-error');
  assert.match(await page.textContent('#input-error'), /unlearn\.sweep\.grid.*at most 25 points.*27 points \(9 × 3\)/);
  assert.deepEqual((await linkExperiment(page)).unlearn.sweep.grid, { epochs: [1, 2, 4] }, 'the refused grid is not kept');
  await page.fill('#sweep-epochs', '1, x');
  await page.dispatchEvent('#sweep-epochs', 'change');
  await page.waitForFunction(() => /unlearn\.sweep\.grid\.epochs must be a list of numbers, got "x"/.test(document.querySelector('#input-error')?.textContent || ''));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// Suggest before forgetting: the engine's ranking on the trained model (the same ranking the `suggested` forget set
// uses, crates/engine/src/forget/suggest.rs), best first with its reasons; the rows picked become the forget set,
// and the lab forgets exactly them.
test('Suggest ranks the training points on the trained model; the picked rows become the forget set', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 5; })));
  await waitReady(page);
  await openTab(page, 'forget');
  assert.ok(await page.isDisabled('#suggest'), 'nothing to rank before training');
  await openTab(page, 'train');
  await page.click('#train');
  await page.waitForFunction(() => /^done/.test(document.querySelector('#status').textContent), null, { timeout: 120000 });
  await openTab(page, 'forget');
  await page.click('#suggest');
  await page.waitForSelector('#suggest-list li');
  const listed = await page.$$eval('#suggest-list li', (lis) => lis.map((li) => ({
    row: Number(li.dataset.row), score: Number(li.dataset.score), why: li.querySelector('.why').textContent,
  })));
  assert.equal(listed.length, 20);
  for (let i = 1; i < listed.length; i++) assert.ok(listed[i - 1].score >= listed[i].score, 'best first');
  assert.ok(listed.every((s) => s.why.length > 0), 'each with its reasons');
  assert.ok(await page.isDisabled('#suggest-use'), 'nothing picked yet');
  const picks = [listed[0].row, listed[2].row, listed[5].row];
  for (const row of picks) await page.check(`#suggest-pick-${row}`);
  assert.match(await page.textContent('#suggest-use'), /\(3\)/);
  await page.click('#suggest-use');
  const sorted = [...picks].sort((a, b) => a - b);
  await page.waitForFunction(() => document.querySelector('#forget-kind').value === 'rows');
  assert.deepEqual((await linkExperiment(page)).unlearn.forget, { kind: 'rows', rows: sorted });
  assert.match(await page.textContent('#data-chart svg'), /to forget \(3\)/);
  await page.click('#lab-run');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#lab-status').textContent), null, { timeout: 180000 });
  assert.match(await page.textContent('#lab-status'), /^done/);
  await openView(page, 'table');
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#lab-report')]);
  const report = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  assert.deepEqual(report.forget.rows, sorted);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
