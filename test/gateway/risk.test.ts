/**
 * The risk queries through the gateway, over HTTP against the embedded demo
 * stack. Each answer is checked against the risk engine called here directly
 * on a portfolio this test builds itself from the GMX v1 subgraph's raw
 * entities (positions, pool balances, token prices), so a mistake in the
 * gateway's portfolio loader fails the test.
 */
import { Decimal } from '../../server/numeric/decimal';
import { contagion, distanceToInsolvency, liquidationCurves, monteCarloRisk, stressTest, type DirectionalDistance, type PerpPosition, type Portfolio } from '../../server/risk';
import type { RunningServer } from '../../server/gateway';
import { demoDataDir, post, startDemoGateway } from './demo-stack';

let server: RunningServer;
let gateway: string;
const DEPLOYMENT = 'gmx-v1/arbitrum-one';
const ONLY = 'protocols: ["gmx-v1"], networks: ["arbitrum-one"]';

const dec = (text: string) => Decimal.parse(text);
const wire = (d: DirectionalDistance) => ({ down: d.down.move, downReason: d.down.reason, up: d.up.move, upReason: d.up.reason });

async function all(collection: string, selection: string, where = ''): Promise<any[]> {
  const rows: any[] = [];
  let last = '';
  for (;;) {
    const filter = [last ? `id_gt: "${last}"` : '', where].filter(Boolean).join(', ');
    const answer = await post(`${server.url}/subgraphs/name/${DEPLOYMENT}`, `{ rows: ${collection}(first: 1000, orderBy: id${filter ? `, where: { ${filter} }` : ''}) { id ${selection} } }`);
    const page = answer.data!.rows;
    rows.push(...page);
    if (page.length < 1000) return rows;
    last = page[page.length - 1].id;
  }
}

/** GMX v1 on one network, from its own entities: one token per asset, so an asset's price is its token's. */
async function independentPortfolio(): Promise<Portfolio> {
  const tokens = await all('tokens', 'symbol decimals lastPriceUSD isStablecoin');
  const assetOf = (symbol: string) => symbol.replace(/^W(ETH|BTC)$/, '$1').replace(/\.e$/, '').toUpperCase();
  const byId = new Map(tokens.map((t) => [t.id, t]));
  const assets: Record<string, { price: Decimal; stable: boolean }> = {};
  for (const t of tokens) if (t.lastPriceUSD !== null) assets[assetOf(t.symbol)] = { price: dec(t.lastPriceUSD), stable: t.isStablecoin };
  const venue = { protocol: 'gmx-v1', network: 'arbitrum-one' };
  const positions: PerpPosition[] = (await all('positions', 'side sizeUSD collateralUSD entryPriceUSD liquidationPriceUSD account { id } market { indexToken { id } }', 'isOpen: true')).map((p) => ({
    kind: 'perp',
    venue,
    account: p.account.id,
    asset: assetOf(byId.get(p.market.indexToken.id).symbol),
    side: p.side === 'LONG' ? 'long' : 'short',
    sizeUsd: dec(p.sizeUSD),
    collateralUsd: dec(p.collateralUSD),
    entryPrice: dec(p.entryPriceUSD),
    liquidationPrice: dec(p.liquidationPriceUSD),
  }));
  const holdings = (await all('collateralBalances', 'token { id symbol } amountUSD priced')).filter((b) => b.priced).map((b) => ({ asset: assetOf(b.token.symbol), valueUsd: dec(b.amountUSD) }));
  // The headline: the Protocol entity's totals, as the gateway reads them.
  const [protocol] = await all('protocols', 'collateralModel totalValueLockedUSD longOpenInterestUSD shortOpenInterestUSD');
  expect(protocol.collateralModel).toBe('SHARED_POOL');
  const headline = { backingUsd: dec(protocol.totalValueLockedUSD), obligationsUsd: dec(protocol.longOpenInterestUSD).plus(dec(protocol.shortOpenInterestUSD)) };
  return { assets, positions, pools: [{ venue, holdings }], venues: [{ venue, model: 'SHARED_POOL', ...headline }] };
}

let portfolio: Portfolio;
beforeAll(async () => {
  server = await startDemoGateway(await demoDataDir());
  gateway = `${server.url}/graphql`;
  portfolio = await independentPortfolio();
  expect(portfolio.positions.length).toBeGreaterThan(10);
}, 600_000);
afterAll(async () => server?.close());

test('stressTest equals the engine on the independently built portfolio; a larger shock never liquidates less', async () => {
  const answer = await post(
    gateway,
    `{ s10: stressTest(scenario: { marketWide: -0.1 }, ${ONLY}) { total { liquidatedPositions liquidatedObligationsUSD shortfallUSD bufferAfterUSD } rounds coverage { venues complete unpricedPositions } }
       s30: stressTest(scenario: { marketWide: -0.3 }, ${ONLY}) { total { liquidatedPositions shortfallUSD } venues { protocol network tradersPnlUSD } }
       eth: stressTest(scenario: { moves: [{ asset: "WETH", move: -0.2 }] }, ${ONLY}) { total { liquidatedPositions } finalMoves { asset move } } }`,
  );
  expect(answer.errors).toBeUndefined();
  const { s10, s30, eth } = answer.data!;
  const direct = stressTest(portfolio, { marketWide: -0.1 });
  expect(s10.total).toEqual({
    liquidatedPositions: direct.total.liquidatedPositions,
    liquidatedObligationsUSD: direct.total.liquidatedObligationsUsd.toString(),
    shortfallUSD: direct.total.shortfallUsd.toString(),
    bufferAfterUSD: direct.total.after.bufferUsd.toString(),
  });
  expect(s10.coverage).toEqual({ venues: [DEPLOYMENT], complete: true, unpricedPositions: 0 });
  expect(s30.total.liquidatedPositions).toBeGreaterThanOrEqual(s10.total.liquidatedPositions);
  expect(dec(s30.total.shortfallUSD).compare(dec(s10.total.shortfallUSD))).toBeGreaterThanOrEqual(0);
  expect(s30.venues[0].tradersPnlUSD).toBe(stressTest(portfolio, { marketWide: -0.3 }).venues[0]!.tradersPnlUsd!.toString());
  // WETH names the asset ETH.
  expect(eth.total.liquidatedPositions).toBe(stressTest(portfolio, { moves: { ETH: -0.2 } }).total.liquidatedPositions);
  expect(eth.finalMoves.find((m: any) => m.asset === 'ETH').move).toBeCloseTo(-0.2, 12);
  const zero = await post(gateway, `{ stressTest(scenario: { marketWide: 0 }, ${ONLY}) { total { ratioBefore ratioAfter } } }`);
  const z = stressTest(portfolio, { marketWide: 0 }).total;
  expect(zero.data!.stressTest.total).toEqual({ ratioBefore: z.before.ratio!.toString(), ratioAfter: z.after.ratio!.toString() });
});

test('liquidationCurve, distanceToInsolvency, valueAtRisk and contagion equal the engine on the same portfolio', async () => {
  const answer = await post(
    gateway,
    `{ liquidationCurve(${ONLY}, asset: "ETH", step: 0.1) { curves { protocol network asset points { move positions collateralUSD sizeUSD } } }
       ratio(protocol: "gmx-v1", network: "arbitrum-one") { distanceToInsolvency { marketWide { down downReason up upReason } perAsset { asset distance { down downReason up upReason } } } }
       valueAtRisk(${ONLY}, volatilities: [{ asset: "ETH", volatility: 0.8 }, { asset: "BTC", volatility: 0.6 }], paths: 2000, seed: 7) { total { var95 { value low high confidence horizonDays intervalLevel } lar95 { value } } }
       contagion(${ONLY}, shock: { asset: "BTC", move: -0.5 }) { totalImpact debtRank nodes { protocol distress equityUSD } } }`,
  );
  expect(answer.errors).toBeUndefined();
  const { liquidationCurve, ratio, valueAtRisk, contagion: spread } = answer.data!;
  const curve = liquidationCurves(portfolio, { from: -0.5, to: 0.5, step: 0.1 }).find((c) => c.asset === 'ETH')!;
  expect(liquidationCurve.curves).toHaveLength(1);
  expect(liquidationCurve.curves[0].points).toEqual(curve.points.map((p) => ({ move: p.move, positions: p.positions, collateralUSD: p.collateralUsd.toString(), sizeUSD: p.sizeUsd.toString() })));
  const distance = distanceToInsolvency(portfolio, { only: DEPLOYMENT }).venues[0]!;
  expect(ratio.distanceToInsolvency.marketWide).toEqual(wire(distance.marketWide.insolvency));
  expect(Object.fromEntries(ratio.distanceToInsolvency.perAsset.map((a: any) => [a.asset, a.distance]))).toEqual(Object.fromEntries(Object.entries(distance.perAsset).map(([a, d]) => [a, wire(d.insolvency)])));
  const mc = monteCarloRisk(portfolio, { volatility: { ETH: 0.8, BTC: 0.6 }, paths: 2000, seed: 7 });
  expect(valueAtRisk.total.var95).toEqual(mc.total.var95);
  expect(valueAtRisk.total.var95).toMatchObject({ confidence: 0.95, horizonDays: 1, intervalLevel: 0.95 });
  expect(valueAtRisk.total.lar95.value).toBe(mc.total.lar95.value);
  const c = contagion(portfolio, { kind: 'asset', asset: 'BTC', move: -0.5 });
  expect(spread.totalImpact).toBe(c.totalImpact);
  expect(spread.nodes[0]).toEqual({ protocol: 'gmx-v1', distress: c.nodes[0]!.distress, equityUSD: c.nodes[0]!.equityUsd.toString() });
  for (const n of spread.nodes) expect(n.distress).toBeGreaterThanOrEqual(0);
  expect(spread.debtRank).toBeGreaterThanOrEqual(0);
  expect(spread.debtRank).toBeLessThanOrEqual(1);
});

test('across every deployment: all positions priced, VaR grows with confidence, forecasts answer, errors are the user\'s', async () => {
  const answer = await post(
    gateway,
    `{ valueAtRisk(volatilities: [{ asset: "ETH", volatility: 0.8 }, { asset: "BTC", volatility: 0.6 }, { asset: "AVAX", volatility: 1.0 }, { asset: "LINK", volatility: 1.0 }], paths: 2000) {
         total { var95 { value } var99 { value } } venues { protocol network } coverage { venues complete unpricedPositions } }
       contagion(shock: { protocol: "gmx-v1", network: "avalanche", lossFraction: 0.5 }) { nodes { protocol network initialDistress distress } exposures { channel } }
       forecast(protocol: "gmx-v1", network: "avalanche") { horizonDays threshold bandLevel lastRatio path { timestamp median low high } leadingIndicator }
       aggregate { distanceToInsolvency { marketWide { down } coverage { venues } } } }`,
  );
  expect(answer.errors).toBeUndefined();
  const { valueAtRisk, contagion: spread, forecast, aggregate } = answer.data!;
  expect(valueAtRisk.coverage).toMatchObject({ complete: true, unpricedPositions: 0 });
  expect(valueAtRisk.coverage.venues).toHaveLength(9);
  expect(valueAtRisk.total.var99.value).toBeGreaterThanOrEqual(valueAtRisk.total.var95.value);
  const shocked = spread.nodes.find((n: any) => n.protocol === 'gmx-v1' && n.network === 'avalanche');
  expect(shocked.initialDistress).toBeCloseTo(0.5, 9);
  expect(spread.exposures.length).toBeGreaterThan(0);
  expect(forecast.path.length).toBeGreaterThan(0);
  expect(forecast).toMatchObject({ horizonDays: 7, threshold: 1, bandLevel: 0.9 });
  for (const p of forecast.path) expect(p.low).toBeLessThanOrEqual(p.high);
  expect(aggregate.distanceToInsolvency.coverage.venues).toHaveLength(9);

  const bad = await post(gateway, '{ stressTest(scenario: { moves: [{ asset: "DOGE", move: -0.5 }] }) { rounds } }');
  expect(bad.errors![0].message).toMatch(/no priced asset "DOGE"/);
  expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  const shock = await post(gateway, '{ contagion(shock: { asset: "ETH" }) { debtRank } }');
  expect(shock.errors![0].message).toMatch(/either \{ asset, move \} or \{ protocol, network, lossFraction \}/);
  const engineError = await post(gateway, '{ liquidationCurve(step: 0) { curves { asset } } }');
  expect(engineError.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
});

test('one solvency model: on every deployment and in total, a stress with no move is the headline, to the digit', async () => {
  const answer = await post(
    gateway,
    `{ ratios { protocol network ratio bufferUSD collateralModels { model leftOut } }
       aggregate { ratio bufferUSD }
       stressTest(scenario: {}) { venues { protocol network ratioBefore ratioAfter bufferBeforeUSD bufferAfterUSD shortfallUSD liquidatedPositions } total { ratioBefore ratioAfter bufferBeforeUSD bufferAfterUSD shortfallUSD } } }`,
  );
  expect(answer.errors).toBeUndefined();
  const { ratios, aggregate, stressTest: zero } = answer.data!;
  expect(ratios).toHaveLength(9);
  for (const r of ratios) {
    const v = zero.venues.find((x: any) => x.protocol === r.protocol && x.network === r.network);
    expect({ before: v.ratioBefore, after: v.ratioAfter, buffer: v.bufferBeforeUSD, bufferAfter: v.bufferAfterUSD }).toEqual({ before: r.ratio, after: r.ratio, buffer: r.bufferUSD, bufferAfter: r.bufferUSD });
    expect(v.shortfallUSD).toBe('0');
    expect(v.liquidatedPositions).toBe(0);
  }
  expect(zero.total).toMatchObject({ ratioBefore: aggregate.ratio, ratioAfter: aggregate.ratio, bufferBeforeUSD: aggregate.bufferUSD, bufferAfterUSD: aggregate.bufferUSD, shortfallUSD: '0' });
  // Synthetix says what its backing leaves out; the others leave nothing out.
  for (const r of ratios) expect(r.collateralModels[0].leftOut === null).toBe(r.protocol !== 'synthetix-perps-v2');
  expect(ratios.find((r: any) => r.protocol === 'synthetix-perps-v2').collateralModels[0].leftOut).toMatch(/debt pool.*not indexed/);
});

test('distance to insolvency is positive exactly where the buffer is; an ETH crash reaches other venues', async () => {
  const answer = await post(
    gateway,
    `{ ratios { protocol network bufferUSD collateralModels { model } distanceToInsolvency { marketWide { down downReason } firstBadDebt { down } } }
       contagion(shock: { asset: "ETH", move: -0.4 }) { nodes { protocol network initialDistress distress } channels { channel active note } } }`,
  );
  expect(answer.errors).toBeUndefined();
  for (const r of answer.data!.ratios) {
    const down = r.distanceToInsolvency.marketWide.down;
    // A trader-margin venue's margin minus notional is negative by construction; its backstop is not indexed, and it says so.
    if (r.collateralModels[0].model === 'TRADER_MARGIN') expect({ down, reason: r.distanceToInsolvency.marketWide.downReason }).toEqual({ down: null, reason: expect.stringMatching(/backstop.*not indexed/) });
    else if (dec(r.bufferUSD).isNegative()) expect(down).toBe(0);
    else expect(down === null ? r.distanceToInsolvency.marketWide.downReason : down > 0).toBeTruthy();
  }
  const hit = answer.data!.contagion.nodes.filter((n: any) => n.initialDistress > 0 || n.distress > 0);
  expect(new Set(hit.map((n: any) => `${n.protocol}/${n.network}`)).size).toBeGreaterThanOrEqual(2);
  expect(answer.data!.contagion.channels.map((c: any) => c.channel)).toEqual(['token', 'fire-sale', 'shared-accounts']);
});

test('time travel outside the indexed range is NO_DATA, never zeros marked complete; timestamps are 64-bit', async () => {
  const before = await post(gateway, '{ ratio(protocol: "gmx-v1", network: "arbitrum-one", block: 1) { collateralUSD complete } }');
  expect(before.errors![0].extensions).toMatchObject({ code: 'NO_DATA' });
  expect(before.errors![0].message).toMatch(/before the protocol's first indexed event/);
  const future = await post(gateway, '{ ratio(protocol: "gmx-v1", network: "arbitrum-one", timestamp: 4102444800) { ratio } }');
  expect(future.errors![0].extensions).toMatchObject({ code: 'NO_DATA' });
  const bad = await post(gateway, '{ ratio(protocol: "gmx-v1", network: "arbitrum-one", timestamp: -5) { ratio } }');
  expect(bad.errors![0].message).toMatch(/a Timestamp is a whole number of seconds/);
});

test('without volatilities, valueAtRisk estimates them from the indexed hourly prices', async () => {
  const answer = await post(gateway, `{ valueAtRisk(${ONLY}, paths: 1000, historyHours: 48) { volatilities { asset volatility } volatilitySource total { var95 { value } } } }`);
  expect(answer.errors).toBeUndefined();
  const { volatilities, volatilitySource } = answer.data!.valueAtRisk;
  // The same estimate, made here: WETH's price at the last block of every hour with activity.
  const head = (await post(`${server.url}/subgraphs/name/${DEPLOYMENT}`, '{ _meta { block { timestamp } } }')).data!._meta.block.timestamp;
  const snapshots = await all('protocolHourlySnapshots', 'hour blockNumber', `hour_gte: ${Math.floor(head / 3600) - 48}`);
  const weth = '0x82af49447d8a07e3bd95bd0d56f35241523fbab1';
  const byHour = new Map<number, number>();
  for (const s of snapshots) {
    const t = (await post(`${server.url}/subgraphs/name/${DEPLOYMENT}`, `{ token(id: "${weth}", block: { number: ${s.blockNumber} }) { lastPriceUSD } }`)).data!.token;
    if (t?.lastPriceUSD) byHour.set(s.hour, Number(t.lastPriceUSD));
  }
  const returns: number[] = [];
  for (const [h, p] of byHour) if (byHour.has(h + 1)) returns.push(Math.log(byHour.get(h + 1)! / p));
  const m = returns.reduce((a, b) => a + b, 0) / returns.length;
  const v = returns.reduce((a, b) => a + (b - m) ** 2, 0) / (returns.length - 1);
  const eth = volatilities.find((x: any) => x.asset === 'ETH').volatility;
  expect(eth).toBeCloseTo(Math.sqrt(v * 24 * 365), 9);
  expect(volatilitySource).toMatch(new RegExp(`ETH ${returns.length}`));
});
