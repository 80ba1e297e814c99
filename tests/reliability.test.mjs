// Reliability: hostile input and failures, each answered with a message that names the column, field or value,
// with the user's data, settings and results kept. See docs/reliability.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, openPage, experiment, experimentHash, waitReady, trainToDone } from './support.mjs';

let server, browser, dir;
before(async () => {
  server = await serve();
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lethe-reliability-'));
});
after(async () => { await browser?.close(); await server?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

function file(name, text) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const rows = (n, f) => Array.from({ length: n }, (_, i) => f(i)).join('\n');
const status = (page) => page.textContent('#status');

// Runs in the page: whether IndexedDB holds a kept file called `name` (the connection is closed at once).
function isKept(name) {
  return new Promise((resolve) => {
    const open = indexedDB.open('lethe');
    open.onupgradeneeded = () => open.transaction.abort();
    open.onerror = () => resolve(false);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('datasets')) { db.close(); return resolve(false); }
      const get = db.transaction('datasets').objectStore('datasets').get(name);
      get.onsuccess = () => { db.close(); resolve(get.result !== undefined); };
      get.onerror = () => { db.close(); resolve(false); };
    };
  });
}

test('a CSV holding ±3.3e38 is refused by column, and the page stays responsive with its dataset', async () => {
  const page = await openPage(browser, server.url);
  await waitReady(page);
  const before = await page.textContent('#data-chart figcaption');
  await page.selectOption('#dataset', 'csv');
  const huge = file('huge.csv', `big,small,label\n${rows(40, (i) => `${i % 2 ? '3.3e38' : '-3.3e38'},${i % 7},${i % 2}`)}\n`);
  await page.setInputFiles('#csv-file', huge);
  await page.waitForSelector('#input-error');
  assert.match(await page.textContent('#input-error'), /column "big" holds -?3\.3e38 .*rescale the column/);
  assert.equal(await page.textContent('#data-chart figcaption'), before, 'the previous dataset is still there');
  // The main thread answers: a setting can still be edited.
  await page.fill('#epochs', '7');
  await page.dispatchEvent('#epochs', 'change');
  assert.equal(await page.inputValue('#epochs'), '7');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a file over the size cap is refused from its size, before it is read', async () => {
  const page = await openPage(browser, server.url);
  await waitReady(page);
  await page.selectOption('#dataset', 'csv');
  const big = path.join(dir, 'big.csv');
  const fd = fs.openSync(big, 'w');
  fs.ftruncateSync(fd, 50 * 1024 * 1024 + 1);
  fs.closeSync(fd);
  await page.setInputFiles('#csv-file', big);
  await page.waitForSelector('#input-error');
  assert.match(await page.textContent('#input-error'), /big\.csv is 52428801 bytes; Lethe takes at most 52428800 bytes/);
  fs.rmSync(big);
  await page.context().close();
});

test('a run that diverges stops at its epoch and says so, on the backend the user chose', async () => {
  const e = experiment((x) => {
    x.data = { source: 'digits', test_fraction: 0.25, plot_features: [0, 1] };
    x.model.width = 256;
    x.train = { optimizer: 'sgd', learning_rate: 10, momentum: 0.99, batch_size: 64, epochs: 30, l2: 0 };
  });
  const page = await openPage(browser, server.url + experimentHash(e));
  const badge = await waitReady(page);
  await page.click('#train');
  await page.waitForFunction(() => /^(done|failed)/.test(document.querySelector('#status').textContent), null, { timeout: 120000 });
  assert.match(await status(page), /^failed: the (training|test) loss became (NaN|inf|-inf) at epoch \d+: training diverged and stopped there; lower the learning rate/);
  assert.equal((await page.textContent('#backend-badge')).trim(), badge, 'the backend is unchanged');
  assert.doesNotMatch(await page.textContent('body'), /switched to the CPU|crashed|unreadable/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a tampered link is refused by name and the demo shows: oversized, unknown key, another version', async () => {
  const cases = [
    ['#e=' + 'A'.repeat(1_400_000), /at most/],
    [experimentHash({ ...experiment(), surprise: 1 }), /unknown field `surprise`/],
    [experimentHash({ ...experiment(), version: 7 }), /version 7 is not supported/],
    [experimentHash(experiment((x) => { x.train.epochs = 0; })), /train\.epochs must be/],
  ];
  const page = await openPage(browser, server.url);
  await waitReady(page);
  for (const [hash, expected] of cases) {
    await page.goto(server.url + '?t=' + Math.random() + hash);
    await waitReady(page);
    assert.match(await page.textContent('.notices'), expected);
    assert.match(await page.textContent('#data-chart figcaption'), /Two moons/);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an exported experiment imports back to the same settings; a bad import names its field and keeps them', async () => {
  const e = experiment((x) => { x.seed = 7; x.train.epochs = 13; x.model.width = 24; });
  const page = await openPage(browser, server.url + experimentHash(e));
  await waitReady(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-experiment')]);
  const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.seed, 7);
  // Change settings, then import the export: they come back.
  await page.fill('#epochs', '3');
  await page.dispatchEvent('#epochs', 'change');
  await page.setInputFiles('#import-experiment', file('exported.json', JSON.stringify(exported)));
  await page.waitForFunction(() => document.querySelector('#epochs').value === '13');
  assert.equal(await page.inputValue('#width'), '24');
  assert.equal(await page.inputValue('#seed'), '7');
  // A bad file: refused by field, settings kept.
  await page.setInputFiles('#import-experiment', file('bad.json', JSON.stringify({ ...exported, train: { ...exported.train, batch_size: 0 } })));
  await page.waitForSelector('#input-error');
  assert.match(await page.textContent('#input-error'), /bad\.json: train\.batch_size must be .*got 0/);
  assert.equal(await page.inputValue('#epochs'), '13');
  await page.context().close();
});

test('a page and an engine of different protocol versions refuse each other in words', async () => {
  const page = await openPage(browser, server.url, { testSwitch: { protocol: 99 } });
  await page.waitForFunction(() => document.querySelector('#backend-badge')?.textContent.includes('engine failed'),
    null, { timeout: 60000 });
  assert.match(await page.textContent('#backend-reason'), /the engine speaks protocol \d+ but the page speaks 99: reload the page/);
  await page.context().close();
});

test('a second failure after a recovery is reported, not retried forever', async () => {
  const e = experiment((x) => { x.train.epochs = 6; });
  const page = await openPage(browser, server.url + experimentHash(e), { testSwitch: { fault: 'worker-crash@2', fault_every: true } });
  await waitReady(page);
  await page.click('#train');
  await page.waitForFunction(() => /^(done|failed)/.test(document.querySelector('#status').textContent), null, { timeout: 180000 });
  assert.match(await status(page), /^failed: the engine stopped at epoch 2/);
  const notices = await page.textContent('.notices');
  assert.equal((notices.match(/Lethe started a new one on the CPU and ran the experiment again/g) || []).length, 1, notices);
  // The settings survive, and the page takes a new run once the engine is back.
  await waitReady(page);
  assert.equal(await page.inputValue('#epochs'), '6');
  await page.context().close();
});

test('"Forget my data" finishes when another connection blocks IndexedDB, and stops a running run', async () => {
  // The run is still going at the click by construction: every optimiser step lasts at least 20 ms (test switch),
  // the file's 2,250 training rows make 36 steps an epoch, so 2,000 epochs last at least 24 minutes.
  const page = await openPage(browser, server.url + experimentHash(experiment((x) => { x.train.epochs = 2000; })), { testSwitch: { step_ms: 20 } });
  await waitReady(page);
  await page.selectOption('#dataset', 'csv');
  await page.setInputFiles('#csv-file', file('kept.csv', `a,b,label\n${rows(3000, (i) => `${i % 9},${(i * 7) % 11},${i % 2}`)}\n`));
  await page.waitForFunction(() => /kept\.csv/.test(document.querySelector('#data-chart figcaption').textContent));
  await page.waitForFunction(async () => (await indexedDB.databases()).some((d) => d.name === 'lethe'));
  // Another connection that never closes (as another tab would): a deletion waits for it forever.
  await page.evaluate(() => new Promise((resolve) => { const r = indexedDB.open('lethe'); r.onsuccess = () => { window.__held = r.result; resolve(); }; }));
  await page.fill('#epochs', '2000');
  await page.dispatchEvent('#epochs', 'change');
  await page.click('#train');
  await page.waitForFunction(() => /epoch \d+ of 2000/.test(document.querySelector('#status').textContent), null, { timeout: 60000 });
  await page.click('#forget-data');
  await page.waitForFunction(() => /Deleted/.test(document.querySelector('#forget-status').textContent), null, { timeout: 10000 });
  const said = await page.textContent('#forget-status');
  assert.match(said, /"kept\.csv"/);
  assert.match(said, /another tab of Lethe keeps the browser's database open; they are deleted as soon as it closes/);
  assert.equal(await page.evaluate(() => localStorage.getItem('lethe.settings')), null);
  // The run stopped, and the engine was replaced (its kept models and its copy of the file are gone).
  assert.doesNotMatch(await status(page), /epoch \d+ of 2000/);
  assert.doesNotMatch(await status(page), /^done/, 'the run was still going when the data was forgotten');
  await waitReady(page);
  const epochsBefore = await page.textContent('#status');
  await page.waitForTimeout(1500);
  assert.equal(await page.textContent('#status'), epochsBefore, 'no run continues');
  // Once the other connection closes, the deletion completes.
  await page.evaluate(() => window.__held.close());
  await page.waitForFunction(async () => !(await indexedDB.databases()).some((d) => d.name === 'lethe'), null, { timeout: 10000 });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a second file of the same name is kept beside the first; "don\'t keep my data" keeps nothing', async () => {
  const page = await openPage(browser, server.url);
  await waitReady(page);
  await page.selectOption('#dataset', 'csv');
  const first = file('same.csv', `a,b,label\n${rows(40, (i) => `${i % 9},${i % 5},${i % 2}`)}\n`);
  await page.setInputFiles('#csv-file', first);
  await page.waitForFunction(() => /same\.csv/.test(document.querySelector('#data-chart figcaption').textContent));
  await page.waitForFunction(isKept, 'same.csv', { polling: 200 });
  fs.writeFileSync(first, `a,b,label\n${rows(40, (i) => `${i % 4},${i % 3},${i % 2}`)}\n`);
  await page.setInputFiles('#csv-file', first);
  await page.waitForFunction(() => /same \(2\)\.csv/.test(document.querySelector('#data-chart figcaption').textContent));
  assert.match(await page.textContent('.notices'), /A different file called "same\.csv" is already kept in this browser; this one is kept as "same \(2\)\.csv"/);
  // Memory only: what was kept goes, and nothing is written from then on.
  await page.check('#memory-only');
  await page.waitForFunction(() => /From now on nothing is kept/.test(document.querySelector('#forget-status').textContent));
  assert.match(await page.textContent('#storage-note'), /Nothing is kept/);
  await page.fill('#epochs', '3');
  await page.dispatchEvent('#epochs', 'change');
  await trainToDone(page);
  await page.reload();
  // The link still names the file, but this browser kept no copy: the page asks for it again.
  await page.waitForFunction(() => /choose the file again/.test(document.querySelector('#input-error')?.textContent || ''), null, { timeout: 60000 });
  const kept = await page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name),
    keys: Object.keys(localStorage),
  }));
  assert.ok(!kept.databases.includes('lethe'), `IndexedDB: ${kept.databases}`);
  assert.deepEqual(kept.keys.filter((k) => k !== 'lethe.memory-only'), []);
  assert.equal(await page.isChecked('#memory-only'), true, 'the choice itself is remembered');
  assert.equal(await page.$('#results'), null);
  await page.context().close();
});

test('kept results that do not match their data (checksum) are set aside with a notice', async () => {
  const e = experiment((x) => { x.train.epochs = 2; });
  const page = await openPage(browser, server.url + experimentHash(e));
  await waitReady(page);
  await trainToDone(page);
  await page.evaluate(() => {
    const r = JSON.parse(localStorage.getItem('lethe.results'));
    r.dataset.checksum = '0000000000000000';
    localStorage.setItem('lethe.results', JSON.stringify(r));
  });
  await page.reload();
  await waitReady(page);
  await page.waitForFunction(() => /computed on other data/.test(document.querySelector('.notices')?.textContent || ''));
  assert.equal(await page.$('#results'), null);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a bug that panics the page leaves a plain message saying what is kept, not a silent dead page', async () => {
  const page = await openPage(browser, server.url, { testSwitch: { page_panic: true } });
  await page.waitForSelector('#internal-error', { timeout: 30000 });
  assert.match(await page.textContent('#internal-error'),
    /Lethe hit an internal error and stopped responding: [\s\S]*page_panic[\s\S]*Your settings and last results are kept in this browser; reload the page/);
  await page.context().close();
});
