/**
 * The page updates without a reload when a block is indexed, and an alert
 * arrives: a store written block by block (live-store.ts, the indexer's own
 * write path) read by a gateway that polls its head, the page open in
 * Debian's Chromium (playwright-core) over the real graphql-ws subscriptions.
 *
 * By hand (shared pool: ratio = collateral / (long + short)): block 1
 * 1200 / (600 + 400) = 1.2000x, buffer $200; block 2 900 / 1000 = 0.9000x,
 * buffer −$100, below the rule's threshold of 1: it fires.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../server/gateway';
import { loadConfig } from '../../server/gateway/config';
import { buildWeb, post } from './demo-stack';
import { LiveStore } from './live-store';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`SKIPPED: the live browser test of the page at / needs Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
const ARTIFACTS = resolve(__dirname, '../../test-artifacts/page');

let dir: string;
let store: LiveStore;
let gateway: RunningServer;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  await buildWeb();
  dir = mkdtempSync(join(tmpdir(), 'svr-page-live-'));
  store = new LiveStore(dir);
  store.write('1200', '600', '400');
  const file = join(dir, 'svr.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      subscriptions: { headPollMs: 50 },
      alerts: {
        rules: [{ id: 'page-gmx-ratio', kind: 'RATIO_BELOW', protocol: 'gmx-v1', network: 'arbitrum-one', threshold: '1', clearAt: '1.1' }],
        stateFile: join(dir, 'alerts.sqlite'),
        redisKeyPrefix: `svr-page-live-${process.pid}-${Date.now()}:`,
      },
    }),
  );
  gateway = await startServer({ dataDir: dir, port: 0, host: '127.0.0.1', config: loadConfig({ file, env: {} }), logger: pino({ level: 'silent' }) });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function text(page: Page, selector: string, expected: string): Promise<void> {
  try {
    await page.waitForFunction(([s, t]) => (document.querySelector(s) as HTMLElement | null)?.innerText.includes(t) ?? false, [selector, expected] as const, { timeout: 60_000 });
  } catch {
    expect(await page.locator(selector).innerText()).toContain(expected);
  }
}

(available ? test : test.skip)('a new block changes the overview without a reload, the alert arrives, and it is acknowledged', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${gateway.url}/`);
  const row = '#overview tr[data-venue="gmx-v1/arbitrum-one"]';
  await text(page, `${row} td[data-field="ratio"]`, '1.2000×');
  await text(page, `${row} td[data-field="alerts"]`, 'none');
  await text(page, '#live', 'Live: waiting for the next indexed block.');
  const loads = await page.evaluate(() => performance.getEntriesByType('navigation').length);

  store.write('900', '600', '400');
  await text(page, '#live', 'gmx-v1/arbitrum-one indexed block 2');
  await text(page, `${row} td[data-field="ratio"]`, '0.9000×');
  await text(page, `${row} td[data-field="buffer"]`, '−$100');
  await text(page, `${row} td[data-field="block"]`, '2');
  await text(page, `${row} td[data-field="alerts"]`, '1 firing');
  await text(page, '#alert-toast', 'Alert firing: gmx-v1/arbitrum-one.');
  expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(loads); // no reload
  await page.screenshot({ path: join(ARTIFACTS, 'live-overview-laptop.png'), fullPage: true });

  await page.goto(`${gateway.url}/#/alerts`);
  await page.waitForSelector('#alert-events button[data-ack]', { timeout: 60_000 });
  const events = await post(`${gateway.url}/graphql`, '{ alertEvents(first: 10) { id state block { number } acknowledged } }');
  expect(events.errors).toBeUndefined();
  const fired = events.data!.alertEvents.find((e: { state: string }) => e.state === 'FIRING');
  expect(fired).toMatchObject({ block: { number: 2 }, acknowledged: false });
  await text(page, '#alert-events tbody', '2');
  await page.locator(`#alert-events button[data-ack="${fired.id}"]`).click();
  await text(page, '#alert-events tbody', 'acknowledged');
  const after = await post(`${gateway.url}/graphql`, `{ alertEvents(first: 10) { id acknowledged } }`);
  expect(after.data!.alertEvents.find((e: { id: string }) => e.id === fired.id).acknowledged).toBe(true);
  await page.screenshot({ path: join(ARTIFACTS, 'live-alerts-laptop.png'), fullPage: true });
  expect(problems).toEqual([]);
  await page.close();
}, 180_000);
