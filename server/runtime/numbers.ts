/**
 * graph-node's numeric host functions (`bigInt.*`, `bigDecimal.*`,
 * `typeConversion.bigIntTo*`) and the BigInt wire form, reproduced digit for
 * digit.
 *
 * Where the behaviour comes from:
 * - graph-node `graph/src/data/store/scalar/bigdecimal.rs`: its BigDecimal wraps
 *   the Rust crate `bigdecimal` pinned at exactly 0.1.2 (graph/Cargo.toml,
 *   "updating causes PoI differences") and normalizes every value it builds:
 *   `with_prec(34)`, then trailing decimal zeros are stripped.
 * - `bigdecimal` 0.1.2 `src/lib.rs`: `with_prec`, `count_decimal_digits`,
 *   `get_rounding_term`, `impl_division` (100 digits), Display and
 *   `from_str_radix`. Its quirks are reproduced on purpose (see `withPrec`).
 * - graph-node `graph/src/data/store/scalar/bigint.rs` (num-bigint 0.2.6):
 *   the 435412-bit limit and the operators.
 * - graph-node `runtime/wasm/src/host_exports.rs`, `module/context.rs` and
 *   `to_from/external.rs`: the host functions, their error messages and the
 *   conversions to and from wasm memory.
 *
 * Everything here is pure: no I/O, no dependencies besides the error class.
 */
import { RuntimeError } from './errors';

/**
 * value = digits × 10^exp, as graph-ts holds it ({digits, exp}); the Rust crate
 * stores `scale` = -exp instead, and graph-node negates when it crosses over.
 */
export interface BigDecimalValue {
  digits: bigint;
  exp: number;
}

/** A deterministic numeric failure, worded as graph-node words it (the `{:#}` chain of its anyhow error). */
export class NumericError extends RuntimeError {}

// ---------------------------------------------------------------------------
// BigInt
// ---------------------------------------------------------------------------

/**
 * graph-node `BigInt::MAX_BITS`: 131072 decimal digits (the Postgres numeric
 * limit) converted to bits with an f32 log2(10), plus one: 435412.
 */
export const BIGINT_MAX_BITS = 435_412;

/** Bit length of |x| (num-bigint `bits()`: the sign is not counted, 0 has 0 bits). */
export function bigIntBits(x: bigint): number {
  if (x < 0n) x = -x;
  if (x === 0n) return 0;
  // toString(16) is linear; the leading hex digit contributes 1..4 bits.
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/**
 * graph-node `BigInt::new`: rejects values whose magnitude plus a sign bit
 * needs more than 435412 bits. graph-node applies it when it reads a BigInt
 * from wasm memory, in `bigInt.fromString` and `bigInt.pow`; the results of
 * plus/minus/times/bitOr/bitAnd/shifts are written back unchecked (and then
 * fail when the mapping passes them to the host again).
 */
export function checkBigIntSize(x: bigint): bigint {
  const bits = bigIntBits(x) + 1;
  if (bits > BIGINT_MAX_BITS) {
    throw new NumericError(`BigInt is too big, total bits ${bits} (max ${BIGINT_MAX_BITS})`);
  }
  return x;
}

export function bigIntPlus(x: bigint, y: bigint): bigint {
  return x + y;
}

export function bigIntMinus(x: bigint, y: bigint): bigint {
  return x - y;
}

export function bigIntTimes(x: bigint, y: bigint): bigint {
  return x * y;
}

/** Truncates toward zero (num-bigint `div_rem`), like JS bigint division. */
export function bigIntDividedBy(x: bigint, y: bigint): bigint {
  if (y === 0n) throw new NumericError(`attempted to divide BigInt \`${x}\` by zero`);
  return x / y;
}

/** The remainder takes the sign of the dividend (truncated division), like JS `%`. */
export function bigIntMod(x: bigint, y: bigint): bigint {
  if (y === 0n) {
    throw new NumericError(`attempted to calculate the remainder of \`${x}\` with a divisor of zero`);
  }
  return x % y;
}

/**
 * The wasm ABI passes the u8 operand of pow/leftShift/rightShift as a u32 and
 * graph-node converts it with `u8::try_from`, failing above 255 (it does not
 * wrap). `value` is the raw i32/u32 the wasm passed.
 */
function u8Operand(value: number): number {
  // Accept the operand as either the signed i32 or the u32 reading of the wasm value.
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 32 || value >>> 0 > 255) {
    throw new NumericError('out of range integral type conversion attempted');
  }
  return value;
}

/** x^exp with exp a u8; the result goes through `BigInt::new` (size limit). 0^0 = 1. */
export function bigIntPow(x: bigint, exp: number): bigint {
  const e = u8Operand(exp);
  return checkBigIntSize(x ** BigInt(e));
}

/**
 * graph-node `bigInt.fromString`: num-bigint 0.2.6 `BigInt::from_str` then the
 * size limit. Accepted: an optional single leading `-` or `+` (not both, not
 * `-+`), then ASCII decimal digits that may contain `_` separators anywhere
 * except first (`1_000`, `1__0_` are fine). Rejected: empty, whitespace,
 * `0x` prefixes, exponents, decimal points.
 */
export function bigIntFromString(s: string): bigint {
  const parsed = parseNumBigInt(s);
  if (typeof parsed === 'string') throw new NumericError(`string is not a BigInt: \`${s}\`: ${parsed}`);
  try {
    return checkBigIntSize(parsed);
  } catch (e) {
    throw new NumericError(`string is not a BigInt: \`${s}\`: ${(e as Error).message}`);
  }
}

/** Two's-complement (infinitely sign-extended) OR, as num-bigint 0.2.6 does it. */
export function bigIntBitOr(x: bigint, y: bigint): bigint {
  return x | y;
}

/** Two's-complement (infinitely sign-extended) AND, as num-bigint 0.2.6 does it. */
export function bigIntBitAnd(x: bigint, y: bigint): bigint {
  return x & y;
}

/** x << bits with bits a u8; the magnitude is shifted and the sign kept (same as JS). */
export function bigIntLeftShift(x: bigint, bits: number): bigint {
  return x << BigInt(u8Operand(bits));
}

/** Arithmetic shift: negative values round toward negative infinity (num-bigint 0.2.6 `shr_round_down`), as JS `>>`. */
export function bigIntRightShift(x: bigint, bits: number): bigint {
  return x >> BigInt(u8Operand(bits));
}

/** `typeConversion.bigIntToString`: plain decimal with a leading `-` for negatives. */
export function bigIntToString(x: bigint): string {
  return x.toString();
}

/**
 * `typeConversion.bigIntToHex`: the magnitude only (the sign is dropped, so
 * -255 gives 0xff), lowercase, no leading zeros, zero is `0x0`.
 */
export function bigIntToHex(x: bigint): string {
  if (x === 0n) return '0x0';
  return '0x' + (x < 0n ? -x : x).toString(16);
}

const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/**
 * num-bigint `to_signed_bytes_le`, the form graph-node writes a BigInt into
 * wasm memory in: minimal two's complement, little-endian. Zero is one byte
 * `[0]`, never empty; -128 is `[0x80]`, 128 is `[0x80, 0x00]`.
 */
export function bigIntToBytesLE(x: bigint): Uint8Array {
  if (x >= -0x80000000n && x < 0x80000000n) {
    // Fits an i32: its low bytes, as many as keep the sign.
    const v = Number(x);
    const n = v >= -0x80 && v < 0x80 ? 1 : v >= -0x8000 && v < 0x8000 ? 2 : v >= -0x800000 && v < 0x800000 ? 3 : 4;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (v >> (8 * i)) & 0xff;
    return out;
  }
  // A negative x's bytes are the complement of those of -x - 1 (~x), which is not negative.
  const negative = x < 0n;
  const hex = (negative ? ~x : x).toString(16);
  const digits = hex.length;
  const magnitude = (digits + 1) >> 1;
  // One more byte when the top bit of the most significant byte is set, so that it reads as the sign.
  const n = digits % 2 === 0 && HEX_VALUE[hex.charCodeAt(0)] >= 8 ? magnitude + 1 : magnitude;
  const out = new Uint8Array(n);
  const flip = negative ? 0xff : 0;
  for (let i = 0, j = digits; i < magnitude; i++) {
    const lo = HEX_VALUE[hex.charCodeAt(--j)];
    const hi = j > 0 ? HEX_VALUE[hex.charCodeAt(--j)] : 0;
    out[i] = ((hi << 4) | lo) ^ flip;
  }
  if (n > magnitude) out[magnitude] = flip;
  return out;
}

/**
 * num-bigint `from_signed_bytes_le` (an empty array is 0; the top bit of the
 * last byte is the sign), then graph-node's size limit, which it applies to
 * every BigInt it reads from wasm memory. Reads `length` bytes of `bytes`
 * from `start` (a mapping's memory, without copying them out first).
 */
export function bigIntFromBytesLE(bytes: Uint8Array, start = 0, length = bytes.length - start): bigint {
  if (length === 0) return 0n;
  const end = start + length;
  const negative = bytes[end - 1] > 0x7f;
  if (length <= 6) {
    let v = 0;
    for (let i = end - 1; i >= start; i--) v = v * 256 + bytes[i];
    return BigInt(negative ? v - 2 ** (8 * length) : v);
  }
  // 48-bit chunks, most significant first, are exact as doubles.
  let i = end;
  let head = 0;
  for (let k = length % 6; k > 0; k--) head = head * 256 + bytes[--i];
  let unsigned = BigInt(head);
  while (i > start) {
    let chunk = 0;
    for (let k = 0; k < 6; k++) chunk = chunk * 256 + bytes[--i];
    unsigned = (unsigned << 48n) | BigInt(chunk);
  }
  const value = negative ? unsigned - (1n << BigInt(length * 8)) : unsigned;
  // n bytes hold at most 8n bits with the sign, so short arrays need no size check.
  return length * 8 <= BIGINT_MAX_BITS ? value : checkBigIntSize(value);
}

/**
 * num-bigint 0.2.6 `BigInt::from_str_radix(s, 10)`: returns the value, or the
 * Display text of its ParseBigIntError.
 */
function parseNumBigInt(s: string): bigint | string {
  let negative = false;
  if (s.startsWith('-')) {
    negative = true;
    if (!s.startsWith('+', 1)) s = s.slice(1);
  }
  // BigUint::from_str_radix
  if (s.startsWith('+') && !s.startsWith('+', 1)) s = s.slice(1);
  if (s.length === 0) return 'cannot parse integer from empty string';
  if (s.startsWith('_')) return 'invalid digit found in string';
  let digits = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f /* _ */) continue;
    if (c < 0x30 || c > 0x39) return 'invalid digit found in string';
    digits += s[i];
  }
  const magnitude = BigInt(digits);
  return negative ? -magnitude : magnitude;
}

// ---------------------------------------------------------------------------
// BigDecimal: the bigdecimal 0.1.2 crate, on (int, scale) with value = int × 10^-scale
// ---------------------------------------------------------------------------

/** The crate's `BigDecimal { int_val, scale }`. */
export interface CrateDecimal {
  int: bigint;
  scale: number;
}
type Raw = CrateDecimal;

/** graph-node `BigDecimal::MIN_EXP` / `MAX_EXP` (decimal128's limits), checked when reading from wasm. */
export const DECIMAL_MIN_EXP = -6143;
export const DECIMAL_MAX_EXP = 6144;
/** graph-node `BigDecimal::MAX_SIGNFICANT_DIGITS`. */
export const DECIMAL_MAX_SIGNIFICANT_DIGITS = 34;
/** `impl Div for BigDecimal` in the crate: `max_precision = 100`. */
const DIVISION_PRECISION = 100;
/** The crate divides the bit count by this literal (not log2(10) exactly) in two places. */
const CRATE_LOG2_10 = 3.3219280949;

const POW10: bigint[] = [];
function tenToThe(n: number): bigint {
  if (n < 64) {
    let p = POW10[n];
    if (p === undefined) p = POW10[n] = 10n ** BigInt(n);
    return p;
  }
  return 10n ** BigInt(n);
}

/**
 * Crate `count_decimal_digits`: guesses floor(bits / 3.3219280949) and then
 * counts up while `int >= 10^guess`. For a negative int that comparison is
 * never true, so the guess stands: it is the true digit count or one less.
 * This is what makes graph-node truncate negative values to 34 or 35 digits.
 */
function countDecimalDigits(int: bigint): number {
  if (int === 0n) return 1;
  let digits = Math.floor(bigIntBits(int) / CRATE_LOG2_10);
  let num = tenToThe(digits);
  while (int >= num) {
    num *= 10n;
    digits += 1;
  }
  return digits;
}

/** Crate `get_rounding_term`: 1 when the leading decimal digit of a positive `num` is 5 or more. */
function roundingTerm(num: bigint): bigint {
  if (num === 0n) return 0n;
  let n = tenToThe(Math.floor(bigIntBits(num) / CRATE_LOG2_10));
  for (;;) {
    if (num < n) return 1n;
    n *= 5n;
    if (num < n) return 0n;
    n *= 2n;
  }
}

/**
 * Crate `with_prec(prec)`. Surplus digits are cut with a truncating division;
 * the quotient is bumped by one when the remainder has no leading zero
 * (`10 r > 10^diff`) and its leading digit is >= 5, i.e. half-up on the first
 * dropped digit. A negative remainder never passes that test, so negative
 * values are truncated toward zero, and since their digit count is
 * underestimated (see countDecimalDigits) they may keep 35 digits.
 */
function withPrec(d: Raw, prec: number): Raw {
  const digits = countDecimalDigits(d.int);
  if (digits > prec) {
    const diff = digits - prec;
    const p = tenToThe(diff);
    let q = d.int / p;
    const r = d.int % p;
    if (p < 10n * r) q += roundingTerm(r);
    return { int: q, scale: d.scale - diff };
  }
  if (digits < prec) {
    const diff = prec - digits;
    return { int: d.int * tenToThe(diff), scale: d.scale + diff };
  }
  return d;
}

/** graph-node `BigDecimal::normalized`: zero is (0, 0); otherwise with_prec(34) and strip trailing zeros. */
function normalizeRaw(d: Raw): Raw {
  if (d.int === 0n) return { int: 0n, scale: 0 };
  const rounded = withPrec(d, DECIMAL_MAX_SIGNIFICANT_DIGITS);
  let int = rounded.int;
  let scale = rounded.scale;
  if (int % 10n === 0n) {
    // Strip in decreasing chunks; `int` has at most 35 digits here.
    for (const k of [16, 8, 4, 2, 1]) {
      const p = tenToThe(k);
      while (int % p === 0n) {
        int /= p;
        scale -= k;
      }
    }
  }
  return { int, scale };
}

function toRaw(d: BigDecimalValue): Raw {
  return { int: d.digits, scale: d.exp === 0 ? 0 : -d.exp };
}

function fromRaw(d: Raw): BigDecimalValue {
  return { digits: d.int, exp: d.scale === 0 ? 0 : -d.scale };
}

/** Crate `impl Add`: align to the larger scale, add the integers. */
function rawAdd(a: Raw, b: Raw): Raw {
  if (a.scale === b.scale) return { int: a.int + b.int, scale: a.scale };
  if (a.scale < b.scale) return { int: a.int * tenToThe(b.scale - a.scale) + b.int, scale: b.scale };
  return { int: a.int + b.int * tenToThe(a.scale - b.scale), scale: a.scale };
}

/** Crate `impl Sub`: align to the larger scale, subtract the integers. */
function rawSub(a: Raw, b: Raw): Raw {
  if (a.scale === b.scale) return { int: a.int - b.int, scale: a.scale };
  if (a.scale < b.scale) return { int: a.int * tenToThe(b.scale - a.scale) - b.int, scale: b.scale };
  return { int: a.int - b.int * tenToThe(a.scale - b.scale), scale: a.scale };
}

/** Crate `impl Mul`: multiply the integers, add the scales. */
function rawMul(a: Raw, b: Raw): Raw {
  return { int: a.int * b.int, scale: a.scale + b.scale };
}

/** Crate `impl PartialEq`: equality of values, whatever the scales. */
function rawEq(a: Raw, b: Raw): boolean {
  if (a.scale === b.scale) return a.int === b.int;
  if (a.int === 0n || b.int === 0n) return a.int === b.int;
  if ((a.int < 0n) !== (b.int < 0n)) return false;
  if (a.scale > b.scale) return a.int === b.int * tenToThe(a.scale - b.scale);
  return a.int * tenToThe(b.scale - a.scale) === b.int;
}

/**
 * Crate `impl_division(num, den, scale, 100)`: signs are taken off first and
 * the result negated afterwards (so the 100-digit rounding is half-up on the
 * magnitude); long division produces up to 100 digits (more only if the first
 * quotient already has more) and the next digit rounds half-up.
 */
function implDivision(num: bigint, den: bigint, scale: number): Raw {
  if (num === 0n) return { int: 0n, scale: 0 };
  if (num < 0n || den < 0n) {
    const r = implDivision(num < 0n ? -num : num, den < 0n ? -den : den, scale);
    return (num < 0n) !== (den < 0n) ? { int: -r.int, scale: r.scale } : r;
  }
  while (num < den) {
    scale += 1;
    num *= 10n;
  }
  let quotient = num / den;
  let remainder = num % den;
  if (remainder === 0n) return { int: quotient, scale };
  let precision = countDecimalDigits(quotient);
  remainder *= 10n;
  while (remainder !== 0n && precision < DIVISION_PRECISION) {
    quotient = quotient * 10n + remainder / den;
    remainder = (remainder % den) * 10n;
    precision += 1;
    scale += 1;
  }
  if (remainder !== 0n) quotient += roundingTerm(remainder / den);
  return { int: quotient, scale };
}

/** Crate `impl Div<BigDecimal> for BigDecimal` (the caller has already rejected a zero divisor). */
function rawDiv(a: Raw, b: Raw): Raw {
  if (a.int === 0n || rawEq(b, { int: 1n, scale: 0 })) return a;
  const scale = a.scale - b.scale;
  if (a.int === b.int) return { int: 1n, scale };
  return implDivision(a.int, b.int, scale);
}

/** Crate Display: plain digits, never exponent form; the scale decides how many fraction digits show. */
function rawToString(d: Raw): string {
  const abs = (d.int < 0n ? -d.int : d.int).toString();
  let body: string;
  if (d.scale >= abs.length) {
    body = '0.' + '0'.repeat(d.scale - abs.length) + abs;
  } else if (d.scale < 0) {
    body = abs + '0'.repeat(-d.scale);
  } else if (d.scale === 0) {
    body = abs;
  } else {
    const at = abs.length - d.scale;
    body = abs.slice(0, at) + '.' + abs.slice(at);
  }
  return d.int < 0n ? '-' + body : body;
}

/** Rust `i64::from_str`: optional `+`/`-`, ASCII digits, range-checked; returns the value or the ParseIntError text. */
function parseI64(s: string): bigint | string {
  if (s.length === 0) return 'cannot parse integer from empty string';
  let negative = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    if (s.length === 1) return 'invalid digit found in string';
    negative = s[0] === '-';
    body = s.slice(1);
  }
  const limit = negative ? 2n ** 63n : 2n ** 63n - 1n;
  let value = 0n;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return 'invalid digit found in string';
    value = value * 10n + BigInt(c - 0x30);
    if (value > limit) {
      return negative ? 'number too small to fit in target type' : 'number too large to fit in target type';
    }
  }
  return negative ? -value : value;
}

/**
 * Crate `BigDecimal::from_str` (`from_str_radix(s, 10)`), before graph-node's
 * normalization. Returns [int, scale as bigint] or the ParseBigDecimalError text.
 */
function parseCrateDecimal(s: string): [bigint, bigint] | string {
  let base = s;
  let exponent = 0n;
  const at = s.search(/[eE]/);
  if (at >= 0) {
    base = s.slice(0, at);
    let expText = s.slice(at + 1);
    if (expText.startsWith('+')) expText = expText.slice(1);
    const parsed = parseI64(expText);
    if (typeof parsed === 'string') return parsed;
    exponent = parsed;
  }
  if (base === '') return 'Failed to parse empty string';
  let digits = base;
  let offset = 0;
  const dot = base.indexOf('.');
  if (dot >= 0) {
    const trail = base.slice(dot + 1);
    digits = base.slice(0, dot) + trail;
    // Rust's str::len counts UTF-8 bytes, but a non-ASCII trail fails the digit parse anyway.
    offset = trail.length;
  }
  const int = parseNumBigInt(digits);
  if (typeof int === 'string') return int;
  return [int, BigInt(offset) - exponent];
}

function safeExponent(exp: bigint, what: string): number {
  if (exp > BigInt(Number.MAX_SAFE_INTEGER) || exp < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new NumericError(`${what}: BigDecimal exponent ${exp} is beyond what svr represents`);
  }
  return Number(exp);
}

/**
 * Normalizes the integer part alone: graph-node's normalization only shifts
 * the exponent by an amount that depends on the digits, so this works for any
 * exponent, however large. Returns the new digits and the exponent shift.
 */
function normalizeDigits(int: bigint): { digits: bigint; shift: number } {
  const n = normalizeRaw({ int, scale: 0 });
  return { digits: n.int, shift: -n.scale };
}

function checkExponent(exp: bigint | number): void {
  if (exp < DECIMAL_MIN_EXP || exp > DECIMAL_MAX_EXP) {
    throw new NumericError(
      `big decimal exponent \`${exp}\` is outside the \`${DECIMAL_MIN_EXP}\` to \`${DECIMAL_MAX_EXP}\` range`,
    );
  }
}

// ---------------------------------------------------------------------------
// BigDecimal: graph-node's API
// ---------------------------------------------------------------------------

/**
 * graph-node `BigDecimal::normalized()` alone, the normalization every
 * BigDecimal it builds gets (arithmetic results, `fromString`): round to 34
 * significant digits the crate's way (half-up on the magnitude for positives,
 * truncation toward zero keeping 34 or 35 digits for negatives), strip
 * trailing zeros, zero becomes {0, 0}. No exponent check.
 */
export function normalizeDecimalUnchecked(d: BigDecimalValue): BigDecimalValue {
  return fromRaw(normalizeRaw(toRaw(d)));
}

/**
 * What graph-node does to a BigDecimal it reads from wasm memory:
 * `BigDecimal::new(digits, exp)` (normalization as in
 * normalizeDecimalUnchecked), then the exponent of the *normalized* value must
 * lie in [-6143, 6144], otherwise the deterministic error "big decimal
 * exponent `E` is outside the `-6143` to `6144` range". Zero always passes.
 */
export function normalizeDecimal(d: BigDecimalValue): BigDecimalValue {
  const n = normalizeDecimalUnchecked(d);
  checkExponent(n.exp);
  return n;
}

/**
 * graph-node's `FromAscObj<AscBigDecimal>` given the two BigInts read from
 * wasm: the exponent BigInt must fit in an i64 (graph-node copies its bytes
 * into an 8-byte array and panics otherwise; here it is a NumericError), then
 * as normalizeDecimal, for exponents of any size.
 */
export function decimalFromWasm(digits: bigint, exp: bigint): BigDecimalValue {
  if (exp < -(2n ** 63n) || exp >= 2n ** 63n) {
    throw new NumericError(`BigDecimal exponent ${exp} does not fit in an i64`);
  }
  if (digits === 0n) return { digits: 0n, exp: 0 };
  const n = normalizeDigits(digits);
  const e = exp + BigInt(n.shift);
  checkExponent(e);
  return { digits: n.digits, exp: Number(e) };
}

/**
 * `bigDecimal.fromString`: the crate's parser, then normalization (no
 * exponent-range check: graph-node only checks when the value comes back
 * from wasm). What the crate accepts:
 * - an optional exponent after the first `e`/`E`: one optional `+` is
 *   stripped, then Rust's i64 parser runs, which takes another sign, so
 *   `1e5`, `1E+5`, `1e-5`, `1e++5`, `1e+-5` parse; `1e`, `1e+`, `1e5.0` do not;
 * - a mantissa with at most one `.`, whose digits (joined around the dot) are
 *   parsed by num-bigint: optional `-`/`+`, `_` separators, so `+1`, `.5`,
 *   `5.`, `-.5`, `.-5` (= -0.05) and `1_000` parse; `''`, `.`, `e5`, ` 1`,
 *   `1.2.3`, `NaN`, `0x10` do not. The fraction length counts `_`s.
 * Errors read "string  is not a BigDecimal: '<s>': <reason>" (graph-node's
 * message has the double space).
 */
export function decimalFromString(s: string): BigDecimalValue {
  const parsed = parseCrateDecimal(s);
  if (typeof parsed === 'string') throw new NumericError(`string  is not a BigDecimal: '${s}': ${parsed}`);
  const [int, scale] = parsed;
  if (int === 0n) return { digits: 0n, exp: 0 };
  const n = normalizeDigits(int);
  return { digits: n.digits, exp: safeExponent(-scale + BigInt(n.shift), `bigDecimal.fromString('${s}')`) };
}

/**
 * `bigDecimal.toString` (the crate's Display): plain notation, never an
 * exponent; `-` for negatives; as many fraction digits as the (normalized)
 * exponent implies. graph-node's GraphQL output of a BigDecimal field is the
 * same string (`Value::BigDecimal(d) => String(d.to_string())`).
 */
export function decimalToString(d: BigDecimalValue): string {
  return rawToString(toRaw(d));
}

/** `bigDecimal.plus`: exact sum, then normalization. */
export function decimalPlus(x: BigDecimalValue, y: BigDecimalValue): BigDecimalValue {
  return fromRaw(normalizeRaw(rawAdd(toRaw(x), toRaw(y))));
}

/** `bigDecimal.minus`: exact difference, then normalization. */
export function decimalMinus(x: BigDecimalValue, y: BigDecimalValue): BigDecimalValue {
  return fromRaw(normalizeRaw(rawSub(toRaw(x), toRaw(y))));
}

/** `bigDecimal.times`: exact product, then normalization. */
export function decimalTimes(x: BigDecimalValue, y: BigDecimalValue): BigDecimalValue {
  return fromRaw(normalizeRaw(rawMul(toRaw(x), toRaw(y))));
}

/**
 * `bigDecimal.dividedBy`: the crate's division to 100 significant digits
 * (half-up on the magnitude), then normalization, which rounds positives
 * half-up to 34 digits and truncates negatives (keeping 34 or 35 digits):
 * 2/3 = 0.6666666666666666666666666666666667 but
 * -2/3 = -0.66666666666666666666666666666666666.
 * Inputs are taken as graph-node holds them, i.e. already normalized on read.
 */
export function decimalDividedBy(x: BigDecimalValue, y: BigDecimalValue): BigDecimalValue {
  if (y.digits === 0n) {
    throw new NumericError(`attempted to divide BigDecimal \`${decimalToString(x)}\` by zero`);
  }
  return fromRaw(normalizeRaw(rawDiv(toRaw(x), toRaw(y))));
}

/** `bigDecimal.equals`: equality of values (scales are aligned first). */
export function decimalEquals(x: BigDecimalValue, y: BigDecimalValue): boolean {
  return rawEq(toRaw(x), toRaw(y));
}

/**
 * `bigInt.dividedByDecimal`: graph-node first turns x into
 * `BigDecimal::new(x, 0)`, which normalizes it (so x is rounded to 34 digits
 * before dividing), then divides as decimalDividedBy.
 */
export function bigIntDividedByDecimal(x: bigint, d: BigDecimalValue): BigDecimalValue {
  return decimalDividedBy(normalizeDecimalUnchecked({ digits: x, exp: 0 }), d);
}

/**
 * @internal The bigdecimal 0.1.2 primitives on the crate's own (int, scale)
 * form, exported so the tests can replay the crate's test vectors.
 */
export const crateInternals = {
  countDecimalDigits,
  roundingTerm,
  withPrec,
  normalize: normalizeRaw,
  add: rawAdd,
  sub: rawSub,
  mul: rawMul,
  div: rawDiv,
  equals: rawEq,
  toString: rawToString,
  /** Crate `from_str` (no normalization): the value, or the error text. */
  parse(s: string): CrateDecimal | string {
    const parsed = parseCrateDecimal(s);
    if (typeof parsed === 'string') return parsed;
    return { int: parsed[0], scale: Number(parsed[1]) };
  },
};
