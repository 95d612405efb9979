/**
 * Joins across sources: one account everywhere (accountExposure) and one asset
 * everywhere (assetExposure).
 */
import { sourceKey, type ReadAt, type RequestSources, type SourceDefinition } from '../sources';
import { Decimal } from '../numeric/decimal';
import { rayMul } from '../numeric/ray';
import { assetOfSymbol } from '../risk';
import { gqlString, readProtocolType } from './figures';

export interface AccountPositionFigures {
  protocol: string;
  network: string;
  market: string;
  side: 'LONG' | 'SHORT' | 'SUPPLY' | 'BORROW';
  sizeUSD: Decimal;
  collateralUSD: Decimal;
  health: Decimal | null;
  liquidationPrice: Decimal | null;
  priced: boolean;
}

interface PositionRow {
  id: string;
  side: 'LONG' | 'SHORT';
  sizeUSD: string;
  collateralUSD: string;
  liquidationPriceUSD: string | null;
  market: { id: string; name: string };
}

interface LendingBalanceRow {
  id: string;
  market: { id: string; name: string; liquidationThreshold: string | null };
  token: { id: string; symbol: string; decimals: number | null; lastPriceUSD: string | null };
  scaledSupply: string;
  scaledVariableDebt: string;
  stableDebt: string;
  usedAsCollateral: boolean;
}


/** Perpetual positions of an account, open at the block read (a pin, or the head). */
async function perpPositions(rs: RequestSources, source: SourceDefinition, at: ReadAt, account: string): Promise<AccountPositionFigures[]> {
  const rows = (
    await rs.all<PositionRow>(source, 'positions', 'side sizeUSD collateralUSD liquidationPriceUSD market { id name }', at, `account: ${gqlString(account)}, isOpen: true`)
  ).value;
  return rows.map((p) => ({
    protocol: source.protocol,
    network: source.network,
    market: p.market.name,
    side: p.side,
    sizeUSD: Decimal.parse(p.sizeUSD),
    collateralUSD: Decimal.parse(p.collateralUSD),
    // Collateral over maintenance margin needs the position's current PnL, which the subgraph does not keep; see liquidationPrice.
    health: null,
    liquidationPrice: p.liquidationPriceUSD === null ? null : Decimal.parse(p.liquidationPriceUSD),
    priced: true,
  }));
}

/**
 * An account's supplies and debts on a lending deployment, at the reserves'
 * current indexes, with the account's health factor (Aave: the sum of
 * collateral x liquidation threshold over the debt; null without debt).
 */
async function lendingPositions(rs: RequestSources, source: SourceDefinition, at: ReadAt, account: string): Promise<AccountPositionFigures[]> {
  const balances = (
    await rs.all<LendingBalanceRow>(
      source,
      'lendingBalances',
      'market { id name liquidationThreshold } token { id symbol decimals lastPriceUSD } scaledSupply scaledVariableDebt stableDebt usedAsCollateral',
      at,
      `account: ${gqlString(account)}`,
    )
  ).value;
  if (balances.length === 0) return [];
  const reserveIds = [...new Set(balances.map((b) => b.market.id))];
  const reserves = (
    await rs.all<{ id: string; liquidityIndex: string; variableBorrowIndex: string }>(
      source,
      'lendingReserves',
      'liquidityIndex variableBorrowIndex',
      at,
      `id_in: [${reserveIds.map(gqlString).join(', ')}]`,
    )
  ).value;
  const index = new Map(reserves.map((r) => [r.id, r]));
  const out: AccountPositionFigures[] = [];
  let weightedCollateral = Decimal.ZERO;
  let debtTotal = Decimal.ZERO;
  let allPriced = true;
  for (const b of balances) {
    const reserve = index.get(b.market.id);
    if (!reserve) continue;
    const priced = b.token.decimals !== null && b.token.lastPriceUSD !== null;
    allPriced &&= priced;
    const usd = (raw: bigint) => (priced ? Decimal.fromBigInt(raw, b.token.decimals!).times(Decimal.parse(b.token.lastPriceUSD!)) : Decimal.ZERO);
    const supply = rayMul(BigInt(b.scaledSupply), BigInt(reserve.liquidityIndex));
    const debt = rayMul(BigInt(b.scaledVariableDebt), BigInt(reserve.variableBorrowIndex)) + BigInt(b.stableDebt);
    if (supply > 0n) {
      const value = usd(supply);
      const collateral = b.usedAsCollateral ? value : Decimal.ZERO;
      if (b.usedAsCollateral && b.market.liquidationThreshold !== null) {
        weightedCollateral = weightedCollateral.plus(collateral.times(Decimal.parse(b.market.liquidationThreshold)).dividedBy(Decimal.parse('100'), 30)!);
      }
      out.push({ protocol: source.protocol, network: source.network, market: b.market.name, side: 'SUPPLY', sizeUSD: value, collateralUSD: collateral, health: null, liquidationPrice: null, priced });
    }
    if (debt > 0n) {
      const value = usd(debt);
      debtTotal = debtTotal.plus(value);
      out.push({ protocol: source.protocol, network: source.network, market: b.market.name, side: 'BORROW', sizeUSD: value, collateralUSD: Decimal.ZERO, health: null, liquidationPrice: null, priced });
    }
  }
  // A health factor built on an unpriced token would be wrong: leave it undefined.
  const health = allPriced ? weightedCollateral.dividedBy(debtTotal) : null;
  for (const p of out) p.health = health;
  return out;
}

export async function readAccount(rs: RequestSources, source: SourceDefinition, at: ReadAt, account: string): Promise<AccountPositionFigures[]> {
  return (await readProtocolType(rs, source, at)) === 'LENDING' ? lendingPositions(rs, source, at, account) : perpPositions(rs, source, at, account);
}

export interface AssetChannelFigures {
  protocol: string;
  network: string;
  tokens: string[];
  collateralUSD: Decimal;
  openInterestUSD: Decimal;
  priced: boolean;
}

/** A token by address, or every token that stands for the same asset as a symbol (server/risk/assets.ts: ETH finds WETH, WETH.e and sETH). */
export async function readAssetChannel(rs: RequestSources, source: SourceDefinition, at: ReadAt, token: string): Promise<AssetChannelFigures | null> {
  const tokens = (await rs.all<{ id: string; symbol: string }>(source, 'tokens', 'symbol', at)).value;
  const byAddress = /^0x[0-9a-fA-F]+$/.test(token);
  const wanted = byAddress ? token.toLowerCase() : assetOfSymbol(token);
  const matched = tokens.filter((t) => (byAddress ? t.id === wanted : assetOfSymbol(t.symbol) === wanted));
  if (matched.length === 0) return null;
  const ids = `[${matched.map((t) => gqlString(t.id)).join(', ')}]`;
  const [collateral, markets] = await Promise.all([
    rs.all<{ id: string; amountUSD: string; priced: boolean }>(source, 'collateralBalances', 'amountUSD priced', at, `token_in: ${ids}`),
    rs.all<{ id: string; longOpenInterestUSD: string; shortOpenInterestUSD: string; totalBorrowBalanceUSD: string | null }>(
      source,
      'markets',
      'longOpenInterestUSD shortOpenInterestUSD totalBorrowBalanceUSD',
      at,
      `indexToken_in: ${ids}`,
    ),
  ]);
  let collateralUSD = Decimal.ZERO;
  let priced = true;
  for (const c of collateral.value) {
    collateralUSD = collateralUSD.plus(Decimal.parse(c.amountUSD));
    priced &&= c.priced;
  }
  let openInterestUSD = Decimal.ZERO;
  for (const m of markets.value) {
    openInterestUSD = openInterestUSD
      .plus(Decimal.parse(m.longOpenInterestUSD))
      .plus(Decimal.parse(m.shortOpenInterestUSD))
      .plus(m.totalBorrowBalanceUSD === null ? Decimal.ZERO : Decimal.parse(m.totalBorrowBalanceUSD));
  }
  return { protocol: source.protocol, network: source.network, tokens: matched.map((t) => `${t.symbol}:${t.id}`), collateralUSD, openInterestUSD, priced };
}

export { sourceKey };
