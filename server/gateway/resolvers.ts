/**
 * The gateway's resolvers: ratio, buffer, history and exposure answers
 * assembled from the sources. Aggregates add figures first and divide last.
 * A source that fails is left out of an aggregate, which then says
 * `complete: false` and names it in `missingSources`; a GraphQL error names it too.
 */
import { GraphQLError, Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { HEAD, SourceError, sourceKey, type BlockPin, type IndexingStatus, type ReadAt, type RequestSources, type SourceDefinition } from '../sources';
import type { GatewayContext } from './context';
import type { FollowerStatus } from '../indexer/heads';
import { settle } from './settle';
import type { HistoryPointParent, RatioSnapshotParent, SourceRead } from './parents';
import { Decimal } from '../numeric/decimal';
import { MODEL_DEFINITIONS, solvency, type CollateralModel } from '../risk';
import { readAccount, readAssetChannel, type AccountPositionFigures } from './exposure';
import {
  addFigures,
  balanceOf,
  blockAtTimestamp,
  readCollateral,
  readMarkets,
  readProtocol,
  readSnapshots,
  type Figures,
  type MarketFigures,
  type ProtocolFigures,
  type TokenHolding,
  type VenueStatusInfo,
} from './figures';
import type {
  AccountExposure,
  AssetExposure,
  MarketRatio,
  Resolvers,
  TokenCollateral,
} from './generated/resolvers-types';

export function userError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function sourceGraphQLError(e: SourceError): GraphQLError {
  return new GraphQLError(e.message, { extensions: { code: e.code, source: e.source } });
}

/** Whether the field being resolved selects `name` (through fragments too). */
function selects(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    !!set &&
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name;
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet);
      return visit(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((f) => visit(f.selectionSet));
}

interface TimeSpec {
  block?: number | null;
  timestamp?: number | null;
}

/** Where to read: a past block or time, resolved to its pin first; the head, found by the reads themselves (one round trip). */
async function readAtFor(rs: RequestSources, source: SourceDefinition, spec: TimeSpec): Promise<ReadAt> {
  if (spec.block !== null && spec.block !== undefined) return rs.atBlock(source, spec.block);
  if (spec.timestamp !== null && spec.timestamp !== undefined) return blockAtTimestamp(rs, source, spec.timestamp);
  return HEAD;
}

interface SourceRatio {
  source: SourceDefinition;
  pin: BlockPin;
  figures: ProtocolFigures;
  markets: MarketFigures[];
  collateral: TokenHolding[];
}

async function readSourceRatio(rs: RequestSources, source: SourceDefinition, spec: TimeSpec, info: GraphQLResolveInfo | null): Promise<SourceRatio> {
  return readSourceRatioAt(rs, source, await readAtFor(rs, source, spec), info);
}

/**
 * What of a snapshot to read besides the headline figures: what the query selects, everything
 * ('all': a live update shared by subscribers who select differently), or nothing (null).
 */
export type SnapshotSelection = GraphQLResolveInfo | 'all' | null;

function wants(info: SnapshotSelection, name: string): boolean {
  return info === 'all' ? true : info ? selects(info, name) : false;
}

async function readSourceRatioAt(rs: RequestSources, source: SourceDefinition, at: ReadAt, info: SnapshotSelection): Promise<SourceRatio> {
  // Protocol, collateral and markets in one batch: one round trip to the source, with its head when `at` is HEAD.
  const protocol = readProtocol(rs, source, at);
  const [figures, collateral, markets] = await Promise.all([
    protocol,
    wants(info, 'collateral') ? readCollateral(rs, source, at) : [],
    wants(info, 'markets') ? readMarkets(rs, source, at, protocol.then((f) => f.model)) : [],
  ]);
  return { source, pin: at === HEAD ? await rs.head(source) : at, figures, markets, collateral };
}

/** The headline figures, formatted; what they mean is server/risk/solvency.ts's. */
function ratioFigures(f: Figures) {
  const s = solvency(balanceOf(f));
  return {
    collateralUSD: s.backingUsd.toString(),
    openInterestUSD: s.obligationsUsd.toString(),
    longOpenInterestUSD: f.longOpenInterestUSD.toString(),
    shortOpenInterestUSD: f.shortOpenInterestUSD.toString(),
    debtUSD: f.debtUSD.toString(),
    realisedBadDebtUSD: f.realisedBadDebtUSD.toString(),
    ratio: s.ratio?.toString() ?? null,
    bufferUSD: s.bufferUsd.toString(),
    priced: f.priced,
  };
}

export function modelDefinition(model: CollateralModel) {
  const d = MODEL_DEFINITIONS[model];
  return { model, backing: d.backing, obligations: d.obligations, leftOut: d.leftOut, perMarketBacking: d.perMarketBacking };
}

function marketRatio(network: string, m: MarketFigures): MarketRatio {
  const s = solvency(balanceOf(m));
  return {
    network,
    market: m.market,
    name: m.name,
    collateralUSD: m.hasOwnCollateral ? s.backingUsd.toString() : null,
    openInterestUSD: s.obligationsUsd.toString(),
    longOpenInterestUSD: m.longOpenInterestUSD.toString(),
    shortOpenInterestUSD: m.shortOpenInterestUSD.toString(),
    debtUSD: m.debtUSD.toString(),
    realisedBadDebtUSD: m.realisedBadDebtUSD.toString(),
    ratio: m.hasOwnCollateral ? (s.ratio?.toString() ?? null) : null,
    bufferUSD: m.hasOwnCollateral ? s.bufferUsd.toString() : null,
    priced: m.priced,
  };
}

function tokenCollateral(network: string, t: TokenHolding): TokenCollateral {
  return { network, token: t.token, symbol: t.symbol, amount: t.amount?.toString() ?? null, valueUSD: t.valueUSD?.toString() ?? null };
}

/**
 * A snapshot of the given sources at the given pins, as the ratio answers
 * build it (replay): `protocol` and `network` label it, `missing` names the
 * sources the original answer had to leave out.
 */
export async function snapshotAtPins(
  ctx: GatewayContext,
  protocol: string,
  network: string | null,
  reads: readonly SourceRead[],
  missing: readonly string[],
  info: SnapshotSelection,
): Promise<RatioSnapshotParent> {
  try {
    const parts = await Promise.all(reads.map((r) => readSourceRatioAt(ctx.sources, r.source, r.pin, info)));
    return snapshot(protocol, network, parts, missing);
  } catch (e) {
    throw e instanceof SourceError ? sourceGraphQLError(e) : e;
  }
}

/**
 * The Protocol entity of the protocol's first readable deployment at its head: what the subgraph
 * states about the venue (collateral model, status). The request's sources batch and cache the
 * read, so both fields cost one query per deployment. Null when no deployment could be read.
 */
async function protocolAtHead(ctx: GatewayContext, protocol: string): Promise<ProtocolFigures | null> {
  const { ok } = await settle(ctx, ctx.sources.registry.select([protocol]), (s) => readProtocol(ctx.sources, s, HEAD));
  return ok[0] ?? null;
}

/** The parts' venue status when they are one protocol stating one status; null for an aggregate across protocols. */
function commonStatus(parts: readonly SourceRatio[]): VenueStatusInfo | null {
  if (parts.length === 0 || new Set(parts.map((p) => p.source.protocol)).size > 1) return null;
  const first = parts[0]!.figures.status;
  if (first === null) return null;
  const same = parts.every((p) => p.figures.status !== null && p.figures.status.status === first.status && p.figures.status.since === first.since && p.figures.status.source === first.source);
  return same ? first : null;
}

function snapshot(protocol: string, network: string | null, parts: readonly SourceRatio[], missing: readonly string[]): RatioSnapshotParent {
  const figures = addFigures(parts.map((p) => p.figures));
  const single = network !== null && parts.length === 1 ? parts[0] : null;
  const timestamps = parts.map((p) => p.pin.timestamp).filter((t): t is number => t !== null);
  return {
    protocol,
    network,
    collateralModels: [...new Set(parts.map((p) => p.figures.model))].sort().map(modelDefinition),
    status: commonStatus(parts),
    ...ratioFigures(figures),
    unpricedTokens: figures.unpricedTokens,
    blockNumber: single ? single.pin.number : null,
    timestamp: single ? single.pin.timestamp : timestamps.length ? Math.min(...timestamps) : null,
    stale: parts.some((p) => p.pin.stale || p.figures.stale),
    ageSeconds: Math.floor(Math.max(0, ...parts.map((p) => Math.max(p.pin.ageMs, p.figures.ageMs))) / 1000),
    complete: missing.length === 0,
    missingSources: [...missing],
    markets: parts.flatMap((p) => p.markets.map((m) => marketRatio(p.source.network, m))),
    collateral: parts.flatMap((p) => p.collateral.map((t) => tokenCollateral(p.source.network, t))),
    reads: parts.map((p) => ({ source: p.source, pin: p.pin })),
  };
}

export function checkNames(rs: RequestSources, protocols?: readonly string[] | null, networks?: readonly string[] | null): void {
  const known = rs.registry.protocols();
  for (const p of protocols ?? []) if (!known.includes(p)) throw userError(`unknown protocol "${p}"; svr serves: ${known.join(', ')}`);
  const knownNetworks = [...new Set(rs.registry.list().map((s) => s.network))];
  for (const n of networks ?? []) if (!knownNetworks.includes(n)) throw userError(`unknown network "${n}"; svr serves: ${knownNetworks.join(', ')}`);
}

export function sourceOf(rs: RequestSources, protocol: string, network: string): SourceDefinition {
  checkNames(rs, [protocol]);
  const source = rs.registry.get(protocol, network);
  if (!source) throw userError(`${protocol} has no deployment on "${network}"; it has: ${rs.registry.networksOf(protocol).join(', ')}`);
  return source;
}

function checkTime(spec: TimeSpec, network: string | null | undefined): void {
  if (spec.block !== null && spec.block !== undefined) {
    if (!network) throw userError('`block` needs a `network`: block numbers differ from chain to chain (use `timestamp` across networks)');
    if (spec.timestamp !== null && spec.timestamp !== undefined) throw userError('give `block` or `timestamp`, not both');
    if (spec.block < 0) throw userError('`block` must not be negative');
  }
  if (spec.timestamp !== null && spec.timestamp !== undefined && spec.timestamp < 0) throw userError('`timestamp` must not be negative');
}

async function aggregateOver(
  ctx: GatewayContext,
  label: string,
  sources: readonly SourceDefinition[],
  spec: TimeSpec,
  info: GraphQLResolveInfo | null,
): Promise<RatioSnapshotParent> {
  const { ok, missing } = await settle(ctx, sources, (s) => readSourceRatio(ctx.sources, s, spec, info));
  return snapshot(label, null, ok, missing);
}

async function single(ctx: GatewayContext, source: SourceDefinition, spec: TimeSpec, info: GraphQLResolveInfo | null): Promise<RatioSnapshotParent> {
  try {
    return snapshot(source.protocol, source.network, [await readSourceRatio(ctx.sources, source, spec, info)], []);
  } catch (e) {
    throw e instanceof SourceError ? sourceGraphQLError(e) : e;
  }
}

const INTERVAL_SECONDS = { HOUR: 3600, DAY: 86400 } as const;
const DEFAULT_POINTS = { HOUR: 168, DAY: 90 } as const;
const MAX_POINTS = 10_000;

/** The history and the source reads it came from: each source's snapshots up to the block it was read at. */
export async function history(
  ctx: GatewayContext,
  protocol: string,
  network: string | null | undefined,
  interval: 'HOUR' | 'DAY',
  from: number | null | undefined,
  to: number | null | undefined,
  at?: readonly SourceRead[],
): Promise<{ points: HistoryPointParent[]; reads: SourceRead[] }> {
  const rs = ctx.sources;
  if ((from ?? 0) < 0 || (to ?? 0) < 0) throw userError('`from` and `to` must not be negative');
  if (from !== null && from !== undefined && to !== null && to !== undefined && from > to) throw userError('`from` is after `to`');
  const size = INTERVAL_SECONDS[interval];
  // `at`: the sources read at those blocks (a replay), in the registry's order as a first answer reads them; else each at its head.
  const heads = at
    ? { ok: rs.registry.list().flatMap((s) => at.filter((r) => r.source === s)), missing: [] }
    : await settle(ctx, network ? [sourceOf(rs, protocol, network)] : (checkNames(rs, [protocol]), rs.registry.select([protocol])), async (s) => ({ source: s, pin: await rs.head(s) }));
  if (heads.ok.length === 0) {
    const e = ctx.sourceErrors[ctx.sourceErrors.length - 1];
    throw e ? sourceGraphQLError(e) : userError('no source to read');
  }
  // The series ends where every source has data: the earliest of their latest blocks.
  const headIndex = Math.min(...heads.ok.map((h) => Math.floor((h.pin.timestamp ?? 0) / size)));
  const toIndex = Math.min(headIndex, to === null || to === undefined ? headIndex : Math.floor(to / size));
  const fromIndex = from === null || from === undefined ? toIndex - DEFAULT_POINTS[interval] + 1 : Math.floor(from / size);
  if (toIndex - fromIndex + 1 > MAX_POINTS) throw userError(`that is ${toIndex - fromIndex + 1} points; ask for at most ${MAX_POINTS} (narrow from/to, or use DAY)`);
  if (fromIndex > toIndex) return { points: [], reads: [] };
  const series = await settle(
    ctx,
    heads.ok.map((h) => h.source),
    async (s) => ({ read: heads.ok.find((h) => h.source === s)!, ...(await readSnapshots(rs, s, heads.ok.find((h) => h.source === s)!.pin, interval, fromIndex, toIndex)) }),
  );
  if (network && series.ok.length === 0) throw sourceGraphQLError(ctx.sourceErrors[ctx.sourceErrors.length - 1]);
  // Each source's figures hold from its snapshot until its next one (a snapshot is written at every change).
  const cursors = series.ok.map((s) => ({ rows: s.rows, next: 0, current: s.before?.figures ?? null }));
  const seriesOf: HistoryPointParent['series'] = { protocol, network: network ?? null, interval, reads: series.ok.map((s) => s.read) };
  const points: HistoryPointParent[] = [];
  for (let index = fromIndex; index <= toIndex; index++) {
    const present: Figures[] = [];
    for (const c of cursors) {
      while (c.next < c.rows.length && c.rows[c.next].index <= index) c.current = c.rows[c.next++].figures;
      if (c.current) present.push(c.current);
    }
    if (present.length === 0) continue; // before the protocol's first snapshot
    const f = ratioFigures(addFigures(present));
    points.push({
      timestamp: index * size,
      collateralUSD: f.collateralUSD,
      openInterestUSD: f.openInterestUSD,
      longOpenInterestUSD: f.longOpenInterestUSD,
      shortOpenInterestUSD: f.shortOpenInterestUSD,
      debtUSD: f.debtUSD,
      ratio: f.ratio,
      bufferUSD: f.bufferUSD,
      priced: f.priced,
      series: seriesOf,
    });
  }
  return { points, reads: seriesOf.reads };
}

function normalizeAddress(account: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(account)) throw userError(`"${account}" is not an address (0x and 40 hex digits)`);
  return account.toLowerCase();
}

async function accountExposure(ctx: GatewayContext, account: string): Promise<AccountExposure> {
  const address = normalizeAddress(account);
  const rs = ctx.sources;
  const { ok, missing } = await settle(ctx, rs.registry.list(), (s) => readAccount(rs, s, HEAD, address));
  const positions: AccountPositionFigures[] = ok.flat();
  let collateral = Decimal.ZERO;
  let debt = Decimal.ZERO;
  for (const p of positions) {
    collateral = collateral.plus(p.collateralUSD);
    if (p.side !== 'SUPPLY') debt = debt.plus(p.sizeUSD);
  }
  return {
    account: address,
    positions: positions.map((p) => ({
      protocol: p.protocol,
      network: p.network,
      market: p.market,
      side: p.side,
      sizeUSD: p.sizeUSD.toString(),
      collateralUSD: p.collateralUSD.toString(),
      health: p.health?.toString() ?? null,
      liquidationPrice: p.liquidationPrice?.toString() ?? null,
      priced: p.priced,
    })),
    collateralUSD: collateral.toString(),
    debtUSD: debt.toString(),
    priced: positions.every((p) => p.priced),
    complete: missing.length === 0,
    missingSources: missing,
  };
}

async function assetExposure(ctx: GatewayContext, token: string): Promise<AssetExposure> {
  if (!token.trim()) throw userError('`token` must be an address or a symbol');
  const rs = ctx.sources;
  const { ok, missing } = await settle(ctx, rs.registry.list(), (s) => readAssetChannel(rs, s, HEAD, token.trim()));
  return {
    token,
    channels: ok
      .filter((c) => c !== null)
      .map((c) => ({
        protocol: c.protocol,
        network: c.network,
        tokens: c.tokens,
        collateralUSD: c.collateralUSD.toString(),
        openInterestUSD: c.openInterestUSD.toString(),
        priced: c.priced,
      })),
    complete: missing.length === 0,
    missingSources: missing,
  };
}

async function deploymentStatus(ctx: GatewayContext, source: SourceDefinition): Promise<{ pin: BlockPin | null; error: SourceError | null }> {
  try {
    return { pin: await ctx.sources.head(source), error: null };
  } catch (e) {
    if (e instanceof SourceError) return { pin: null, error: e };
    throw e;
  }
}

/** This process's follower of the source, when it follows it; what it says holds only for now (the answer is not kept). */
function follower(ctx: GatewayContext, source: SourceDefinition): FollowerStatus | null {
  const status = ctx.followers?.status(source.protocol, source.network) ?? null;
  if (status) ctx.sources.readsBeyondBlocks();
  return status;
}

/** The index-node status, or null when the source has none or it cannot be read (recorded as a source error). */
async function indexingStatus(ctx: GatewayContext, source: SourceDefinition): Promise<IndexingStatus | null> {
  try {
    return await ctx.sources.status(source);
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    if (!ctx.sourceErrors.includes(e)) ctx.sourceErrors.push(e);
    return null;
  }
}

export const resolvers: Resolvers = {
  Query: {
    protocols: (_, __, ctx) => ctx.sources.registry.protocols().map((id) => ({ id })),
    protocol: (_, { id }, ctx) => (ctx.sources.registry.protocols().includes(id) ? { id } : null),
    ratio: (_, { protocol, network, block, timestamp }, ctx, info) => {
      checkTime({ block, timestamp }, network);
      if (network) return single(ctx, sourceOf(ctx.sources, protocol, network), { block, timestamp }, info);
      checkNames(ctx.sources, [protocol]);
      return aggregateOver(ctx, protocol, ctx.sources.registry.select([protocol]), { timestamp }, info);
    },
    ratios: async (_, { protocols, networks, timestamp }, ctx, info) => {
      checkNames(ctx.sources, protocols, networks);
      checkTime({ timestamp }, null);
      const { ok } = await settle(ctx, ctx.sources.registry.select(protocols, networks), (s) => readSourceRatio(ctx.sources, s, { timestamp }, info));
      return ok.map((p) => snapshot(p.source.protocol, p.source.network, [p], []));
    },
    aggregate: (_, { protocols, networks, timestamp }, ctx, info) => {
      checkNames(ctx.sources, protocols, networks);
      checkTime({ timestamp }, null);
      const sources = ctx.sources.registry.select(protocols, networks);
      return aggregateOver(ctx, [...new Set(sources.map((s) => s.protocol))].join('+'), sources, { timestamp }, info);
    },
    history: async (_, { protocol, network, interval, from, to }, ctx) => (await history(ctx, protocol, network, interval ?? 'DAY', from, to)).points,
    accountExposure: (_, { account }, ctx) => accountExposure(ctx, account),
    assetExposure: (_, { token }, ctx) => assetExposure(ctx, token),
    account: (_, { id }) => ({ id: normalizeAddress(id) }),
    token: (_, { id }) => ({ id }),
    dataset: (_, __, ctx) => {
      if (!ctx.dataset) throw new GraphQLError('Query.dataset is answered over HTTP only', { extensions: { code: 'BAD_REQUEST' } });
      return ctx.dataset;
    },
  },
  Protocol: {
    id: (p) => p.id,
    deployments: (p, _, ctx) => ctx.sources.registry.select([p.id]).map((source) => ({ source })),
    collateralModel: async (p, _, ctx) => {
      const figures = await protocolAtHead(ctx, p.id);
      return figures ? modelDefinition(figures.model) : null;
    },
    status: async (p, _, ctx) => (await protocolAtHead(ctx, p.id))?.status ?? null,
    ratio: (p, _, ctx, info) => aggregateOver(ctx, p.id, ctx.sources.registry.select([p.id]), {}, info),
  },
  Deployment: {
    protocol: (d) => d.source.protocol,
    network: (d) => d.source.network,
    blockNumber: async (d, _, ctx) => (await deploymentStatus(ctx, d.source)).pin?.number ?? null,
    timestamp: async (d, _, ctx) => (await deploymentStatus(ctx, d.source)).pin?.timestamp ?? null,
    lag: async (d, _, ctx) => {
      const followed = follower(ctx, d.source);
      if (followed) return followed.lag;
      const status = await indexingStatus(ctx, d.source);
      return status?.chainHead !== null && status?.chainHead !== undefined && status.latest !== null ? Math.max(0, status.chainHead - status.latest) : null;
    },
    chainHeadBlock: async (d, _, ctx) => {
      const followed = follower(ctx, d.source);
      return followed ? followed.chainHead : ((await indexingStatus(ctx, d.source))?.chainHead ?? null);
    },
    health: async (d, _, ctx) => {
      const followed = follower(ctx, d.source);
      return followed ? followed.health : ((await indexingStatus(ctx, d.source))?.health ?? null);
    },
    following: (d, _, ctx) => follower(ctx, d.source)?.following ?? false,
    eventsPerSecond: (d, _, ctx) => follower(ctx, d.source)?.eventsPerSecond ?? null,
    lastError: (d, _, ctx) => follower(ctx, d.source)?.lastError ?? null,
    restarts: (d, _, ctx) => follower(ctx, d.source)?.restarts ?? null,
    hasIndexingErrors: async (d, _, ctx) => (await deploymentStatus(ctx, d.source)).pin?.hasIndexingErrors ?? null,
    reachable: async (d, _, ctx) => (await deploymentStatus(ctx, d.source)).pin !== null,
    error: async (d, _, ctx) => (await deploymentStatus(ctx, d.source)).error?.message ?? null,
    ratio: (d, _, ctx, info) => single(ctx, d.source, {}, info),
  },
  Account: {
    id: (a) => a.id,
    exposure: (a, _, ctx) => accountExposure(ctx, a.id),
  },
  Token: {
    id: (t) => t.id,
    exposure: (t, _, ctx) => assetExposure(ctx, t.id),
  },
};
