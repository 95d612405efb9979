/**
 * Exact decimal arithmetic for USD figures. The subgraphs serve BigDecimal
 * values as strings (graph-node's 34 significant digits); the gateway adds
 * and subtracts them without any rounding (a bigint of digits and a scale),
 * and rounds only when it divides, to RATIO_DECIMALS places, half to even.
 */
export class Decimal {
  private constructor(
    /** The value is digits / 10^scale. */
    readonly digits: bigint,
    readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);

  /** Parses plain or exponent notation ("12.5", "-0.001", "1.2E+5"); anything else throws. */
  static parse(text: string): Decimal {
    const m = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim()) ?? /^([+-]?)()\.(\d+)(?:[eE]([+-]?\d+))?$/.exec(text.trim());
    if (!m) throw new TypeError(`not a decimal number: "${text}"`);
    const [, sign, whole, fraction = '', exponent = '0'] = m;
    let digits = BigInt((whole || '0') + fraction);
    let scale = fraction.length - Number(exponent);
    if (sign === '-') digits = -digits;
    if (scale < 0) {
      digits *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(digits, scale).normalized();
  }

  static fromBigInt(value: bigint, decimals = 0): Decimal {
    return new Decimal(value, decimals).normalized();
  }

  private normalized(): Decimal {
    let { digits, scale } = this;
    if (digits === 0n) return digits === this.digits && scale === 0 ? this : new Decimal(0n, 0);
    while (scale > 0 && digits % 10n === 0n) {
      digits /= 10n;
      scale--;
    }
    return scale === this.scale ? this : new Decimal(digits, scale);
  }

  private aligned(other: Decimal): [bigint, bigint, number] {
    const scale = Math.max(this.scale, other.scale);
    return [this.digits * 10n ** BigInt(scale - this.scale), other.digits * 10n ** BigInt(scale - other.scale), scale];
  }

  plus(other: Decimal): Decimal {
    const [a, b, scale] = this.aligned(other);
    return new Decimal(a + b, scale).normalized();
  }

  minus(other: Decimal): Decimal {
    const [a, b, scale] = this.aligned(other);
    return new Decimal(a - b, scale).normalized();
  }

  times(other: Decimal): Decimal {
    return new Decimal(this.digits * other.digits, this.scale + other.scale).normalized();
  }

  compare(other: Decimal): number {
    const [a, b] = this.aligned(other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  isZero(): boolean {
    return this.digits === 0n;
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
    let quotient = numerator / denominator;
    const remainder = numerator % denominator;
    const twice = (remainder < 0n ? -remainder : remainder) * 2n;
    if (twice > denominator || (twice === denominator && quotient % 2n !== 0n)) quotient += numerator < 0n ? -1n : 1n;
    return new Decimal(quotient, places).normalized();
  }

  /** The value x 10^places as an integer, rounded half to even (e.g. micro-USD: places 6). */
  scaledTo(places: number): bigint {
    const rounded = this.dividedBy(ONE, places)!;
    return rounded.digits * 10n ** BigInt(places - rounded.scale);
  }

  /** Plain notation, no exponent, no trailing zeros: the form USD figures are served in. */
  toString(): string {
    const negative = this.digits < 0n;
    const abs = (negative ? -this.digits : this.digits).toString();
    if (this.scale === 0) return (negative ? '-' : '') + abs;
    const padded = abs.padStart(this.scale + 1, '0');
    const cut = padded.length - this.scale;
    return `${negative ? '-' : ''}${padded.slice(0, cut)}.${padded.slice(cut)}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

const ONE = Decimal.parse('1');

/** Decimal places of every ratio the gateway serves (rounded half to even). */
export const RATIO_DECIMALS = 18;

export function sum(values: Iterable<Decimal>): Decimal {
  let total = Decimal.ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}
