/**
 * Eisenberg-Noe clearing (Eisenberg & Noe 2001, "Systemic Risk in Financial
 * Systems", Management Science 47(2)). Node i owes L[i][j] to node j and holds
 * external assets e_i; pbar_i = sum_j L[i][j], pi_ij = L[i][j] / pbar_i. The
 * clearing vector is the greatest fixed point of
 *   p_i = min(pbar_i, e_i + sum_j pi_ji p_j),
 * found with their fictitious default algorithm: assume the current defaulters,
 * solve the linear system for their payments, add any node that now cannot pay
 * in full, repeat (at most n times). The solve is in doubles (a model's
 * estimate, not a tally); payments are then given as Decimals rounded to the
 * cent, never above what is owed.
 */
import { Decimal, sum } from '../numeric/decimal';
import { badInput } from './errors';

export interface ClearingInput {
  nodes: readonly string[];
  externalAssetsUsd: readonly Decimal[];
  /** liabilitiesUsd[i][j]: what node i owes node j. */
  liabilitiesUsd: readonly (readonly Decimal[])[];
}

export interface ClearingResult {
  nodes: readonly string[];
  /** What each node owes in total (pbar). */
  owedUsd: Decimal[];
  /** What each node pays (p*). */
  paidUsd: Decimal[];
  defaulted: boolean[];
  /** sum of (pbar - p*): the loss the network's creditors bear, never negative. */
  shortfallUsd: Decimal;
  rounds: number;
}

export function eisenbergNoe(input: ClearingInput): ClearingResult {
  const n = input.nodes.length;
  if (input.externalAssetsUsd.length !== n || input.liabilitiesUsd.length !== n || input.liabilitiesUsd.some((row) => row.length !== n)) {
    throw badInput(`clearing needs ${n} external assets and an ${n} x ${n} liabilities matrix`);
  }
  const e = input.externalAssetsUsd.map((x) => {
    if (x.isNegative()) throw badInput('external assets must be >= 0');
    return x.toNumber();
  });
  const L = input.liabilitiesUsd.map((row, i) =>
    row.map((x, j) => {
      if (x.isNegative()) throw badInput(`liability [${i}][${j}] is negative`);
      return i === j ? 0 : x.toNumber();
    }),
  );
  const owedExact = input.liabilitiesUsd.map((row, i) => sum(row.filter((_, j) => j !== i)));
  const pbar = owedExact.map((x) => x.toNumber());
  const pi = L.map((row, i) => row.map((x) => (pbar[i]! > 0 ? x / pbar[i]! : 0)));

  let defaulted = new Array<boolean>(n).fill(false);
  let p = pbar.slice();
  let rounds = 0;
  for (; rounds <= n; rounds++) {
    p = solve(defaulted, e, pbar, pi);
    const next = defaulted.map((d, i) => d || inflow(i, e, pi, p) < pbar[i]! * (1 - 1e-12));
    if (next.every((d, i) => d === defaulted[i])) break;
    defaulted = next;
  }
  const paidUsd = p.map((x, i) => (defaulted[i] ? Decimal.min(owedExact[i]!, Decimal.fromNumber(Math.max(0, x)).rounded(2)) : owedExact[i]!));
  const shortfallUsd = sum(owedExact.map((x, i) => x.minus(paidUsd[i]!)));
  return { nodes: input.nodes, owedUsd: owedExact, paidUsd, defaulted, shortfallUsd, rounds: rounds + 1 };
}

function inflow(i: number, e: number[], pi: number[][], p: number[]): number {
  let total = e[i]!;
  for (let j = 0; j < p.length; j++) total += pi[j]![i]! * p[j]!;
  return total;
}

/** Defaulters pay everything they have: p_i = e_i + sum_j pi_ji p_j; others pay pbar_i. Gaussian elimination. */
function solve(defaulted: boolean[], e: number[], pbar: number[], pi: number[][]): number[] {
  const n = e.length;
  const D = defaulted.flatMap((d, i) => (d ? [i] : []));
  const p = pbar.slice();
  if (D.length === 0) return p;
  // (I - Pi_DD^T) p_D = e_D + sum_{j not in D} pi_ji pbar_j
  const m = D.length;
  const A = D.map((i, r) => D.map((j, s) => (r === s ? 1 : 0) - pi[j]![i]!));
  const b = D.map((i) => {
    let v = e[i]!;
    for (let j = 0; j < n; j++) if (!defaulted[j]) v += pi[j]![i]! * pbar[j]!;
    return v;
  });
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[pivot]![col]!)) pivot = r;
    [A[col], A[pivot]] = [A[pivot]!, A[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    const diag = A[col]![col]!;
    if (Math.abs(diag) < 1e-15) continue; // a closed loop with no outside value: its payments stay 0
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const k = A[r]![col]! / diag;
      if (k === 0) continue;
      for (let s = col; s < m; s++) A[r]![s]! -= k * A[col]![s]!;
      b[r]! -= k * b[col]!;
    }
  }
  D.forEach((i, r) => {
    const diag = A[r]![r]!;
    p[i] = Math.min(pbar[i]!, Math.abs(diag) < 1e-15 ? 0 : Math.max(0, b[r]! / diag));
  });
  return p;
}
