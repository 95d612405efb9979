/**
 * Replay of the stress test and the Monte Carlo VaR from their provenance
 * records: the portfolio read again at the recorded blocks (checked by
 * provenance.ts's replayReads), the engine run again with the recorded
 * parameters, through the same functions that answered the first time.
 */
import { GraphQLError } from 'graphql';
import { sourceKey, type BlockPin } from '../sources';
import type { GatewayContext } from './context';
import type { Resolvers } from './generated/resolvers-types';
import { badParameter, parseRecordOf, replayReads, type ProvenanceRecord } from './provenance';
import { coverage, stressAnswer, valueAtRiskAnswer, type StressParameters, type ValueAtRiskParameters } from './risk-resolvers';
import { buildPortfolio, type BuiltPortfolio } from './risk-portfolio';
import { sourceGraphQLError } from './resolvers';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numbers = (v: unknown): v is Record<string, number> => isObject(v) && Object.values(v).every((x) => typeof x === 'number' && Number.isFinite(x));
const texts = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/** The portfolio at the recorded blocks, in the registry's order (the order the first answer read it in), with the recorded coverage. */
async function portfolioAt(ctx: GatewayContext, record: ProvenanceRecord, digest: string | null | undefined) {
  const reads = await replayReads(ctx, record, digest);
  const pins = new Map<string, BlockPin>(reads.map((r) => [sourceKey(r.source), r.pin]));
  const sources = ctx.sources.registry.list().filter((s) => pins.has(sourceKey(s)));
  const built = await buildPortfolio(ctx, sources, pins);
  if (built.missingSources.length > 0) {
    const e = ctx.sourceErrors[ctx.sourceErrors.length - 1];
    throw e ? sourceGraphQLError(e) : new GraphQLError(`${built.missingSources.join(', ')} did not answer during the replay; try again`, { extensions: { code: 'UPSTREAM_QUERY_ERROR' } });
  }
  const recorded: BuiltPortfolio = { ...built, missingSources: record.parameters.missingSources as string[] };
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

const PROVENANCE = 'provenance { methodologyVersion query parameters reads { protocol network deployment blockNumber blockHash timestamp } record digest }';
const COVERAGE = 'coverage { venues missingSources complete unpricedPositions }';
const VENUE_STRESS =
  'protocol network collateralModel ratioBefore ratioAfter collateralBeforeUSD collateralAfterUSD obligationsBeforeUSD obligationsAfterUSD bufferBeforeUSD bufferAfterUSD ' +
  'liquidatedPositions liquidatedObligationsUSD liquidatedCollateralUSD shortfallUSD pendingPositions tradersPnlUSD';
const QUANTILE = '{ value low high confidence horizonDays intervalLevel }';
const VENUE_RISK = `protocol network expectedInsolvencyUSD var95 ${QUANTILE} var99 ${QUANTILE} expectedShortfall99USD expectedLiquidationsUSD lar95 ${QUANTILE} lar99 ${QUANTILE}`;

/** Every field of a replayed stress test and VaR (what `svr replay` prints). */
export const REPLAY_RISK_SELECTIONS = {
  stressTest: { field: 'replayStressTest', selection: `venues { ${VENUE_STRESS} } total { ${VENUE_STRESS} } rounds finalMoves { asset move } ${COVERAGE} ${PROVENANCE}` },
  valueAtRisk: {
    field: 'replayValueAtRisk',
    selection: `paths horizonDays seed volatilities { asset volatility } volatilitySource venues { ${VENUE_RISK} } total { ${VENUE_RISK} } ${COVERAGE} ${PROVENANCE}`,
  },
} as const;

export const replayRiskResolvers: Resolvers = {
  Query: {
    replayStressTest: async (_, { record: text, digest }, ctx) => {
      const record = parseRecordOf(text, 'stressTest');
      const scenario = stressParameters(record.parameters);
      const { built, cover } = await portfolioAt(ctx, record, digest);
      return stressAnswer(ctx, built, cover, scenario);
    },
    replayValueAtRisk: async (_, { record: text, digest }, ctx) => {
      const record = parseRecordOf(text, 'valueAtRisk');
      const used = valueAtRiskParameters(record.parameters);
      const { built, cover } = await portfolioAt(ctx, record, digest);
      return valueAtRiskAnswer(ctx, built, cover, used);
    },
  },
};
