// Bad input keeps the previous state: a bad CSV shows a message naming the line, and the previous dataset stays.
// A shared link restores the same settings; a CSV link asks for the file again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, openPage, experiment, experimentHash, waitReady, screenshot, linkExperiment } from './support.mjs';

let server, browser, dir;
before(async () => {
  server = await serve();
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lethe-csv-'));
});
after(async () => { await browser?.close(); await server?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

function csv(name, text) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const rows = (n, f) => Array.from({ length: n }, (_, i) => f(i)).join('\n');

test('a bad CSV is refused with its line, and the previous dataset stays', async () => {
  const page = await openPage(browser, server.url);
  await waitReady(page);
  const before = await page.textContent('#data-chart figcaption');
  assert.match(before, /Two moons/);
  await page.selectOption('#dataset', 'csv');
  const ragged = csv('ragged.csv', `a,b,label\n${rows(12, (i) => `${i},${i * 2},${i % 2 ? 'x' : 'y'}`)}\n1,2\n`);
  await page.setInputFiles('#csv-file', ragged);
  await page.waitForSelector('#input-error');
  const message = await page.textContent('#input-error');
  assert.match(message, /line 14 has 2 fields, expected 3/);
  assert.equal(await page.textContent('#data-chart figcaption'), before, 'the previous dataset is still there');
  await screenshot(page, 'bad-csv.png');
  // A good file then loads, with string labels from the chosen column.
  const good = csv('good.csv', `width;label;height\n${rows(40, (i) => `${i % 9};${i % 2 ? 'cat' : 'dog'};${(i * 7) % 11}`)}\n`);
  await page.fill('#label-column', 'label');
  await page.dispatchEvent('#label-column', 'change');
  await page.setInputFiles('#csv-file', good);
  await page.waitForFunction(() => /good\.csv/.test(document.querySelector('#data-chart figcaption').textContent));
  const caption = await page.textContent('#data-chart figcaption');
  assert.match(caption, /cat: 20, dog: 20/);
  assert.equal(await page.$('#input-error'), null);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('an out-of-range setting is refused with the field and value, and the previous value stays', async () => {
  const page = await openPage(browser, server.url);
  await waitReady(page);
  await page.fill('#learning-rate', '-1');
  await page.dispatchEvent('#learning-rate', 'change');
  await page.waitForSelector('#input-error');
  assert.match(await page.textContent('#input-error'), /train\.learning_rate must be > 0 and ≤ 10, got -1/);
  assert.equal(await page.inputValue('#learning-rate'), '0.01');
  await page.context().close();
});

test('a shared link restores the same settings', async () => {
  const e = experiment((x) => {
    x.seed = 777; x.data.source = 'spiral'; x.data.n_samples = 300; x.data.noise = 0.2;
    x.model.layers = 3; x.model.width = 16; x.model.activation = 'tanh';
    x.train.optimizer = 'sgd'; x.train.learning_rate = 0.05; x.train.epochs = 7; x.train.batch_size = 16;
  });
  const page = await openPage(browser, server.url + experimentHash(e));
  await waitReady(page);
  const values = {
    '#seed': '777', '#n-samples': '300', '#noise': '0.2', '#layers': '3', '#width': '16',
    '#learning-rate': '0.05', '#epochs': '7', '#batch-size': '16',
  };
  for (const [sel, v] of Object.entries(values)) assert.equal(await page.inputValue(sel), v, sel);
  assert.equal(await page.inputValue('#dataset'), 'spiral');
  assert.equal(await page.inputValue('#activation'), 'tanh');
  assert.equal(await page.inputValue('#optimizer'), 'sgd');
  assert.match(await page.textContent('#data-chart figcaption'), /Spiral.*n=300/);
  // Editing a setting rewrites the link.
  await page.fill('#epochs', '9');
  await page.dispatchEvent('#epochs', 'change');
  const decoded = await linkExperiment(page);
  assert.equal(decoded.train.epochs, 9);
  assert.equal(decoded.seed, 777);
  await page.context().close();
});

test('a CSV link carries no data and asks for the file again', async () => {
  const e = experiment((x) => { x.data.source = 'csv'; x.data.csv = { file: 'patients.csv', label_column: 'y' }; });
  const page = await openPage(browser, server.url + experimentHash(e));
  await page.waitForSelector('#input-error', { timeout: 60000 });
  assert.match(await page.textContent('#input-error'), /patients\.csv.*choose the file again/);
  assert.ok(!decodeURIComponent(page.url()).includes('1,2'), 'no data in the link');
  await page.context().close();
});
