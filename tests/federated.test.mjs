// Federated mode: 5 clients, train the federation, forget one client four ways, read the paper's table; then
// "Unlearn client k" on another card. The settings travel in the link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, launch, openPage, experiment, experimentHash, waitReady, screenshot } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

async function federateToDone(page, click = '#fed-run') {
  await page.click(click);
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#fed-status').textContent), null, { timeout: 180000 });
  const status = await page.textContent('#fed-status');
  assert.match(status, /^done/, status);
}

test('five clients: learn, forget one four ways, see the table; then unlearn another client from its card', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => {
    x.train = { optimizer: 'sgd', learning_rate: 0.1, momentum: 0.9, batch_size: 16, epochs: 10, l2: 0 };
  })));
  await waitReady(page);
  await page.check('#federated-mode');
  await page.waitForSelector('#fed-clients');
  await page.fill('#fed-rounds', '6');
  await page.dispatchEvent('#fed-rounds', 'change');
  await page.check('#fed-backdoor');
  await federateToDone(page);
  const methods = await page.$$eval('#fed-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(methods, ['federated', 'fed_retrain', 'federaser', 'federaser_no_calibration', 'continue_without']);
  const header = await page.$$eval('#fed-table thead th', (ths) => ths.map((t) => t.textContent));
  for (const key of ['learning_seconds', 'unlearning_seconds', 'unlearning_no_calibration_seconds', 'mia_precision', 'mia_recall', 'backdoor_asr']) {
    assert.ok(header.includes(key), `no column ${key}`);
  }
  assert.equal((await page.$$('#fed-clients .client-card')).length, 5);
  assert.match(await page.textContent('#client-0'), /forgotten/);
  assert.match(await page.textContent('#client-0'), /backdoored/);
  assert.match(await page.textContent('#fed-note'), /near 0\.5, chance/);
  for (const id of ['fed-accuracy', 'fed-backdoor', 'fed-times']) assert.ok(await page.isVisible(`#${id} svg`), id);
  assert.match(await page.textContent('#fed-accuracy svg'), /fed_retrain \(reference\)/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#fed-csv')]);
  assert.match(fs.readFileSync(await download.path(), 'utf8'), /^method,learning_seconds,unlearning_seconds/);
  await screenshot(page, 'federated.png');
  // Another client, from its card.
  await federateToDone(page, '#unlearn-client-2');
  assert.match(await page.textContent('#client-2'), /forgotten/);
  assert.doesNotMatch(await page.textContent('#client-0 h3'), /forgotten/);
  const hash = await page.evaluate(() => location.hash);
  const shared = JSON.parse(Buffer.from(hash.slice(3), 'base64url').toString());
  assert.equal(shared.federated.target_client, 2);
  assert.equal(shared.federated.rounds, 6);
  assert.equal(shared.unlearn, undefined);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
