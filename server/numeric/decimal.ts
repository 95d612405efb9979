/**
 * The one exact decimal type for money and ratios, from the subgraphs'
 * BigDecimal strings to every answer, the risk engine included.
 *
 * A value is `digits / 10^scale` (bigint digits, scale >= 0). Addition,
 * subtraction and multiplication are exact: nothing is rounded. Only
 * division rounds, to a number of places the caller states (ratios:
 * RATIO_DECIMALS), half to even. Results are normalised (no trailing zero
 * digits) only when printed or compared, so a long sum costs one bigint
 * addition per term.
 */
export class Decimal {
  private constructor(
    /** The value is digits / 10^scale. */
    readonly digits: bigint,
    readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);
  static readonly ONE = new Decimal(1n, 0);

  /** Parses plain or exponent notation ("12.5", "-0.001", "1.2E+5"); anything else throws. */
  static parse(text: string): Decimal {
    const trimmed = text.trim();
    const m = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(trimmed) ?? /^([+-]?)()\.(\d+)(?:[eE]([+-]?\d+))?$/.exec(trimmed);
    if (!m) throw new TypeError(`not a decimal number: "${text}"`);
    const [, sign, whole, fraction = '', exponent = '0'] = m;
    let digits = BigInt((whole || '0') + fraction);
    let scale = fraction.length - Number(exponent);
    if (sign === '-') digits = -digits;
    if (scale < 0) {
      digits *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(digits, scale);
  }

  /**
   * A float as the decimal it is written as (its shortest round-trip form:
   * -0.3 is exactly -0.3, not -0.299999...). For inputs a user typed as a
   * GraphQL Float, such as a price move.
   */
  static fromNumber(value: number): Decimal {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return Decimal.parse(String(value));
  }

  static fromBigInt(value: bigint, decimals = 0): Decimal {
    return new Decimal(value, decimals);
  }

  /** The same value with no trailing zero digits. */
  normalized(): Decimal {
    let { digits, scale } = this;
    if (digits === 0n) return scale === 0 ? this : Decimal.ZERO;
    while (scale > 0 && digits % 10n === 0n) {
      digits /= 10n;
      scale--;
    }
    return scale === this.scale ? this : new Decimal(digits, scale);
  }

  private aligned(other: Decimal): [bigint, bigint, number] {
    if (this.scale === other.scale) return [this.digits, other.digits, this.scale];
    const scale = Math.max(this.scale, other.scale);
    return [this.digits * 10n ** BigInt(scale - this.scale), other.digits * 10n ** BigInt(scale - other.scale), scale];
  }

  plus(other: Decimal): Decimal {
    if (other.digits === 0n) return this;
    if (this.digits === 0n) return other;
    const [a, b, scale] = this.aligned(other);
    return new Decimal(a + b, scale);
  }

  minus(other: Decimal): Decimal {
    if (other.digits === 0n) return this;
    const [a, b, scale] = this.aligned(other);
    return new Decimal(a - b, scale);
  }

  times(other: Decimal): Decimal {
    if (this.digits === 0n || other.digits === 0n) return Decimal.ZERO;
    return new Decimal(this.digits * other.digits, this.scale + other.scale);
  }

  negated(): Decimal {
    return new Decimal(-this.digits, this.scale);
  }

  compare(other: Decimal): number {
    const [a, b] = this.aligned(other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.compare(other) === 0;
  }

  isZero(): boolean {
    return this.digits === 0n;
  }

  isNegative(): boolean {
    return this.digits < 0n;
  }

  isPositive(): boolean {
    return this.digits > 0n;
  }

  /**
   * this / divisor rounded half to even at `places` decimals; null when the
   * divisor is zero (a ratio over no open interest is undefined, not infinite).
   */
  dividedBy(divisor: Decimal, places = RATIO_DECIMALS): Decimal | null {
    if (divisor.digits === 0n) return null;
    // value = (a / 10^sa) / (b / 10^sb); scaled by 10^places: a * 10^(places + sb - sa) / b
    const shift = places + divisor.scale - this.scale;
    let numerator = this.digits;
    let denominator = divisor.digits;
    if (shift >= 0) numerator *= 10n ** BigInt(shift);
    else denominator *= 10n ** BigInt(-shift);
    if (denominator < 0n) {
      numerator = -numerator;
      denominator = -denominator;
    }
    return new Decimal(roundedQuotient(numerator, denominator), places);
  }

  /** Rounded half to even to at most `places` decimals. */
  rounded(places: number): Decimal {
    if (this.scale <= places) return this;
    return new Decimal(roundedQuotient(this.digits, 10n ** BigInt(this.scale - places)), places);
  }

  /** The value x 10^places as an integer, rounded half to even (e.g. micro-USD: places 6). */
  scaledTo(places: number): bigint {
    const r = this.rounded(places);
    return r.digits * 10n ** BigInt(places - r.scale);
  }

  /** A float near the value: for decisions and statistics, never for money that is reported. */
  toNumber(): number {
    return Number(this.toString());
  }

  /** Plain notation, no exponent, no trailing zeros: the form USD figures and ratios are served in. */
  toString(): string {
    const { digits, scale } = this.normalized();
    const negative = digits < 0n;
    const abs = (negative ? -digits : digits).toString();
    if (scale === 0) return (negative ? '-' : '') + abs;
    const padded = abs.padStart(scale + 1, '0');
    const cut = padded.length - scale;
    return `${negative ? '-' : ''}${padded.slice(0, cut)}.${padded.slice(cut)}`;
  }

  toJSON(): string {
    return this.toString();
  }

  static max(a: Decimal, b: Decimal): Decimal {
    return a.compare(b) >= 0 ? a : b;
  }

  static min(a: Decimal, b: Decimal): Decimal {
    return a.compare(b) <= 0 ? a : b;
  }
}

/** numerator / denominator (denominator > 0) rounded half to even. */
function roundedQuotient(numerator: bigint, denominator: bigint): bigint {
  let quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice > denominator || (twice === denominator && quotient % 2n !== 0n)) quotient += numerator < 0n ? -1n : 1n;
  return quotient;
}

/** Decimal places of every ratio svr serves (rounded half to even). */
export const RATIO_DECIMALS = 18;

export function sum(values: Iterable<Decimal>): Decimal {
  let total = Decimal.ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}
