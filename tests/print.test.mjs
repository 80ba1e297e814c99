// "Print report": the current results laid out for A4 by the print stylesheet: the header with what ran and the
// experiment's link, training's results and the lab's, nothing wider than the page, the settings and buttons gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { serve, launch, openPage, experiment, experimentHash, waitReady, trainToDone, openTab, SHOTS } from './support.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// A4 is 210 mm wide; with the stylesheet's 12 mm margins 186 mm print, 703 CSS pixels at 96 per inch.
const A4_PRINTABLE_PX = Math.floor((186 / 25.4) * 96);

test('the printed report: header and link, training and lab results, nothing wider than A4, no settings', async () => {
  const e = experiment((x) => {
    x.train.epochs = 5;
    x.unlearn = { forget: { kind: 'class', classes: [1] }, methods: ['finetune'], retrain_seeds: 1 };
  });
  const page = await openPage(browser, server.url + experimentHash(e));
  await waitReady(page);
  assert.equal(await page.isDisabled('#print-report'), true, 'nothing to print before a run');
  assert.equal(await page.isVisible('#print-header'), false, 'the header is for paper only');
  await trainToDone(page);
  await openTab(page, 'forget');
  await page.click('#lab-run');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('#lab-status').textContent), null, { timeout: 180000 });
  assert.match(await page.textContent('#lab-status'), /^done/);
  assert.equal(await page.isDisabled('#print-report'), false);
  await page.setViewportSize({ width: A4_PRINTABLE_PX, height: 1000 });
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('#print-header'), true);
  assert.match(await page.textContent('#print-what'), /Dataset "moons", model "mlp", seed \d+: unlearning \(1 method against retraining\)/);
  const link = await page.textContent('#print-link');
  const shared = JSON.parse(Buffer.from(link.split('#e=')[1], 'base64url').toString());
  assert.deepEqual(shared.unlearn.methods, ['finetune']);
  for (const id of ['#results', '#metrics', '#lab-results', '#lab-table']) assert.ok(await page.isVisible(id), `${id} prints`);
  // Each printed section carries the link too (training's and the lab's here), so a page on its own leads back.
  const sectionLinks = await page.$$eval('.section-link', (ps) => ps.filter((p) => p.offsetParent).map((p) => p.textContent));
  assert.equal(sectionLinks.length, 2, sectionLinks.join('\n'));
  for (const text of sectionLinks) assert.equal(text.replace('Reproduce it: ', ''), link);
  for (const hidden of ['.controls', '#forget-step', '#train', '#lab-run', '#print-report']) {
    assert.equal(await page.isVisible(hidden), false, `${hidden} does not print`);
  }
  // Nothing wider than the printable width: the page, and every table, chart and figure in it.
  const widest = await page.evaluate(() => {
    const boxes = [...document.querySelectorAll('table, svg, figure, section')]
      .filter((el) => el.getClientRects().length > 0)
      .map((el) => ({ what: el.id || el.tagName, right: el.getBoundingClientRect().right }));
    return { scroll: document.documentElement.scrollWidth, worst: boxes.sort((a, b) => b.right - a.right)[0] };
  });
  const over = await page.evaluate((w) => [...document.querySelectorAll('*')]
    .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > w + 0.5)
    .map((el) => `${el.tagName}#${el.id}.${el.className?.baseVal ?? el.className} ${Math.round(el.getBoundingClientRect().right)}`)
    .slice(0, 15), A4_PRINTABLE_PX);
  assert.ok(widest.scroll <= A4_PRINTABLE_PX, `the page is ${widest.scroll} px wide: ${over.join('; ')}`);
  assert.ok(widest.worst.right <= A4_PRINTABLE_PX + 0.5, `${widest.worst.what} reaches ${widest.worst.right} px`);
  // The browser's own A4 layout: the lab starts a page of its own, so at least two pages.
  const pdf = await page.pdf({ format: 'A4', printBackground: false });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= 2, `${pages} pages`);
  fs.writeFileSync(`${os.tmpdir()}/lethe-print-report.pdf`, pdf); // for a look; megabytes, so not kept in docs/
  await page.screenshot({ path: `${SHOTS}/print-report.png`, fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
