// VBU mode: the paper's moon preset, trained and unlearned over the λ sweep, with its graphs: KL against λ, the
// heatmaps side by side (erased points crossed), posterior marginals, the data before and after, the times.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, launch, openPage, waitReady, screenshot, linkExperiment, openTab } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the moon preset: train, unlearn over the λ sweep, and read the VBU graphs', async () => {
  const page = await openPage(browser, server.url);
  await waitReady(page);
  await openTab(page, 'vbu');
  await page.click('#preset-vbu-moons');
  await page.waitForFunction(() => /n=100,/.test(document.querySelector('#data-chart figcaption')?.textContent || ''));
  assert.match(await page.textContent('#vbu-lambda-note'), /With 21 weights a typical draw sits about 10 nats/);
  await page.click('#vbu-run');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#vbu-status').textContent), null, { timeout: 180000 });
  assert.match(await page.textContent('#vbu-status'), /^done: 14 rows/);
  assert.match(await page.textContent('#vbu-kl svg'), /untouched q\(θ\|D\)/);
  assert.equal((await page.$$('#vbu-maps svg')).length, 4);
  assert.match(await page.textContent('#vbu-map-vi_retrain svg'), /erased \(16\)/); // round(0.2 × 80 training points)
  assert.match(await page.textContent('#vbu-map-vbu_eubo svg'), /EUBO at λ = 5e-1/);
  await page.fill('#vbu-lambda-slider', '4');
  await page.dispatchEvent('#vbu-lambda-slider', 'input');
  await page.waitForFunction(() => /EUBO at λ = 1e-9/.test(document.querySelector('#vbu-map-vbu_eubo svg')?.textContent || ''));
  assert.equal((await page.$$('#vbu-marginals svg')).length, 2);
  assert.ok(await page.isVisible('#vbu-distribution svg'));
  assert.ok(await page.isVisible('#vbu-times svg'));
  const rows = await page.$$eval('#vbu-table tbody tr', (trs) => trs.map((tr) => tr.children[0].textContent));
  assert.equal(rows.length, 14);
  assert.deepEqual(rows.slice(0, 2), ['vi_retrain', 'full']);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#vbu-csv')]);
  assert.match(fs.readFileSync(await download.path(), 'utf8'), /^method,lambda,seconds,speedup_vs_retrain,kl_to_retrain/);
  await screenshot(page, 'vbu.png');
  const shared = await linkExperiment(page);
  assert.equal(shared.model.kind, 'bayes_logistic');
  assert.deepEqual(shared.vbu.erase, { kind: 'region', feature: 0, top_fraction: 0.2 });
  // A reload keeps the results (the browser's storage), read back and checked.
  await page.reload();
  await waitReady(page);
  await page.waitForSelector('#vbu-table');
  assert.match(await page.textContent('#vbu-status'), /^done: 14 rows/);
  assert.deepEqual(await page.$$eval('#vbu-table tbody tr', (trs) => trs.map((tr) => tr.children[0].textContent)), rows);
  assert.equal((await page.$$('#vbu-maps svg')).length, 4);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
