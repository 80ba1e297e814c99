// The same experiment gives the same data in the page and in the CLI (checksum of the standardised split, exactly)
// and the same test accuracy within 0.01 (the CPU kernels of wasm and x86 may round differently).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, serve, launch, openPage, experimentHash, waitReady, trainToDone, downloadReport } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

function cli(experimentFile) {
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
  const bin = path.join(targetDir, 'debug', 'lethe');
  const args = fs.existsSync(bin) ? [] : null;
  const out = args
    ? execFileSync(bin, ['run', experimentFile], { encoding: 'utf8' })
    : execFileSync('cargo', ['run', '-q', '-p', 'lethe-cli', '--', 'run', experimentFile], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out);
}

for (const name of ['moons-mlp.json', 'breast-cancer-logistic.json']) {
  test(`page and CLI agree on ${name}`, async () => {
    const file = path.join(ROOT, 'examples', name);
    const experiment = JSON.parse(fs.readFileSync(file, 'utf8'));
    experiment.backend = 'cpu';
    const tmp = path.join(os.tmpdir(), `lethe-parity-${process.pid}-${name}`);
    fs.writeFileSync(tmp, JSON.stringify(experiment));
    const native = cli(tmp);
    fs.rmSync(tmp);
    const page = await openPage(browser, server.url + experimentHash(experiment));
    await waitReady(page);
    await trainToDone(page);
    const web = await downloadReport(page);
    assert.equal(web.dataset.checksum, native.dataset.checksum);
    assert.equal(web.dataset.n_train, native.dataset.n_train);
    assert.ok(Math.abs(web.runs[0].test_acc - native.runs[0].test_acc) <= 0.01,
      `page ${web.runs[0].test_acc} vs CLI ${native.runs[0].test_acc}`);
    assert.deepEqual(web.experiment, native.experiment);
    await page.context().close();
  });
}
