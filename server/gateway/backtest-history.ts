/**
 * What riskBacktest checks its predictions against, read from one
 * deployment's indexed history through the subgraph API:
 * - the hourly snapshots (ProtocolHourlySnapshot, written by
 *   subgraph/common/snapshots.ts at every change of the Protocol): the last
 *   block of each hour with activity, where the state at the end of an hour is
 *   read (time travel); an hour without one has the state of the last hour before it that has one;
 * - the Liquidation entities (Aave LiquidationCall, GMX v1 LiquidatePosition,
 *   GMX v2 liquidations, Synthetix PositionLiquidated) by timestamp range,
 *   paginated and capped at MAX_LIQUIDATIONS: their size (liquidated
 *   notional; Aave: the debt covered), shortfall (bad debt beyond the
 *   position's collateral) and the assets they were in;
 * - for lending, the Protocol's realisedBadDebtUSD (Aave's booked deficits)
 *   at the state blocks: the rise of it is the bad debt realised.
 * No figure is derived here; backtest-resolvers.ts pairs them with the predictions.
 */
import { Decimal } from '../numeric/decimal';
import { assetOfSymbol } from '../risk';
import type { BlockPin, RequestSources, SourceDefinition } from '../sources';
import { readProtocol } from './figures';

export const HOUR_SECONDS = 3600;

/** Liquidations read per riskBacktest at most; more is refused (narrow from/to). */
export const MAX_LIQUIDATIONS = 50_000;

export interface HourSnapshot {
  hour: number;
  blockNumber: number;
}

export interface RealisedLiquidation {
  hour: number;
  sizeUsd: number;
  /** Null when the subgraph could not compute it (position opened before indexing), and for lending (no per-liquidation shortfall). */
  shortfallUsd: number | null;
  /** Assets of the liquidated position: the market's index token, and the seized collateral's (lending). */
  assets: string[];
  /** False when sizeUSD is 0 only because a token had no price (Aave). */
  priced: boolean;
}

interface SnapshotRow {
  id: string;
  hour: number;
  blockNumber: string;
}

interface LiquidationRow {
  id: string;
  sizeUSD: string;
  shortfallUSD: string | null;
  priced: boolean | null;
  timestamp: string;
  market: { indexToken: { symbol: string } | null } | null;
  collateralToken: { symbol: string } | null;
}

/** The deployment's first hour with a snapshot; null when it has none. */
export async function firstSnapshotHour(rs: RequestSources, source: SourceDefinition, head: BlockPin): Promise<number | null> {
  const rows = await rs.fetch<Array<{ hour: number }>>(source, `protocolHourlySnapshots(first: 1, orderBy: hour, orderDirection: asc, block: { number: ${head.number} }) { id hour }`);
  return rows.value[0]?.hour ?? null;
}

/** Hourly snapshots from fromHour through toHour, by hour, after the last one before fromHour (the state fromHour starts from), if any. */
export async function readHourSnapshots(rs: RequestSources, source: SourceDefinition, head: BlockPin, fromHour: number, toHour: number): Promise<HourSnapshot[]> {
  const [before, rows] = await Promise.all([
    rs.fetch<SnapshotRow[]>(source, `protocolHourlySnapshots(first: 1, orderBy: hour, orderDirection: desc, block: { number: ${head.number} }, where: { hour_lt: ${fromHour} }) { id hour blockNumber }`),
    rs.all<SnapshotRow>(source, 'protocolHourlySnapshots', 'hour blockNumber', head, `hour_gte: ${fromHour}, hour_lte: ${toHour}`),
  ]);
  return [...before.value, ...rows.value].map((r) => ({ hour: r.hour, blockNumber: Number(r.blockNumber) })).sort((a, b) => a.hour - b.hour);
}

/** The snapshot that holds the state at the end of `hour`: the last at or before it; null when none is. */
export function stateAt(snapshots: readonly HourSnapshot[], hour: number): HourSnapshot | null {
  let found: HourSnapshot | null = null;
  for (const s of snapshots) {
    if (s.hour > hour) break;
    found = s;
  }
  return found;
}

/** Liquidations with a timestamp in hours fromHour through toHour. */
export async function readLiquidations(rs: RequestSources, source: SourceDefinition, head: BlockPin, fromHour: number, toHour: number): Promise<RealisedLiquidation[]> {
  const where = `timestamp_gte: "${fromHour * HOUR_SECONDS}", timestamp_lt: "${(toHour + 1) * HOUR_SECONDS}"`;
  const rows = (
    await rs.all<LiquidationRow>(source, 'liquidations', 'sizeUSD shortfallUSD priced timestamp market { indexToken { symbol } } collateralToken { symbol }', head, where, MAX_LIQUIDATIONS)
  ).value;
  return rows.map((r) => {
    const assets = new Set<string>();
    if (r.market?.indexToken) assets.add(assetOfSymbol(r.market.indexToken.symbol));
    if (r.collateralToken) assets.add(assetOfSymbol(r.collateralToken.symbol));
    return {
      hour: Math.floor(Number(r.timestamp) / HOUR_SECONDS),
      sizeUsd: Number(r.sizeUSD),
      shortfallUsd: r.shortfallUSD === null ? null : Number(r.shortfallUSD),
      assets: [...assets].sort(),
      priced: r.priced !== false,
    };
  });
}

/** The Protocol's booked bad debt (realisedBadDebtUSD) at a block, USD; 0 where the protocol books none. */
export async function bookedBadDebtAt(rs: RequestSources, source: SourceDefinition, pin: BlockPin): Promise<Decimal> {
  return (await readProtocol(rs, source, pin)).realisedBadDebtUSD ?? Decimal.ZERO;
}
