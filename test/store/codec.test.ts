import fc from 'fast-check';
import {
  decodeSortableBigInt,
  decodeSortableDecimal,
  encodeSortableBigInt,
  encodeSortableDecimal,
} from '../../server/store/codec';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sign = (x: bigint) => (x < 0n ? -1 : x > 0n ? 1 : 0);

/** Compares digits x 10^exp values exactly by scaling both to the smaller exponent. */
function compareDecimals(a: { digits: bigint; exp: number }, b: { digits: bigint; exp: number }): number {
  const e = Math.min(a.exp, b.exp);
  return sign(a.digits * 10n ** BigInt(a.exp - e) - b.digits * 10n ** BigInt(b.exp - e));
}

describe('order-preserving encodings in the store', () => {
  test('hand-picked BigInts sort numerically as text', () => {
    const values = [-(10n ** 40n), -1001n, -1000n, -999n, -2n, -1n, 0n, 1n, 2n, 9n, 10n, 99n, 100n, 101n, 10n ** 30n, 2n ** 255n];
    const encoded = values.map(encodeSortableBigInt);
    expect([...encoded].sort(cmp)).toEqual(encoded);
    expect(encoded.map(decodeSortableBigInt)).toEqual(values);
  });

  test('BigInt round trip and order (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 260n), max: 2n ** 260n }), fc.bigInt({ min: -(2n ** 260n), max: 2n ** 260n }), (a, b) => {
        expect(decodeSortableBigInt(encodeSortableBigInt(a))).toBe(a);
        expect(cmp(encodeSortableBigInt(a), encodeSortableBigInt(b))).toBe(sign(a - b));
      }),
    );
  });

  test('decimals: -1.55 < -1.5 < -0.01 < 0 < 0.01 < 1.5 < 1.55 < 15', () => {
    const values = [
      { digits: -155n, exp: -2 },
      { digits: -15n, exp: -1 },
      { digits: -1n, exp: -2 },
      { digits: 0n, exp: 0 },
      { digits: 1n, exp: -2 },
      { digits: 15n, exp: -1 },
      { digits: 155n, exp: -2 },
      { digits: 15n, exp: 0 },
    ];
    const encoded = values.map(encodeSortableDecimal);
    expect([...encoded].sort(cmp)).toEqual(encoded);
  });

  test('decimal round trip and order (property)', () => {
    const decimal = fc.record({ digits: fc.bigInt({ min: -(10n ** 34n), max: 10n ** 34n }), exp: fc.integer({ min: -60, max: 60 }) });
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const back = decodeSortableDecimal(encodeSortableDecimal(a));
        expect(compareDecimals(back, a)).toBe(0);
        expect(cmp(encodeSortableDecimal(a), encodeSortableDecimal(b))).toBe(compareDecimals(a, b));
      }),
    );
  });
});
