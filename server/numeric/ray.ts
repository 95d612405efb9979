/** Aave's WadRayMath fixed point (aave-v3-core contracts/protocol/libraries/math/WadRayMath.sol): rays are 27-decimal integers. */
export const RAY = 10n ** 27n;

/** rayMul: a x b / 10^27, rounded half up, as Aave computes a balance from a scaled balance and an index. */
export function rayMul(a: bigint, b: bigint): bigint {
  return (a * b + RAY / 2n) / RAY;
}

/** rayDiv: a x 10^27 / b, rounded half up, as Aave scales an amount by an index. */
export function rayDiv(a: bigint, b: bigint): bigint {
  return (a * RAY + b / 2n) / b;
}
