/**
 * Exact money. USD amounts are bigint micro-USD (1 USD = 1_000_000n); prices are
 * bigint USD per unit scaled by 1e18; price factors (price after / price before)
 * are applied to money as integer parts-per-billion, so a factor is resolved to 1e-9.
 * Division truncates toward zero, i.e. each product is rounded to the micro-USD toward zero.
 */
import { badInput } from './errors';

export type MicroUsd = bigint;
export type PriceE18 = bigint;

export const USD_DECIMALS = 6;
export const USD_SCALE = 1_000_000n;
export const PRICE_DECIMALS = 18;
export const PRICE_SCALE = 10n ** 18n;
export const FACTOR_SCALE = 1_000_000_000n;
const FACTOR_SCALE_NUMBER = 1e9;

function parseDecimal(text: string, decimals: number, what: string): bigint {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw badInput(`${what} "${text}" is not a decimal number; write it like "1234.56"`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > decimals) {
    throw badInput(`${what} "${text}" has more than ${decimals} decimals; round it first`);
  }
  const value = BigInt(whole + fraction.padEnd(decimals, '0'));
  return sign ? -value : value;
}

/** "1234.56" -> 1234560000n micro-USD. Exact; rejects more than 6 decimals. */
export function usd(text: string): MicroUsd {
  return parseDecimal(text, USD_DECIMALS, 'USD amount');
}

/** "2000.5" -> price scaled by 1e18. Exact; rejects more than 18 decimals. */
export function price(text: string): PriceE18 {
  return parseDecimal(text, PRICE_DECIMALS, 'price');
}

/** Micro-USD -> "1234.560000" (all six decimals, for reports). */
export function formatUsd(amount: MicroUsd): string {
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  const whole = abs / USD_SCALE;
  const fraction = (abs % USD_SCALE).toString().padStart(USD_DECIMALS, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** A float price factor as integer parts per billion (rounded to nearest). */
export function factorToPpb(factor: number): bigint {
  if (!Number.isFinite(factor) || factor < 0) throw badInput(`price factor ${factor} must be a finite number >= 0`);
  return BigInt(Math.round(factor * FACTOR_SCALE_NUMBER));
}

/** amount x factor, with the factor given in parts per billion; truncates toward zero. */
export function scaleByPpb(amount: MicroUsd, factorPpb: bigint): MicroUsd {
  return (amount * factorPpb) / FACTOR_SCALE;
}

/** amount x numerator / denominator, truncating toward zero. */
export function mulDiv(amount: bigint, numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw badInput('division by zero in a money computation');
  return (amount * numerator) / denominator;
}

/** Micro-USD as a float USD figure, for statistical outputs only. */
export function toUsdNumber(amount: MicroUsd): number {
  return Number(amount) / 1e6;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
