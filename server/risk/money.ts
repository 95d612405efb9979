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

/** The digits of d at `scale` (>= d's own scale): exact. */
export function toDigits(d: Decimal, scale: number): bigint {
  if (d.scale > scale) throw new RangeError(`amount ${d} has more decimals than the portfolio's scale ${scale}`);
  return d.digits * 10n ** BigInt(scale - d.scale);
}

export function fromDigits(digits: bigint, scale: number): Decimal {
  return Decimal.fromBigInt(digits, scale);
}

/** amount x numerator / denominator, truncating toward zero. */
export function mulDiv(amount: bigint, numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw badInput('division by zero in a money computation');
  return (amount * numerator) / denominator;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
