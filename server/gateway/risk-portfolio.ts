/**
 * Builds the risk engine's Portfolio (server/risk) from indexed entities,
 * every source read at its head block through the request's sources.
 *
 * - Each venue's headline balance and collateral model come from its Protocol
 *   entity at the same block (readProtocol), so that the engine's "before" is
 *   the headline ratio and buffer exactly (server/risk/solvency.ts).
 * - Assets are named by server/risk/assets.ts (WETH, WETH.e and sETH are ETH). An
 *   asset's price is its token's lastPriceUSD on the venues that price it,
 *   the most recently updated one winning; a token a venue does not price
 *   takes its asset's price from another venue. An asset with no price on any
 *   venue cannot be moved: positions in it are left out and counted.
 * - Perpetuals: every open Position; size, collateral, entry and liquidation
 *   price as the subgraph keeps them. Collateral is USD (GMX v1 keeps
 *   position collateral in USD; Synthetix PerpsV2 margin is sUSD). Traders'
 *   PnL is against the venue's pool.
 * - Pools (SHARED_POOL, MARKET_POOL): CollateralBalance per token, valued as the subgraph values it (amountUSD).
 * - Lending (Aave v3): each account's balances at the reserves' current
 *   indexes (rayMul), collateral where enabled, with the reserve's liquidation
 *   threshold and bonus.
 * Money stays exact: the subgraphs' BigDecimal strings become Decimals.
 */
import { Decimal } from '../numeric/decimal';
import { rayMul } from '../numeric/ray';
import { assetOfSymbol, type LendingAccount, type LiquidityPool, type PerpPosition, type Portfolio, type Position, type VenueBook } from '../risk';
import { sourceKey, type BlockPin, type RequestSources, type SourceDefinition } from '../sources';
import type { GatewayContext } from './context';
import { balanceOf, readProtocol, type ProtocolFigures } from './figures';
import type { SourceRead } from './parents';
import { settle } from './settle';

export interface BuiltPortfolio {
  portfolio: Portfolio;
  /** Sources the portfolio leaves out because they failed. */
  missingSources: string[];
  /** Positions left out because their asset has no price anywhere. */
  unpricedPositions: number;
  /** Per asset: the token addresses (symbol:address) it stands for. */
  assetTokens: Record<string, string[]>;
  /** The source reads the portfolio was built from (its provenance). */
  reads: SourceRead[];
}

interface TokenRow {
  id: string;
  symbol: string;
  decimals: number | null;
  lastPriceUSD: string | null;
  lastPriceTimestamp: string | null;
  isStablecoin: boolean;
}

interface SourceData {
  source: SourceDefinition;
  read: SourceRead;
  protocol: ProtocolFigures;
  tokens: TokenRow[];
  positions: Array<{ id: string; side: 'LONG' | 'SHORT'; sizeUSD: string; collateralUSD: string; entryPriceUSD: string; liquidationPriceUSD: string | null; account: { id: string }; market: { indexToken: { id: string } | null } }>;
  pool: Array<{ id: string; token: { id: string }; amountUSD: string; priced: boolean }>;
  balances: Array<{ id: string; account: { id: string }; market: { id: string; liquidationThreshold: string | null; liquidationPenalty: string | null }; token: { id: string }; scaledSupply: string; scaledVariableDebt: string; stableDebt: string; usedAsCollateral: boolean }>;
  reserves: Array<{ id: string; liquidityIndex: string; variableBorrowIndex: string }>;
}

async function readSource(rs: RequestSources, source: SourceDefinition, at?: BlockPin): Promise<SourceData> {
  const pin = at ?? (await rs.head(source));
  const protocol = await readProtocol(rs, source, pin);
  const read = { source, pin };
  const tokens = rs.all<TokenRow>(source, 'tokens', 'symbol decimals lastPriceUSD lastPriceTimestamp isStablecoin', pin);
  if (protocol.model === 'OVERCOLLATERALIZED_LENDING') {
    const [t, balances, reserves] = await Promise.all([
      tokens,
      rs.all<SourceData['balances'][number]>(source, 'lendingBalances', 'account { id } market { id liquidationThreshold liquidationPenalty } token { id } scaledSupply scaledVariableDebt stableDebt usedAsCollateral', pin),
      rs.all<SourceData['reserves'][number]>(source, 'lendingReserves', 'liquidityIndex variableBorrowIndex', pin),
    ]);
    return { source, read, protocol, tokens: t.value, positions: [], pool: [], balances: balances.value, reserves: reserves.value };
  }
  const [t, positions, pool] = await Promise.all([
    tokens,
    rs.all<SourceData['positions'][number]>(source, 'positions', 'side sizeUSD collateralUSD entryPriceUSD liquidationPriceUSD account { id } market { indexToken { id } }', pin, 'isOpen: true'),
    // In a pool model CollateralBalance is the pool's holdings; in a margin model it is traders' margin, already in the positions.
    protocol.model === 'SHARED_POOL' || protocol.model === 'MARKET_POOL'
      ? rs.all<SourceData['pool'][number]>(source, 'collateralBalances', 'token { id } amountUSD priced', pin)
      : Promise.resolve({ value: [], stale: false, ageMs: 0 }),
  ]);
  return { source, read, protocol, tokens: t.value, positions: positions.value, pool: pool.value, balances: [], reserves: [] };
}

/** The portfolio of the given sources, each at its head or at the block given for it (by protocol/network). */
export async function buildPortfolio(ctx: GatewayContext, sources: readonly SourceDefinition[], pins?: ReadonlyMap<string, BlockPin>): Promise<BuiltPortfolio> {
  const { ok: data, missing: missingSources } = await settle(ctx, sources, (s) => readSource(ctx.sources, s, pins?.get(sourceKey(s))));

  // One price per asset: the most recently updated among the venues' tokens.
  const best = new Map<string, { price: Decimal; time: number; stable: boolean }>();
  const assetTokens: Record<string, string[]> = {};
  for (const d of data) {
    for (const t of d.tokens) {
      const asset = assetOfSymbol(t.symbol);
      (assetTokens[asset] ??= []).includes(`${t.symbol}:${t.id}`) || assetTokens[asset].push(`${t.symbol}:${t.id}`);
      if (t.lastPriceUSD === null || Decimal.parse(t.lastPriceUSD).compare(Decimal.ZERO) <= 0) continue;
      const time = Number(t.lastPriceTimestamp ?? 0);
      const current = best.get(asset);
      if (!current || time > current.time) best.set(asset, { price: Decimal.parse(t.lastPriceUSD), time, stable: t.isStablecoin });
    }
  }
  const assets: Portfolio['assets'] = Object.fromEntries([...best].map(([asset, b]) => [asset, { price: b.price, stable: b.stable }]));

  const positions: Position[] = [];
  const pools: LiquidityPool[] = [];
  const venues: VenueBook[] = [];
  let unpricedPositions = 0;
  for (const d of data) {
    const venue = { protocol: d.source.protocol, network: d.source.network };
    const headline = balanceOf(d.protocol);
    venues.push({ venue, model: d.protocol.model, backingUsd: headline.backingUsd, obligationsUsd: headline.obligationsUsd });
    const tokens = new Map(d.tokens.map((t) => [t.id, t]));
    const assetOf = (tokenId: string | undefined) => {
      const t = tokenId ? tokens.get(tokenId) : undefined;
      return t ? assetOfSymbol(t.symbol) : null;
    };
    for (const p of d.positions) {
      const asset = assetOf(p.market.indexToken?.id);
      const entry = Decimal.parse(p.entryPriceUSD);
      if (!asset || !best.has(asset) || entry.compare(Decimal.ZERO) <= 0) {
        unpricedPositions++;
        continue;
      }
      const perp: PerpPosition = {
        kind: 'perp',
        venue,
        account: p.account.id,
        asset,
        side: p.side === 'LONG' ? 'long' : 'short',
        sizeUsd: Decimal.parse(p.sizeUSD),
        collateralUsd: Decimal.parse(p.collateralUSD),
        entryPrice: entry,
      };
      if (p.liquidationPriceUSD !== null && Decimal.parse(p.liquidationPriceUSD).isPositive()) perp.liquidationPrice = Decimal.parse(p.liquidationPriceUSD);
      else perp.maintenanceMarginRate = 0.01;
      positions.push(perp);
    }
    if (d.pool.length) {
      const holdings: LiquidityPool['holdings'] = [];
      for (const b of d.pool) {
        const asset = assetOf(b.token.id);
        // An unpriced holding is outside the headline too (Protocol.unpricedTokens); it cannot move with a price it lacks.
        if (!asset || !b.priced || !best.has(asset)) continue;
        holdings.push({ asset, valueUsd: Decimal.parse(b.amountUSD) });
      }
      pools.push({ venue, holdings });
    }
    if (d.balances.length) {
      const index = new Map(d.reserves.map((r) => [r.id, r]));
      const accounts = new Map<string, LendingAccount>();
      const skipped = new Set<string>();
      for (const b of d.balances) {
        const reserve = index.get(b.market.id);
        const t = tokens.get(b.token.id);
        const asset = assetOf(b.token.id);
        const supply = reserve ? rayMul(BigInt(b.scaledSupply), BigInt(reserve.liquidityIndex)) : 0n;
        const debt = reserve ? rayMul(BigInt(b.scaledVariableDebt), BigInt(reserve.variableBorrowIndex)) + BigInt(b.stableDebt) : 0n;
        if (supply <= 0n && debt <= 0n) continue;
        if (!reserve || !t || t.decimals === null || !asset || !best.has(asset)) {
          skipped.add(b.account.id);
          continue;
        }
        const value = (raw: bigint) => Decimal.fromBigInt(raw, t.decimals!).times(best.get(asset)!.price);
        const account = accounts.get(b.account.id) ?? { kind: 'lending' as const, venue, account: b.account.id, collateral: [], debt: [] };
        accounts.set(b.account.id, account);
        if (supply > 0n && b.usedAsCollateral) {
          account.collateral.push({
            asset,
            valueUsd: value(supply),
            liquidationThreshold: Number(b.market.liquidationThreshold ?? 0) / 100,
            liquidationBonus: Number(b.market.liquidationPenalty ?? 0) / 100,
          });
        }
        if (debt > 0n) account.debt.push({ asset, valueUsd: value(debt) });
      }
      // An account with any balance that cannot be valued is left out whole: half an account's health would be wrong.
      for (const id of skipped) accounts.delete(id);
      unpricedPositions += skipped.size;
      for (const a of accounts.values()) if (a.collateral.length || a.debt.length) positions.push(a);
    }
  }
  return { portfolio: { assets, positions, pools, venues }, missingSources, unpricedPositions, assetTokens, reads: data.map((d) => d.read) };
}
