/**
 * How the engine does exact money arithmetic on Decimals in bulk. A compiled
 * portfolio holds every USD amount as the digits of its Decimal at one shared
 * scale S (the largest scale of any input, so the conversion is exact), and
 * sums are bigint additions. Price factors (price after / price now) are
 * resolved to parts per billion; an amount at a factor is digits x ppb, an
 * exact value at scale S + 9. Results go back to Decimals with fromDigits.
 * Nothing is rounded but what a model computes by division (a PnL at an entry
 * price, a liquidation capped by collateral), which truncates toward zero at
 * the tally's scale.
 */
import { Decimal } from '../numeric/decimal';
import { badInput } from './errors';

export const FACTOR_SCALE = 1_000_000_000n;
export const FACTOR_DECIMALS = 9;

/** The digits of d at `scale` (>= d's own scale): exact. */
export function toDigits(d: Decimal, scale: number): bigint {
  if (d.scale > scale) throw new RangeError(`amount ${d} has more decimals than the portfolio's scale ${scale}`);
  return d.digits * 10n ** BigInt(scale - d.scale);
}

export function fromDigits(digits: bigint, scale: number): Decimal {
  return Decimal.fromBigInt(digits, scale);
}

/** A float price factor as integer parts per billion (rounded to nearest). */
export function factorToPpb(factor: number): bigint {
  if (!Number.isFinite(factor) || factor < 0) throw badInput(`price factor ${factor} must be a finite number >= 0`);
  return BigInt(Math.round(factor * 1e9));
}

/** 1 + move, exact for a move typed as a decimal (0.7 for -0.3), in parts per billion. */
export function moveToPpb(move: number): bigint {
  const d = Decimal.fromNumber(move);
  const ppb = Decimal.ONE.plus(d).times(Decimal.fromBigInt(FACTOR_SCALE));
  if (ppb.scale > 0 && !ppb.rounded(0).equals(ppb)) throw badInput(`price move ${move} has more than ${FACTOR_DECIMALS} decimals; round it first`);
  return ppb.scaledTo(0);
}

/** amount x numerator / denominator, truncating toward zero. */
export function mulDiv(amount: bigint, numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw badInput('division by zero in a money computation');
  return (amount * numerator) / denominator;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
