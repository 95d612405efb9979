/**
 * json.fromBytes / try_fromBytes and the json.to* conversions, against what
 * graph-node does. Sources (graph-node at graphprotocol/graph-node HEAD, its
 * serde_json resolved to 1.0.120 in Cargo.lock with the `arbitrary_precision`
 * feature, num-bigint pinned at 0.2.6, Rust toolchain 1.94):
 *   [HE]  runtime/wasm/src/host_exports.rs  json_from_bytes, json_to_i64/u64/f64/big_int
 *   [EXT] runtime/wasm/src/to_from/external.rs  ToAscObj for serde_json::Value
 *   [DE]  serde_json src/de.rs  deserialize_any, parse_any_number, scan_*, SeqAccess, MapAccess, end
 *   [RD]  serde_json src/read.rs  SliceRead::parse_str_bytes, parse_escape, position_of_index
 *   [VDE] serde_json src/value/de.rs  visit_map (BTreeMap insert, number token)
 *   [NB]  num-bigint 0.2.6 src/bigint.rs / biguint.rs  from_str_radix
 *   [GTS] graph-ts common/value.ts  JSONValueKind
 */
import { JSON_VALUE_KIND, JsonError, MAX_JSON_SIZE, compareCodePoints, jsonToBigInt, jsonToF64, jsonToI64, jsonToU64, parseJsonBytes, type JsonValue } from '../../server/runtime/json';
import { RuntimeError } from '../../server/runtime/errors';

const parse = (s: string | Uint8Array) => parseJsonBytes(typeof s === 'string' ? new TextEncoder().encode(s) : s);
const num = (text: string): JsonValue => ({ kind: 'number', text });
const str = (value: string): JsonValue => ({ kind: 'string', value });

/** The message parse throws, or 'no error'. */
function parseError(s: string | Uint8Array): string {
  try {
    parse(s);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonError);
    return (e as Error).message;
  }
  return 'no error';
}

function convError(f: (s: string) => unknown, s: string): string {
  try {
    f(s);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonError);
    return (e as Error).message;
  }
  return 'no error';
}

describe('JSONValueKind numbering [GTS], graph-node asc_abi/class.rs JsonValueKind', () => {
  test('NULL 0, BOOL 1, NUMBER 2, STRING 3, ARRAY 4, OBJECT 5', () => {
    expect(JSON_VALUE_KIND).toEqual({ null: 0, bool: 1, number: 2, string: 3, array: 4, object: 5 });
  });
});

describe('json.fromBytes: values', () => {
  test('scalars, arrays and whitespace (space, \\n, \\t, \\r only) [DE deserialize_any, parse_whitespace]', () => {
    expect(parse(' \t\r\n null \n')).toEqual({ kind: 'null' });
    expect(parse('true')).toEqual({ kind: 'bool', value: true });
    expect(parse('false')).toEqual({ kind: 'bool', value: false });
    expect(parse('"foo"')).toEqual(str('foo')); // graph-node runtime/test json_parsing: "\"foo\"" is OK
    expect(parse('[1, "a", [], {}, null]')).toEqual({
      kind: 'array',
      items: [num('1'), str('a'), { kind: 'array', items: [] }, { kind: 'object', entries: [] }, { kind: 'null' }],
    });
  });

  test('a number keeps its text exactly (arbitrary_precision scan_* push every byte) [DE], passed as number.to_string() [EXT]', () => {
    for (const t of ['0', '1', '123', '-5', '1.0', '1.50', '0.000', '1e5', '1E5', '1e+5', '1E-05', '-0.0', '-0e0', '3.14159265358979323846264338327950288']) {
      expect(parse(t)).toEqual(num(t));
    }
    // Past u64 / i64 the scanned text is kept as is.
    expect(parse('18446744073709551615')).toEqual(num('18446744073709551615'));
    expect(parse('18446744073709551616')).toEqual(num('18446744073709551616'));
    expect(parse('-9223372036854775808')).toEqual(num('-9223372036854775808'));
    expect(parse('-9223372036854775809')).toEqual(num('-9223372036854775809'));
    expect(parse('123456789012345678901234567890123456789012345678901234567890')).toEqual(num('123456789012345678901234567890123456789012345678901234567890'));
  });

  test('"-0" becomes "0": an integer that parses as i64 is re-printed by itoa [DE parse_any_number, number.rs From<i64>]', () => {
    expect(parse('-0')).toEqual(num('0'));
    expect(parse('[-0, -0.5]')).toEqual({ kind: 'array', items: [num('0'), num('-0.5')] });
  });

  test('objects are BTreeMaps: sorted by key (code point order), a repeated key keeps its last value [VDE visit_map, Cargo.lock: no indexmap => no preserve_order]', () => {
    expect(parse('{"b": 1, "a": 2, "c": {"z": 0, "y": 1}}')).toEqual({
      kind: 'object',
      entries: [
        ['a', num('2')],
        ['b', num('1')],
        ['c', { kind: 'object', entries: [['y', num('1')], ['z', num('0')]] }],
      ],
    });
    expect(parse('{"k": 1, "j": 0, "k": 2}')).toEqual({ kind: 'object', entries: [['j', num('0')], ['k', num('2')]] });
    // UTF-8 byte order puts U+1F600 after U+FFFD; UTF-16 unit order would not.
    const v = parse('{"\u{1F600}": 1, "\uFFFD": 2, "Z": 3, "a": 4}') as Extract<JsonValue, { kind: 'object' }>;
    expect(v.entries.map(([k]) => k)).toEqual(['Z', 'a', '\uFFFD', '\u{1F600}']);
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
  });

  test('string escapes [RD parse_escape]; \\u0000 is kept (serde_json allows it, Value::String holds it) ', () => {
    expect(parse('"a\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti"')).toEqual(str('a"b\\c/d\be\ff\ng\rh\ti'));
    expect(parse('"\\u0041\\u00e9\\u20AC"')).toEqual(str('Aé€'));
    expect(parse('"\\ud83d\\ude00"')).toEqual(str('\u{1F600}'));
    expect(parse('"x\\u0000y"')).toEqual(str('x\u0000y'));
    expect(parse('"\u00e9\u{1F600}"')).toEqual(str('é\u{1F600}'));
    expect(parse('"\uFEFF"')).toEqual(str('\uFEFF')); // a BOM inside a string is data
    expect(parse('"\x7f"')).toEqual(str('\x7f')); // DEL is not a control character for serde_json's ESCAPE table
  });

  test('the private number token: an object whose first key is "$serde_json::private::Number" is a number [VDE KeyClassifier, number.rs NumberFromString]', () => {
    expect(parse('{"$serde_json::private::Number": "1.50"}')).toEqual(num('1.50'));
    expect(parse('{"$serde_json::private::Number": "-0"}')).toEqual(num('0'));
    expect(parse('{"a": 1, "$serde_json::private::Number": "5"}')).toEqual({
      kind: 'object',
      entries: [['$serde_json::private::Number', str('5')], ['a', num('1')]],
    });
    expect(parseError('{"$serde_json::private::Number": "abc"}')).toBe('invalid number at line 1 column 1');
    expect(parseError('{"$serde_json::private::Number": "1 "}')).toBe('invalid number at line 1 column 2');
    expect(parseError('{"$serde_json::private::Number": ""}')).toBe('EOF while parsing a value at line 1 column 0');
    expect(parseError('{"$serde_json::private::Number": 5}')).toBe('invalid type: integer `5`, expected string containing a number at line 1 column 34');
    expect(parseError('{"$serde_json::private::Number": 1.5}')).toBe('invalid type: number, expected string containing a number at line 1 column 36');
    expect(parseError('{"$serde_json::private::Number": null}')).toBe('invalid type: null, expected string containing a number at line 1 column 37');
    expect(parseError('{"$serde_json::private::Number": [1]}')).toBe('invalid type: sequence, expected string containing a number at line 1 column 33');
    expect(parseError('{"$serde_json::private::Number": "1", "a": 2}')).toBe('trailing comma at line 1 column 37');
  });

  test('nesting: 127 levels parse, the 128th container fails (remaining_depth 128) [DE check_recursion!]', () => {
    expect(() => parse('['.repeat(127) + ']'.repeat(127))).not.toThrow();
    expect(parseError('['.repeat(128) + ']'.repeat(128))).toBe('recursion limit exceeded at line 1 column 128');
    expect(parseError('{"a":'.repeat(127) + '1' + '}'.repeat(127))).toBe('no error');
    expect(parseError('{"a":'.repeat(128) + '1' + '}'.repeat(128))).toBe('recursion limit exceeded at line 1 column 636');
  });

  test('size limit: more than 10,000,000 bytes fails before parsing [HE json_from_bytes MAX_JSON_SIZE; runtime/test json_parsing]', () => {
    expect(MAX_JSON_SIZE).toBe(10_000_000);
    const exact = new Uint8Array(MAX_JSON_SIZE).fill(0x20);
    exact[0] = 0x31; // "1" then spaces: exactly the limit is allowed
    expect(parse(exact)).toEqual(num('1'));
    const over = new Uint8Array(MAX_JSON_SIZE + 1).fill(0x20);
    over[0] = 0x31;
    expect(parseError(over)).toBe('JSON size exceeds max size of 10000000');
  });

  test('JsonError is a deterministic RuntimeError', () => {
    expect(new JsonError('x')).toBeInstanceOf(RuntimeError);
  });
});

describe('json.fromBytes: errors, worded and positioned as serde_json (line 1-based, column = bytes before, [RD position_of_index])', () => {
  const cases: Array<[string, string]> = [
    ['', 'EOF while parsing a value at line 1 column 0'],
    ['   ', 'EOF while parsing a value at line 1 column 3'],
    ['foo', 'expected ident at line 1 column 2'], // runtime/test json_parsing: "foo" is an error; `f` starts `false`
    ['xyz', 'expected value at line 1 column 1'],
    ['nul', 'EOF while parsing a value at line 1 column 3'],
    ['nulx', 'expected ident at line 1 column 4'],
    ['1 2', 'trailing characters at line 1 column 3'], // [DE end]
    ['{"a":1} x', 'trailing characters at line 1 column 9'],
    ['\n\n  x', 'expected value at line 3 column 3'],
    ['01', 'invalid number at line 1 column 2'],
    ['-', 'EOF while parsing a value at line 1 column 1'],
    ['-a', 'invalid number at line 1 column 2'],
    ['1.', 'EOF while parsing a value at line 1 column 2'],
    ['1.x', 'invalid number at line 1 column 3'],
    ['1e', 'EOF while parsing a value at line 1 column 2'],
    ['1e+', 'EOF while parsing a value at line 1 column 3'],
    ['1ex', 'invalid number at line 1 column 3'],
    ['.5', 'expected value at line 1 column 1'],
    ['+1', 'expected value at line 1 column 1'],
    ['NaN', 'expected value at line 1 column 1'],
    ['[1,]', 'trailing comma at line 1 column 4'],
    ['[1 2]', 'expected `,` or `]` at line 1 column 4'],
    ['[,1]', 'expected value at line 1 column 2'],
    ['[1', 'EOF while parsing a list at line 1 column 2'],
    ['[1,', 'EOF while parsing a value at line 1 column 3'],
    ['{"a":1,}', 'trailing comma at line 1 column 8'],
    ['{"a" 1}', 'expected `:` at line 1 column 6'],
    ['{"a":1 "b":2}', 'expected `,` or `}` at line 1 column 8'],
    ['{a:1}', 'key must be a string at line 1 column 2'],
    ['{1:1}', 'key must be a string at line 1 column 2'],
    ['{"a":1', 'EOF while parsing an object at line 1 column 6'],
    ['{"a"', 'EOF while parsing an object at line 1 column 4'],
    ['{', 'EOF while parsing an object at line 1 column 1'],
    ['"abc', 'EOF while parsing a string at line 1 column 4'],
    ['"a\tb"', 'control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3'],
    ['"a\nb"', 'control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0'],
    ['"\\x"', 'invalid escape at line 1 column 3'],
    ['"\\u12"', 'EOF while parsing a string at line 1 column 6'],
    ['"\\u12g4"', 'invalid escape at line 1 column 6'],
    ['"\\ude00"', 'lone leading surrogate in hex escape at line 1 column 7'],
    ['"\\ud83d"', 'unexpected end of hex escape at line 1 column 8'],
    ['"\\ud83dx"', 'unexpected end of hex escape at line 1 column 8'],
    ['"\\ud83d\\n"', 'unexpected end of hex escape at line 1 column 9'],
    ['"\\ud83d\\u0041"', 'lone leading surrogate in hex escape at line 1 column 13'],
    ['"\\', 'EOF while parsing a string at line 1 column 2'],
    ['\uFEFF1', 'expected value at line 1 column 1'], // no BOM skipping
  ];
  test.each(cases)('%j -> %s', (input, message) => {
    expect(parseError(input)).toBe(message);
  });

  test('invalid UTF-8 inside a string fails after the closing quote; outside strings a non-ASCII byte is just unexpected [RD as_str]', () => {
    expect(parseError(Uint8Array.of(0x22, 0x61, 0xff, 0x62, 0x22))).toBe('invalid unicode code point at line 1 column 5');
    expect(parseError(Uint8Array.of(0x22, 0xed, 0xa0, 0x80, 0x22))).toBe('invalid unicode code point at line 1 column 5'); // UTF-8-encoded surrogate
    expect(parseError(Uint8Array.of(0x22, 0xc0, 0x80, 0x22))).toBe('invalid unicode code point at line 1 column 4'); // overlong NUL
    expect(parseError(Uint8Array.of(0xff))).toBe('expected value at line 1 column 1');
    // An escape does not repair a broken sequence before it: the whole string is checked at once.
    expect(parseError(Uint8Array.of(0x22, 0xc3, 0x5c, 0x6e, 0x22))).toBe('invalid unicode code point at line 1 column 5');
  });
});

describe('json.toI64 / toU64: Rust i64::from_str / u64::from_str [HE json_to_i64, json_to_u64]', () => {
  test('decimal integers only', () => {
    expect(jsonToI64('0')).toBe(0n);
    expect(jsonToI64('-9223372036850770800')).toBe(-9223372036850770800n); // runtime/test json_conversions
    expect(jsonToI64('+42')).toBe(42n);
    expect(jsonToI64('-0')).toBe(0n);
    expect(jsonToI64('-9223372036854775808')).toBe(-(2n ** 63n));
    expect(jsonToI64('9223372036854775807')).toBe(2n ** 63n - 1n);
    expect(jsonToI64('007')).toBe(7n);
    expect(jsonToU64('9223372036850770800')).toBe(9223372036850770800n); // runtime/test json_conversions
    expect(jsonToU64('18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(jsonToU64('+1')).toBe(1n);
  });

  test('errors: context "JSON `{}` cannot be parsed as i64" then the ParseIntError ({:#} chain)', () => {
    expect(convError(jsonToI64, '1.0')).toBe('JSON `1.0` cannot be parsed as i64: invalid digit found in string');
    expect(convError(jsonToI64, '1e3')).toBe('JSON `1e3` cannot be parsed as i64: invalid digit found in string');
    expect(convError(jsonToI64, '')).toBe('JSON `` cannot be parsed as i64: cannot parse integer from empty string');
    expect(convError(jsonToI64, '-')).toBe('JSON `-` cannot be parsed as i64: invalid digit found in string');
    expect(convError(jsonToI64, '+')).toBe('JSON `+` cannot be parsed as i64: invalid digit found in string');
    expect(convError(jsonToI64, ' 1')).toBe('JSON ` 1` cannot be parsed as i64: invalid digit found in string');
    expect(convError(jsonToI64, '1_000')).toBe('JSON `1_000` cannot be parsed as i64: invalid digit found in string');
    expect(convError(jsonToI64, '9223372036854775808')).toBe('JSON `9223372036854775808` cannot be parsed as i64: number too large to fit in target type');
    expect(convError(jsonToI64, '-9223372036854775809')).toBe('JSON `-9223372036854775809` cannot be parsed as i64: number too small to fit in target type');
    // Scanned left to right: the overflow comes before the bad character.
    expect(convError(jsonToI64, '99999999999999999999x')).toBe('JSON `99999999999999999999x` cannot be parsed as i64: number too large to fit in target type');
    expect(convError(jsonToU64, '-1')).toBe('JSON `-1` cannot be parsed as u64: invalid digit found in string');
    expect(convError(jsonToU64, '-0')).toBe('JSON `-0` cannot be parsed as u64: invalid digit found in string');
    expect(convError(jsonToU64, '18446744073709551616')).toBe('JSON `18446744073709551616` cannot be parsed as u64: number too large to fit in target type');
  });
});

describe('json.toF64: Rust f64::from_str (core dec2flt) [HE json_to_f64]', () => {
  test('accepted forms', () => {
    expect(jsonToF64('-9223372036850770.92345034')).toBe(-9223372036850770.92345034); // runtime/test json_conversions
    expect(jsonToF64('1')).toBe(1);
    expect(jsonToF64('1.')).toBe(1);
    expect(jsonToF64('.5')).toBe(0.5);
    expect(jsonToF64('+1.5e3')).toBe(1500);
    expect(jsonToF64('1E-2')).toBe(0.01);
    expect(jsonToF64('1.e2')).toBe(100);
    expect(Object.is(jsonToF64('-0'), -0)).toBe(true);
    expect(jsonToF64('1e400')).toBe(Infinity); // overflow is not an error
    expect(jsonToF64('1e-400')).toBe(0);
    expect(jsonToF64('0.1')).toBe(0.1); // correctly rounded like Number
    expect(jsonToF64('inf')).toBe(Infinity);
    expect(jsonToF64('-Infinity')).toBe(-Infinity);
    expect(jsonToF64('INFINITY')).toBe(Infinity);
    expect(jsonToF64('NaN')).toBeNaN();
    expect(jsonToF64('-nan')).toBeNaN();
  });

  test('rejected forms', () => {
    expect(convError(jsonToF64, '')).toBe('JSON `` cannot be parsed as f64: cannot parse float from empty string');
    for (const bad of ['.', '-', '+', 'e5', '1e', '1e+', ' 1', '1 ', '0x10', '1_0', 'infin', 'infinityx', '--1', '1.2.3']) {
      expect(convError(jsonToF64, bad)).toBe(`JSON \`${bad}\` cannot be parsed as f64: invalid float literal`);
    }
  });
});

describe('json.toBigInt: num-bigint 0.2.6 BigInt::from_str then the 435412-bit limit [HE json_to_big_int, NB]', () => {
  test('accepted forms', () => {
    expect(jsonToBigInt('-922337203685077092345034')).toBe(-922337203685077092345034n); // runtime/test json_conversions
    expect(jsonToBigInt('+5')).toBe(5n);
    expect(jsonToBigInt('-0')).toBe(0n);
    expect(jsonToBigInt('1_000')).toBe(1000n);
    expect(jsonToBigInt('1__0_')).toBe(10n);
    expect(jsonToBigInt('0001')).toBe(1n);
  });

  test('rejected forms: context "JSON `{}` is not a decimal string"', () => {
    expect(convError(jsonToBigInt, '1e3')).toBe('JSON `1e3` is not a decimal string: invalid digit found in string');
    expect(convError(jsonToBigInt, '1.0')).toBe('JSON `1.0` is not a decimal string: invalid digit found in string');
    expect(convError(jsonToBigInt, '')).toBe('JSON `` is not a decimal string: cannot parse integer from empty string');
    expect(convError(jsonToBigInt, '-')).toBe('JSON `-` is not a decimal string: cannot parse integer from empty string');
    expect(convError(jsonToBigInt, '+')).toBe('JSON `+` is not a decimal string: cannot parse integer from empty string');
    expect(convError(jsonToBigInt, '-+5')).toBe('JSON `-+5` is not a decimal string: invalid digit found in string');
    expect(convError(jsonToBigInt, '++5')).toBe('JSON `++5` is not a decimal string: invalid digit found in string');
    expect(convError(jsonToBigInt, '_1')).toBe('JSON `_1` is not a decimal string: invalid digit found in string');
    expect(convError(jsonToBigInt, 'ff')).toBe('JSON `ff` is not a decimal string: invalid digit found in string');
    // 10^131073 - 1 needs 435416 bits, plus the sign bit; checked without printing the digits on failure.
    const huge = '9'.repeat(131073);
    const message = convError(jsonToBigInt, huge);
    expect(message.startsWith('JSON `999')).toBe(true);
    expect(message.endsWith('9` is not a decimal string: BigInt is too big, total bits 435417 (max 435412)')).toBe(true);
    expect(jsonToBigInt('9'.repeat(131071))).toBe(10n ** 131071n - 1n); // 435410 bits with the sign: fits
  });
});

describe('round trip through the mapping-facing helpers', () => {
  test('a number parsed from bytes converts as graph-ts JSONValue.toBigInt/toI64 would', () => {
    const v = parse('{"amount": 123456789012345678901234567890, "n": 7, "f": 1.25}') as Extract<JsonValue, { kind: 'object' }>;
    const get = (k: string) => (v.entries.find(([key]) => key === k)![1] as { text: string }).text;
    expect(jsonToBigInt(get('amount'))).toBe(123456789012345678901234567890n);
    expect(convError(jsonToI64, get('amount'))).toBe(
      'JSON `123456789012345678901234567890` cannot be parsed as i64: number too large to fit in target type',
    );
    expect(jsonToI64(get('n'))).toBe(7n);
    expect(jsonToF64(get('f'))).toBe(1.25);
    expect(convError(jsonToBigInt, get('f'))).toBe('JSON `1.25` is not a decimal string: invalid digit found in string');
  });
});
