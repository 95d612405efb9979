/** Cholesky factorisation of a correlation matrix, for correlated normal draws. */
import { RiskError, badInput } from './errors';

/** Checks that m is a square, symmetric matrix with unit diagonal and entries in [-1, 1]. */
export function checkCorrelation(m: readonly (readonly number[])[]): void {
  const n = m.length;
  for (let i = 0; i < n; i++) {
    if (m[i]!.length !== n) throw badInput(`correlation matrix row ${i} has ${m[i]!.length} entries; expected ${n}`);
    if (Math.abs(m[i]![i]! - 1) > 1e-12) throw badInput(`correlation matrix diagonal entry ${i} is ${m[i]![i]}; expected 1`);
    for (let j = 0; j < n; j++) {
      const v = m[i]![j]!;
      if (!Number.isFinite(v) || Math.abs(v) > 1) throw badInput(`correlation [${i}][${j}] = ${v}; expected a number in [-1, 1]`);
      if (Math.abs(v - m[j]![i]!) > 1e-12) throw badInput(`correlation matrix is not symmetric at [${i}][${j}]`);
    }
  }
}

/**
 * Lower-triangular L with L L^T = m. Positive semi-definite matrices (e.g. two
 * assets with correlation exactly 1) are accepted: a zero pivot gives a zero column.
 */
export function cholesky(m: readonly (readonly number[])[]): number[][] {
  const n = m.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let pivot = m[j]![j]!;
    for (let k = 0; k < j; k++) pivot -= L[j]![k]! ** 2;
    if (pivot < -1e-10) {
      throw new RiskError('RISK_NOT_POSITIVE_DEFINITE', `correlation matrix is not positive semi-definite (pivot ${pivot} at row ${j}); estimate it from one common window of returns, or shrink it toward the identity`);
    }
    const diagonal = pivot > 1e-14 ? Math.sqrt(pivot) : 0;
    L[j]![j] = diagonal;
    for (let i = j + 1; i < n; i++) {
      let sum = m[i]![j]!;
      for (let k = 0; k < j; k++) sum -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = diagonal > 0 ? sum / diagonal : 0;
    }
  }
  return L;
}
