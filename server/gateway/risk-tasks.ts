/**
 * The risk computations behind the gateway's risk queries, as tasks for the
 * risk worker pool (server/workers/pool.ts): each takes plain data (the
 * portfolio in wire form, the query's parameters) and returns the answer as
 * the schema shapes it, so that no CPU-heavy work runs on the event loop that
 * answers every other request, and a request's deadline or hang-up really
 * stops it. The arithmetic is server/risk's; this file only formats.
 */
import { Decimal } from '../numeric/decimal';
import {
  contagion as runContagion,
  distanceToInsolvency as runDistance,
  forecastRatio,
  liquidationCurves,
  monteCarloRisk,
  portfolioFromWire,
  stressTest as runStress,
  type ContagionShock,
  type DirectionalDistance,
  type MonteCarloOptions,
  type StressScenario,
  type StressTotal,
  type VenueRisk as EngineVenueRisk,
  type VenueStress as EngineVenueStress,
  type WirePortfolio,
} from '../risk';
import {
  backtestForecast,
  backtestMonteCarlo,
  compilePortfolio,
  curveBacktest,
  type CurveOptions,
  type CurveOutcome,
  type ForecastBacktestOptions,
  type ForecastOptions,
  type MonteCarloBacktestOptions,
  type QuantileExceedances,
  type RatioObservation,
} from '../risk';
import type { VenueRisk, VenueStress } from './generated/resolvers-types';

const usdText = (amount: Decimal) => amount.toString();

function distanceAnswer(d: DirectionalDistance) {
  return { down: d.down.move, downReason: d.down.reason, up: d.up.move, upReason: d.up.reason };
}

function venueStress(protocol: string, network: string, v: StressTotal & Partial<Pick<EngineVenueStress, 'model' | 'tradersPnlUsd'>>): VenueStress {
  return {
    protocol,
    network,
    collateralModel: v.model ?? null,
    ratioBefore: v.before.ratio?.toString() ?? null,
    ratioAfter: v.after.ratio?.toString() ?? null,
    collateralBeforeUSD: usdText(v.before.backingUsd),
    collateralAfterUSD: usdText(v.after.backingUsd),
    obligationsBeforeUSD: usdText(v.before.obligationsUsd),
    obligationsAfterUSD: usdText(v.after.obligationsUsd),
    bufferBeforeUSD: usdText(v.before.bufferUsd),
    bufferAfterUSD: usdText(v.after.bufferUsd),
    liquidatedPositions: v.liquidatedPositions,
    liquidatedObligationsUSD: usdText(v.liquidatedObligationsUsd),
    liquidatedCollateralUSD: usdText(v.liquidatedCollateralUsd),
    shortfallUSD: usdText(v.shortfallUsd),
    pendingPositions: v.pendingPositions,
    tradersPnlUSD: v.tradersPnlUsd ? usdText(v.tradersPnlUsd) : null,
  };
}

function venueRisk(protocol: string, network: string, r: EngineVenueRisk): VenueRisk {
  return {
    protocol,
    network,
    expectedInsolvencyUSD: r.expectedInsolvencyUsd,
    var95: r.var95,
    var99: r.var99,
    expectedShortfall99USD: r.expectedShortfall99Usd,
    expectedLiquidationsUSD: r.expectedLiquidationsUsd,
    lar95: r.lar95,
    lar99: r.lar99,
  };
}

export function stressTest(input: { portfolio: WirePortfolio; scenario: Omit<StressScenario, 'impact'> }) {
  const result = runStress(portfolioFromWire(input.portfolio), input.scenario);
  return {
    venues: result.venues.map((v) => venueStress(v.venue.protocol, v.venue.network, v)),
    total: venueStress('*', '*', result.total),
    rounds: result.rounds,
    finalMoves: Object.entries(result.finalMoves).map(([asset, move]) => ({ asset, move })),
  };
}

export function liquidationCurve(input: { portfolio: WirePortfolio; options: CurveOptions; asset: string | null }) {
  return liquidationCurves(portfolioFromWire(input.portfolio), input.options)
    .filter((c) => input.asset === null || c.asset === input.asset)
    .map((c) => ({
      protocol: c.venue.protocol,
      network: c.venue.network,
      asset: c.asset,
      points: c.points.map((p) => ({ move: p.move, positions: p.positions, collateralUSD: usdText(p.collateralUsd), sizeUSD: usdText(p.sizeUsd) })),
    }));
}

export function distanceToInsolvency(input: { portfolio: WirePortfolio; only: string }) {
  const result = runDistance(portfolioFromWire(input.portfolio), { only: input.only });
  const report = input.only === '*' ? result.total! : result.venues[0]!;
  return {
    marketWide: distanceAnswer(report.marketWide.insolvency),
    firstBadDebt: distanceAnswer(report.marketWide.firstBadDebt),
    perAsset: Object.entries(report.perAsset).map(([asset, d]) => ({ asset, distance: distanceAnswer(d.insolvency), firstBadDebt: distanceAnswer(d.firstBadDebt) })),
    ...result.options,
  };
}

export function valueAtRisk(input: { portfolio: WirePortfolio; options: MonteCarloOptions }) {
  const result = monteCarloRisk(portfolioFromWire(input.portfolio), input.options);
  return {
    paths: result.paths,
    horizonDays: result.horizonDays,
    seed: result.seed,
    venues: result.venues.map((v) => venueRisk(v.venue.protocol, v.venue.network, v)),
    total: venueRisk('*', '*', result.total),
  };
}

export function contagion(input: { portfolio: WirePortfolio; shock: ContagionShock; depthUsd: Record<string, string>; sharedAccountWithdrawal?: number }) {
  const depthUsd = Object.fromEntries(Object.entries(input.depthUsd).map(([a, d]) => [a, Decimal.parse(d)]));
  const result = runContagion(portfolioFromWire(input.portfolio), input.shock, { impact: { depthUsd }, sharedAccountWithdrawal: input.sharedAccountWithdrawal });
  return {
    nodes: result.nodes.map((n) => ({
      protocol: n.venue.protocol,
      network: n.venue.network,
      equityUSD: usdText(n.equityUsd),
      initialDistress: n.initialDistress,
      distress: n.distress,
      lossUSD: usdText(n.lossUsd),
    })),
    exposures: result.exposures.map((e) => ({
      exposed: e.exposed,
      source: e.source,
      channel: e.channel,
      asset: e.asset ?? null,
      accounts: e.accounts ?? null,
      amountUSD: usdText(e.amountUsd),
      lossAtFullDistressUSD: usdText(e.lossAtFullDistressUsd),
    })),
    channels: result.channels,
    sharedAccountWithdrawal: result.parameters.sharedAccountWithdrawal,
    totalImpact: result.totalImpact,
    debtRank: result.debtRank,
    iterations: result.iterations,
  };
}

export function forecast(input: { observations: RatioObservation[]; options: ForecastOptions }) {
  const f = forecastRatio(input.observations, input.options);
  return {
    horizonDays: f.horizonDays,
    threshold: f.threshold,
    bandLevel: f.bandLevel,
    lastRatio: f.lastRatio,
    lastTimestamp: f.lastTime,
    trendPerDay: f.trendPerDay,
    volatilityPerSqrtDay: f.volatilityPerSqrtDay,
    path: f.path.map((p) => ({ timestamp: p.time, median: p.median, low: p.low, high: p.high })),
    daysToThreshold: f.daysToThreshold,
    probabilityOfThresholdWithinHorizon: f.probabilityOfThresholdWithinHorizon,
    leadingIndicator: f.leadingIndicator,
    reasons: f.reasons,
  };
}

export function backtest(input: { observations: RatioObservation[]; options: ForecastBacktestOptions }) {
  const r = backtestForecast(input.observations, input.options);
  return {
    forecasts: r.forecasts,
    quantile: { ...r.quantile, horizonDays: r.horizonDays },
    band: { ...r.band, horizonDays: r.horizonDays },
    crossings: { ...r.crossings, horizonDays: r.horizonDays },
  };
}

/** One origin of the Monte Carlo and curve backtest: the portfolio then, what was known then, and what followed. */
export interface RiskBacktestStepInput {
  time: number;
  portfolio: WirePortfolio;
  volatility: Record<string, number>;
  correlation: { assets: string[]; matrix: number[][] } | null;
  realisedLiquidationsUsd: number;
  realisedInsolvencyUsd: number;
  /** Assets whose price moved by at least the minimum move over the horizon: their move. */
  moves: Record<string, number>;
  /** Liquidated notional realised over the horizon in positions of each asset, USD. */
  realisedByAsset: Record<string, number>;
}

function quantileAnswer(q: QuantileExceedances, horizonHours: number) {
  return {
    confidence: q.confidence,
    horizonHours,
    horizonDays: horizonHours / 24,
    meanPredictedUSD: q.meanPredicted,
    meanRealisedUSD: q.meanRealised,
    kupiec: q.kupiec,
    christoffersen: q.christoffersen,
    conditionalCoverage: q.conditionalCoverage,
    points: q.points.map((p) => ({ timestamp: p.time, predictedUSD: p.predicted, realisedUSD: p.realised, exceeded: p.exceeded })),
  };
}

/** The Monte Carlo VaR/LaR and the liquidation curve, each step's portfolio simulated and read off its curve at the realised moves. */
export function riskBacktest(input: { steps: RiskBacktestStepInput[]; options: MonteCarloBacktestOptions & { horizonHours: number } }) {
  const compiled = input.steps.map((s) => ({ step: s, portfolio: compilePortfolio(portfolioFromWire(s.portfolio)) }));
  const mc = backtestMonteCarlo(
    compiled.map(({ step, portfolio }) => ({
      time: step.time,
      portfolio,
      volatility: step.volatility,
      correlation: step.correlation ?? undefined,
      realisedLiquidationsUsd: step.realisedLiquidationsUsd,
      realisedInsolvencyUsd: step.realisedInsolvencyUsd,
    })),
    input.options,
  );
  const outcomes: CurveOutcome[] = [];
  for (const { step, portfolio } of compiled) {
    for (const [asset, move] of Object.entries(step.moves).sort(([a], [b]) => (a < b ? -1 : 1))) {
      // The curve at the move, to the basis point it resolves moves to; every venue of the portfolio.
      const at = liquidationCurves(portfolio, { from: move, to: move, step: 0.0001 }).filter((c) => c.asset === asset);
      const predicted = at.reduce((sum, c) => sum + Number(c.points[0]!.sizeUsd.toString()), 0);
      outcomes.push({ time: step.time, asset, move, predicted, realised: step.realisedByAsset[asset] ?? 0 });
    }
  }
  const curve = curveBacktest(outcomes);
  return {
    paths: mc.paths,
    seed: mc.seed,
    liquidations: quantileAnswer(mc.liquidations, input.options.horizonHours),
    insolvency: quantileAnswer(mc.insolvency, input.options.horizonHours),
    curve: {
      horizonHours: input.options.horizonHours,
      observations: curve.observations,
      predictedUSD: curve.predictedUsd,
      realisedUSD: curve.realisedUsd,
      meanAbsoluteErrorUSD: curve.meanAbsoluteErrorUsd,
      realisedToPredicted: curve.realisedToPredicted,
      buckets: curve.buckets.map((b) => ({
        fromMove: b.fromMove,
        toMove: b.toMove,
        observations: b.observations,
        predictedUSD: b.predictedUsd,
        realisedUSD: b.realisedUsd,
        meanAbsoluteErrorUSD: b.meanAbsoluteErrorUsd,
        realisedToPredicted: b.realisedToPredicted,
      })),
      points: curve.points.map((p) => ({ timestamp: p.time, asset: p.asset, move: p.move, predictedUSD: p.predicted, realisedUSD: p.realised })),
    },
  };
}

/** Nothing: run once on each worker at start (WorkerPool.warmUp), so the threads and this module are loaded before the first risk query and the server's memory is what it will be. */
export function loaded(): true {
  return true;
}

export type RiskTask = 'stressTest' | 'liquidationCurve' | 'distanceToInsolvency' | 'valueAtRisk' | 'contagion' | 'forecast' | 'backtest' | 'riskBacktest';
