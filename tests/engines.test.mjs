// Two engines: every page loads the CPU-only engine (lethe-worker), and Auto loads the WebGPU engine
// (lethe-worker-gpu) only for a run large enough to pay on a hardware adapter (lethe_protocol::auto_backend).
// This machine has no GPU: the test switch `adapter` makes the page assume a hardware adapter named "Test GPU".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, experiment, experimentHash, waitReady, trainToDone } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const gpuFetched = () => server.hits.some((p) => p.endsWith('lethe-worker-gpu_bg.wasm'));
const cpuFetches = () => server.hits.filter((p) => p.endsWith('lethe-worker_bg.wasm')).length;

test('a page without a GPU loads only the CPU engine, trains and never fetches the WebGPU engine', async () => {
  server.hits.length = 0;
  const page = await openPage(browser, server.url + experimentHash(experiment((e) => { e.train.epochs = 3; })));
  assert.equal(await waitReady(page), 'CPU');
  assert.match(await trainToDone(page), /^done/);
  assert.ok(cpuFetches() >= 1, 'the CPU engine was loaded');
  assert.ok(!gpuFetched(), 'the WebGPU engine was not fetched');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('Auto keeps an MLP on the CPU engine even with a hardware adapter, and says why', async () => {
  server.hits.length = 0;
  const page = await openPage(browser, server.url + experimentHash(experiment((e) => { e.train.epochs = 3; })),
    { testSwitch: { adapter: 'Test GPU' } });
  await waitReady(page);
  assert.match(await trainToDone(page), /^done/);
  // Closed form: 64 rows × (2·32 + 32·32 + 32·3) multiply-adds = 0.08 M a step, far under the 10 M threshold.
  assert.match(await page.textContent('#backend-reason'), /too small for the GPU \(Test GPU\)/);
  assert.ok(!gpuFetched(), 'the WebGPU engine was not fetched for an MLP');
  await page.context().close();
});

test('Auto loads the WebGPU engine for a large CNN on a hardware adapter, and runs the job there', async () => {
  server.hits.length = 0;
  // The digits CNN: 128 × 309,248 = 39.6 M multiply-adds a step, 3 epochs × 1346 rows = 1.25 G: over both thresholds.
  const cnn = experiment((e) => {
    e.data = { source: 'digits', test_fraction: 0.25, plot_features: [0, 1] };
    e.model = { kind: 'cnn', layers: 1, width: 32, activation: 'relu' };
    e.train = { ...e.train, batch_size: 128, epochs: 3 };
  });
  const page = await openPage(browser, server.url + experimentHash(cnn), { testSwitch: { adapter: 'Test GPU' } });
  await waitReady(page);
  assert.ok(!gpuFetched(), 'not before a run asks for it');
  const status = await trainToDone(page);
  assert.match(status, /^done/);
  assert.ok(gpuFetched(), 'the WebGPU engine was fetched for the CNN');
  // Without a real adapter the WebGPU engine finds none and trains on the CPU itself: the job still completes.
  assert.match(status, /test accuracy/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
