/**
 * The one definition of a venue's solvency. Every figure svr serves (the
 * headline ratio and buffer, market and token breakdowns, aggregates, stress
 * before and after, distance to insolvency, VaR losses, contagion equity)
 * comes from these functions; nothing else divides backing by obligations.
 *
 *   ratio  = backing / obligations   (the Security-to-Value Ratio; exact, RATIO_DECIMALS places)
 *   buffer = backing - obligations   (the systemic buffer; exact)
 *
 * What backing and obligations are depends on the venue's collateral model,
 * which each subgraph states in its Protocol entity (`collateralModel`, see
 * subgraph/schema.graphql). docs/methodology.md, "Collateral models".
 */
import { Decimal, RATIO_DECIMALS } from '../numeric/decimal';

export type CollateralModel = 'SHARED_POOL' | 'MARKET_POOL' | 'TRADER_MARGIN' | 'OVERCOLLATERALIZED_LENDING';

export const COLLATERAL_MODELS: readonly CollateralModel[] = ['SHARED_POOL', 'MARKET_POOL', 'TRADER_MARGIN', 'OVERCOLLATERALIZED_LENDING'];

export interface ModelDefinition {
  /** What the backing figure includes. */
  backing: string;
  /** What the obligations figure includes. */
  obligations: string;
  /** What backs the venue but is not in the backing figure; null when nothing is left out. */
  leftOut: string | null;
  /** Whether each market has collateral of its own, so that a per-market ratio means something. */
  perMarketBacking: boolean;
  /** Perps whose counterparty is a pool (no market trade at liquidation). */
  poolCounterparty: boolean;
}

export const MODEL_DEFINITIONS: Readonly<Record<CollateralModel, ModelDefinition>> = {
  SHARED_POOL: {
    backing: "the value of the assets in the venue's one liquidity pool, which is every trader's counterparty",
    obligations: 'open interest: the USD size of every open long and short position',
    leftOut: null,
    perMarketBacking: false,
    poolCounterparty: true,
  },
  MARKET_POOL: {
    backing: "the value of each market's own pool (long and short tokens)",
    obligations: "open interest: the USD size of every open long and short position, per market",
    leftOut: null,
    perMarketBacking: true,
    poolCounterparty: true,
  },
  TRADER_MARGIN: {
    backing: "traders' own margin deposited in the venue's markets",
    obligations: 'open interest: the USD notional of every open long and short position',
    leftOut:
      "the backstop behind traders' margin (Synthetix's debt pool, which takes the other side of every trade and absorbs traders' bad debt) is not indexed: this ratio is margin over notional (1 / leverage), not a pool's solvency, and is not comparable with a pooled venue's on the same threshold",
    perMarketBacking: true,
    poolCounterparty: true,
  },
  OVERCOLLATERALIZED_LENDING: {
    backing: 'collateral supplied and enabled as collateral, at current prices',
    obligations: 'debt: every borrower\'s outstanding variable and stable debt, at current prices',
    leftOut: null,
    perMarketBacking: true,
    poolCounterparty: false,
  },
};

export function isCollateralModel(value: unknown): value is CollateralModel {
  return typeof value === 'string' && (COLLATERAL_MODELS as readonly string[]).includes(value);
}

/** What backs a venue's obligations, and the obligations, in USD. */
export interface Balance {
  backingUsd: Decimal;
  obligationsUsd: Decimal;
}

export interface Solvency extends Balance {
  /** backing / obligations, rounded half to even at RATIO_DECIMALS; null when there are no obligations. */
  ratio: Decimal | null;
  bufferUsd: Decimal;
}

export function solvency(balance: Balance): Solvency {
  return {
    backingUsd: balance.backingUsd,
    obligationsUsd: balance.obligationsUsd,
    ratio: balance.backingUsd.dividedBy(balance.obligationsUsd, RATIO_DECIMALS),
    bufferUsd: balance.backingUsd.minus(balance.obligationsUsd),
  };
}

/** Sums balances; aggregates add first and divide last. */
export function addBalances(balances: Iterable<Balance>): Balance {
  let backing = Decimal.ZERO;
  let obligations = Decimal.ZERO;
  for (const b of balances) {
    backing = backing.plus(b.backingUsd);
    obligations = obligations.plus(b.obligationsUsd);
  }
  return { backingUsd: backing, obligationsUsd: obligations };
}

/**
 * A venue's headline balance from the totals its subgraph keeps (Protocol,
 * Market or a snapshot): backing is the collateral locked, obligations are
 * open interest long plus short plus lending debt.
 */
export interface VenueTotals {
  collateralUsd: Decimal;
  longOpenInterestUsd: Decimal;
  shortOpenInterestUsd: Decimal;
  debtUsd: Decimal;
}

export function balanceOfTotals(t: VenueTotals): Balance {
  return { backingUsd: t.collateralUsd, obligationsUsd: t.longOpenInterestUsd.plus(t.shortOpenInterestUsd).plus(t.debtUsd) };
}
