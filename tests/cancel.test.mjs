// Cancel: at the click the status reads "cancelled at epoch k", then the worker confirms (its own `cancelled` event);
// the curves stay, no further events arrive, and Train works again at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, experiment, experimentHash, waitReady, trainToDone } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('cancel a long run, then train again', async () => {
  // The run is long by construction, not by the machine's speed: every optimiser step lasts at least 20 ms by the
  // test switch, the default 1,024 moons give 12 steps an epoch, so 2,000 epochs last at least 8 minutes. The
  // worker has 30 s to confirm (the page's own grace is 1 s), so a late answer on a busy machine still counts as
  // the worker's own, while a worker that ignored Cancel would still be restarted and fail the test.
  const long = experiment((e) => { e.train.epochs = 2000; });
  const page = await openPage(browser, server.url + experimentHash(long), { testSwitch: { step_ms: 20, cancel_ms: 30000 } });
  await waitReady(page);
  await page.click('#train');
  await page.waitForFunction(() => Number(/epoch (\d+) of 2000/.exec(document.querySelector('#status').textContent)?.[1]) >= 3, null, { timeout: 120000 });
  await page.evaluate(() => {
    const status = document.querySelector('#status');
    new MutationObserver(() => {
      if (window.__cancelled == null && /^cancelled at epoch \d+/.test(status.textContent)) window.__cancelled = true;
    }).observe(status, { childList: true, characterData: true, subtree: true });
  });
  await page.click('#cancel');
  // The page says so at the click (synchronously, in the click's own task); the guard is for a hang only.
  await page.waitForFunction(() => window.__cancelled, null, { timeout: 30000 });
  // The worker's own answer: its `cancelled` event. A worker that ignored Cancel would be restarted after the
  // grace instead, and the status would say so.
  await page.waitForFunction(() => /\((the engine stopped in \d+ ms|.*restarted)\)/.test(document.querySelector('#status').textContent), null, { timeout: 60000 });
  const status = await page.textContent('#status');
  assert.match(status, /the engine stopped in \d+ ms/, `the worker did not confirm the cancel: ${status}`);
  const k = Number(/epoch (\d+)/.exec(status)[1]);
  assert.ok(k >= 3 && k < 2000, status);
  assert.ok(await page.isVisible('#loss-chart svg'), 'the partial curves stay');
  const caption = await page.textContent('.curves .caption');
  // A run that went on would add an epoch within this wait: an epoch lasts at least 240 ms.
  await page.waitForTimeout(1500);
  assert.equal(await page.textContent('.curves .caption'), caption, 'no events of the cancelled run arrive');
  assert.match(await page.textContent('#status'), /^cancelled at epoch/);
  // Train again at once, a short run this time.
  await page.fill('#epochs', '3');
  await page.dispatchEvent('#epochs', 'change');
  assert.ok(await page.isEnabled('#train'));
  await trainToDone(page, 120000);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
