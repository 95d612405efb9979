/**
 * The page at / rendered by a real browser: headless Chromium from Debian
 * (/usr/bin/chromium, or CHROMIUM). Optional, as the README says: without a
 * Chromium the test prints that it is skipped. CI installs one.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../server/gateway';
import { demoDataDir, startDemoGateway } from './demo-stack';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`SKIPPED: the browser test of the page at / needs Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);

let server: RunningServer;
const profile = mkdtempSync(join(tmpdir(), 'svr-chromium-'));
afterAll(() => rmSync(profile, { recursive: true, force: true }));
beforeAll(async () => {
  if (available) server = await startDemoGateway(await demoDataDir());
}, 600_000);
afterAll(async () => server?.close());

(available ? test : test.skip)('Chromium renders one row per deployment and the aggregate, with no errors', async () => {
  // Asynchronously: the server answering the browser runs in this process.
  const { stdout: dom } = await promisify(execFile)(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--virtual-time-budget=10000',
      '--dump-dom',
      `${server.url}/`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(dom)![1];
  const rows = body.match(/<tr>/g) ?? [];
  expect(rows).toHaveLength(9);
  for (const network of ['arbitrum-one', 'avalanche', 'mainnet', 'optimism']) expect(body).toContain(`<td>${network}</td>`);
  expect(/<tfoot>([\s\S]*?)<\/tfoot>/.exec(dom)![1]).toContain('aave-v3+gmx-v1+gmx-v2+synthetix-perps-v2');
  // The status column: each venue's status as its subgraph states it (test/gateway/queries.test.ts checks the values).
  expect(body.match(/>paused since 2025-07-09<\/td>/g) ?? []).toHaveLength(2); // gmx-v1 on arbitrum-one and avalanche
  expect(body.match(/>legacy<\/td>/g) ?? []).toHaveLength(1); // synthetix-perps-v2 on optimism
  expect(body.match(/>live<\/td>/g) ?? []).toHaveLength(6); // aave-v3 on four networks, gmx-v2 on two
  const status = /<p id="status"[^>]*>([\s\S]*?)<\/p>/.exec(dom)![1];
  expect(status).toMatch(/^(All sources answered\.|\* leaves out tokens that have no price yet\.)$/);
  const backtests = /<table id="backtests">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(dom)![1];
  expect(backtests.match(/<tr>/g) ?? []).toHaveLength(9);
  expect(backtests).toContain('<td>13</td>'); // 25 indexed hours, a 12-hour window: 13 forecasts each
  expect(/<p id="backtest-status"[^>]*>([\s\S]*?)<\/p>/.exec(dom)![1]).toBe('Every deployment backtested.');
});
