// WebGPU forced on Chromium's SwiftShader adapter (--enable-unsafe-webgpu): a tiny model trains and its loss falls.
// Kept tiny: SwiftShader is a CPU emulation of a GPU, and the first epoch compiles the shaders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, experiment, experimentHash, waitReady, trainToDone, downloadReport, screenshot } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch({ webgpu: true }); });
after(async () => { await browser?.close(); await server?.close(); });

test('auto mode keeps the CPU on a software adapter and says so', async () => {
  const page = await openPage(browser, server.url);
  assert.equal(await waitReady(page), 'CPU');
  assert.match(await page.textContent('#backend-reason'), /software/);
  await page.context().close();
});

test('forced WebGPU trains a tiny model and the loss falls', async () => {
  const tiny = experiment((e) => {
    e.backend = 'webgpu'; e.data.n_samples = 64; e.model.layers = 1; e.model.width = 8;
    e.train.epochs = 3; e.train.batch_size = 32; e.train.learning_rate = 0.05;
  });
  const page = await openPage(browser, server.url + experimentHash(tiny));
  assert.equal(await waitReady(page, 120000), 'WebGPU');
  await trainToDone(page, 300000);
  const report = await downloadReport(page);
  assert.equal(report.backend, 'webgpu');
  const h = report.runs[0].history;
  assert.equal(h.length, 3);
  assert.ok(h[2].train_loss < h[0].train_loss, `loss ${h.map((r) => r.train_loss)}`);
  await screenshot(page, 'webgpu.png');
  await page.context().close();
});

test('a GPU lost mid-run (test switch gpu-lost@2) is rerun on a fresh CPU worker, which the page says', async () => {
  const tiny = experiment((e) => {
    e.backend = 'webgpu'; e.data.n_samples = 64; e.model.layers = 1; e.model.width = 8;
    e.train.epochs = 3; e.train.batch_size = 32; e.train.learning_rate = 0.05;
  });
  const page = await openPage(browser, server.url + experimentHash(tiny), { testSwitch: { fault: 'gpu-lost@2' } });
  assert.equal(await waitReady(page, 120000), 'WebGPU');
  await trainToDone(page, 300000);
  assert.match(await page.textContent('.notices'), /failed on WebGPU.*restarted the engine on the CPU/);
  assert.equal((await page.textContent('#backend-badge')).trim(), 'CPU');
  assert.match(await page.textContent('#curves-caption'), /failed attempt \(GPU lost at epoch 2\)/);
  const report = await downloadReport(page);
  assert.equal(report.backend, 'cpu');
  assert.equal(report.runs[0].epochs, 3);
  await screenshot(page, 'recovered-gpu-loss.png');
  await page.context().close();
});
