// Shared helpers for the browser end-to-end tests: a static server for dist/, Debian's Chromium through
// playwright-core (never a downloaded browser), and experiment links.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const DIST = path.join(ROOT, 'dist');
export const SHOTS = path.join(ROOT, 'docs', 'screenshots');

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.csv': 'text/csv',
};

/** Serves `root` on 127.0.0.1 at a free port; `hits` lists every path asked for. `mounts` maps a path prefix
 * (`/tfjs/`) to another folder (the bench's TensorFlow.js comparison; the app never asks for these). */
export async function serve(root = DIST, mounts = {}) {
  const hits = [];
  const server = http.createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    hits.push(p);
    if (p.endsWith('/')) p += 'index.html';
    let base = root;
    for (const [prefix, folder] of Object.entries(mounts)) {
      if (p.startsWith(prefix)) { base = folder; p = p.slice(prefix.length - 1); break; }
    }
    const file = path.join(base, p);
    if (!file.startsWith(base) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, port, hits, close: () => new Promise((r) => server.close(r)) };
}

/** Headless Debian Chromium; `webgpu` adds --enable-unsafe-webgpu (SwiftShader's software adapter). */
export async function launch({ webgpu = false } = {}) {
  const args = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args });
}

/** A page that records console errors, console warnings (the page's and its workers'), page errors and every request.
 * `init`: a function run in every document of the page before its own scripts (the soak keeps the page's wasm
 * exports with it, tests/soak.mjs). */
export async function openPage(browser, url, { width = 1280, height = 900, colorScheme = 'light', testSwitch = null, init = null } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true, colorScheme });
  // The page's test switch (src/page_options.rs): written before any page script runs, which a link cannot do.
  if (testSwitch) await context.addInitScript((s) => localStorage.setItem('lethe.test', s), JSON.stringify(testSwitch));
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  page.errors = [];
  page.warnings = [];
  page.requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text());
    if (m.type() === 'warning') page.warnings.push(m.text());
  });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  context.on('request', (r) => page.requests.push(r.url()));
  await page.goto(url);
  return page;
}

/** The hash of an experiment link, as the page writes it (`#e=` + base64url JSON). */
export function experimentHash(experiment) {
  return '#e=' + Buffer.from(JSON.stringify(experiment)).toString('base64url');
}

/** A small valid experiment, edited by `edit`. */
export function experiment(edit = (e) => e) {
  const e = {
    version: 1, seed: 42,
    data: { source: 'moons', n_samples: 1024, noise: 0.1, classes: 3, test_fraction: 0.25, plot_features: [0, 1] },
    model: { kind: 'mlp', layers: 2, width: 32, activation: 'relu' },
    train: { optimizer: 'adam', learning_rate: 0.01, momentum: 0.9, batch_size: 64, epochs: 40, l2: 0 },
    backend: 'auto',
  };
  edit(e);
  return e;
}

/** Waits until the engine is ready and the data is drawn; returns the badge text. */
export async function waitReady(page, timeout = 60000) {
  await page.waitForFunction(() => {
    const b = document.querySelector('#backend-badge');
    return b && !b.textContent.includes('loading') && document.querySelector('#data-chart svg');
  }, null, { timeout });
  return (await page.textContent('#backend-badge')).trim();
}

/** Selects the workspace's tab `key` (train, forget, federated, vbu) and waits for its panel. */
export async function openTab(page, key) {
  // Embed mode has no tabs: everything it shows is on its one view.
  if (!(await page.$(`#tab-${key}`)) || await page.$(`#tab-${key}[aria-selected="true"]`)) return;
  await page.click(`#tab-${key}`);
  await page.waitForSelector(`#panel-${key}:not([hidden])`);
}

/** Selects the Forget tab's view `key` (overview, table, charts, closer, privacy). */
export async function openView(page, key) {
  await openTab(page, 'forget');
  await page.click(`#view-${key}`);
  await page.waitForSelector(`#forget-view.view-${key}`);
}

/** The experiment in the page's link (the hash's `e=`; the tab and view follow it). */
export async function linkExperiment(page) {
  const hash = await page.evaluate(() => location.hash);
  const e = hash.slice(1).split('&').find((p) => p.startsWith('e=')).slice(2);
  return JSON.parse(Buffer.from(e, 'base64url').toString());
}

/** Clicks Train (in the Train tab) and waits for the status to read done (or fails with the status). */
export async function trainToDone(page, timeout = 120000) {
  if (await page.$('#tab-train')) await openTab(page, 'train');
  await page.click('#train');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#status')?.textContent || ''),
    null, { timeout });
  const status = (await page.textContent('#status')).trim();
  if (!status.startsWith('done')) throw new Error(`the run did not finish: ${status}`);
  return status;
}

/** Downloads the report through the page's button and parses it. */
export async function downloadReport(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
  const file = await download.path();
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), fullPage });
}
