/**
 * Volatilities and correlations estimated from indexed history, for
 * valueAtRisk when none are given, and for riskBacktest at each past hour
 * from the hours before it only (volatilityFromPrices on one read of the
 * series, readHourlyPrices). Each source's hourly snapshots name the
 * last block of every hour with activity; the tokens' lastPriceUSD read at
 * those blocks (time travel) is the hourly price series. An asset's series is
 * the first source's that has it. Returns are taken only between consecutive
 * hours that both have a price; volatility = stdev(hourly log returns) x
 * sqrt(24 x 365); correlations (Pearson) from the hours where every asset has
 * a return, or none (independent) when fewer than 10 such hours exist.
 */
import { RiskError, returnsCorrelation, variance } from '../risk';
import { SourceError, type SourceDefinition } from '../sources';
import type { GatewayContext } from './context';
import { assetOfSymbol } from '../risk';

export interface EstimatedVolatility {
  volatility: Record<string, number>;
  correlation?: { assets: string[]; matrix: number[][] };
  /** What the estimate rests on, for the answer. */
  description: string;
}

const MIN_RETURNS = 10;

/** asset -> hour (hours since the epoch) -> USD price: the tokens' lastPriceUSD at the last block of every hour with a snapshot. */
export type HourlyPrices = Map<string, Map<number, number>>;

/**
 * Each source's hourly price series of `assets` (all when null) over the hours
 * of `range` (or its last hours before its head), read at the source's head; an asset's series
 * is the first source's that has it. A failing source is left out (ctx.sourceErrors).
 */
export async function readHourlyPrices(
  ctx: GatewayContext,
  sources: readonly SourceDefinition[],
  range: { fromHour: number; toHour: number } | { lastHours: number },
  assets: readonly string[] | null,
): Promise<HourlyPrices> {
  const rs = ctx.sources;
  const prices: HourlyPrices = new Map();
  for (const source of sources) {
    let rows: Array<{ hour: number; blockNumber: string }>;
    let tokenSeries: Array<Array<{ symbol: string; lastPriceUSD: string | null; isStablecoin: boolean }>>;
    try {
      const pin = await rs.head(source);
      const where = 'lastHours' in range ? `hour_gte: ${Math.floor((pin.timestamp ?? 0) / 3600) - range.lastHours}` : `hour_gte: ${range.fromHour}, hour_lte: ${range.toHour}`;
      rows = (await rs.all<{ id: string; hour: number; blockNumber: string }>(source, 'protocolHourlySnapshots', 'hour blockNumber', pin, where)).value;
      tokenSeries = await Promise.all(
        rows.map(async (r) => (await rs.fetch<Array<{ symbol: string; lastPriceUSD: string | null; isStablecoin: boolean }>>(source, `tokens(first: 1000, block: { number: ${r.blockNumber} }) { id symbol lastPriceUSD isStablecoin }`)).value),
      );
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      ctx.sourceErrors.push(e);
      continue;
    }
    const seen = new Set<string>();
    rows.forEach((r, i) => {
      for (const t of tokenSeries[i]) {
        const asset = assetOfSymbol(t.symbol);
        if (t.isStablecoin || t.lastPriceUSD === null || (assets !== null && !assets.includes(asset))) continue;
        // The first source with an asset supplies its whole series.
        if (prices.has(asset) && !seen.has(asset)) continue;
        seen.add(asset);
        const series = prices.get(asset) ?? new Map<number, number>();
        prices.set(asset, series);
        series.set(r.hour, Number(t.lastPriceUSD));
      }
    });
  }
  return prices;
}

export async function estimateVolatility(ctx: GatewayContext, sources: readonly SourceDefinition[], hours: number, assets: readonly string[]): Promise<EstimatedVolatility> {
  const prices = await readHourlyPrices(ctx, sources, { lastHours: hours }, assets);
  return volatilityFromPrices(prices, assets, null, `in the last ${hours} hours`, `over the last ${hours} hours`);
}

/**
 * The volatilities (and correlations) of `assets` from the hourly returns in
 * `prices` (the return of hour k is ln(p(k+1) / p(k))), those with both hours
 * inside `hours` when given, else all. Throws RISK_TOO_LITTLE_HISTORY naming
 * the assets with too few returns.
 */
export function volatilityFromPrices(
  prices: HourlyPrices,
  assets: readonly string[],
  hours: { fromHour: number; throughHour: number } | null,
  span: string,
  over: string,
): EstimatedVolatility {
  const returns = new Map<string, Map<number, number>>();
  const volatility: Record<string, number> = {};
  const counts: string[] = [];
  for (const [asset, series] of prices) {
    if (!assets.includes(asset)) continue;
    const r = new Map<number, number>();
    for (const [hour, p] of series) {
      if (hours !== null && (hour < hours.fromHour || hour + 1 > hours.throughHour)) continue;
      const next = series.get(hour + 1);
      if (next !== undefined && p > 0 && next > 0) r.set(hour, Math.log(next / p));
    }
    if (r.size < MIN_RETURNS) continue;
    returns.set(asset, r);
    volatility[asset] = Math.sqrt(variance([...r.values()]) * 24 * 365);
    counts.push(`${asset} ${r.size}`);
  }
  const missing = assets.filter((a) => !(a in volatility));
  if (missing.length) {
    throw new RiskError(
      'RISK_TOO_LITTLE_HISTORY',
      `too little indexed hourly price history to estimate the volatility of ${missing.join(', ')} (need ${MIN_RETURNS} hourly returns ${span}); give volatilities`,
    );
  }
  const names = Object.keys(volatility).sort();
  const common = [...(returns.get(names[0])?.keys() ?? [])].filter((h) => names.every((a) => returns.get(a)!.has(h)));
  let correlation: EstimatedVolatility['correlation'];
  if (names.length > 1 && common.length >= MIN_RETURNS) {
    const matrix = returnsCorrelation(names.map((a) => common.map((h) => returns.get(a)!.get(h)!)));
    correlation = { assets: names, matrix };
  }
  return {
    volatility,
    correlation,
    description:
      `estimated from indexed hourly prices ${over} (returns: ${counts.join(', ')})` +
      (correlation ? `; correlations from ${common.length} common hours` : '; assets independent (too few common hours for correlations)'),
  };
}
