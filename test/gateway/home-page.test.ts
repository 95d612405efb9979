/**
 * The page at / and the explorer at /graphql in a real browser: Debian's
 * headless Chromium (/usr/bin/chromium, or CHROMIUM) driven by playwright-core
 * (which downloads no browser). Optional, as the README says: without a
 * Chromium the tests print that they are skipped, and how to install one. CI installs one.
 *
 * Each view loads with no console error and no request to another origin,
 * shows the numbers of the GraphQL answers it is built from (asked here, and
 * formatted here with the test's own bigint rounding), passes axe-core with no
 * serious or critical violation, and is saved as a screenshot at a laptop's
 * 1366x768 and a phone's 390x844 (test-artifacts/page/, gitignored).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../../server/gateway';
import { DEMO_DEPLOYMENTS, buildWeb, demoDataDir, post, startDemoGateway } from './demo-stack';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`SKIPPED: the browser tests of the page at / need Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
const ARTIFACTS = resolve(__dirname, '../../test-artifacts/page');
const SIZES = [
  { name: 'laptop', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;

let server: RunningServer;
let gateway: string;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  await buildWeb();
  server = await startDemoGateway(await demoDataDir());
  gateway = `${server.url}/graphql`;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Whole dollars, half away from zero, grouped: the test's own reading of a BigDecimal string. */
function dollars(text: string): string {
  const negative = text.startsWith('-');
  const [whole, frac = ''] = (negative ? text.slice(1) : text).split('.');
  let n = BigInt(whole);
  if (frac && frac[0]! >= '5') n += 1n;
  const grouped = n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (negative && n !== 0n ? '−$' : '$') + grouped;
}
/** A ratio to 4 decimals, half away from zero, with its unit. */
function times(text: string): string {
  const [whole, frac = ''] = text.split('.');
  const scaled = BigInt(whole + frac.padEnd(5, '0').slice(0, 5));
  const r = (scaled + 5n) / 10n;
  const s = r.toString().padStart(5, '0');
  return `${s.slice(0, -4)}.${s.slice(-4)}×`;
}

interface Opened {
  page: Page;
  context: BrowserContext;
  problems: string[];
}

/** A page at a size, recording console errors, uncaught exceptions and any request that leaves the server. */
async function open(path: string, size: (typeof SIZES)[number]): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(server.url) && !url.startsWith(server.url.replace('http', 'ws')) && !url.startsWith('data:')) problems.push(`request to another origin: ${url}`);
  });
  await page.goto(`${server.url}${path}`);
  return { page, context, problems };
}

/** Waits for the view's render, and for no "Loading…" left in it. */
async function rendered(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('main')?.dataset.rendered !== undefined && !document.querySelector('main [aria-busy="true"]') && !document.querySelector('main .loading'), undefined, { timeout: 90_000 });
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
async function accessibility(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') does not apply to it.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

async function finish(o: Opened, name: string, size: (typeof SIZES)[number]): Promise<void> {
  await o.page.screenshot({ path: join(ARTIFACTS, `${name}-${size.name}.png`), fullPage: true });
  expect(await accessibility(o.page)).toEqual([]);
  expect(o.problems).toEqual([]);
  await o.context.close();
}

const cellText = (page: Page, selector: string) => page.locator(selector).innerText();
/** Waits until the element's text contains `text` (or the timeout, which fails the test with the text it had). */
async function waitForText(page: Page, selector: string, text: string, timeout = 30_000): Promise<void> {
  try {
    await page.waitForFunction(([sel, t]) => (document.querySelector(sel) as HTMLElement | null)?.innerText.includes(t) ?? false, [selector, text] as const, { timeout });
  } catch {
    expect(await page.locator(selector).first().innerText()).toContain(text);
  }
}
const maybe = available ? describe : describe.skip;

maybe.each(SIZES)('the page at $width x $height', (size) => {
  test('overview: every deployment and the total, the figures of ratios and aggregate, a sparkline each, the synthetic banner', async () => {
    const answer = await post(gateway, '{ ratios { protocol network ratio bufferUSD collateralUSD openInterestUSD blockNumber collateralModels { model } status { status } } aggregate { ratio bufferUSD collateralUSD openInterestUSD } }');
    expect(answer.errors).toBeUndefined();
    const o = await open('/', size);
    await rendered(o.page);
    await o.page.waitForFunction((n) => document.querySelectorAll('#overview td[data-field="trend"] canvas').length === n, answer.data!.ratios.length, { timeout: 60_000 });
    expect(await o.page.locator('#banner').innerText()).toMatch(/^Synthetic demo data\. svr's demo chain: a seeded simulation/);
    expect(await o.page.locator('#overview tbody tr').count()).toBe(DEMO_DEPLOYMENTS.length);
    for (const r of answer.data!.ratios) {
      const row = `#overview tr[data-venue="${r.protocol}/${r.network}"]`;
      expect((await cellText(o.page, `${row} td[data-field="ratio"]`)).trim()).toMatch(new RegExp(`^${times(r.ratio).replace('.', '\\.')}`));
      expect(await cellText(o.page, `${row} td[data-field="buffer"]`)).toBe(dollars(r.bufferUSD));
      expect(await cellText(o.page, `${row} td[data-field="collateral"]`)).toBe(dollars(r.collateralUSD));
      expect(await cellText(o.page, `${row} td[data-field="exposure"]`)).toBe(dollars(r.openInterestUSD));
      expect(await cellText(o.page, `${row} td[data-field="block"]`)).toBe(String(r.blockNumber));
      // The venue's status as its subgraph states it (live, paused, legacy).
      expect((await cellText(o.page, `${row} td[data-field="status"]`)).toLowerCase()).toContain(r.status.status.toLowerCase());
      // The threshold of the venue's own model: none for trader margin, 1.0x for pools and lending.
      expect(await cellText(o.page, `${row} td[data-field="model"]`)).toContain(r.collateralModels[0].model === 'TRADER_MARGIN' ? 'no threshold' : 'threshold 1.0×');
    }
    const total = '#overview tr[data-venue="total"]';
    expect((await cellText(o.page, `${total} td[data-field="ratio"]`)).trim()).toBe(times(answer.data!.aggregate.ratio));
    expect(await cellText(o.page, `${total} td[data-field="buffer"]`)).toBe(dollars(answer.data!.aggregate.bufferUSD));
    expect(await cellText(o.page, `${total} td[data-field="model"]`)).toContain('no one threshold');
    await finish(o, 'overview', size);
  });

  test('a deployment: its figures, markets, curve, VaR, forecast, backtests and distance, and a stress scenario that follows the slider', async () => {
    const scope = { protocol: 'gmx-v1', network: 'arbitrum-one' };
    const answer = await post(gateway, 'query($protocol: String!, $network: String!) { ratio(protocol: $protocol, network: $network) { ratio bufferUSD collateralUSD markets { name } collateral { symbol } } }', scope);
    expect(answer.errors).toBeUndefined();
    const r = answer.data!.ratio;
    const o = await open(`/#/deployment/${scope.protocol}/${scope.network}`, size);
    await rendered(o.page);
    await o.page.waitForSelector('#stress-table', { timeout: 90_000 });
    expect(await cellText(o.page, '#headline [data-field="ratio"] .figure-value')).toBe(times(r.ratio));
    expect(await cellText(o.page, '#headline [data-field="buffer"] .figure-value')).toBe(dollars(r.bufferUSD));
    expect(await cellText(o.page, '#headline [data-field="collateral"] .figure-value')).toBe(dollars(r.collateralUSD));
    expect(await o.page.locator('#markets-table tbody tr').count()).toBe(r.markets.length);
    expect(await o.page.locator('#collateral-table tbody tr').count()).toBe(r.collateral.length);
    expect(await o.page.locator('#history canvas').count()).toBe(4);
    expect(await o.page.locator('#curve canvas').count()).toBe(1);

    const stressOf = async (marketWide: number) => {
      const a = await post(gateway, 'query($s: StressScenarioInput!) { stressTest(scenario: $s, protocols: ["gmx-v1"], networks: ["arbitrum-one"]) { venues { ratioAfter bufferAfterUSD liquidatedPositions } } }', { s: { marketWide, moves: [] } });
      expect(a.errors).toBeUndefined();
      return a.data!.stressTest.venues[0];
    };
    const shown = async () => ({
      ratio: await cellText(o.page, '#stress-table tbody tr:nth-child(1) td:nth-child(3)'),
      buffer: await cellText(o.page, '#stress-table tbody tr:nth-child(2) td:nth-child(3)'),
      liquidated: await cellText(o.page, '#cascade-table tbody tr td:nth-child(1)'),
    });
    const at20 = await stressOf(-0.2);
    expect(await shown()).toEqual({ ratio: times(at20.ratioAfter), buffer: dollars(at20.bufferAfterUSD), liquidated: String(at20.liquidatedPositions) });
    // The slider to -40%: the page asks again and shows that answer.
    await o.page.locator('#market-wide').fill('-40');
    await o.page.waitForSelector('#stress-result[data-market-wide="-0.4"]:not([aria-busy])', { timeout: 90_000 });
    const at40 = await stressOf(-0.4);
    expect(await cellText(o.page, '#market-wide-value')).toBe('−40%');
    expect(await shown()).toEqual({ ratio: times(at40.ratioAfter), buffer: dollars(at40.bufferAfterUSD), liquidated: String(at40.liquidatedPositions) });
    expect(at40.bufferAfterUSD).not.toBe(at20.bufferAfterUSD);

    await o.page.waitForSelector('#var-bars', { timeout: 120_000 });
    await o.page.waitForSelector('#forecast-figures', { timeout: 120_000 });
    await o.page.waitForSelector('#distance-table', { timeout: 120_000 });
    const risk = await post(
      gateway,
      'query($protocol: String!, $network: String!) { valueAtRisk(protocols: [$protocol], networks: [$network]) { venues { var95 { value } lar99 { value } } } forecast(protocol: $protocol, network: $network, threshold: 1) { daysToThreshold } }',
      scope,
    );
    expect(risk.errors).toBeUndefined();
    const v = risk.data!.valueAtRisk.venues[0];
    expect(await cellText(o.page, '#var-bars .bar-row:nth-of-type(2) .bar-value')).toContain(dollars(v.var95.value.toFixed(0)));
    expect(await cellText(o.page, '#lar-bars .bar-row:nth-of-type(3) .bar-value')).toContain(dollars(v.lar99.value.toFixed(0)));
    const days = risk.data!.forecast.daysToThreshold;
    expect(await cellText(o.page, '#forecast-figures [data-field="days-to-threshold"] .figure-value')).toBe(days === null ? 'never (within the model)' : `${days.toFixed(1)} days`);

    // The backtests beside them: each row's exceedances and Kupiec p-value as the queries answer them.
    await o.page.waitForSelector('#backtest-forecast-table', { timeout: 120_000 });
    await o.page.waitForSelector('#backtest-risk-table', { timeout: 180_000 });
    const TESTS = 'kupiec { pValue observations exceedances } christoffersen { pValue }';
    const bt = await post(
      gateway,
      `query($protocol: String!, $network: String!) { backtest(protocol: $protocol, network: $network, windowHours: 12, threshold: 1) { quantile { ${TESTS} } band { ${TESTS} } }
        riskBacktest(protocol: $protocol, network: $network) { liquidations { ${TESTS} } insolvency { ${TESTS} } curve { buckets { fromMove } } } }`,
      scope,
    );
    expect(bt.errors).toBeUndefined();
    const rowOf = (t: any) => [`${t.kupiec.exceedances} of ${t.kupiec.observations}`, `${(t.kupiec.pValue * 100).toFixed(1)}%`, `${(t.christoffersen.pValue * 100).toFixed(1)}%`];
    const shownRow = async (table: string, n: number) => {
      const cells = (await o.page.locator(`${table} tbody tr:nth-child(${n}) td`).allInnerTexts()).map((c) => c.trim());
      return [cells[3], cells[5], cells[6]];
    };
    expect(await shownRow('#backtest-forecast-table', 1)).toEqual(rowOf(bt.data!.backtest.quantile));
    expect(await shownRow('#backtest-forecast-table', 2)).toEqual(rowOf(bt.data!.backtest.band));
    expect(await shownRow('#backtest-risk-table', 1)).toEqual(rowOf(bt.data!.riskBacktest.liquidations));
    expect(await shownRow('#backtest-risk-table', 2)).toEqual(rowOf(bt.data!.riskBacktest.insolvency));
    expect(await o.page.locator('#backtest-curve-table tbody tr').count()).toBe(bt.data!.riskBacktest.curve.buckets.length);
    await finish(o, 'deployment', size);
  }, 300_000);

  test('contagion: the network and each deployment after an ETH shock', async () => {
    const a = await post(gateway, '{ contagion(shock: { asset: "ETH", move: -0.3 }) { nodes { protocol network distress lossUSD } } }');
    expect(a.errors).toBeUndefined();
    const o = await open('/#/contagion', size);
    await rendered(o.page);
    await o.page.waitForSelector('#contagion-nodes', { timeout: 90_000 });
    const rows = await o.page.locator('#contagion-nodes tbody tr').allInnerTexts();
    expect(rows).toHaveLength(a.data!.contagion.nodes.length);
    for (const n of a.data!.contagion.nodes) {
      const row = rows.find((t) => t.startsWith(`${n.protocol}/${n.network}\t`))!;
      expect(row.split('\t').map((c) => c.trim())).toEqual(expect.arrayContaining([`${(n.distress * 100).toFixed(1)}%`, dollars(n.lossUSD)]));
    }
    expect(await o.page.locator('svg.network g[data-node]').count()).toBe(a.data!.contagion.nodes.length);
    await finish(o, 'contagion', size);
  });

  test('an account: its positions, health and figures across every venue', async () => {
    // A borrower on two networks (the demo's accounts are shared across Aave's deployments).
    const borrowers = async (network: string) => {
      const a = await post(`${server.url}/subgraphs/name/aave-v3/${network}`, '{ lendingBalances(first: 1000, orderBy: id, where: { scaledVariableDebt_gt: "0" }) { account { id } } }');
      return new Set((a.data!.lendingBalances as { account: { id: string } }[]).map((b) => b.account.id));
    };
    const onMainnet = await borrowers('mainnet');
    const account = [...(await borrowers('arbitrum-one'))].sort().find((id) => onMainnet.has(id))!;
    expect(account).toBeDefined();
    const a = await post(gateway, 'query($a: String!) { accountExposure(account: $a) { collateralUSD debtUSD positions { protocol network health } } }', { a: account });
    expect(a.errors).toBeUndefined();
    const venues = new Set(a.data!.accountExposure.positions.map((p: { protocol: string; network: string }) => `${p.protocol}/${p.network}`));
    expect(venues.size).toBeGreaterThanOrEqual(2);
    const o = await open(`/#/account/${account}`, size);
    await rendered(o.page);
    await o.page.waitForSelector('#positions', { timeout: 60_000 });
    expect(await o.page.locator('#positions tbody tr').count()).toBe(a.data!.accountExposure.positions.length);
    expect(await cellText(o.page, '#account-figures [data-field="collateral"] .figure-value')).toBe(dollars(a.data!.accountExposure.collateralUSD));
    expect(await cellText(o.page, '#account-figures [data-field="debt"] .figure-value')).toBe(dollars(a.data!.accountExposure.debtUSD));
    expect(await cellText(o.page, '#account-figures [data-field="venues"] .figure-value')).toBe(String(venues.size));
    const healths = (await o.page.locator('#positions tbody tr td:nth-child(6)').allInnerTexts()).map((t) => t.trim().split(' ')[0]);
    expect(healths).toEqual(a.data!.accountExposure.positions.map((p: { health: string | null }) => (p.health === null ? '–' : times(p.health).replace('×', ''))));
    await finish(o, 'account', size);
  });

  test('alerts: the events when the server has them, else "not available on this server"', async () => {
    const q = await post(gateway, '{ q: __type(name: "Query") { fields { name } } }');
    const hasAlerts = q.data!.q.fields.some((f: { name: string }) => f.name === 'alertEvents');
    const o = await open('/#/alerts', size);
    await rendered(o.page);
    if (hasAlerts) {
      const a = await post(gateway, '{ alertEvents(first: 100) { id } }');
      expect(a.errors).toBeUndefined();
      expect(await o.page.locator('#alert-events tbody tr').count()).toBe(a.data!.alertEvents.length);
    } else await waitForText(o.page, 'main', 'Alert rules and events: not available on this server.');
    await finish(o, 'alerts', size);
  });
});

(available ? test : test.skip)('the explorer at /graphql runs offline: GraphiQL from this server, the schema with its descriptions, a query answered', async () => {
  const o = await open('/graphql', SIZES[0]);
  await o.page.waitForSelector('.graphiql-container', { timeout: 60_000 });
  await o.page.locator('.graphiql-execute-button').click();
  await waitForText(o.page, '.result-window', '"ratios"', 60_000);
  await o.page.getByRole('button', { name: /documentation explorer/i }).click();
  await o.page.getByText('Query', { exact: true }).first().click();
  await waitForText(o.page, '.graphiql-doc-explorer', 'Every protocol with its networks');
  await o.page.screenshot({ path: join(ARTIFACTS, 'explorer-laptop.png') });
  expect(o.problems).toEqual([]);
  await o.context.close();
}, 120_000);
