/**
 * Liquidation curve: per venue and asset, the collateral and position size that
 * are liquidatable if that asset's price moves by m (others unchanged), for m
 * on a grid (default -50%..+50% by 1%). Each point is cumulative: it counts every
 * position liquidatable at that price, including any already liquidatable now.
 * Amounts are valued at the moved price.
 */
import { lendingCollateralExact, lendingDebtExact, lendingLiquidationRegion, perpCollateralExact, perpLiquidationRegion, perpSizeExact, type AffineExact, type Region } from './affine';
import { badInput } from './errors';
import type { Decimal } from '../numeric/decimal';
import { fromDigits } from './money';
import { compilePortfolio, type CompiledPortfolio } from './portfolio';
import { ThresholdBook, type BookEntry } from './threshold-book';
import type { Portfolio, Venue, VenueKey } from './types';

export interface CurveOptions {
  /** Lowest move, fraction (default -0.5). */
  from?: number;
  /** Highest move, fraction (default 0.5). */
  to?: number;
  /** Grid step, fraction (default 0.01). Moves are resolved to basis points. */
  step?: number;
}

export interface CurvePoint {
  /** Price move of the asset as a fraction, e.g. -0.2. */
  move: number;
  positions: number;
  collateralUsd: Decimal;
  /** Perps: size; lending: debt. */
  sizeUsd: Decimal;
}

export interface LiquidationCurve {
  venue: Venue;
  key: VenueKey;
  asset: string;
  points: CurvePoint[];
}

function gridBps(options: CurveOptions): number[] {
  const from = Math.round((options.from ?? -0.5) * 10_000);
  const to = Math.round((options.to ?? 0.5) * 10_000);
  const step = Math.round((options.step ?? 0.01) * 10_000);
  if (step <= 0 || from > to || from < -10_000) throw badInput(`curve grid from=${options.from} to=${options.to} step=${options.step} is invalid; need -1 <= from <= to and step >= 0.0001`);
  const out: number[] = [];
  for (let m = from; m <= to; m += step) out.push(m);
  return out;
}

export function liquidationCurves(portfolio: Portfolio | CompiledPortfolio, options: CurveOptions = {}): LiquidationCurve[] {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const grid = gridBps(options);
  // entries[venue][asset]
  const entries = new Map<string, { venue: number; asset: number; list: BookEntry<bigint>[] }>();
  const add = (venue: number, asset: number, region: Region, collateral: AffineExact, size: AffineExact) => {
    if (region.kind === 'never') return;
    const key = `${venue}:${asset}`;
    let slot = entries.get(key);
    if (!slot) entries.set(key, (slot = { venue, asset, list: [] }));
    slot.list.push({ region, k0: [collateral.k0, size.k0], k1: [collateral.k1, size.k1] });
  };
  const movedOnly = (asset: number) => c.assetNames.map((_, i) => i === asset);
  const masks = c.assetNames.map((_, i) => movedOnly(i));
  for (const p of c.perps) {
    const assets = new Set([p.asset, p.collateralAsset].filter((a) => a >= 0));
    for (const a of assets) add(p.venue, a, perpLiquidationRegion(p, masks[a]!), perpCollateralExact(p, masks[a]!), perpSizeExact(p, masks[a]!));
  }
  for (const account of c.lending) {
    const assets = new Set([...account.collateral, ...account.debt].map((t) => t.asset));
    for (const a of assets) {
      const mask = masks[a]!;
      add(account.venue, a, lendingLiquidationRegion(account, mask), lendingCollateralExact(account, mask), lendingDebtExact(account, mask));
    }
  }
  const curves: LiquidationCurve[] = [];
  for (const { venue, asset, list } of entries.values()) {
    const book = new ThresholdBook<bigint>(list, 2, 0n);
    const points = grid.map((bps) => {
      const x = (10_000 + bps) / 10_000;
      const value = (channel: number) => {
        const [k0, k1] = book.coefficientsAt(x, channel);
        // k0 + k1 x with x = (10000 + bps) / 10000, exact at the portfolio's scale + 4.
        return fromDigits(k0 * 10_000n + k1 * BigInt(10_000 + bps), c.scale + 4);
      };
      return { move: bps / 10_000, positions: book.countAt(x), collateralUsd: value(0), sizeUsd: value(1) };
    });
    curves.push({ venue: c.venues[venue]!, key: c.venueKeys[venue]!, asset: c.assetNames[asset]!, points });
  }
  return curves.sort((a, b) => (a.key === b.key ? a.asset.localeCompare(b.asset) : a.key.localeCompare(b.key)));
}
