/**
 * riskBacktest end to end on a small written store (backtest-store.ts),
 * checkable by hand. gmx-v1/arbitrum-one, one block per hour from hour H0:
 * WETH at 2000 and 2010 by turns for hours 0-11 (volatility about 49% a year),
 * 2000 at hour 12, 1700 at hours 13-14 (the crash, -15%), 1710 at hour 15.
 * Two longs from hour 0: A (size 10000, liquidation price 1800) and B (size
 * 5000, liquidation price 1600). A is liquidated at hour 13 (size 10000,
 * shortfall 50).
 * With a window of 11 hours and a horizon of 1, the head at hour 15 makes
 * hour 14 the last complete outcome: origins at hours 11, 12 and 13.
 * - Hour 11 (state at block 12): nothing follows; ETH moves -0.5% (< minMove).
 * - Hour 12 (block 13): a 1-hour LaR and VaR of 0 (A's liquidation is a
 *   20-sigma move away), and 10000 liquidated with 50 of shortfall in hour 13:
 *   one exceedance each. ETH moves -15%: the curve at -15% (price 1700) has A
 *   (1800) liquidatable and not B (1600), size 10000 x 0.85 = 8500, against 10000.
 * - Hour 13 (block 14): nothing follows; ETH does not move.
 * Beside it aave-v3/arbitrum-one, lending, whose realised insolvency is the
 * rise of its booked bad debt (see the writer below).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { kupiecPof } from '../../server/risk';
import { startServer, type RunningServer } from '../../server/gateway';
import { loadConfig } from '../../server/gateway/config';
import { BacktestStore } from './backtest-store';
import { post } from './demo-stack';

const H0 = 470_000;
let dir: string;
let server: RunningServer;
let gateway: string;

const A = { id: '0x' + 'a1'.repeat(32), sizeUSD: '10000', collateralUSD: '1000', entryPriceUSD: '2000', liquidationPriceUSD: '1800', isOpen: true };
const B = { id: '0x' + 'b2'.repeat(32), sizeUSD: '5000', collateralUSD: '1500', entryPriceUSD: '2000', liquidationPriceUSD: '1600', isOpen: true };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'svr-risk-backtest-'));
  const store = new BacktestStore(join(dir, 'data'), H0);
  for (let k = 0; k <= 15; k++) {
    const price = k <= 11 ? (k % 2 === 0 ? '2000' : '2010') : k === 12 ? '2000' : k <= 14 ? '1700' : '1710';
    store.write({
      price,
      positions: k === 0 ? [A, B] : k === 13 ? [{ ...A, isOpen: false }] : [],
      liquidations: k === 13 ? [{ id: '0x' + 'cc'.repeat(32), positionId: A.id, sizeUSD: '10000', collateralUSD: '1000', shortfallUSD: '50' }] : [],
    });
  }
  // aave-v3/arbitrum-one beside it: the same prices, no borrower (a LaR and VaR of 0), an unpriced liquidation
  // (size 0) in hour 12, one of 4000 in hour 13, booked bad debt 0 until hour 12, 120 at hour 13, 100 at hour 14.
  const lending = new BacktestStore(join(dir, 'data'), H0, 'aave-v3');
  for (let k = 0; k <= 15; k++) {
    const price = k <= 11 ? (k % 2 === 0 ? '2000' : '2010') : k === 12 ? '2000' : k <= 14 ? '1700' : '1710';
    lending.write({
      price,
      badDebtUSD: k === 13 ? '120' : k === 14 ? '100' : undefined,
      liquidations:
        k === 12 ? [{ id: '0x' + 'd1'.repeat(32), positionId: A.id, sizeUSD: '0', collateralUSD: '0', shortfallUSD: null }]
        : k === 13 ? [{ id: '0x' + 'd2'.repeat(32), positionId: A.id, sizeUSD: '4000', collateralUSD: '4100', shortfallUSD: null }]
        : [],
    });
  }
  server = await startServer({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', config: loadConfig({ env: {} }), logger: pino({ level: 'silent' }) });
  gateway = `${server.url}/graphql`;
}, 120_000);
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const QUANTILE = `confidence horizonHours horizonDays realised meanPredictedUSD meanRealisedUSD
  kupiec { statistic pValue observations exceedances expectedRate } christoffersen { transitions } conditionalCoverage { pValue }
  points { timestamp blockNumber predictedUSD realisedUSD exceeded }`;
const FIELDS = `protocol network from to windowHours horizonHours confidence paths seed observations
  liquidations { ${QUANTILE} } insolvency { ${QUANTILE} }
  curve { horizonHours minMove observations predictedUSD realisedUSD meanAbsoluteErrorUSD realisedToPredicted
    buckets { fromMove toMove observations predictedUSD realisedUSD meanAbsoluteErrorUSD realisedToPredicted }
    points { timestamp asset move predictedUSD realisedUSD } originsWithoutMove }
  leftOut { originsBeyondCap originsWithoutSnapshot originsWithTooLittlePriceHistory unpricedPositions liquidationsWithUnknownShortfall unpricedLiquidations notes }
  provenance { query parameters digest reads { blockNumber } }`;

test('LaR, VaR and the curve against the hand-checked liquidations', async () => {
  const answer = await post(gateway, `{ riskBacktest(protocol: "gmx-v1", network: "arbitrum-one", windowHours: 11, paths: 1000) { ${FIELDS} } }`);
  expect(answer.errors).toBeUndefined();
  const r = answer.data!.riskBacktest;
  const hour = (k: number) => (H0 + k) * 3600;
  expect(r).toMatchObject({ from: hour(11), to: hour(13), windowHours: 11, horizonHours: 1, confidence: 0.95, paths: 1000, seed: 1, observations: 3 });
  const outcomes = (q: any) => q.points.map((p: any) => [p.timestamp, p.blockNumber, p.realisedUSD, p.exceeded]);
  expect(outcomes(r.liquidations)).toEqual([
    [hour(11), 12, 0, false],
    [hour(12), 13, 10000, true],
    [hour(13), 14, 0, false],
  ]);
  expect(r.liquidations.points[1].predictedUSD).toBe(0);
  expect(outcomes(r.insolvency)).toEqual([
    [hour(11), 12, 0, false],
    [hour(12), 13, 50, true],
    [hour(13), 14, 0, false],
  ]);
  const engine = kupiecPof(3, 1, 1 - 0.95);
  for (const q of [r.liquidations, r.insolvency]) {
    expect(q).toMatchObject({ confidence: 0.95, horizonHours: 1, horizonDays: 1 / 24 });
    expect(q.kupiec).toMatchObject({ observations: 3, exceedances: 1, expectedRate: expect.closeTo(0.05, 12) });
    expect(q.kupiec.statistic).toBeCloseTo(engine.statistic, 12);
    expect(q.kupiec.pValue).toBeCloseTo(engine.pValue, 12);
    expect(q.christoffersen.transitions).toEqual([0, 1, 1, 0]);
  }
  expect(r.liquidations.meanRealisedUSD).toBeCloseTo(10000 / 3, 9);
  expect(r.curve).toMatchObject({ horizonHours: 1, minMove: 0.01, observations: 1, originsWithoutMove: [hour(11), hour(13)] });
  expect(r.curve.points).toEqual([{ timestamp: hour(12), asset: 'ETH', move: expect.closeTo(-0.15, 12), predictedUSD: 8500, realisedUSD: 10000 }]);
  expect(r.curve.buckets).toEqual([{ fromMove: -0.2, toMove: -0.1, observations: 1, predictedUSD: 8500, realisedUSD: 10000, meanAbsoluteErrorUSD: 1500, realisedToPredicted: 10000 / 8500 }]);
  expect(r.leftOut).toMatchObject({ originsBeyondCap: 0, originsWithoutSnapshot: [], originsWithTooLittlePriceHistory: [], unpricedPositions: 0, liquidationsWithUnknownShortfall: 0, unpricedLiquidations: 0 });
  expect(r.leftOut.notes.length).toBeGreaterThan(0);
  expect(r.provenance.query).toBe('riskBacktest');
  expect(r.provenance.reads.map((x: any) => x.blockNumber).sort((a: number, b: number) => a - b)).toEqual([12, 13, 14, 16]);
  expect(JSON.parse(r.provenance.parameters)).toMatchObject({ windowHours: 11, horizonHours: 1, paths: 1000, seed: 1, confidence: 0.95, origins: [{ hour: H0 + 11, blockNumber: 12 }, { hour: H0 + 12, blockNumber: 13 }, { hour: H0 + 13, blockNumber: 14 }] });
});

test('lending: realised insolvency is the rise of booked bad debt, a fall counts as none; unpriced liquidations are counted', async () => {
  const answer = await post(gateway, `{ riskBacktest(protocol: "aave-v3", network: "arbitrum-one", windowHours: 11, paths: 200) { ${FIELDS} } }`);
  expect(answer.errors).toBeUndefined();
  const r = answer.data!.riskBacktest;
  const realised = (q: any) => q.points.map((p: any) => [p.realisedUSD, p.exceeded]);
  expect(realised(r.liquidations)).toEqual([[0, false], [4000, true], [0, false]]);
  expect(realised(r.insolvency)).toEqual([[0, false], [120, true], [0, false]]);
  expect(r.insolvency.realised).toMatch(/realisedBadDebtUSD/);
  expect(r.leftOut).toMatchObject({ unpricedLiquidations: 1, liquidationsWithUnknownShortfall: 0 });
  expect(r.leftOut.notes.join(' ')).toMatch(/close factor/);
  expect(r.curve.points).toEqual([{ timestamp: (H0 + 12) * 3600, asset: 'ETH', move: expect.closeTo(-0.15, 12), predictedUSD: 0, realisedUSD: 4000 }]);
  expect(r.curve.buckets[0]).toMatchObject({ predictedUSD: 0, realisedUSD: 4000, realisedToPredicted: null });
});

test('origins before the first snapshot, and with too few hourly returns behind them, are listed and left out', async () => {
  const answer = await post(gateway, `{ riskBacktest(protocol: "gmx-v1", network: "arbitrum-one", windowHours: 11, paths: 100, from: ${(H0 - 5) * 3600}) { from observations leftOut { originsBeyondCap originsWithoutSnapshot originsWithTooLittlePriceHistory } } }`);
  expect(answer.errors).toBeUndefined();
  const hours = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => (from + k) * 3600);
  // Hour H0 + 10 has hours H0..H0+10 behind it: 10 returns, the least the estimate takes.
  expect(answer.data!.riskBacktest).toEqual({
    from: (H0 + 10) * 3600,
    observations: 4,
    leftOut: { originsBeyondCap: 0, originsWithoutSnapshot: hours(H0 - 5, H0 - 1), originsWithTooLittlePriceHistory: hours(H0, H0 + 9) },
  });
});

test('the observation cap leaves earlier origins out and says how many', async () => {
  const answer = await post(gateway, `{ riskBacktest(protocol: "gmx-v1", network: "arbitrum-one", windowHours: 11, observations: 2, paths: 100) { from observations leftOut { originsBeyondCap } } }`);
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.riskBacktest).toEqual({ from: (H0 + 12) * 3600, observations: 2, leftOut: { originsBeyondCap: 1 } });
});

test('work over the caps is refused before it runs, naming the cap', async () => {
  const heavy = await post(gateway, '{ riskBacktest(protocol: "gmx-v1", network: "arbitrum-one", observations: 100, paths: 5000) { observations } }');
  expect(heavy.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'riskBacktest', argument: 'observations, paths' } });
  expect(heavy.errors![0].message).toMatch(/200000/);
  const paths = await post(gateway, '{ riskBacktest(protocol: "gmx-v1", network: "arbitrum-one", paths: 20000) { observations } }');
  expect(paths.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'paths' } });
  const short = await post(gateway, '{ riskBacktest(protocol: "gmx-v1", network: "arbitrum-one", windowHours: 11, horizonHours: 12) { observations } }');
  expect(short.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', riskCode: 'RISK_TOO_LITTLE_HISTORY' } });
});
