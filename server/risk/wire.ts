/**
 * A Portfolio as plain data (Decimals as their strings), so that it crosses
 * to a worker thread by structured clone and comes back exactly as it was.
 */
import { Decimal } from '../numeric/decimal';
import type { AssetParams, LendingAccount, LiquidityPool, PerpPosition, Portfolio, Position, VenueBook } from './types';

type Wired<T> = T extends Decimal ? string : T extends readonly (infer U)[] ? Wired<U>[] : T extends object ? { [K in keyof T]: Wired<T[K]> } : T;

export type WirePortfolio = Wired<Portfolio>;

const out = (d: Decimal) => d.toString();
const outOpt = (d: Decimal | undefined) => (d === undefined ? undefined : d.toString());
const into = (s: string) => Decimal.parse(s);
const intoOpt = (s: string | undefined) => (s === undefined ? undefined : Decimal.parse(s));

export function portfolioToWire(p: Portfolio): WirePortfolio {
  return {
    assets: Object.fromEntries(Object.entries(p.assets).map(([name, a]) => [name, { ...a, price: out(a.price), depthUsd: outOpt(a.depthUsd) }])),
    positions: p.positions.map((x): Wired<Position> =>
      x.kind === 'perp'
        ? { ...x, sizeUsd: out(x.sizeUsd), collateralUsd: out(x.collateralUsd), entryPrice: out(x.entryPrice), liquidationPrice: outOpt(x.liquidationPrice) }
        : { ...x, collateral: x.collateral.map((c) => ({ ...c, valueUsd: out(c.valueUsd) })), debt: x.debt.map((d) => ({ ...d, valueUsd: out(d.valueUsd) })) },
    ),
    pools: p.pools?.map((pool) => ({ venue: pool.venue, holdings: pool.holdings.map((h) => ({ asset: h.asset, valueUsd: out(h.valueUsd) })) })),
    venues: p.venues?.map((v) => ({ ...v, backingUsd: outOpt(v.backingUsd), obligationsUsd: outOpt(v.obligationsUsd) })),
  };
}

export function portfolioFromWire(w: WirePortfolio): Portfolio {
  const assets: Record<string, AssetParams> = {};
  for (const [name, a] of Object.entries(w.assets)) {
    assets[name] = { ...a, price: into(a.price), depthUsd: intoOpt(a.depthUsd) };
    if (assets[name]!.depthUsd === undefined) delete assets[name]!.depthUsd;
  }
  const positions = w.positions.map((x): Position => {
    if (x.kind === 'perp') {
      const perp: PerpPosition = { ...x, sizeUsd: into(x.sizeUsd), collateralUsd: into(x.collateralUsd), entryPrice: into(x.entryPrice), liquidationPrice: intoOpt(x.liquidationPrice) };
      if (perp.liquidationPrice === undefined) delete perp.liquidationPrice;
      return perp;
    }
    const account: LendingAccount = { ...x, collateral: x.collateral.map((c) => ({ ...c, valueUsd: into(c.valueUsd) })), debt: x.debt.map((d) => ({ ...d, valueUsd: into(d.valueUsd) })) };
    return account;
  });
  const pools = w.pools?.map((pool): LiquidityPool => ({ venue: pool.venue, holdings: pool.holdings.map((h) => ({ asset: h.asset, valueUsd: into(h.valueUsd) })) }));
  const venues = w.venues?.map((v): VenueBook => ({ venue: v.venue, model: v.model, backingUsd: intoOpt(v.backingUsd), obligationsUsd: intoOpt(v.obligationsUsd) }));
  return { assets, positions, ...(pools ? { pools } : {}), ...(venues ? { venues } : {}) };
}
