/**
 * What the gateway reads from svr's common subgraph schema
 * (subgraph/schema.graphql) for one source at one pinned block, turned into
 * exact decimals. Every read goes through the request's sources (batched,
 * cached, pinned).
 *
 * What the figures mean (backing, obligations, ratio, buffer) is defined once,
 * per collateral model, in server/risk/solvency.ts; this file only reads.
 */
import { Decimal, sum } from '../numeric/decimal';
import { MODEL_DEFINITIONS, balanceOfTotals, isCollateralModel, type Balance, type CollateralModel } from '../risk';
import { HEAD, SourceError, gqlString, sourceKey, type BlockPin, type ReadAt, type RequestSources, type SourceDefinition } from '../sources';

export interface Figures {
  collateralUSD: Decimal;
  longOpenInterestUSD: Decimal;
  shortOpenInterestUSD: Decimal;
  debtUSD: Decimal;
  /**
   * Bad debt booked on chain and not yet covered (Aave v3.3 reserve deficits, USD). Already off
   * debtUSD, so outside the balance; zero where the subgraph leaves it null (venues that book none)
   * and in history points, whose snapshots do not carry it.
   */
  realisedBadDebtUSD: Decimal;
  priced: boolean;
  unpricedTokens: string[];
}

/** The figures' balance under the one solvency definition. */
export function balanceOf(f: Figures): Balance {
  return balanceOfTotals({ collateralUsd: f.collateralUSD, longOpenInterestUsd: f.longOpenInterestUSD, shortOpenInterestUsd: f.shortOpenInterestUSD, debtUsd: f.debtUSD });
}

export function addFigures(all: readonly Figures[]): Figures {
  return {
    collateralUSD: sum(all.map((f) => f.collateralUSD)),
    longOpenInterestUSD: sum(all.map((f) => f.longOpenInterestUSD)),
    shortOpenInterestUSD: sum(all.map((f) => f.shortOpenInterestUSD)),
    debtUSD: sum(all.map((f) => f.debtUSD)),
    realisedBadDebtUSD: sum(all.map((f) => f.realisedBadDebtUSD)),
    priced: all.every((f) => f.priced),
    unpricedTokens: [...new Set(all.flatMap((f) => f.unpricedTokens))],
  };
}

function dec(text: string | null | undefined): Decimal {
  return text === null || text === undefined ? Decimal.ZERO : Decimal.parse(text);
}

/**
 * The deployment's protocol type at the pinned block; PERPETUAL before its
 * Protocol entity exists (nothing is indexed yet, so nothing depends on it).
 */
export async function readProtocolType(rs: RequestSources, source: SourceDefinition, at: ReadAt): Promise<'PERPETUAL' | 'LENDING'> {
  const rows = await rs.read<Array<{ type: 'PERPETUAL' | 'LENDING' }>>(source, at, { name: 'protocols', args: 'first: 1', selection: 'id type' });
  return rows.value[0]?.type ?? 'PERPETUAL';
}

interface ProtocolRow {
  id: string;
  type: 'PERPETUAL' | 'LENDING';
  collateralModel: string;
  /** Null from a deployment built before the common schema carried the status. */
  status: VenueStatus | null;
  statusSince: string | null;
  statusSource: string | null;
  totalValueLockedUSD: string;
  priced: boolean;
  unpricedTokens: string[];
  longOpenInterestUSD: string;
  shortOpenInterestUSD: string;
  totalBorrowBalanceUSD: string;
  realisedBadDebtUSD: string | null;
}

export type VenueStatus = 'LIVE' | 'PAUSED' | 'LEGACY';

/** The venue's status as the deployment's subgraph states it (Protocol.status, statusSince, statusSource). */
export interface VenueStatusInfo {
  status: VenueStatus;
  /** Unix seconds, or null (LIVE, or undated). */
  since: number | null;
  source: string;
}

export interface ProtocolFigures extends Figures {
  model: CollateralModel;
  /** Null when the deployment's subgraph states no status (a build from before the status was in the common schema). */
  status: VenueStatusInfo | null;
  stale: boolean;
  ageMs: number;
}

/** The Protocol entity's collateral model, checked: a store that does not state one is not svr's common schema. */
function modelOf(source: SourceDefinition, value: string): CollateralModel {
  if (!isCollateralModel(value)) throw new SourceError('UPSTREAM_QUERY_ERROR', sourceKey(source), `states collateral model ${JSON.stringify(value)}, which svr does not know`);
  return value;
}

export async function readProtocol(rs: RequestSources, source: SourceDefinition, at: ReadAt): Promise<ProtocolFigures> {
  const got = await rs.read<ProtocolRow[]>(source, at, {
    name: 'protocols',
    args: 'first: 2',
    selection:
      'id type collateralModel status statusSince statusSource totalValueLockedUSD priced unpricedTokens longOpenInterestUSD shortOpenInterestUSD totalBorrowBalanceUSD realisedBadDebtUSD',
  });
  const rows = got.value;
  if (rows.length > 1) throw new SourceError('UPSTREAM_QUERY_ERROR', sourceKey(source), `has ${rows.length} Protocol entities; a deployment has one`);
  // No Protocol entity at that block: before the protocol's first indexed event. Zeros would be a claim; this is no data.
  if (rows.length === 0) {
    const number = at === HEAD ? (await rs.head(source)).number : at.number;
    throw new SourceError('NO_DATA', sourceKey(source), `has no data at block ${number}: it is before the protocol's first indexed event`);
  }
  const p = rows[0];
  return {
    model: modelOf(source, p.collateralModel),
    status: p.status === null ? null : { status: p.status, since: p.statusSince === null ? null : Number(p.statusSince), source: p.statusSource ?? '' },
    collateralUSD: dec(p.totalValueLockedUSD),
    longOpenInterestUSD: dec(p.longOpenInterestUSD),
    shortOpenInterestUSD: dec(p.shortOpenInterestUSD),
    debtUSD: p.type === 'LENDING' ? dec(p.totalBorrowBalanceUSD) : Decimal.ZERO,
    realisedBadDebtUSD: dec(p.realisedBadDebtUSD),
    priced: p.priced,
    unpricedTokens: p.unpricedTokens,
    stale: got.stale,
    ageMs: got.ageMs,
  };
}

export interface MarketFigures extends Figures {
  market: string;
  name: string;
  indexToken: string | null;
  /** False where the protocol pools collateral across markets (the market's collateralUSD is then not defined). */
  hasOwnCollateral: boolean;
}

interface MarketRow {
  id: string;
  name: string;
  indexToken: { id: string } | null;
  totalValueLockedUSD: string;
  priced: boolean;
  longOpenInterestUSD: string;
  shortOpenInterestUSD: string;
  totalBorrowBalanceUSD: string | null;
  realisedBadDebtUSD: string | null;
}

/**
 * The markets at the pinned block. The collateral model (from the Protocol
 * entity) only interprets the rows, so it may still be on its way: the markets
 * then go out in the same batch as the Protocol read, one round trip for both.
 */
export async function readMarkets(rs: RequestSources, source: SourceDefinition, at: ReadAt, model: CollateralModel | Promise<CollateralModel>, where = ''): Promise<MarketFigures[]> {
  // Awaited once the rows are in; a failing read of the rows must not leave a failing model unhandled.
  Promise.resolve(model).catch(() => undefined);
  const rows = (
    await rs.all<MarketRow>(source, 'markets', 'name indexToken { id } totalValueLockedUSD priced longOpenInterestUSD shortOpenInterestUSD totalBorrowBalanceUSD realisedBadDebtUSD', at, where)
  ).value;
  const pooled = !MODEL_DEFINITIONS[await model].perMarketBacking;
  return rows.map((m) => ({
    market: m.id,
    name: m.name,
    indexToken: m.indexToken?.id ?? null,
    hasOwnCollateral: !pooled,
    collateralUSD: pooled ? Decimal.ZERO : dec(m.totalValueLockedUSD),
    longOpenInterestUSD: dec(m.longOpenInterestUSD),
    shortOpenInterestUSD: dec(m.shortOpenInterestUSD),
    debtUSD: dec(m.totalBorrowBalanceUSD),
    realisedBadDebtUSD: dec(m.realisedBadDebtUSD),
    priced: m.priced,
    unpricedTokens: [],
  }));
}

export interface TokenHolding {
  token: string;
  symbol: string;
  /** Whole tokens; null when the subgraph does not know the token's decimals. */
  amount: Decimal | null;
  /** Null when the token has no price: never counted as zero. */
  valueUSD: Decimal | null;
}

interface CollateralRow {
  id: string;
  token: { id: string; symbol: string; decimals: number | null };
  amount: string;
  amountUSD: string;
  priced: boolean;
}

/** Collateral per token (the CollateralBalance entities, summed per token). */
export async function readCollateral(rs: RequestSources, source: SourceDefinition, at: ReadAt, where = ''): Promise<TokenHolding[]> {
  const rows = (await rs.all<CollateralRow>(source, 'collateralBalances', 'token { id symbol decimals } amount amountUSD priced', at, where)).value;
  const byToken = new Map<string, { symbol: string; decimals: number | null; raw: bigint; usd: Decimal; priced: boolean }>();
  for (const r of rows) {
    const t = byToken.get(r.token.id) ?? { symbol: r.token.symbol, decimals: r.token.decimals, raw: 0n, usd: Decimal.ZERO, priced: true };
    t.raw += BigInt(r.amount);
    t.usd = t.usd.plus(dec(r.amountUSD));
    t.priced &&= r.priced;
    byToken.set(r.token.id, t);
  }
  return [...byToken.entries()]
    .map(([token, t]) => ({
      token,
      symbol: t.symbol,
      amount: t.decimals === null ? null : Decimal.fromBigInt(t.raw, t.decimals),
      valueUSD: t.priced ? t.usd : null,
    }))
    .sort((a, b) => a.token.localeCompare(b.token));
}

export interface HistoryRow {
  id: string;
  /** Days or hours since the epoch. */
  index: number;
  figures: Figures;
}

interface SnapshotRow {
  id: string;
  day?: number;
  hour?: number;
  totalValueLockedUSD: string;
  priced: boolean;
  longOpenInterestUSD: string;
  shortOpenInterestUSD: string;
  totalBorrowBalanceUSD: string;
}

const SNAPSHOT_FIELDS = 'totalValueLockedUSD priced longOpenInterestUSD shortOpenInterestUSD totalBorrowBalanceUSD';

function snapshotFigures(type: 'PERPETUAL' | 'LENDING', r: SnapshotRow): Figures {
  return {
    collateralUSD: dec(r.totalValueLockedUSD),
    longOpenInterestUSD: dec(r.longOpenInterestUSD),
    shortOpenInterestUSD: dec(r.shortOpenInterestUSD),
    debtUSD: type === 'LENDING' ? dec(r.totalBorrowBalanceUSD) : Decimal.ZERO,
    realisedBadDebtUSD: Decimal.ZERO,
    priced: r.priced,
    unpricedTokens: [],
  };
}

/**
 * The protocol's snapshots with interval index in [from, to], plus the last
 * one before `from` (the state the series starts from).
 */
export async function readSnapshots(
  rs: RequestSources,
  source: SourceDefinition,
  pin: BlockPin,
  interval: 'HOUR' | 'DAY',
  from: number,
  to: number,
): Promise<{ before: HistoryRow | null; rows: HistoryRow[] }> {
  const collection = interval === 'DAY' ? 'protocolDailySnapshots' : 'protocolHourlySnapshots';
  const field = interval === 'DAY' ? 'day' : 'hour';
  const [type, inRange, previous] = await Promise.all([
    readProtocolType(rs, source, pin),
    rs.all<SnapshotRow>(source, collection, `${field} ${SNAPSHOT_FIELDS}`, pin, `${field}_gte: ${from}, ${field}_lte: ${to}`),
    rs.read<SnapshotRow[]>(source, pin, { name: collection, args: `first: 1, orderBy: ${field}, orderDirection: desc, where: { ${field}_lt: ${from} }`, selection: `id ${field} ${SNAPSHOT_FIELDS}` }),
  ]);
  const toRow = (r: SnapshotRow): HistoryRow => ({ id: r.id, index: (r.day ?? r.hour)!, figures: snapshotFigures(type, r) });
  return {
    before: previous.value[0] ? toRow(previous.value[0]) : null,
    rows: inRange.value.map(toRow).sort((a, b) => a.index - b.index),
  };
}

/**
 * The block at a Unix time: the last block at or before it that changed the
 * protocol, found by a 16-way search over time-travel reads of the Protocol
 * entity's lastUpdateTimestamp (which only grows with the block number). A
 * source need not know every block's time for this to work.
 */
export async function blockAtTimestamp(rs: RequestSources, source: SourceDefinition, timestamp: number): Promise<BlockPin> {
  const head = await rs.head(source);
  if (head.timestamp !== null && timestamp > head.timestamp) {
    throw new SourceError(
      'NO_DATA',
      sourceKey(source),
      `is indexed up to block ${head.number} at ${new Date(head.timestamp * 1000).toISOString()}, before the asked time ${new Date(timestamp * 1000).toISOString()}`,
    );
  }
  type Probe = { lastUpdateBlockNumber: string; lastUpdateTimestamp: string } | null;
  const probe = async (n: number): Promise<Probe> =>
    (await rs.fetch<Array<NonNullable<Probe>>>(source, `protocols(first: 1, block: { number: ${n} }) { id lastUpdateBlockNumber lastUpdateTimestamp }`)).value[0] ?? null;
  // Invariant: the answer is in [lo, hi); f(lo) <= timestamp (or no protocol yet), f(hi) > timestamp.
  let lo = 0;
  let loProbe: Probe = null;
  let hi = head.number + 1;
  while (hi - lo > 1) {
    const step = Math.max(1, Math.ceil((hi - lo) / 16));
    const points: number[] = [];
    for (let n = lo + step; n < hi; n += step) points.push(n);
    const answers = await Promise.all(points.map(probe));
    let next = hi;
    for (let i = 0; i < points.length; i++) {
      const a = answers[i];
      if (a === null || Number(a.lastUpdateTimestamp) <= timestamp) {
        lo = points[i];
        loProbe = a;
      } else {
        next = points[i];
        break;
      }
    }
    hi = next;
  }
  if (!loProbe) throw new SourceError('NO_DATA', sourceKey(source), `has no data at or before ${new Date(timestamp * 1000).toISOString()}`);
  return {
    ...head,
    number: Number(loProbe.lastUpdateBlockNumber),
    hash: null,
    timestamp: Number(loProbe.lastUpdateTimestamp),
    stale: false,
    ageMs: 0,
  };
}

export { gqlString };
