/**
 * Replay: one core for every kind of figure-bearing answer. A replay query
 * takes a provenance record, or a digest this svr served (the record store,
 * provenance-store.ts), or both; the core finds the record, checks it
 * (provenance.ts: its digest, its methodology version), and hands it to the
 * recomputation of its kind (`query`): the ratio answers and history points
 * here, the risk answers in replay-risk.ts. Each per-kind query
 * (replayRatio, replayStressTest, ...) is this core with its kind's type.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from './context';
import type { Resolvers } from './generated/resolvers-types';
import { badParameter, checkRecord, missingSourcesOf, parseRecordText, provenanceOfRecord, replayError, replayReads, type ProvenanceRecord } from './provenance';
import { REPLAY_RISK } from './replay-risk';
import { history, snapshotAtPins } from './resolvers';

const PROVENANCE = 'provenance { methodologyVersion query parameters reads { protocol network deployment blockNumber blockHash timestamp } record digest }';
const COVERAGE = 'coverage { venues missingSources complete unpricedPositions }';
const VENUE_STRESS =
  'protocol network collateralModel ratioBefore ratioAfter collateralBeforeUSD collateralAfterUSD obligationsBeforeUSD obligationsAfterUSD bufferBeforeUSD bufferAfterUSD ' +
  'liquidatedPositions liquidatedObligationsUSD liquidatedCollateralUSD shortfallUSD pendingPositions tradersPnlUSD';
const QUANTILE = '{ value low high confidence horizonDays intervalLevel }';
const VENUE_RISK = `protocol network expectedInsolvencyUSD var95 ${QUANTILE} var99 ${QUANTILE} expectedShortfall99USD expectedLiquidationsUSD lar95 ${QUANTILE} lar99 ${QUANTILE}`;
const DISTANCE = '{ down downReason up upReason }';

/** The fields of a RatioSnapshot a replay is compared on: every one but stale and ageSeconds, which say how old the read was, not what it found. */
const RATIO_SELECTION = `protocol network collateralModels { model backing obligations leftOut perMarketBacking }
  collateralUSD openInterestUSD longOpenInterestUSD shortOpenInterestUSD debtUSD realisedBadDebtUSD ratio bufferUSD unpricedTokens priced
  blockNumber timestamp complete missingSources
  markets { network market name collateralUSD openInterestUSD longOpenInterestUSD shortOpenInterestUSD debtUSD realisedBadDebtUSD ratio bufferUSD priced }
  collateral { network token symbol amount valueUSD }
  ${PROVENANCE}`;

type Recompute = (ctx: GatewayContext, record: ProvenanceRecord, info: GraphQLResolveInfo) => Promise<unknown>;

interface ReplayKind {
  /** The replay query of this kind. */
  field: string;
  /** Every field of its answer (what `svr replay` asks for and prints). */
  selection: string;
  recompute: Recompute;
}

const ratio: Recompute = async (ctx, record, info) => {
  const p = record.parameters;
  if (typeof p.protocol !== 'string' || !(p.network === null || typeof p.network === 'string')) throw badParameter('protocol must be text and network text or null');
  const missing = missingSourcesOf(p);
  const reads = await replayReads(ctx, record);
  return snapshotAtPins(ctx, p.protocol, p.network, reads, missing, info);
};

const historyPoint: Recompute = async (ctx, record) => {
  const p = record.parameters;
  if (typeof p.protocol !== 'string' || !(p.network === null || typeof p.network === 'string') || (p.interval !== 'HOUR' && p.interval !== 'DAY') || !(typeof p.timestamp === 'number' && Number.isSafeInteger(p.timestamp) && p.timestamp >= 0)) {
    throw badParameter('protocol must be text, network text or null, interval HOUR or DAY, and timestamp a whole number');
  }
  const reads = await replayReads(ctx, record);
  const { points } = await history(ctx, p.protocol, p.network, p.interval, p.timestamp, p.timestamp, reads);
  const point = points.find((x) => x.timestamp === p.timestamp);
  if (!point) throw replayError('REPLAY_BAD_RECORD', `the sources read at the recorded blocks have no ${p.interval} point at ${p.timestamp}; pass provenance.record as svr returned it`);
  return point;
};

/** Every kind of answer replay recomputes, by the record's `query`. */
export const REPLAY_KINDS: Record<string, ReplayKind> = {
  ratio: { field: 'replayRatio', selection: RATIO_SELECTION, recompute: ratio },
  history: { field: 'replayHistoryPoint', selection: `timestamp collateralUSD openInterestUSD longOpenInterestUSD shortOpenInterestUSD debtUSD ratio bufferUSD priced ${PROVENANCE}`, recompute: historyPoint },
  stressTest: { field: 'replayStressTest', selection: `venues { ${VENUE_STRESS} } total { ${VENUE_STRESS} } rounds finalMoves { asset move } ${COVERAGE} ${PROVENANCE}`, recompute: REPLAY_RISK.stressTest },
  valueAtRisk: {
    field: 'replayValueAtRisk',
    selection: `paths horizonDays seed volatilities { asset volatility } volatilitySource venues { ${VENUE_RISK} } total { ${VENUE_RISK} } ${COVERAGE} ${PROVENANCE}`,
    recompute: REPLAY_RISK.valueAtRisk,
  },
  liquidationCurve: { field: 'replayLiquidationCurve', selection: `curves { protocol network asset points { move positions collateralUSD sizeUSD } } ${COVERAGE} ${PROVENANCE}`, recompute: REPLAY_RISK.liquidationCurve },
  contagion: {
    field: 'replayContagion',
    selection:
      'nodes { protocol network equityUSD initialDistress distress lossUSD } exposures { exposed source channel asset accounts amountUSD lossAtFullDistressUSD } ' +
      `channels { channel active note } totalImpact debtRank iterations sharedAccountWithdrawal ${COVERAGE} ${PROVENANCE}`,
    recompute: REPLAY_RISK.contagion,
  },
  distanceToInsolvency: {
    field: 'replayDistanceToInsolvency',
    selection: `marketWide ${DISTANCE} firstBadDebt ${DISTANCE} perAsset { asset distance ${DISTANCE} firstBadDebt ${DISTANCE} } resolution gridSteps maxDown maxUp ${COVERAGE} ${PROVENANCE}`,
    recompute: REPLAY_RISK.distanceToInsolvency,
  },
  forecast: {
    field: 'replayForecast',
    selection:
      'horizonDays threshold bandLevel lastRatio lastTimestamp trendPerDay volatilityPerSqrtDay path { timestamp median low high } daysToThreshold probabilityOfThresholdWithinHorizon leadingIndicator reasons ' +
      PROVENANCE,
    recompute: REPLAY_RISK.forecast,
  },
};

/** The record a replay is asked for: the one passed, or the one this svr served under the digest. */
function recordText(ctx: GatewayContext, record: string | null | undefined, digest: string | null | undefined): string {
  if (record !== null && record !== undefined) return record;
  if (digest === null || digest === undefined) throw replayError('REPLAY_BAD_RECORD', 'pass the record (provenance.record), its digest (provenance.digest) for an answer this svr served, or both');
  const stored = ctx.records?.get(digest) ?? null;
  if (stored === null) {
    throw replayError(
      'REPLAY_RECORD_UNKNOWN',
      ctx.records
        ? `this svr keeps no record with digest ${digest} (it keeps the records it served, the oldest going first past its bounds): pass the record (provenance.record)`
        : `this svr keeps no records (no data directory and no replay.recordsFile): pass the record (provenance.record)`,
    );
  }
  return stored;
}

/** The core of every replay query: the record found and checked, then recomputed by its kind, which must be the query's. */
async function replayAs(kind: string, args: { record?: string | null; digest?: string | null }, ctx: GatewayContext, info: GraphQLResolveInfo): Promise<any> {
  const record = parseRecordText(recordText(ctx, args.record, args.digest));
  if (record.query !== kind) {
    const other = REPLAY_KINDS[record.query];
    throw replayError(
      'REPLAY_UNSUPPORTED_QUERY',
      other
        ? `this is a ${record.query} record: replay it with ${other.field}`
        : `a ${record.query} answer cannot be replayed (its provenance and digest still identify the computation); replay covers ${Object.keys(REPLAY_KINDS).join(', ')}`,
    );
  }
  checkRecord(record, args.digest);
  return REPLAY_KINDS[kind]!.recompute(ctx, record, info);
}

const replayQuery = (kind: string) => (_: unknown, args: { record?: string | null; digest?: string | null }, ctx: GatewayContext, info: GraphQLResolveInfo) => replayAs(kind, args, ctx, info);

export const replayResolvers: Resolvers = {
  Query: {
    ...Object.fromEntries(Object.entries(REPLAY_KINDS).map(([kind, { field }]) => [field, replayQuery(kind)])),
    provenanceRecord: (_, { digest }, ctx) => {
      // What the store holds now, not what any block pins: no answer cache may keep a null for a digest served later.
      ctx.sources.readsBeyondBlocks();
      const text = ctx.records?.get(digest) ?? null;
      return text === null ? null : provenanceOfRecord(parseRecordText(text));
    },
  },
};
