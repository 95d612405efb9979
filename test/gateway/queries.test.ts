/**
 * Every gateway query over HTTP against the real embedded stack (the demo
 * chain indexed by the graph-cli-built subgraphs, served on one port). The
 * expected figures are computed here, independently, from the subgraph
 * endpoints' own answers (and, for time travel, from the stores' block
 * tables), with fixed-point bigint arithmetic of the test's own.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { RunningServer } from '../../server/gateway';
import { httpStats } from '../../server/sources';
import { buildWeb, DEMO_DEPLOYMENTS, demoDataDir, post, startDemoGateway } from './demo-stack';

/** Fixed point with 40 decimals: exact for every figure the subgraphs serve. */
const SCALE = 40;
function fx(text: string | null): bigint {
  if (text === null) return 0n;
  const [whole, frac = ''] = text.split('.');
  const negative = whole.startsWith('-');
  const digits = BigInt((negative ? whole.slice(1) : whole) + frac.padEnd(SCALE, '0').slice(0, SCALE));
  if (frac.length > SCALE) throw new Error(`more than ${SCALE} decimals: ${text}`);
  return negative ? -digits : digits;
}
/** The gateway's ratio is C / E rounded to 18 decimals: it must be floor or floor + 1 (half to even). */
function expectRatio(ratio: string | null, collateral: bigint, exposure: bigint): void {
  if (exposure === 0n) {
    expect(ratio).toBeNull();
    return;
  }
  const floor = (collateral * 10n ** 18n) / exposure;
  const got = fx(ratio) / 10n ** BigInt(SCALE - 18);
  expect([floor, floor + 1n]).toContainEqual(got);
}

let server: RunningServer;
let gateway: string;
let dataDir: string;

async function direct(deployment: string, query: string): Promise<Record<string, any>> {
  const answer = await post(`${server.url}/subgraphs/name/${deployment}`, query);
  if (answer.errors) throw new Error(`${deployment}: ${JSON.stringify(answer.errors)}`);
  return answer.data!;
}

async function allOf(deployment: string, collection: string, selection: string, extra = ''): Promise<any[]> {
  const rows: any[] = [];
  let last = '';
  for (;;) {
    const where = last ? `where: { id_gt: "${last}" }` : '';
    const page = (await direct(deployment, `{ rows: ${collection}(first: 1000, orderBy: id ${where ? ', ' + where : ''} ${extra}) { id ${selection} } }`)).rows;
    rows.push(...page);
    if (page.length < 1000) return rows;
    last = page[page.length - 1].id;
  }
}

interface Expected {
  collateral: bigint;
  long: bigint;
  short: bigint;
  debt: bigint;
}
async function expectedFigures(deployment: string, block?: number): Promise<Expected> {
  const at = block === undefined ? '' : `(block: { number: ${block} })`;
  const p = (await direct(deployment, `{ protocols${at} { type totalValueLockedUSD longOpenInterestUSD shortOpenInterestUSD totalBorrowBalanceUSD } }`)).protocols[0];
  return {
    collateral: fx(p.totalValueLockedUSD),
    long: fx(p.longOpenInterestUSD),
    short: fx(p.shortOpenInterestUSD),
    debt: p.type === 'LENDING' ? fx(p.totalBorrowBalanceUSD) : 0n,
  };
}
const exposureOf = (e: Expected) => e.long + e.short + e.debt;

beforeAll(async () => {
  await buildWeb();
  dataDir = await demoDataDir();
  server = await startDemoGateway(dataDir);
  gateway = `${server.url}/graphql`;
}, 600_000);
afterAll(async () => server?.close());

test('protocols lists every deployment with the block its subgraph reports', async () => {
  const answer = await post(gateway, '{ protocols { id deployments { protocol network blockNumber timestamp hasIndexingErrors reachable error } } }');
  expect(answer.errors).toBeUndefined();
  const deployments = answer.data!.protocols.flatMap((p: any) => p.deployments);
  expect(deployments.map((d: any) => `${d.protocol}/${d.network}`).sort()).toEqual(DEMO_DEPLOYMENTS);
  for (const d of deployments) {
    const meta = (await direct(`${d.protocol}/${d.network}`, '{ _meta { block { number timestamp } hasIndexingErrors } }'))._meta;
    expect(d).toMatchObject({ blockNumber: meta.block.number, timestamp: meta.block.timestamp, hasIndexingErrors: false, reachable: true, error: null });
  }
});

/**
 * Each venue's status, as its mapping states it with its source (subgraph/gmx-v1/src/vault.ts,
 * subgraph/synthetix-perps-v2/src/common.ts, subgraph/aave-v3/src/common.ts; docs/methodology.md,
 * "Venue status"). 1752019200 = 2025-07-09T00:00:00Z, the day of the GMX v1 GLP exploit.
 */
const STATUS: Record<string, { status: string; since: number | null; source: string }> = {
  'gmx-v1': { status: 'PAUSED', since: 1752019200, source: 'https://gov.gmx.io/t/discussion-resolve-the-distribution-plan-for-the-recovered-funds-from-arbitrum-glp/4678' },
  'synthetix-perps-v2': { status: 'LEGACY', since: null, source: 'https://docs.synthetix.io/exchange/perps-v2-optimism/introduction-legacy' },
  'aave-v3': { status: 'LIVE', since: null, source: 'bgd-labs/aave-address-book (the Aave v3 Pool of each network, as maintained by Aave governance)' },
  'gmx-v2': {
    status: 'LIVE',
    since: null,
    source: 'gmx-io/gmx-synthetics deployments/arbitrum and deployments/avalanche (the live contracts); keeper-executed orders on Arbitrum One, 2026-07-26 (tx 0xffae75a8fa92bc1f8b27b7892dfa99751ce34b737fdc13ca26e3cb1bd31d85c1)',
  },
};

test("each protocol's status: on Protocol, on every deployment's ratio and the protocol's own aggregate; none across protocols", async () => {
  const answer = await post(
    gateway,
    '{ protocols { id status { status since source } ratio { status { status since source } } } ratios { protocol network status { status since source } } aggregate { status { status } } }',
  );
  expect(answer.errors).toBeUndefined();
  const protocols = answer.data!.protocols;
  expect(protocols.map((p: any) => p.id).sort()).toEqual(Object.keys(STATUS).sort());
  for (const p of protocols) expect({ id: p.id, status: p.status, ratio: p.ratio.status }).toEqual({ id: p.id, status: STATUS[p.id], ratio: STATUS[p.id] });
  expect(answer.data!.ratios.map((r: any) => `${r.protocol}/${r.network}`).sort()).toEqual(DEMO_DEPLOYMENTS);
  for (const r of answer.data!.ratios) expect({ deployment: `${r.protocol}/${r.network}`, status: r.status }).toEqual({ deployment: `${r.protocol}/${r.network}`, status: STATUS[r.protocol] });
  expect(answer.data!.aggregate.status).toBeNull();
});

test('ratios: one snapshot per deployment, equal to its subgraph figures; ratio and buffer from them', async () => {
  const answer = await post(gateway, '{ ratios { protocol network collateralUSD openInterestUSD longOpenInterestUSD shortOpenInterestUSD debtUSD ratio bufferUSD blockNumber stale complete missingSources } }');
  expect(answer.errors).toBeUndefined();
  const ratios = answer.data!.ratios;
  expect(ratios.map((r: any) => `${r.protocol}/${r.network}`).sort()).toEqual(DEMO_DEPLOYMENTS);
  for (const r of ratios) {
    const e = await expectedFigures(`${r.protocol}/${r.network}`);
    expect(fx(r.collateralUSD)).toBe(e.collateral);
    expect(fx(r.longOpenInterestUSD)).toBe(e.long);
    expect(fx(r.shortOpenInterestUSD)).toBe(e.short);
    expect(fx(r.debtUSD)).toBe(e.debt);
    expect(fx(r.openInterestUSD)).toBe(exposureOf(e));
    expect(fx(r.bufferUSD)).toBe(e.collateral - exposureOf(e));
    expectRatio(r.ratio, e.collateral, exposureOf(e));
    expect(exposureOf(e)).toBeGreaterThan(0n);
    expect(r).toMatchObject({ stale: false, complete: true, missingSources: [] });
  }
});

test('cross-chain aggregates add the figures first and divide last', async () => {
  const answer = await post(
    gateway,
    `{ all: aggregate { protocol network collateralUSD openInterestUSD ratio bufferUSD complete blockNumber }
       aave: ratio(protocol: "aave-v3") { collateralUSD openInterestUSD debtUSD ratio network complete }
       perps: aggregate(protocols: ["gmx-v1", "synthetix-perps-v2"]) { protocol collateralUSD openInterestUSD ratio }
       arbitrum: aggregate(networks: ["arbitrum-one"]) { collateralUSD openInterestUSD } }`,
  );
  expect(answer.errors).toBeUndefined();
  const figures = new Map<string, Expected>();
  for (const d of DEMO_DEPLOYMENTS) figures.set(d, await expectedFigures(d));
  const total = (keys: string[]) => {
    const picked = keys.map((k) => figures.get(k)!);
    return { collateral: picked.reduce((s, e) => s + e.collateral, 0n), exposure: picked.reduce((s, e) => s + exposureOf(e), 0n), debt: picked.reduce((s, e) => s + e.debt, 0n) };
  };
  const all = total(DEMO_DEPLOYMENTS);
  const { all: a, aave, perps, arbitrum } = answer.data!;
  expect(fx(a.collateralUSD)).toBe(all.collateral);
  expect(fx(a.openInterestUSD)).toBe(all.exposure);
  expect(fx(a.bufferUSD)).toBe(all.collateral - all.exposure);
  expectRatio(a.ratio, all.collateral, all.exposure);
  expect(a).toMatchObject({ protocol: 'aave-v3+gmx-v1+gmx-v2+synthetix-perps-v2', network: null, complete: true, blockNumber: null });
  const aaveTotal = total(DEMO_DEPLOYMENTS.filter((d) => d.startsWith('aave-v3/')));
  expect(fx(aave.collateralUSD)).toBe(aaveTotal.collateral);
  expect(fx(aave.debtUSD)).toBe(aaveTotal.debt);
  expectRatio(aave.ratio, aaveTotal.collateral, aaveTotal.exposure);
  // Not an average of the networks' ratios.
  const perpsTotal = total(DEMO_DEPLOYMENTS.filter((d) => d.startsWith('gmx-v1/') || d.startsWith('synthetix-perps-v2/')));
  expect(perps.protocol).toBe('gmx-v1+synthetix-perps-v2');
  expectRatio(perps.ratio, perpsTotal.collateral, perpsTotal.exposure);
  const arb = total(DEMO_DEPLOYMENTS.filter((d) => d.endsWith('/arbitrum-one')));
  expect(fx(arbitrum.collateralUSD)).toBe(arb.collateral);
  expect(fx(arbitrum.openInterestUSD)).toBe(arb.exposure);
});

test('per-market figures and collateral per token match the subgraph entities', async () => {
  const answer = await post(
    gateway,
    `{ gmx: ratio(protocol: "gmx-v1", network: "arbitrum-one") { markets { network market name collateralUSD openInterestUSD longOpenInterestUSD ratio bufferUSD } collateral { network token symbol amount valueUSD } }
       aave: ratio(protocol: "aave-v3", network: "mainnet") { markets { market collateralUSD debtUSD openInterestUSD ratio } priced unpricedTokens } }`,
  );
  expect(answer.errors).toBeUndefined();
  const { gmx, aave } = answer.data!;
  const markets = await allOf('gmx-v1/arbitrum-one', 'markets', 'longOpenInterestUSD shortOpenInterestUSD');
  expect(gmx.markets.map((m: any) => m.market).sort()).toEqual(markets.map((m) => m.id).sort());
  for (const m of gmx.markets) {
    const raw = markets.find((x) => x.id === m.market);
    expect(fx(m.openInterestUSD)).toBe(fx(raw.longOpenInterestUSD) + fx(raw.shortOpenInterestUSD));
    // GMX v1 keeps one pool for every market: no collateral of the market's own.
    expect(m).toMatchObject({ network: 'arbitrum-one', collateralUSD: null, ratio: null, bufferUSD: null });
  }
  const balances = await allOf('gmx-v1/arbitrum-one', 'collateralBalances', 'token { id symbol decimals } amount amountUSD priced');
  expect(gmx.collateral).toHaveLength(balances.length);
  for (const b of balances) {
    const got = gmx.collateral.find((c: any) => c.token === b.token.id);
    expect(got.symbol).toBe(b.token.symbol);
    expect(fx(got.amount)).toBe(BigInt(b.amount) * 10n ** BigInt(SCALE - b.token.decimals));
    expect(fx(got.valueUSD)).toBe(fx(b.amountUSD));
  }
  // The pool's tokens add up to the protocol's collateral (which the subgraph keeps at graph-node's 34 significant digits).
  const tokensTotal = gmx.collateral.reduce((s: bigint, c: any) => s + fx(c.valueUSD), 0n);
  const protocolTotal = (await expectedFigures('gmx-v1/arbitrum-one')).collateral;
  const difference = tokensTotal > protocolTotal ? tokensTotal - protocolTotal : protocolTotal - tokensTotal;
  expect(difference * 10n ** 30n).toBeLessThan(protocolTotal);

  const reserves = await allOf('aave-v3/mainnet', 'markets', 'totalValueLockedUSD totalBorrowBalanceUSD');
  for (const m of aave.markets) {
    const raw = reserves.find((x) => x.id === m.market);
    expect(fx(m.collateralUSD)).toBe(fx(raw.totalValueLockedUSD));
    expect(fx(m.debtUSD)).toBe(fx(raw.totalBorrowBalanceUSD));
    expectRatio(m.ratio, fx(raw.totalValueLockedUSD), fx(raw.totalBorrowBalanceUSD));
  }
  const protocol = (await direct('aave-v3/mainnet', '{ protocols { priced unpricedTokens } }')).protocols[0];
  expect(aave.priced).toBe(protocol.priced);
  expect(aave.unpricedTokens).toEqual(protocol.unpricedTokens);
});

test('realised bad debt: the Aave reserves\' deficits, per deployment, market and aggregate; zero for perpetuals', async () => {
  const answer = await post(
    gateway,
    `{ gnosis: ratio(protocol: "aave-v3", network: "gnosis") { realisedBadDebtUSD debtUSD collateralUSD ratio markets { market realisedBadDebtUSD } }
       aave: ratio(protocol: "aave-v3") { realisedBadDebtUSD }
       ratios { protocol network realisedBadDebtUSD markets { realisedBadDebtUSD } } }`,
  );
  expect(answer.errors).toBeUndefined();
  const { gnosis, aave, ratios } = answer.data!;
  // The demo's gnosis market books bad debt in its crash (server/demo/README.md); it is the subgraph's figure.
  const protocol = (await direct('aave-v3/gnosis', '{ protocols { realisedBadDebtUSD totalValueLockedUSD totalBorrowBalanceUSD } }')).protocols[0];
  expect(fx(gnosis.realisedBadDebtUSD)).toBe(fx(protocol.realisedBadDebtUSD));
  expect(fx(gnosis.realisedBadDebtUSD)).toBeGreaterThan(0n);
  const reserves = await allOf('aave-v3/gnosis', 'markets', 'realisedBadDebtUSD');
  for (const m of gnosis.markets) expect(fx(m.realisedBadDebtUSD)).toBe(fx(reserves.find((x) => x.id === m.market).realisedBadDebtUSD));
  // Written-off debt is off debtUSD and out of the ratio, which is collateral over the debt still owed.
  expect(fx(gnosis.debtUSD)).toBe(fx(protocol.totalBorrowBalanceUSD));
  expectRatio(gnosis.ratio, fx(protocol.totalValueLockedUSD), fx(protocol.totalBorrowBalanceUSD));
  // Across networks: added like the other figures.
  let sum = 0n;
  for (const d of DEMO_DEPLOYMENTS.filter((x) => x.startsWith('aave-v3/'))) {
    sum += fx((await direct(d, '{ protocols { realisedBadDebtUSD } }')).protocols[0].realisedBadDebtUSD);
  }
  expect(fx(aave.realisedBadDebtUSD)).toBe(sum);
  // Venues whose events book no bad debt leave the subgraph figure null: zero in the answer.
  for (const r of ratios.filter((x: any) => x.protocol !== 'aave-v3')) {
    expect({ deployment: `${r.protocol}/${r.network}`, realisedBadDebtUSD: r.realisedBadDebtUSD }).toEqual({ deployment: `${r.protocol}/${r.network}`, realisedBadDebtUSD: '0' });
    for (const m of r.markets) expect(m.realisedBadDebtUSD).toBe('0');
  }
});

test('gmx-v2 (MARKET_POOL): per-market ratios on both networks, each market against its own pool', async () => {
  const answer = await post(
    gateway,
    `{ ratios(protocols: ["gmx-v2"]) { protocol network collateralModels { model perMarketBacking } collateralUSD openInterestUSD
         markets { network market name collateralUSD openInterestUSD ratio bufferUSD } } }`,
  );
  expect(answer.errors).toBeUndefined();
  const rows = answer.data!.ratios;
  expect(rows.map((r: any) => r.network).sort()).toEqual(['arbitrum-one', 'avalanche']);
  for (const r of rows) {
    expect(r.collateralModels).toEqual([{ model: 'MARKET_POOL', perMarketBacking: true }]);
    const markets = await allOf(`gmx-v2/${r.network}`, 'markets', 'name totalValueLockedUSD longOpenInterestUSD shortOpenInterestUSD');
    // The demo's markets (server/demo/gmx-v2.ts GM_MARKETS): two on Arbitrum, three on Avalanche.
    expect(r.markets).toHaveLength(r.network === 'arbitrum-one' ? 2 : 3);
    expect(r.markets.map((m: any) => m.market).sort()).toEqual(markets.map((m) => m.id).sort());
    let pools = 0n;
    for (const m of r.markets) {
      const raw = markets.find((x) => x.id === m.market);
      const collateral = fx(raw.totalValueLockedUSD);
      const exposure = fx(raw.longOpenInterestUSD) + fx(raw.shortOpenInterestUSD);
      // Every market has its own pool: its collateral, ratio and buffer are the market's own.
      expect(m.name).toBe(raw.name);
      expect(fx(m.collateralUSD)).toBe(collateral);
      expect(fx(m.openInterestUSD)).toBe(exposure);
      expect(fx(m.bufferUSD)).toBe(collateral - exposure);
      expect(collateral).toBeGreaterThan(0n);
      expectRatio(m.ratio, collateral, exposure);
      pools += collateral;
    }
    // The protocol's collateral is its markets' pools (each kept at graph-node's 34 significant digits).
    const total = fx(r.collateralUSD);
    const difference = pools > total ? pools - total : total - pools;
    expect(difference * 10n ** 25n).toBeLessThan(total);
  }
  const names = rows.flatMap((r: any) => r.markets.map((m: any) => `${r.network} ${m.name}`)).sort();
  expect(names).toEqual([
    'arbitrum-one WBTC/USD [WBTC-USDC]',
    'arbitrum-one WETH/USD [WETH-USDC]',
    'avalanche BTC.b/USD [BTC.b-USDC]',
    'avalanche WAVAX/USD [WAVAX-USDC]',
    'avalanche WETH.e/USD [WETH.e-USDC]',
  ]);
});

test('gmx-v2: the stressed AVAX market\'s ratio falls below 1 / its reserve factor during the crash', async () => {
  const deployment = 'gmx-v2/avalanche';
  const [avax] = (await direct(deployment, '{ markets(where: { name: "WAVAX/USD [WAVAX-USDC]" }) { id reserveFactorLong reserveFactorSource } }')).markets;
  // Set by the demo's Config SetUint: 95% (gmx-synthetics config/markets.ts baseMarketConfig).
  expect(avax).toMatchObject({ reserveFactorLong: '0.95', reserveFactorSource: 'EVENT' });
  const threshold = (10n ** 18n * 100n) / 95n; // 1 / 0.95 at 18 decimals, floored
  const db = new Database(join(dataDir, 'gmx-v2', 'avalanche.sqlite'), { readonly: true });
  const blocks = db.prepare('SELECT number FROM _svr_blocks ORDER BY number').all() as Array<{ number: number }>;
  db.close();
  let lowest: bigint | null = null;
  let highest: bigint | null = null;
  for (let k = 1; k <= 48; k++) {
    const block = blocks[Math.floor(((blocks.length - 1) * k) / 48)].number;
    const got = await post(gateway, `{ ratio(protocol: "gmx-v2", network: "avalanche", block: ${block}) { markets { market ratio } } }`);
    expect(got.errors).toBeUndefined();
    const m = got.data!.ratio.markets.find((x: any) => x.market === avax.id);
    const ratio = fx(m.ratio) / 10n ** BigInt(SCALE - 18);
    if (lowest === null || ratio < lowest) lowest = ratio;
    if (highest === null || ratio > highest) highest = ratio;
  }
  // Before the crash the pool covers its open interest with room; in it, the pool's WAVAX loses value under the same open interest.
  expect(highest!).toBeGreaterThan(threshold);
  expect(lowest!).toBeLessThan(threshold);
});

test('time travel: at a block, and at a timestamp resolved to each chain\'s block', async () => {
  const deployment = 'gmx-v1/avalanche';
  const head = (await direct(deployment, '{ _meta { block { number timestamp } } }'))._meta.block;
  const db = new Database(join(dataDir, 'gmx-v1', 'avalanche.sqlite'), { readonly: true });
  const blocks = db.prepare('SELECT number, timestamp FROM _svr_blocks ORDER BY number').all() as Array<{ number: number; timestamp: number }>;
  db.close();
  const middle = blocks[Math.floor(blocks.length / 2)];
  const byBlock = await post(gateway, `{ ratio(protocol: "gmx-v1", network: "avalanche", block: ${middle.number}) { blockNumber collateralUSD openInterestUSD } }`);
  expect(byBlock.errors).toBeUndefined();
  const atMiddle = await expectedFigures(deployment, middle.number);
  expect(byBlock.data!.ratio.blockNumber).toBe(middle.number);
  expect(fx(byBlock.data!.ratio.collateralUSD)).toBe(atMiddle.collateral);
  expect(fx(byBlock.data!.ratio.openInterestUSD)).toBe(exposureOf(atMiddle));
  expect(atMiddle.collateral).not.toBe((await expectedFigures(deployment)).collateral);

  // A time between two blocks: the state is the one after the last block at or before it.
  const t = Math.floor((blocks[Math.floor(blocks.length / 3)].timestamp + blocks[Math.floor(blocks.length / 3) + 1].timestamp) / 2) + 1;
  const lastBefore = blocks.filter((b) => b.timestamp <= t).pop()!;
  const byTime = await post(gateway, `{ one: ratio(protocol: "gmx-v1", network: "avalanche", timestamp: ${t}) { blockNumber timestamp collateralUSD openInterestUSD }
    all: ratio(protocol: "gmx-v1", timestamp: ${t}) { collateralUSD openInterestUSD complete } }`);
  expect(byTime.errors).toBeUndefined();
  const expected = await expectedFigures(deployment, lastBefore.number);
  const one = byTime.data!.one;
  expect(fx(one.collateralUSD)).toBe(expected.collateral);
  expect(fx(one.openInterestUSD)).toBe(exposureOf(expected));
  expect(one.timestamp).toBeLessThanOrEqual(t);
  expect(one.blockNumber).toBeLessThanOrEqual(lastBefore.number);
  // The cross-chain aggregate at that time adds arbitrum-one's state at its own block for the time.
  const arbDb = new Database(join(dataDir, 'gmx-v1', 'arbitrum-one.sqlite'), { readonly: true });
  const arbBlock = (arbDb.prepare('SELECT max(number) AS n FROM _svr_blocks WHERE timestamp <= ?').get(t) as { n: number }).n;
  arbDb.close();
  const arb = await expectedFigures('gmx-v1/arbitrum-one', arbBlock);
  expect(fx(byTime.data!.all.collateralUSD)).toBe(expected.collateral + arb.collateral);
  expect(fx(byTime.data!.all.openInterestUSD)).toBe(exposureOf(expected) + exposureOf(arb));
  const lists = await post(gateway, `{ ratios(protocols: ["gmx-v1"], timestamp: ${t}) { network collateralUSD } aggregate(protocols: ["gmx-v1"], timestamp: ${t}) { collateralUSD } }`);
  expect(lists.errors).toBeUndefined();
  expect(lists.data!.aggregate.collateralUSD).toBe(byTime.data!.all.collateralUSD);
  expect(fx(lists.data!.ratios.find((r: any) => r.network === 'arbitrum-one').collateralUSD)).toBe(arb.collateral);

  const future = await post(gateway, `{ ratio(protocol: "gmx-v1", network: "avalanche", timestamp: ${head.timestamp + 3600}) { ratio } }`);
  expect(future.data!.ratio).toBeNull();
  expect(future.errors![0]).toMatchObject({ extensions: { code: 'NO_DATA', source: 'gmx-v1/avalanche' } });
  const past = await post(gateway, `{ ratio(protocol: "gmx-v1", network: "avalanche", block: ${head.number + 1}) { ratio } }`);
  expect(past.errors![0].extensions).toMatchObject({ code: 'NO_DATA' });
});

test('history: daily and hourly series from the snapshots, carried forward, added across networks', async () => {
  const series = async (deployment: string, collection: string, field: string) =>
    (await allOf(deployment, collection, `${field} totalValueLockedUSD longOpenInterestUSD shortOpenInterestUSD totalBorrowBalanceUSD`)).map((r) => ({
      index: r[field] as number,
      collateral: fx(r.totalValueLockedUSD),
      exposure: fx(r.longOpenInterestUSD) + fx(r.shortOpenInterestUSD) + (deployment.startsWith('aave') ? fx(r.totalBorrowBalanceUSD) : 0n),
    }));
  const valueAt = (rows: Array<{ index: number; collateral: bigint; exposure: bigint }>, index: number) => rows.filter((r) => r.index <= index).sort((a, b) => a.index - b.index).pop();

  const answer = await post(gateway, `{ day: history(protocol: "aave-v3", interval: DAY) { timestamp collateralUSD openInterestUSD ratio bufferUSD }
    hour: history(protocol: "gmx-v1", network: "avalanche", interval: HOUR) { timestamp collateralUSD openInterestUSD }
    now: ratio(protocol: "gmx-v1", network: "avalanche") { collateralUSD } }`);
  expect(answer.errors).toBeUndefined();
  const aave = await Promise.all(DEMO_DEPLOYMENTS.filter((d) => d.startsWith('aave-v3/')).map((d) => series(d, 'protocolDailySnapshots', 'day')));
  expect(answer.data!.day.length).toBeGreaterThan(0);
  for (const point of answer.data!.day) {
    const day = point.timestamp / 86400;
    expect(Number.isInteger(day)).toBe(true);
    const present = aave.map((rows) => valueAt(rows, day)).filter((v) => v !== undefined);
    expect(fx(point.collateralUSD)).toBe(present.reduce((s, v) => s + v!.collateral, 0n));
    expect(fx(point.openInterestUSD)).toBe(present.reduce((s, v) => s + v!.exposure, 0n));
  }
  const hourly = await series('gmx-v1/avalanche', 'protocolHourlySnapshots', 'hour');
  const hours = answer.data!.hour;
  expect(hours.length).toBeGreaterThan(2);
  for (let i = 1; i < hours.length; i++) expect(hours[i].timestamp - hours[i - 1].timestamp).toBe(3600);
  for (const point of hours) expect(fx(point.collateralUSD)).toBe(valueAt(hourly, point.timestamp / 3600)!.collateral);
  // The last interval ends at the head: its figures are the current ones.
  expect(hours[hours.length - 1].collateralUSD).toBe(answer.data!.now.collateralUSD);

  const ranged = await post(gateway, `{ history(protocol: "gmx-v1", network: "avalanche", interval: HOUR, from: ${hours[1].timestamp}, to: ${hours[3].timestamp + 59}) { timestamp } }`);
  expect(ranged.data!.history.map((p: any) => p.timestamp)).toEqual([hours[1].timestamp, hours[2].timestamp, hours[3].timestamp]);
});

test('accountExposure joins one address across protocols; lending balances at the current indexes with the health factor', async () => {
  // A borrower on Aave mainnet and a trader with an open GMX position, from the subgraphs themselves.
  const borrower = (await direct('aave-v3/mainnet', '{ lendingBalances(first: 1, where: { scaledVariableDebt_gt: "0" }, orderBy: id) { account { id } } }')).lendingBalances[0].account.id;
  const trader = (await direct('gmx-v1/arbitrum-one', '{ positions(first: 1, where: { isOpen: true }, orderBy: id) { account { id } } }')).positions[0].account.id;
  const query = (a: string) =>
    post(gateway, `{ accountExposure(account: "${a.toUpperCase().replace('0X', '0x')}") { account collateralUSD debtUSD priced complete positions { protocol network market side sizeUSD collateralUSD health liquidationPrice } } }`);

  const t = (await query(trader)).data!.accountExposure;
  const open = await allOf('gmx-v1/arbitrum-one', 'positions', 'side sizeUSD collateralUSD liquidationPriceUSD account { id }', '');
  const mine = open.filter((p) => p.account.id === trader && BigInt(fx(p.sizeUSD)) > 0n);
  const gmx = t.positions.filter((p: any) => p.protocol === 'gmx-v1' && p.network === 'arbitrum-one');
  expect(gmx.length).toBe(mine.length);
  expect(t.account).toBe(trader);
  expect(gmx.reduce((s: bigint, p: any) => s + fx(p.sizeUSD), 0n)).toBe(mine.reduce((s, p) => s + fx(p.sizeUSD), 0n));
  expect(fx(t.debtUSD)).toBe(t.positions.filter((p: any) => p.side !== 'SUPPLY').reduce((s: bigint, p: any) => s + fx(p.sizeUSD), 0n));

  const b = (await query(borrower)).data!.accountExposure;
  const RAY = 10n ** 27n;
  const rayMul = (x: bigint, y: bigint) => (x * y + RAY / 2n) / RAY;
  const balances = (await direct('aave-v3/mainnet', `{ lendingBalances(where: { account: "${borrower}" }) { market { id name liquidationThreshold } token { decimals lastPriceUSD } scaledSupply scaledVariableDebt stableDebt usedAsCollateral } lendingReserves { id liquidityIndex variableBorrowIndex } }`));
  let weighted = 0n;
  let debt = 0n;
  let priced = true;
  for (const x of balances.lendingBalances) {
    const r = balances.lendingReserves.find((y: any) => y.id === x.market.id);
    if (x.token.lastPriceUSD === null) priced = false;
    const usd = (raw: bigint) => (raw * fx(x.token.lastPriceUSD)) / 10n ** BigInt(x.token.decimals);
    const supply = usd(rayMul(BigInt(x.scaledSupply), BigInt(r.liquidityIndex)));
    const owed = usd(rayMul(BigInt(x.scaledVariableDebt), BigInt(r.variableBorrowIndex)) + BigInt(x.stableDebt));
    if (x.usedAsCollateral) weighted += (supply * fx(x.market.liquidationThreshold)) / fx('100');
    debt += owed;
    const got = b.positions.find((p: any) => p.protocol === 'aave-v3' && p.network === 'mainnet' && p.market === x.market.name && p.side === 'BORROW');
    if (owed > 0n) expect(fx(got.sizeUSD)).toBe(owed);
  }
  const health = b.positions.find((p: any) => p.network === 'mainnet' && p.protocol === 'aave-v3').health;
  if (priced) {
    // 18 decimals of health; the test's own division truncates.
    expect(fx(health) / 10n ** BigInt(SCALE - 17)).toBe((weighted * 10n ** 17n) / debt);
  } else expect(health).toBeNull();
  expect(b.complete).toBe(true);

  const bad = await post(gateway, '{ accountExposure(account: "0x123") { account } }');
  expect(bad.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
});

test('assetExposure finds an asset by symbol across wrappers and synths, and by address', async () => {
  const answer = await post(gateway, '{ eth: assetExposure(token: "ETH") { token complete channels { protocol network tokens collateralUSD openInterestUSD priced } } }');
  expect(answer.errors).toBeUndefined();
  const channels = answer.data!.eth.channels;
  const keys = channels.map((c: any) => `${c.protocol}/${c.network}`);
  expect(keys).toEqual(expect.arrayContaining(['gmx-v1/arbitrum-one', 'gmx-v1/avalanche', 'synthetix-perps-v2/optimism']));
  const weth = '0x82af49447d8a07e3bd95bd0d56f35241523fbab1';
  const gmx = channels.find((c: any) => c.protocol === 'gmx-v1' && c.network === 'arbitrum-one');
  expect(gmx.tokens).toEqual([`WETH:${weth}`]);
  const raw = await direct('gmx-v1/arbitrum-one', `{ collateralBalance(id: "${weth}") { amountUSD } market(id: "${weth}") { longOpenInterestUSD shortOpenInterestUSD } }`);
  expect(fx(gmx.collateralUSD)).toBe(fx(raw.collateralBalance.amountUSD));
  expect(fx(gmx.openInterestUSD)).toBe(fx(raw.market.longOpenInterestUSD) + fx(raw.market.shortOpenInterestUSD));
  const snx = channels.find((c: any) => c.protocol === 'synthetix-perps-v2');
  expect(snx.tokens[0]).toMatch(/^sETH:/);

  const byAddress = await post(gateway, `{ assetExposure(token: "${weth.toUpperCase().replace('0X', '0x')}") { channels { protocol network } } }`);
  expect(byAddress.data!.assetExposure.channels.map((c: any) => `${c.protocol}/${c.network}`)).toEqual(expect.arrayContaining(['gmx-v1/arbitrum-one', 'aave-v3/arbitrum-one']));
  const none = await post(gateway, '{ assetExposure(token: "NOPE") { channels { protocol } complete } }');
  expect(none.data!.assetExposure).toEqual({ channels: [], complete: true });
});

test('user errors name what is wrong and what is known', async () => {
  const unknown = await post(gateway, '{ ratio(protocol: "nope") { ratio } }');
  expect(unknown.errors![0].message).toMatch(/unknown protocol "nope"; svr serves: aave-v3, gmx-v1, gmx-v2, synthetix-perps-v2/);
  expect(unknown.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  const network = await post(gateway, '{ ratio(protocol: "gmx-v1", network: "mainnet") { ratio } }');
  expect(network.errors![0].message).toMatch(/gmx-v1 has no deployment on "mainnet"; it has: arbitrum-one, avalanche/);
  const block = await post(gateway, '{ ratio(protocol: "gmx-v1", block: 5) { ratio } }');
  expect(block.errors![0].message).toMatch(/`block` needs a `network`/);
  const entity = await post(gateway, '{ account(id: "0x0000000000000000000000000000000000000001") { id exposure { complete positions { side } } } token(id: "BTC") { exposure { channels { protocol } } } }');
  expect(entity.errors).toBeUndefined();
  expect(entity.data!.account).toEqual({ id: '0x0000000000000000000000000000000000000001', exposure: { complete: true, positions: [] } });
  expect(entity.data!.token.exposure.channels.length).toBeGreaterThan(0);
});

test('a repeated question is answered from the cache, and /metrics and /health say so', async () => {
  const query = '{ ratios(networks: ["optimism"]) { protocol collateralUSD markets { market } collateral { token } } }';
  const first = await post(gateway, query);
  expect(first.errors).toBeUndefined();
  const before = httpStats.requests;
  const second = await post(gateway, query);
  expect(second.data).toEqual(first.data);
  // The head's _meta may be refreshed (2 s time to live); the pinned reads are not asked again.
  expect(httpStats.requests - before).toBeLessThanOrEqual(2);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(metrics).toMatch(/svr_gateway_request_duration_seconds_count\{outcome="ok"\} [1-9]/);
  expect(metrics).toMatch(/svr_cache_events\{result="hit"\} [1-9]/);
  expect(metrics).toMatch(/svr_upstream_requests\{kind="requests"\} [1-9]/);
  // The reader pool ran the subgraph queries: its workers started with the server and completed calls.
  expect(metrics).toMatch(/svr_worker_pool\{pool="readers",kind="completed"\} [1-9]/);
  expect(metrics).toMatch(/svr_worker_pool\{pool="readers",kind="workers_started"\} [1-9]/);
  const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
  expect(health).toEqual({ status: 'ok', sources: DEMO_DEPLOYMENTS.length, cache: 'memory' });
});

test("with graph-node's index-node status endpoint, deployments report the chain head and their lag", async () => {
  const asked: string[] = [];
  const indexNode = require('node:http').createServer((req: any, res: any) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', async () => {
      asked.push(JSON.parse(body).query);
      const deployment = /subgraphs: \["([^"]+)"\]/.exec(JSON.parse(body).query)![1];
      const meta = (await direct('gmx-v1/avalanche', '{ _meta { deployment block { number } } }'))._meta;
      const known = deployment === meta.deployment;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { indexingStatuses: known ? [{ synced: false, health: 'healthy', chains: [{ chainHeadBlock: { number: String(meta.block.number + 42) }, latestBlock: { number: String(meta.block.number) } }] }] : [] } }));
    });
  });
  await new Promise<void>((ok) => indexNode.listen(0, '127.0.0.1', ok));
  const statusUrl = `http://127.0.0.1:${indexNode.address().port}/graphql`;
  const { loadConfig } = await import('../../server/gateway/config');
  const { startServer } = await import('../../server/gateway');
  const other = await startServer({
    dataDir: join(dataDir, 'no-such-dir'),
    port: 0,
    host: '127.0.0.1',
    config: { ...loadConfig({ env: {} }), sources: [{ protocol: 'gmx-v1', network: 'avalanche', url: `${server.url}/subgraphs/name/gmx-v1/avalanche`, statusUrl }] },
  });
  try {
    const answer = await post(`${other.url}/graphql`, '{ protocols { id deployments { network blockNumber lag chainHeadBlock health } } }');
    expect(answer.errors).toBeUndefined();
    const d = answer.data!.protocols[0].deployments[0];
    expect(d).toEqual({ network: 'avalanche', blockNumber: d.blockNumber, lag: 42, chainHeadBlock: d.blockNumber + 42, health: 'healthy' });
    expect(asked.length).toBe(1);
    // Embedded sources have no status endpoint: no lag, no error.
    const embedded = await post(gateway, '{ protocols { deployments { lag health } } }');
    expect(embedded.errors).toBeUndefined();
    expect(embedded.data!.protocols[0].deployments[0]).toEqual({ lag: null, health: null });
  } finally {
    await other.close();
    indexNode.close();
  }
});

test('the page at / and its bundle are served from this origin only', async () => {
  const res = await fetch(`${server.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/html/);
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  const html = await res.text();
  const srcs = [...html.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]);
  expect(srcs).toEqual(expect.arrayContaining(['/assets/page.css', '/assets/page.js']));
  for (const src of srcs) expect(src).toMatch(/^(\/|data:)/); // nothing from elsewhere
  const js = await fetch(`${server.url}/assets/page.js`);
  expect(js.headers.get('content-type')).toMatch(/javascript/);
  expect((await js.text()).length).toBeGreaterThan(10_000); // the bundle, uPlot and graphql-ws inside
  expect((await fetch(`${server.url}/assets/nothing.js`)).status).toBe(404);
  // A browser at /graphql gets GraphiQL; a query by GET or POST is still answered by the gateway.
  const explorer = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
  expect(await explorer.text()).toContain('/assets/explorer.js');
  const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ dataset { synthetic } }')}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
  expect(await get.json()).toEqual({ data: { dataset: { synthetic: true } } });
});
