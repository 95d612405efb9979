/**
 * Positions sorted by the price factor at which a condition starts to hold
 * (liquidation, insolvency), with prefix sums of affine amounts k0 + k1 x, so
 * that "the total amount of every position for which the condition holds at x"
 * costs O(log n) per query instead of O(n).
 */
import { TRIGGER_TOLERANCE } from './portfolio';
import type { Region } from './affine';

export interface BookEntry<T> {
  region: Region;
  /** Per channel, the amount k0 + k1 x contributed where the region holds. */
  k0: T[];
  k1: T[];
}

interface Side<T> {
  thresholds: Float64Array;
  /** prefix[c][i] = sum of the first i entries' coefficient, channel c. */
  prefix0: T[][];
  prefix1: T[][];
}

export class ThresholdBook<T extends number | bigint> {
  private readonly below: Side<T>;
  private readonly above: Side<T>;
  private readonly always0: T[];
  private readonly always1: T[];
  private alwaysCount = 0;

  constructor(
    entries: Iterable<BookEntry<T>>,
    readonly channels: number,
    private readonly zero: T,
  ) {
    const below: BookEntry<T>[] = [];
    const above: BookEntry<T>[] = [];
    this.always0 = new Array<T>(channels).fill(zero);
    this.always1 = new Array<T>(channels).fill(zero);
    for (const e of entries) {
      if (e.region.kind === 'below') below.push(e);
      else if (e.region.kind === 'above') above.push(e);
      else if (e.region.kind === 'always') {
        this.alwaysCount++;
        for (let c = 0; c < channels; c++) {
          this.always0[c] = add(this.always0[c]!, e.k0[c]!);
          this.always1[c] = add(this.always1[c]!, e.k1[c]!);
        }
      }
    }
    this.below = this.side(below);
    this.above = this.side(above);
  }

  get size(): number {
    return this.alwaysCount + this.below.thresholds.length + this.above.thresholds.length;
  }

  private side(entries: BookEntry<T>[]): Side<T> {
    const threshold = (e: BookEntry<T>) => (e.region as { threshold: number }).threshold;
    entries.sort((a, b) => threshold(a) - threshold(b));
    const thresholds = Float64Array.from(entries, threshold);
    const prefix0: T[][] = [];
    const prefix1: T[][] = [];
    for (let c = 0; c < this.channels; c++) {
      const p0 = new Array<T>(entries.length + 1);
      const p1 = new Array<T>(entries.length + 1);
      p0[0] = this.zero;
      p1[0] = this.zero;
      for (let i = 0; i < entries.length; i++) {
        p0[i + 1] = add(p0[i]!, entries[i]!.k0[c]!);
        p1[i + 1] = add(p1[i]!, entries[i]!.k1[c]!);
      }
      prefix0.push(p0);
      prefix1.push(p1);
    }
    return { thresholds, prefix0, prefix1 };
  }

  /** Sums (k0 total, k1 total) of channel c over entries whose region holds at x. */
  coefficientsAt(x: number, channel: number): [T, T] {
    // below: holds when x <= t (1 + tol), i.e. t >= x / (1 + tol): a suffix.
    const b = this.below;
    const from = lowerBound(b.thresholds, x / (1 + TRIGGER_TOLERANCE));
    const nb = b.thresholds.length;
    // above: holds when x >= t (1 - tol), i.e. t <= x / (1 - tol): a prefix.
    const a = this.above;
    const to = upperBound(a.thresholds, x / (1 - TRIGGER_TOLERANCE));
    const k0 = add(add(this.always0[channel]!, sub(b.prefix0[channel]![nb]!, b.prefix0[channel]![from]!)), a.prefix0[channel]![to]!);
    const k1 = add(add(this.always1[channel]!, sub(b.prefix1[channel]![nb]!, b.prefix1[channel]![from]!)), a.prefix1[channel]![to]!);
    return [k0, k1];
  }

  /** Number of entries whose region holds at x. */
  countAt(x: number): number {
    const from = lowerBound(this.below.thresholds, x / (1 + TRIGGER_TOLERANCE));
    const to = upperBound(this.above.thresholds, x / (1 - TRIGGER_TOLERANCE));
    return this.alwaysCount + this.below.thresholds.length - from + to;
  }
}

function add<T extends number | bigint>(a: T, b: T): T {
  return ((a as number) + (b as number)) as T;
}

function sub<T extends number | bigint>(a: T, b: T): T {
  return ((a as number) - (b as number)) as T;
}

/** First index with a[i] >= x. */
export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with a[i] > x. */
export function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
