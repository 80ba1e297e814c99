// Your own model in the page: a scikit-learn MLP's weights file (examples/models/digits-mlp.safetensors, written by
// scripts/example-model.py) chosen under "Your model", its architecture said, Evaluate, Forget, and a row's model
// downloaded and read back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SHOTS, serve, launch, openPage, experimentHash, waitReady, trainToDone, downloadReport, openTab, openView } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const MODEL = path.join(ROOT, 'examples', 'models', 'digits-mlp.safetensors');
// The CLI's report of the same experiment and file: the imported model measured on the same test split.
const GOLDEN = JSON.parse(fs.readFileSync(path.join(ROOT, 'crates', 'cli', 'tests', 'golden', 'digits-unlearn-your-model.json'), 'utf8'));

/** The tensors' names, dtypes and shapes in a safetensors file: its header, a little-endian u64 length then JSON. */
function header(bytes) {
  const length = Number(bytes.readBigUInt64LE(0));
  const json = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
  delete json.__metadata__;
  return Object.fromEntries(Object.entries(json).map(([name, t]) => [name, `${t.dtype} ${JSON.stringify(t.shape)}`]));
}

test('a model trained in scikit-learn is imported, evaluated, unlearned and downloaded', async () => {
  const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'digits-unlearn-your-model.json'), 'utf8'));
  example.train.epochs = 20; // the retrain's recipe, shortened: the imported model is what is measured here
  example.backend = 'cpu';
  delete example.unlearn;
  const page = await openPage(browser, server.url + experimentHash(example));
  await waitReady(page);
  // A link never carries the file: the panel asks for it, and Evaluate waits.
  assert.match(await page.textContent('#model-architecture'), /unlearns the model in "models\/digits-mlp\.safetensors": choose that file/);
  assert.equal((await page.textContent('#train')).trim(), 'Evaluate');
  assert.match(await page.textContent('#status'), /choose the model's weights file/);
  // A truncated file is refused with the file named; the right one then reads.
  const bytes = fs.readFileSync(MODEL);
  await page.setInputFiles('#model-file', { name: 'cut.safetensors', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, 300) });
  await page.waitForSelector('#input-error');
  assert.match(await page.textContent('#input-error'), /model\.import: cut\.safetensors: not a readable safetensors file/);
  await page.setInputFiles('#model-file', MODEL);
  await page.waitForFunction(() => /parameters/.test(document.querySelector('#model-architecture').textContent));
  // 64·48 + 48 + 48·24 + 24 + 24·10 + 10 = 4,546 parameters, in closed form.
  assert.equal(await page.textContent('#model-architecture'), 'MLP 64 → 48 → 24 → 10, ReLU, 4,546 parameters, from digits-mlp.safetensors');
  assert.equal(await page.$('#input-error'), null);
  // The model panel shows the file's architecture.
  assert.equal(await page.inputValue('#widths'), '48, 24');
  const status = await trainToDone(page);
  assert.doesNotMatch(status, /earlier settings/, 'the results are those of the settings on screen');
  const report = await downloadReport(page);
  assert.equal(report.runs[0].epochs, 0, 'nothing was trained');
  assert.equal(report.runs[0].test_acc, GOLDEN.runs[0].test_acc, 'the same accuracy as the CLI on the same file');
  assert.equal(report.experiment.model.import.file, 'digits-mlp.safetensors');
  // Forget: one method against one retrain, then the method's model as a file in the imported layout and names.
  await openTab(page, 'forget');
  for (const box of await page.$$('#lab-methods input[type=checkbox]')) {
    if (await box.isChecked()) await box.uncheck();
  }
  await page.check('#method-check-finetune');
  await page.click('#lab-run');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#lab-status').textContent), null, { timeout: 180000 });
  assert.match(await page.textContent('#lab-status'), /^done/);
  const rows = await page.$$eval('#lab-table tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(rows, ['train', 'retrain', 'finetune']);
  await openView(page, 'table');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-finetune')]);
  assert.equal(download.suggestedFilename(), 'lethe-finetune.safetensors');
  const saved = fs.readFileSync(await download.path());
  assert.deepEqual(header(saved), header(bytes), 'the names, dtypes and shapes it came with');
  assert.notDeepEqual(saved.subarray(saved.length - 40), bytes.subarray(bytes.length - 40), 'fine-tuned weights');
  await page.locator('#your-model').screenshot({ path: path.join(SHOTS, 'your-model.png') });
  await page.locator('#lab-results .lab-table').screenshot({ path: path.join(SHOTS, 'your-model-table.png') });
  // The file is kept in this browser like a CSV: after a reload the architecture is read again without choosing it.
  await page.reload();
  await waitReady(page);
  await page.waitForFunction(() => /4,546 parameters, from digits-mlp\.safetensors/.test(document.querySelector('#model-architecture').textContent));
  assert.equal((await page.textContent('#train')).trim(), 'Evaluate');
  // Back to Lethe's own model: Train trains again.
  await page.click('#model-remove');
  await page.waitForFunction(() => document.querySelector('#train').textContent.trim() === 'Train');
  assert.deepEqual(page.errors, []);
  // Downloads are blob: URLs of the page's own origin; nothing else is asked of anyone.
  for (const url of page.requests) assert.ok(url.startsWith(server.url) || url.startsWith(`blob:${server.url}`), `a request left the page's origin: ${url}`);
  await page.context().close();
});
