/**
 * The backtest query over the demo stack's indexed history: its figures
 * equal server/risk's backtestForecast on the same hourly ratios (read here
 * through the history query), and its arguments are checked.
 */
import { backtestForecast } from '../../server/risk';
import type { RunningServer } from '../../server/gateway';
import { demoDataDir, post, startDemoGateway } from './demo-stack';

let server: RunningServer;
let gateway: string;

beforeAll(async () => {
  server = await startDemoGateway(await demoDataDir());
  gateway = `${server.url}/graphql`;
}, 600_000);
afterAll(async () => server?.close());

const FIELDS = `observations from to windowHours horizonHours forecasts
  quantile { confidence horizonDays kupiec { statistic pValue observations exceedances expectedRate observedRate } christoffersen { statistic pValue transitions } conditionalCoverage { statistic pValue } }
  band { bandLevel coverage below above kupiec { pValue exceedances } }
  crossings { threshold predictions hits misses falseAlarms hitRate brierScore }`;

// The demo stack indexes 25 hours: a 12-hour window leaves 13 forecasts.
test('backtest equals the engine on the hourly history it read', async () => {
  const answer = await post(gateway, `{ backtest(protocol: "gmx-v1", network: "arbitrum-one", windowHours: 12) { ${FIELDS} } }`);
  expect(answer.errors).toBeUndefined();
  const b = answer.data!.backtest;
  const series = await post(gateway, `{ history(protocol: "gmx-v1", network: "arbitrum-one", interval: HOUR, from: ${b.from}, to: ${b.to}) { timestamp ratio } }`);
  const observations = series.data!.history.filter((p: any) => p.ratio !== null && Number(p.ratio) > 0).map((p: any) => ({ time: p.timestamp, ratio: Number(p.ratio) }));
  expect(b.observations).toBe(observations.length);
  const engine = backtestForecast(observations, { window: 12, horizonSteps: 1, confidence: 0.95, bandLevel: 0.9, threshold: 1 });
  expect(b.forecasts).toBe(engine.forecasts);
  expect(b.quantile.kupiec).toEqual(engine.quantile.kupiec);
  expect(b.quantile.christoffersen.transitions).toEqual(engine.quantile.christoffersen.transitions);
  expect(b.quantile).toMatchObject({ confidence: 0.95, horizonDays: engine.horizonDays });
  expect(b.band).toMatchObject({ bandLevel: 0.9, coverage: engine.band.coverage, below: engine.band.below, above: engine.band.above });
  expect(b.crossings).toMatchObject({ threshold: 1, predictions: engine.forecasts, hits: engine.crossings.hits, misses: engine.crossings.misses });
});

test('bad arguments are the user\'s, with what to change', async () => {
  const window = await post(gateway, '{ backtest(protocol: "gmx-v1", network: "arbitrum-one", windowHours: 100000) { forecasts } }');
  expect(window.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  expect(window.errors![0].message).toMatch(/windowHours/);
  const level = await post(gateway, '{ backtest(protocol: "gmx-v1", network: "arbitrum-one", confidence: 1.5) { forecasts } }');
  expect(level.errors![0].message).toMatch(/confidence/);
  const nowhere = await post(gateway, '{ backtest(protocol: "gmx-v1", network: "nowhere") { forecasts } }');
  expect(nowhere.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  const short = await post(gateway, '{ backtest(protocol: "gmx-v1", network: "arbitrum-one", windowHours: 720, from: 0, to: 3600) { forecasts } }');
  expect(short.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', riskCode: 'RISK_TOO_LITTLE_HISTORY' } });
});

test('every deployment of the demo answers a backtest', async () => {
  const answer = await post(gateway, `{ ratios { protocol network } }`);
  for (const r of answer.data!.ratios) {
    const b = await post(gateway, `{ backtest(protocol: "${r.protocol}", network: "${r.network}", windowHours: 12) { forecasts quantile { kupiec { pValue } } band { coverage } } }`);
    expect(b.errors).toBeUndefined();
    expect(b.data!.backtest.forecasts).toBeGreaterThan(1);
    expect(b.data!.backtest.band.coverage).toBeGreaterThanOrEqual(0);
  }
});

test('every deployment of the demo answers a risk backtest, its horizon and confidence stated, what it left out said', async () => {
  const answer = await post(gateway, `{ ratios { protocol network } }`);
  for (const r of answer.data!.ratios) {
    const b = await post(
      gateway,
      `{ riskBacktest(protocol: "${r.protocol}", network: "${r.network}", paths: 200) { observations horizonHours confidence
        liquidations { confidence horizonHours kupiec { observations exceedances pValue } points { predictedUSD realisedUSD exceeded } }
        insolvency { confidence horizonHours kupiec { observations pValue } }
        curve { observations originsWithoutMove buckets { observations } } leftOut { originsBeyondCap notes } provenance { digest } } }`,
    );
    expect(b.errors).toBeUndefined();
    const t = b.data!.riskBacktest;
    expect(t.observations).toBeGreaterThan(1);
    for (const q of [t.liquidations, t.insolvency]) expect(q).toMatchObject({ confidence: 0.95, horizonHours: 1, kupiec: { observations: t.observations } });
    expect(t.liquidations.kupiec.exceedances).toBe(t.liquidations.points.filter((p: any) => p.realisedUSD > p.predictedUSD).length);
    // Each origin either had a move the curve is checked at, or is listed as having none.
    expect(t.curve.originsWithoutMove.length).toBeLessThanOrEqual(t.observations);
    expect(t.curve.buckets.reduce((n: number, x: any) => n + x.observations, 0)).toBe(t.curve.observations);
    expect(t.leftOut.notes.length).toBeGreaterThan(0);
  }
}, 300_000);
