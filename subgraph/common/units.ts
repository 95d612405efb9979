// Unit helpers shared by svr's protocol mappings (protocol-agnostic: no entity classes here,
// since each subgraph generates its own).
import { BigDecimal, BigInt } from '@graphprotocol/graph-ts';

/** 10^decimals as a BigDecimal (exact). */
export function tenPow(decimals: i32): BigDecimal {
  return BigInt.fromI32(10).pow(<u8>decimals).toBigDecimal();
}

/** A fixed-point integer with `decimals` decimals as a BigDecimal (GMX USD: 30, Chainlink USD feeds: 8). */
export function fixedToDecimal(value: BigInt, decimals: i32): BigDecimal {
  return value.toBigDecimal().div(tenPow(decimals));
}

export const SECONDS_PER_HOUR: i64 = 3600;
export const SECONDS_PER_DAY: i64 = 86400;

/** Whole UTC days since the Unix epoch. */
export function dayIndex(timestamp: BigInt): i32 {
  return <i32>(timestamp.toI64() / SECONDS_PER_DAY);
}

/** Whole UTC hours since the Unix epoch. */
export function hourIndex(timestamp: BigInt): i32 {
  return <i32>(timestamp.toI64() / SECONDS_PER_HOUR);
}
