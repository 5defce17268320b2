/**
 * End to end, in Debian's Chromium: serves the built site (`pnpm build` first; turbo runs it before
 * this test) with the cross-origin isolation headers, opens every page reachable from the home page
 * (no broken link or anchor, no console error, no failed request), then runs each live demo as a
 * reader would and checks what the page shows: the loss falls, the karate-club accuracy reaches 90%,
 * generated text appears, and the wasm backend trained. Screenshots go to e2e/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSite } from '../scripts/serve.mjs';
import { chromiumMissing, launchChromium } from './browser.js';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const missing = chromiumMissing();
// CI must run this test; elsewhere a missing browser skips it with the reason printed.
if (missing && process.env.CI) throw new Error(`the browser test cannot run: ${missing}`);
if (missing) console.warn(`skipping the browser test: ${missing}`);

/** Problems a page reported while it was open: console errors, uncaught exceptions, failed requests. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    // Leaving a page aborts what it was still prefetching (VitePress prefetches linked pages' chunks).
    if (request.failure()?.errorText !== 'net::ERR_ABORTED')
      problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

/** Mean of the first and of the last `n` values of a series. */
function ends(values: readonly number[], n = 5): { first: number; last: number } {
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return { first: mean(values.slice(0, n)), last: mean(values.slice(-n)) };
}

async function jsonAttribute<T>(page: Page, selector: string, name: string): Promise<T> {
  const text = await page.locator(selector).getAttribute(name);
  if (text === null) throw new Error(`${selector} has no ${name} attribute`);
  return JSON.parse(text) as T;
}

describe.skipIf(missing !== null)('the docs site in Chromium', () => {
  let browser: Browser;
  let site: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    site = await serveSite({ port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('opens every page linked from the home page, with no broken link or anchor and no console error', async () => {
    const started = Date.now();
    const origin = new URL(site.url).origin;
    const seen = new Set<string>(['/']);
    const queue = ['/'];
    const anchors: { from: string; path: string; hash: string }[] = [];
    const problems: string[] = [];
    const ids = new Map<string, Set<string>>();
    const context = await browser.newContext();
    const visit = async (page: Page, path: string, pageProblems: string[]): Promise<void> => {
      pageProblems.length = 0;
      const response = await page.goto(origin + path, { waitUntil: 'load' });
      if (!response || response.status() !== 200) problems.push(`${path}: HTTP ${response?.status()}`);
      if ((await page.locator('.NotFound').count()) > 0) problems.push(`${path}: VitePress's not-found page`);
      ids.set(path, new Set(await page.$$eval('[id]', (elements) => elements.map((e) => e.id))));
      const hrefs = await page.$$eval('a[href]', (links) => links.map((a) => (a as HTMLAnchorElement).href));
      for (const href of hrefs) {
        const url = new URL(href);
        if (url.origin !== origin) continue;
        const target = url.pathname.replace(/\.html$/, '');
        if (url.hash.length > 1) anchors.push({ from: path, path: target, hash: decodeURIComponent(url.hash.slice(1)) });
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
      for (const p of pageProblems) problems.push(`${path}: ${p}`);
    };
    // Two tabs crawl side by side; a tab stops when the queue is empty and no tab is still loading a
    // page (which may add more).
    let busy = 0;
    await Promise.all(
      [0, 1].map(async () => {
        const page = await context.newPage();
        const pageProblems = watch(page);
        for (;;) {
          const path = queue.shift();
          if (path === undefined) {
            if (busy === 0) break;
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          busy++;
          try {
            await visit(page, path, pageProblems);
          } finally {
            busy--;
          }
        }
        await page.close();
      }),
    );
    // Every #anchor must name an element of its page (ids recorded when the page was opened).
    for (const { from, path, hash } of anchors) {
      const pageIds = ids.get(path);
      if (pageIds && !pageIds.has(hash)) problems.push(`${path}#${hash}: no such anchor (linked from ${from})`);
    }
    await context.close();
    console.log(`opened ${seen.size} pages in ${((Date.now() - started) / 1000).toFixed(0)} s, checked ${anchors.length} anchors`);
    expect(seen.size).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  }, 600_000);

  /** Opens a demo page; returns it with its problem list and the backend label it shows. */
  async function openDemo(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const problems = watch(page);
    await page.goto(`${site.url}${path}`, { waitUntil: 'load' });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    return { page, problems };
  }

  it('trains GCN and GAT on the karate club: the loss falls, the accuracy reaches 90% (GCN) and 85% (GAT), on wasm', async () => {
    const { page, problems } = await openDemo('/demos/karate');
    const root = '[data-testid="karate-demo"]';
    for (const model of ['GCN', 'GAT']) {
      const started = Date.now();
      await page.locator('[data-testid="karate-model"]').selectOption(model.toLowerCase());
      await page.locator('[data-testid="karate-train"]').click();
      await page.waitForSelector(`${root}[data-done="true"]`, { timeout: 120_000 });
      const seconds = (Date.now() - started) / 1000;
      const losses = await jsonAttribute<number[]>(page, root, 'data-losses');
      const accuracies = await jsonAttribute<number[]>(page, root, 'data-accuracies');
      const { first, last } = ends(losses);
      const shown = await page.locator('[data-testid="karate-accuracy"]').innerText();
      console.log(
        `karate ${model}: ${losses.length} epochs in ${seconds.toFixed(1)} s, loss ${first.toFixed(3)} → ${last.toFixed(3)}, ${shown}`,
      );
      expect(last).toBeLessThan(first * 0.7);
      // Seed 0, as the page says: GCN 31 of 32, GAT 28 of 32 (over seeds 0–29 GAT ends between 56% and 97%, 91% on average).
      const least = model === 'GCN' ? 0.9 : 0.85;
      expect(accuracies.at(-1)).toBeGreaterThanOrEqual(least);
      expect(Number.parseFloat(shown)).toBeGreaterThanOrEqual(100 * least);
      await page.screenshot({ path: `${SCREENSHOTS}karate-${model.toLowerCase()}.png`, fullPage: true });
    }
    expect(await page.locator('[data-testid="karate-backend"]').innerText()).toMatch(/^wasm/);
    expect(problems).toEqual([]);
    await page.close();
  }, 300_000);

  it('trains the character LSTM in the page: the loss falls and generated text appears, on wasm', async () => {
    const { page, problems } = await openDemo('/demos/char-lstm');
    const root = '[data-testid="charlm-demo"]';
    const started = Date.now();
    await page.locator('[data-testid="charlm-train"]').click();
    await page.waitForSelector(`${root}[data-done="true"]`, { timeout: 240_000 });
    const seconds = (Date.now() - started) / 1000;
    const losses = await jsonAttribute<number[]>(page, root, 'data-losses');
    const { first, last } = ends(losses);
    console.log(`char-LSTM: ${losses.length} steps in ${seconds.toFixed(1)} s, loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
    expect(last).toBeLessThan(first * 0.8);
    await page.locator('[data-testid="charlm-generate"]').click();
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="charlm-output"]')?.textContent ?? '').trim().length >= 20,
      undefined,
      { timeout: 60_000 },
    );
    console.log(`generated: ${JSON.stringify(await page.locator('[data-testid="charlm-output"]').innerText())}`);
    expect(await page.locator(root).getAttribute('data-backend')).toBe('wasm');
    expect(await page.locator('[data-testid="charlm-backend"]').innerText()).toMatch(/^wasm/);
    await page.screenshot({ path: `${SCREENSHOTS}char-lstm.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 360_000);

  it('charts gradient norms over time for RNN, LSTM and GRU, and recomputes them for a new length, on wasm', async () => {
    const { page, problems } = await openDemo('/demos/gradient-flow');
    const root = '[data-testid="gradflow-demo"]';
    await page.waitForSelector(`${root}[data-done="true"]`, { timeout: 120_000 });
    const before = await jsonAttribute<Record<string, number[]>>(page, root, 'data-norms');
    expect(Object.keys(before).sort()).toEqual(['gru', 'lstm', 'rnn']);
    const length = before.rnn!.length;
    for (const norms of Object.values(before)) {
      expect(norms.length).toBe(length);
      expect(norms.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
    }
    // The tanh RNN's gradient reaching the first step is far smaller than at the last.
    expect(before.rnn![0]!).toBeLessThan(before.rnn!.at(-1)!);
    const slider = page.locator('[data-testid="gradflow-length"]');
    const next = length === 20 ? 40 : 20;
    await slider.fill(String(next));
    await page.waitForFunction(
      ([selector, n]) => {
        const el = document.querySelector(selector as string);
        const norms = el?.getAttribute('data-done') === 'true' ? JSON.parse(el.getAttribute('data-norms') ?? '{}') : {};
        return norms.rnn?.length === n;
      },
      [root, next] as const,
      { timeout: 120_000 },
    );
    expect(await page.locator(root).getAttribute('data-backend')).toBe('wasm');
    await page.screenshot({ path: `${SCREENSHOTS}gradient-flow.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 300_000);
});
