/**
 * Replay of the risk answers from their provenance records (replay.ts
 * dispatches here by the record's kind): the portfolio or history read again
 * at the recorded blocks (checked by provenance.ts's replayReads), the engine
 * run again with the recorded parameters, through the same functions that
 * answered the first time.
 */
import { GraphQLError } from 'graphql';
import { sourceKey, type BlockPin } from '../sources';
import type { GatewayContext } from './context';
import { badParameter, missingSourcesOf, replayReads, replayError, type ProvenanceRecord } from './provenance';
import {
  contagionAnswer,
  coverage,
  distanceAnswer,
  forecastAnswer,
  liquidationCurveAnswer,
  stressAnswer,
  valueAtRiskAnswer,
  type ContagionParameters,
  type ForecastParameters,
  type LiquidationCurveParameters,
  type StressParameters,
  type ValueAtRiskParameters,
} from './risk-resolvers';
import { buildPortfolio, type BuiltPortfolio } from './risk-portfolio';
import { sourceGraphQLError } from './resolvers';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numbers = (v: unknown): v is Record<string, number> => isObject(v) && Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x));
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const texts = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/** The portfolio at the recorded blocks, in the registry's order (the order the first answer read it in), with the recorded coverage. */
async function portfolioAt(ctx: GatewayContext, record: ProvenanceRecord) {
  const reads = await replayReads(ctx, record);
  const pins = new Map<string, BlockPin>(reads.map((r) => [sourceKey(r.source), r.pin]));
  const sources = ctx.sources.registry.list().filter((s) => pins.has(sourceKey(s)));
  const built = await buildPortfolio(ctx, sources, pins);
  if (built.missingSources.length > 0) {
    const e = ctx.sourceErrors[ctx.sourceErrors.length - 1];
    throw e ? sourceGraphQLError(e) : new GraphQLError(`${built.missingSources.join(', ')} did not answer during the replay; try again`, { extensions: { code: 'UPSTREAM_QUERY_ERROR' } });
  }
  const recorded: BuiltPortfolio = { ...built, missingSources: missingSourcesOf(record.parameters) };
  return { built: recorded, cover: coverage(recorded, sources.map(sourceKey)) };
}

function stressParameters(p: Record<string, unknown>): StressParameters {
  const s = p.scenario;
  if (!isObject(s) || !numbers(s.moves) || !(s.marketWide === null || typeof s.marketWide === 'number') || typeof s.cascade !== 'boolean' || !texts(s.depthsUSD)) {
    throw badParameter('scenario needs moves (asset to number), marketWide (number or null), cascade (true or false) and depthsUSD (asset to text)');
  }
  return { moves: s.moves, marketWide: s.marketWide, cascade: s.cascade, depthsUSD: s.depthsUSD };
}

function valueAtRiskParameters(p: Record<string, unknown>): ValueAtRiskParameters {
  const c = p.correlation;
  const correlationOk =
    c === null || (isObject(c) && Array.isArray(c.assets) && c.assets.every((a) => typeof a === 'string') && Array.isArray(c.matrix) && c.matrix.every((row) => Array.isArray(row) && row.every((x) => typeof x === 'number')));
  if (!numbers(p.volatility) || !correlationOk) throw badParameter('volatility must map assets to numbers and correlation be null or { assets, matrix }');
  const paths = p.paths;
  // The same bounds as the valueAtRisk query: a record does not buy more work than a query could.
  if (!(typeof paths === 'number' && Number.isInteger(paths) && paths >= 100 && paths <= 100_000)) throw badParameter('paths must be a whole number from 100 to 100000');
  if (!(typeof p.horizonDays === 'number' && p.horizonDays > 0) || !(typeof p.seed === 'number' && Number.isInteger(p.seed))) throw badParameter('horizonDays must be above 0 and seed a whole number');
  if (!(p.historyHours === null || (typeof p.historyHours === 'number' && Number.isInteger(p.historyHours))) || typeof p.volatilitySource !== 'string') {
    throw badParameter('historyHours must be a whole number or null, and volatilitySource text');
  }
  return {
    volatility: p.volatility,
    correlation: c as ValueAtRiskParameters['correlation'],
    horizonDays: p.horizonDays,
    paths,
    seed: p.seed,
    historyHours: p.historyHours,
    volatilitySource: p.volatilitySource,
  };
}

function liquidationCurveParameters(p: Record<string, unknown>): LiquidationCurveParameters {
  if (!isFinite(p.from) || !isFinite(p.to) || !isFinite(p.step) || !(p.step > 0) || !(p.asset === null || typeof p.asset === 'string')) {
    throw badParameter('from, to and step must be numbers (step above 0) and asset text or null');
  }
  // The same bound as the liquidationCurve query (cost.ts weighs the record's points before this runs).
  if (Math.floor(Math.abs(p.to - p.from) / p.step + 1e-9) + 1 > 1_000) throw badParameter('(to - from) / step + 1 must be at most 1000 points');
  return { from: p.from, to: p.to, step: p.step, asset: p.asset };
}

function contagionParameters(p: Record<string, unknown>): ContagionParameters {
  const s = p.shock;
  const asset = isObject(s) && s.kind === 'asset' && typeof s.asset === 'string' && isFinite(s.move);
  const venue = isObject(s) && s.kind === 'venue' && isObject(s.venue) && typeof s.venue.protocol === 'string' && typeof s.venue.network === 'string' && isFinite(s.lossFraction);
  if (!asset && !venue) throw badParameter('shock must be { kind: "asset", asset, move } or { kind: "venue", venue: { protocol, network }, lossFraction }');
  if (!texts(p.depthsUSD) || !isFinite(p.sharedAccountWithdrawal)) throw badParameter('depthsUSD must map assets to texts and sharedAccountWithdrawal be a number');
  return { shock: s as unknown as ContagionParameters['shock'], depthsUSD: p.depthsUSD, sharedAccountWithdrawal: p.sharedAccountWithdrawal };
}

function forecastParameters(p: Record<string, unknown>): ForecastParameters & { bandLevel: number; from: number | null; to: number } {
  if (typeof p.protocol !== 'string' || !(p.network === null || typeof p.network === 'string') || (p.interval !== 'HOUR' && p.interval !== 'DAY')) {
    throw badParameter('protocol must be text, network text or null, and interval HOUR or DAY');
  }
  if (!isFinite(p.horizonDays) || !isFinite(p.threshold) || !isFinite(p.bandLevel) || !(p.from === null || isFinite(p.from)) || !isFinite(p.to)) {
    throw badParameter('horizonDays, threshold, bandLevel and to must be numbers, from a number or null');
  }
  if (!(p.horizonDays > 0 && p.horizonDays <= 365)) throw badParameter('horizonDays must be above 0 and at most 365');
  return { protocol: p.protocol, network: p.network, interval: p.interval, horizonDays: p.horizonDays, threshold: p.threshold, bandLevel: p.bandLevel, from: p.from, to: p.to };
}

/**
 * The recomputation of each risk kind from its checked record: the same
 * function that gave the first answer, at the recorded blocks. The record's
 * digest and methodology are checked before (replay.ts).
 */
export const REPLAY_RISK = {
  stressTest: async (ctx: GatewayContext, record: ProvenanceRecord) => {
    const scenario = stressParameters(record.parameters);
    const { built, cover } = await portfolioAt(ctx, record);
    return stressAnswer(ctx, built, cover, scenario);
  },
  valueAtRisk: async (ctx: GatewayContext, record: ProvenanceRecord) => {
    const used = valueAtRiskParameters(record.parameters);
    const { built, cover } = await portfolioAt(ctx, record);
    return valueAtRiskAnswer(ctx, built, cover, used);
  },
  liquidationCurve: async (ctx: GatewayContext, record: ProvenanceRecord) => {
    const used = liquidationCurveParameters(record.parameters);
    const { built, cover } = await portfolioAt(ctx, record);
    return liquidationCurveAnswer(ctx, built, cover, used);
  },
  contagion: async (ctx: GatewayContext, record: ProvenanceRecord) => {
    const used = contagionParameters(record.parameters);
    const { built, cover } = await portfolioAt(ctx, record);
    return contagionAnswer(ctx, built, cover, used);
  },
  distanceToInsolvency: async (ctx: GatewayContext, record: ProvenanceRecord) => {
    const p = record.parameters;
    if (typeof p.only !== 'string') throw badParameter('only must be text ("protocol/network" or "*")');
    missingSourcesOf(p);
    const reads = await replayReads(ctx, record);
    // In the registry's order, as the snapshot read them.
    const ordered = ctx.sources.registry.list().flatMap((s) => reads.filter((r) => r.source === s));
    const answer = await distanceAnswer(ctx, ordered, p.only);
    if (answer.coverage.missingSources.length > 0) {
      const e = ctx.sourceErrors[ctx.sourceErrors.length - 1];
      throw e ? sourceGraphQLError(e) : new GraphQLError(`${answer.coverage.missingSources.join(', ')} did not answer during the replay; try again`, { extensions: { code: 'UPSTREAM_QUERY_ERROR' } });
    }
    return answer;
  },
  forecast: async (ctx: GatewayContext, record: ProvenanceRecord) => {
    const p = forecastParameters(record.parameters);
    const reads = await replayReads(ctx, record);
    const answer = await forecastAnswer(ctx, { protocol: p.protocol, network: p.network, interval: p.interval, horizonDays: p.horizonDays, threshold: p.threshold }, reads);
    // The history window and the band level follow from the reads and the code: a difference means the definitions moved.
    const again = JSON.parse(answer.provenance.parameters) as Record<string, unknown>;
    if (again.from !== p.from || again.to !== p.to || again.bandLevel !== p.bandLevel) {
      throw replayError('REPLAY_UNSUPPORTED_METHODOLOGY', `the forecast read again covers ${again.from}..${again.to} at band ${again.bandLevel}, not ${p.from}..${p.to} at ${p.bandLevel} as recorded: the definitions changed without a methodology version`);
    }
    return answer;
  },
};
