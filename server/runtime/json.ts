/**
 * graph-node's `json.*` host functions: `json.fromBytes` / `json.try_fromBytes`
 * and the number conversions `json.toI64`, `json.toU64`, `json.toF64`,
 * `json.toBigInt`.
 *
 * Where the behaviour comes from:
 * - graph-node `runtime/wasm/src/host_exports.rs` (`json_from_bytes`: 10 MB
 *   limit, then `serde_json::from_slice` into a `serde_json::Value`;
 *   `json_to_i64`/`u64`/`f64`/`big_int`: Rust `FromStr` on the text, with the
 *   error contexts reproduced below) and `runtime/wasm/src/module/context.rs`.
 * - graph-node `Cargo.toml`: `serde_json = { features = ["arbitrary_precision"] }`,
 *   resolved to serde_json 1.0.120 in `Cargo.lock`, whose dependencies there are
 *   only itoa, ryu and serde: no indexmap, so `preserve_order` is off and an
 *   object is a `BTreeMap` (keys sorted, a repeated key keeps its last value).
 * - serde_json 1.0.120 `src/de.rs` (`deserialize_any`, the arbitrary-precision
 *   `parse_any_number`/`scan_*`, `SeqAccess`, `MapAccess`, `end`, the 128 depth
 *   limit), `src/read.rs` (`SliceRead`: positions, `parse_str_bytes`,
 *   `parse_escape`), `src/error.rs` (messages), `src/number.rs` and
 *   `src/value/de.rs` (how a number's text is kept, and the private number
 *   token key).
 * - graph-node `runtime/wasm/src/to_from/external.rs`: a number reaches the
 *   mapping as `number.to_string()`, i.e. the kept text.
 * - graph-ts `common/value.ts`: JSONValueKind NULL 0, BOOL 1, NUMBER 2,
 *   STRING 3, ARRAY 4, OBJECT 5 (graph-node `asc_abi/class.rs` agrees).
 *
 * JSON.parse cannot be used: it loses the text of numbers, keeps the first
 * position of a repeated key, accepts what serde_json rejects (nothing here,
 * but its error messages differ) and has no depth limit.
 */
import { RuntimeError } from './errors';
import { checkBigIntSize } from './numbers';

export type JsonValue =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: JsonValue[] }
  | { kind: 'object'; entries: Array<[string, JsonValue]> };

/** graph-ts `JSONValueKind` discriminants, as written into wasm memory. */
export const JSON_VALUE_KIND = { null: 0, bool: 1, number: 2, string: 3, array: 4, object: 5 } as const;

/** A deterministic failure of a json host function; the message is graph-node's (the serde_json or Rust parse error). */
export class JsonError extends RuntimeError {}

/** graph-node `json_from_bytes`: `MAX_JSON_SIZE`, checked with `>`. */
export const MAX_JSON_SIZE = 10_000_000;

/** serde_json's private map key that deserializes as a number (arbitrary_precision `number::TOKEN`). */
const NUMBER_TOKEN = '$serde_json::private::Number';

const enum Code {
  EofWhileParsingList = 'EOF while parsing a list',
  EofWhileParsingObject = 'EOF while parsing an object',
  EofWhileParsingString = 'EOF while parsing a string',
  EofWhileParsingValue = 'EOF while parsing a value',
  ExpectedColon = 'expected `:`',
  ExpectedListCommaOrEnd = 'expected `,` or `]`',
  ExpectedObjectCommaOrEnd = 'expected `,` or `}`',
  ExpectedSomeIdent = 'expected ident',
  ExpectedSomeValue = 'expected value',
  InvalidEscape = 'invalid escape',
  InvalidNumber = 'invalid number',
  InvalidUnicodeCodePoint = 'invalid unicode code point',
  ControlCharacterWhileParsingString = 'control character (\\u0000-\\u001F) found while parsing a string',
  KeyMustBeAString = 'key must be a string',
  LoneLeadingSurrogateInHexEscape = 'lone leading surrogate in hex escape',
  TrailingComma = 'trailing comma',
  TrailingCharacters = 'trailing characters',
  UnexpectedEndOfHexEscape = 'unexpected end of hex escape',
  RecursionLimitExceeded = 'recursion limit exceeded',
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** How a scanned number came out: serde_json re-reads fitting integers as u64/i64 (this matters for one error message). */
interface ScannedNumber {
  text: string;
  as: 'u64' | 'i64' | 'text';
}

const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/**
 * serde_json's `Deserializer<SliceRead>`, reduced to what `Value` deserialization
 * touches. Reads and positions are byte based, as in serde_json, so error
 * messages carry the same line and column.
 */
class Parser {
  private i = 0;
  private depth = 128;

  constructor(private readonly b: Uint8Array) {}

  /** serde_json `SliceRead::position_of_index`: 1-based line, column = bytes since the last newline. */
  private errorAt(index: number, code: string): JsonError {
    let line = 1;
    let column = 0;
    for (let k = 0; k < index; k++) {
      if (this.b[k] === 0x0a) {
        line++;
        column = 0;
      } else {
        column++;
      }
    }
    return new JsonError(`${code} at line ${line} column ${column}`);
  }

  /** `Deserializer::error`: the byte just consumed. */
  private error(code: string): JsonError {
    return this.errorAt(this.i, code);
  }

  /** `Deserializer::peek_error`: the byte being peeked at. */
  private peekError(code: string): JsonError {
    return this.errorAt(Math.min(this.b.length, this.i + 1), code);
  }

  /** -1 at the end of input. */
  private peek(): number {
    return this.i < this.b.length ? this.b[this.i] : -1;
  }

  private whitespace(): number {
    for (;;) {
      const c = this.peek();
      if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) this.i++;
      else return c;
    }
  }

  /** `from_slice`: one value, then only whitespace (`Deserializer::end`). */
  document(): JsonValue {
    const value = this.value();
    if (this.whitespace() >= 0) throw this.peekError(Code.TrailingCharacters);
    return value;
  }

  /** `deserialize_any` with the `Value` visitor. */
  private value(): JsonValue {
    const c = this.whitespace();
    if (c < 0) throw this.peekError(Code.EofWhileParsingValue);
    switch (c) {
      case 0x6e /* n */:
        this.i++;
        this.ident('ull');
        return { kind: 'null' };
      case 0x74 /* t */:
        this.i++;
        this.ident('rue');
        return { kind: 'bool', value: true };
      case 0x66 /* f */:
        this.i++;
        this.ident('alse');
        return { kind: 'bool', value: false };
      case 0x2d /* - */:
        this.i++;
        return { kind: 'number', text: this.number(false).text };
      case QUOTE:
        this.i++;
        return { kind: 'string', value: this.string() };
      case 0x5b /* [ */: {
        // check_recursion!: the limit is tested before the bracket is consumed.
        if (--this.depth === 0) throw this.peekError(Code.RecursionLimitExceeded);
        this.i++;
        const items = this.seq();
        this.depth++;
        this.i++; // end_seq: seq() only returns at the closing bracket
        return { kind: 'array', items };
      }
      case 0x7b /* { */: {
        if (--this.depth === 0) throw this.peekError(Code.RecursionLimitExceeded);
        this.i++;
        const value = this.map();
        this.depth++;
        this.endMap();
        return value;
      }
      default:
        if (isDigit(c)) return { kind: 'number', text: this.number(true).text };
        throw this.peekError(Code.ExpectedSomeValue);
    }
  }

  private ident(rest: string): void {
    for (let k = 0; k < rest.length; k++) {
      if (this.i >= this.b.length) throw this.error(Code.EofWhileParsingValue);
      const c = this.b[this.i++];
      if (c !== rest.charCodeAt(k)) throw this.error(Code.ExpectedSomeIdent);
    }
  }

  /** `SeqAccess::next_element_seed` until `]` (left unconsumed). */
  private seq(): JsonValue[] {
    const items: JsonValue[] = [];
    let first = true;
    for (;;) {
      let c = this.whitespace();
      if (c === 0x5d /* ] */) return items;
      if (c === 0x2c /* , */ && !first) {
        this.i++;
        c = this.whitespace();
      } else if (c >= 0) {
        if (!first) throw this.peekError(Code.ExpectedListCommaOrEnd);
        first = false;
      } else {
        throw this.peekError(Code.EofWhileParsingList);
      }
      if (c === 0x5d) throw this.peekError(Code.TrailingComma);
      if (c < 0) throw this.peekError(Code.EofWhileParsingValue);
      items.push(this.value());
    }
  }

  /** `MapAccess::next_key_seed`: the key, or null at `}` (left unconsumed). */
  private key(first: boolean): string | null {
    let c = this.whitespace();
    if (c === 0x7d /* } */) return null;
    if (c === 0x2c && !first) {
      this.i++;
      c = this.whitespace();
    } else if (c >= 0) {
      if (!first) throw this.peekError(Code.ExpectedObjectCommaOrEnd);
    } else {
      throw this.peekError(Code.EofWhileParsingObject);
    }
    if (c === QUOTE) {
      this.i++;
      return this.string();
    }
    if (c === 0x7d) throw this.peekError(Code.TrailingComma);
    if (c < 0) throw this.peekError(Code.EofWhileParsingValue);
    throw this.peekError(Code.KeyMustBeAString);
  }

  private colon(): void {
    const c = this.whitespace();
    if (c === 0x3a /* : */) this.i++;
    else if (c >= 0) throw this.peekError(Code.ExpectedColon);
    else throw this.peekError(Code.EofWhileParsingObject);
  }

  private endMap(): void {
    const c = this.whitespace();
    if (c === 0x7d) this.i++;
    else if (c === 0x2c) throw this.peekError(Code.TrailingComma);
    else if (c >= 0) throw this.peekError(Code.TrailingCharacters);
    else throw this.peekError(Code.EofWhileParsingObject);
  }

  /**
   * The `Value` visitor's `visit_map`. A map is a BTreeMap: a repeated key
   * keeps its last value, and entries come out in key order. With
   * arbitrary_precision, a first key equal to serde_json's private number token
   * makes the object a number whose text is the (string) value.
   */
  private map(): JsonValue {
    const firstKey = this.key(true);
    if (firstKey === null) return { kind: 'object', entries: [] };
    if (firstKey === NUMBER_TOKEN) {
      this.colon();
      return { kind: 'number', text: this.numberFromStringValue() };
    }
    const entries = new Map<string, JsonValue>();
    this.colon();
    entries.set(firstKey, this.value());
    for (;;) {
      const k = this.key(false);
      if (k === null) break;
      this.colon();
      entries.set(k, this.value());
    }
    return { kind: 'object', entries: [...entries].sort((a, b) => compareCodePoints(a[0], b[0])) };
  }

  /**
   * serde_json `NumberFromString` through `deserialize_str`: the value must be
   * a string holding a number (`Number::from_str`); anything else is an
   * `invalid type` error positioned after what was read.
   */
  private numberFromStringValue(): string {
    const c = this.whitespace();
    if (c < 0) throw this.peekError(Code.EofWhileParsingValue);
    if (c === QUOTE) {
      this.i++;
      // Number::from_str's error already carries a position (within the string), which serde keeps.
      return numberFromStr(this.string());
    }
    let unexpected: string;
    switch (c) {
      case 0x6e:
        this.i++;
        this.ident('ull');
        unexpected = 'null';
        break;
      case 0x74:
        this.i++;
        this.ident('rue');
        unexpected = 'boolean `true`';
        break;
      case 0x66:
        this.i++;
        this.ident('alse');
        unexpected = 'boolean `false`';
        break;
      case 0x2d:
        this.i++;
        unexpected = describeNumber(this.number(false));
        break;
      case 0x5b:
        unexpected = 'sequence';
        break;
      case 0x7b:
        unexpected = 'map';
        break;
      default:
        if (!isDigit(c)) throw this.peekError(Code.ExpectedSomeValue);
        unexpected = describeNumber(this.number(true));
    }
    throw this.error(`invalid type: ${unexpected}, expected string containing a number`);
  }

  /**
   * `SliceRead::parse_str` after the opening quote: raw control bytes are
   * errors, escapes are decoded (surrogates must pair), and the result must be
   * valid UTF-8 (checked once the closing quote is consumed).
   */
  private string(): string {
    const b = this.b;
    let chunks: Uint8Array[] | null = null;
    let start = this.i;
    for (;;) {
      while (this.i < b.length && b[this.i] !== QUOTE && b[this.i] !== BACKSLASH && b[this.i] >= 0x20) this.i++;
      if (this.i === b.length) throw this.error(Code.EofWhileParsingString);
      const c = b[this.i];
      if (c === QUOTE) {
        const tail = b.subarray(start, this.i);
        this.i++;
        const bytes = chunks ? concat([...chunks, tail]) : tail;
        try {
          return utf8.decode(bytes);
        } catch {
          throw this.error(Code.InvalidUnicodeCodePoint);
        }
      }
      if (c === BACKSLASH) {
        chunks ??= [];
        chunks.push(b.subarray(start, this.i));
        this.i++;
        chunks.push(this.escape());
        start = this.i;
        continue;
      }
      this.i++;
      throw this.error(Code.ControlCharacterWhileParsingString);
    }
  }

  /** `parse_escape` (validate = true), after the backslash. */
  private escape(): Uint8Array {
    if (this.i >= this.b.length) throw this.error(Code.EofWhileParsingString);
    const ch = this.b[this.i++];
    switch (ch) {
      case QUOTE:
      case BACKSLASH:
      case 0x2f /* / */:
        return Uint8Array.of(ch);
      case 0x62 /* b */:
        return Uint8Array.of(0x08);
      case 0x66 /* f */:
        return Uint8Array.of(0x0c);
      case 0x6e /* n */:
        return Uint8Array.of(0x0a);
      case 0x72 /* r */:
        return Uint8Array.of(0x0d);
      case 0x74 /* t */:
        return Uint8Array.of(0x09);
      case 0x75 /* u */: {
        const n = this.hexEscape();
        // serde_json names a lone trailing surrogate with the "leading" code too.
        if (n >= 0xdc00 && n <= 0xdfff) throw this.error(Code.LoneLeadingSurrogateInHexEscape);
        if (n >= 0xd800 && n <= 0xdbff) {
          if (this.i >= this.b.length) throw this.error(Code.EofWhileParsingString);
          if (this.b[this.i] !== BACKSLASH) {
            this.i++;
            throw this.error(Code.UnexpectedEndOfHexEscape);
          }
          this.i++;
          if (this.i >= this.b.length) throw this.error(Code.EofWhileParsingString);
          if (this.b[this.i] !== 0x75) {
            this.i++;
            throw this.error(Code.UnexpectedEndOfHexEscape);
          }
          this.i++;
          const n2 = this.hexEscape();
          if (n2 < 0xdc00 || n2 > 0xdfff) throw this.error(Code.LoneLeadingSurrogateInHexEscape);
          return utf8Encoder.encode(String.fromCodePoint((((n - 0xd800) << 10) | (n2 - 0xdc00)) + 0x10000));
        }
        // Every other u16 is a scalar value; \u0000 included (it is kept in the string).
        return utf8Encoder.encode(String.fromCharCode(n));
      }
      default:
        throw this.error(Code.InvalidEscape);
    }
  }

  /** `SliceRead::decode_hex_escape`. */
  private hexEscape(): number {
    if (this.i + 4 > this.b.length) {
      this.i = this.b.length;
      throw this.error(Code.EofWhileParsingString);
    }
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const v = hexVal(this.b[this.i++]);
      if (v < 0) throw this.error(Code.InvalidEscape);
      n = (n << 4) + v;
    }
    return n;
  }

  /**
   * arbitrary_precision `parse_any_number` (after a consumed `-` when negative):
   * the text as written, except that an integer fitting u64 (or i64 when
   * negative) is re-printed from its value, which only changes `-0` to `0`.
   */
  number(positive: boolean): ScannedNumber {
    let text = positive ? '' : '-';
    const scanOrEof = (): number => {
      if (this.i >= this.b.length) throw this.error(Code.EofWhileParsingValue);
      const c = this.b[this.i++];
      text += String.fromCharCode(c);
      return c;
    };
    const digits = () => {
      while (isDigit(this.peek())) text += String.fromCharCode(this.b[this.i++]);
    };
    const exponent = () => {
      text += String.fromCharCode(this.b[this.i++]);
      const sign = this.peek();
      if (sign === 0x2b || sign === 0x2d) text += String.fromCharCode(this.b[this.i++]);
      if (!isDigit(scanOrEof())) throw this.error(Code.InvalidNumber);
      digits();
    };
    const rest = () => {
      const c = this.peek();
      if (c === 0x2e /* . */) {
        this.i++;
        text += '.';
        if (!isDigit(this.peek())) {
          throw this.peekError(this.peek() >= 0 ? Code.InvalidNumber : Code.EofWhileParsingValue);
        }
        digits();
        const e = this.peek();
        if (e === 0x65 || e === 0x45) exponent();
      } else if (c === 0x65 /* e */ || c === 0x45 /* E */) {
        exponent();
      }
    };
    const first = scanOrEof();
    if (first === 0x30) {
      // Only one leading zero.
      if (isDigit(this.peek())) throw this.peekError(Code.InvalidNumber);
      rest();
    } else if (first >= 0x31 && first <= 0x39) {
      digits();
      rest();
    } else {
      throw this.error(Code.InvalidNumber);
    }
    if (/^-?[0-9]+$/.test(text)) {
      const v = BigInt(text);
      if (positive && v <= U64_MAX) return { text: v.toString(), as: 'u64' };
      if (!positive && v >= I64_MIN) return { text: v.toString(), as: 'i64' };
    }
    return { text, as: 'text' };
  }

  /** serde_json `parse_any_signed_number` on a whole input: `Number::from_str`. */
  signedNumber(): string {
    const c = this.peek();
    if (c < 0) throw this.peekError(Code.EofWhileParsingValue);
    let result: { text: string } | JsonError;
    try {
      if (c === 0x2d) {
        this.i++;
        result = this.number(false);
      } else if (isDigit(c)) {
        result = this.number(true);
      } else {
        throw this.peekError(Code.InvalidNumber);
      }
    } catch (e) {
      if (!(e instanceof JsonError)) throw e;
      result = e;
    }
    // Leftover input replaces whatever came before with its own error.
    if (this.peek() >= 0) throw this.peekError(Code.InvalidNumber);
    if (result instanceof JsonError) throw result;
    return result.text;
  }
}

/** serde `Unexpected` for a number read where a string was expected. */
function describeNumber(n: ScannedNumber): string {
  return n.as === 'text' ? 'number' : `integer \`${n.text}\``;
}

function numberFromStr(s: string): string {
  return new Parser(utf8Encoder.encode(s)).signedNumber();
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Rust `String` order (bytes of UTF-8, i.e. code points). JS `<` compares
 * UTF-16 units, which puts astral characters before U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * `json.fromBytes`: the bytes as one JSON document, exactly as graph-node's
 * serde_json reads them. Throws JsonError with serde_json's message (the host
 * adds graph-node's "Failed to parse JSON from byte array" context;
 * `json.try_fromBytes` turns any throw into its error result).
 */
export function parseJsonBytes(bytes: Uint8Array): JsonValue {
  if (bytes.length > MAX_JSON_SIZE) throw new JsonError(`JSON size exceeds max size of ${MAX_JSON_SIZE}`);
  return new Parser(bytes).document();
}

// ---------------------------------------------------------------------------
// json.toI64 / toU64 / toF64 / toBigInt: Rust FromStr on the text
// ---------------------------------------------------------------------------

/**
 * Rust `i64::from_str` / `u64::from_str` (core `from_str_radix`, radix 10):
 * one optional `+` (or `-` for signed types), then ASCII digits only; errors
 * are reported for the first offending character scanning left to right.
 */
function parseRustInt(s: string, signed: boolean, min: bigint, max: bigint): bigint | string {
  if (s.length === 0) return 'cannot parse integer from empty string';
  if (s === '+' || s === '-') return 'invalid digit found in string';
  let negative = false;
  let k = 0;
  if (s[0] === '+') k = 1;
  else if (s[0] === '-' && signed) {
    negative = true;
    k = 1;
  }
  let acc = 0n;
  for (; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (!isDigit(c)) return 'invalid digit found in string';
    const d = BigInt(c - 0x30);
    acc = negative ? acc * 10n - d : acc * 10n + d;
    if (acc > max) return 'number too large to fit in target type';
    if (acc < min) return 'number too small to fit in target type';
  }
  return acc;
}

/** graph-node `json_to_i64`: `i64::from_str`, context "JSON `{}` cannot be parsed as i64" (so "1.0" and "1e3" fail). */
export function jsonToI64(text: string): bigint {
  const r = parseRustInt(text, true, I64_MIN, I64_MAX);
  if (typeof r === 'string') throw new JsonError(`JSON \`${text}\` cannot be parsed as i64: ${r}`);
  return r;
}

/** graph-node `json_to_u64`: `u64::from_str` (no `-`, not even "-0"). */
export function jsonToU64(text: string): bigint {
  const r = parseRustInt(text, false, 0n, U64_MAX);
  if (typeof r === 'string') throw new JsonError(`JSON \`${text}\` cannot be parsed as u64: ${r}`);
  return r;
}

/**
 * graph-node `json_to_f64`: Rust `f64::from_str` (core dec2flt): an optional
 * sign, then digits with an optional `.` (at least one digit in all, so "1."
 * and ".5" pass) and an optional exponent with digits, or inf / infinity /
 * nan in any case. Correctly rounded, as JS `Number` is; no whitespace, no
 * hex, no `_`.
 */
export function jsonToF64(text: string): number {
  const fail = (why: string) => new JsonError(`JSON \`${text}\` cannot be parsed as f64: ${why}`);
  if (text.length === 0) throw fail('cannot parse float from empty string');
  const m = /^([+-]?)(?:((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)|(inf|infinity)|(nan))$/i.exec(text);
  if (!m) throw fail('invalid float literal');
  const negative = m[1] === '-';
  if (m[3] !== undefined) return negative ? -Infinity : Infinity;
  if (m[4] !== undefined) return NaN;
  return Number(text);
}

/**
 * graph-node `json_to_big_int`: graph `BigInt::from_str`, i.e. num-bigint
 * 0.2.6 `from_str_radix(s, 10)` then the 435412-bit limit, context
 * "JSON `{}` is not a decimal string". num-bigint accepts one `-` or `+`
 * (not `-+`), and `_` anywhere among the digits except first: "1_000" is
 * 1000. Decimal points and exponents fail.
 */
export function jsonToBigInt(text: string): bigint {
  const fail = (why: string) => new JsonError(`JSON \`${text}\` is not a decimal string: ${why}`);
  let s = text;
  let negative = false;
  if (s.startsWith('-')) {
    negative = true;
    if (!s.startsWith('+', 1)) s = s.slice(1);
  }
  if (s.startsWith('+') && !s.startsWith('+', 1)) s = s.slice(1);
  if (s.length === 0) throw fail('cannot parse integer from empty string');
  if (s.startsWith('_')) throw fail('invalid digit found in string');
  let digits = '';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x5f /* _ */) continue;
    if (!isDigit(c)) throw fail('invalid digit found in string');
    digits += s[k];
  }
  const magnitude = BigInt(digits);
  try {
    return checkBigIntSize(negative ? -magnitude : magnitude);
  } catch (e) {
    throw fail((e as Error).message);
  }
}
