// No request leaves the origin: the Content-Security-Policy blocks a deliberate cross-origin fetch from the page
// and from a blob: worker like the engine's, and a whole visit (load, train, download) asks only its own files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, experiment, experimentHash, waitReady, trainToDone } from './support.mjs';

let server, other, browser;
before(async () => { server = await serve(); other = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); await other?.close(); });

test('cross-origin fetches are blocked from the page and from a worker', async () => {
  const page = await openPage(browser, server.url);
  await waitReady(page);
  const target = other.url + 'index.html'; // another origin (other port) that would answer if asked
  const fromPage = await page.evaluate((u) => fetch(u).then(() => 'fetched', (e) => 'blocked: ' + e), target);
  assert.match(fromPage, /^blocked/);
  const fromWorker = await page.evaluate((u) => new Promise((resolve) => {
    const code = `fetch(${JSON.stringify(u)}).then(() => postMessage('fetched'), (e) => postMessage('blocked: ' + e));`;
    const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
    w.onmessage = (m) => resolve(m.data);
    w.onerror = (e) => resolve('blocked: ' + e.message);
  }), target);
  assert.match(fromWorker, /^blocked/);
  assert.deepEqual(other.hits, [], 'the other origin never saw a request');
  await page.context().close();
});

test('a whole visit requests nothing beyond its own origin', async () => {
  const page = await openPage(browser, server.url + experimentHash(experiment((e) => { e.train.epochs = 5; })));
  await waitReady(page);
  await trainToDone(page);
  const origin = new URL(server.url).origin;
  const outside = page.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(outside, []);
  assert.ok(server.hits.some((p) => p.endsWith('lethe-worker_bg.wasm')), 'the engine was loaded from the origin');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
