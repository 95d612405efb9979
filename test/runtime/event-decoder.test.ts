/**
 * The event decoder reads canonical static words (address, bool, intN, uintN,
 * bytesN) straight from the log's hex, in data and in topics; everything else
 * goes to viem. Reading directly must never change a result: on random
 * events, with clean and dirty padding, out-of-range values and bad hex, its
 * answer is viem's, parameter by parameter.
 */
import { decodeAbiParameters, type AbiParameter } from 'viem';
import { eventDecoder, fromViem, type EventParam } from '../../server/runtime/ethereum';
import { hexToBytes } from '../../server/runtime/values';

type Input = AbiParameter & { indexed?: boolean };

/** graph-node's decoding as viem does it, parameter by parameter: the general path. */
function viemDecode(inputs: Input[], topics: string[], data: string): EventParam[] | null {
  if (topics.length !== inputs.filter((i) => i.indexed).length + 1) return null;
  const dataParams = inputs.filter((i) => !i.indexed);
  let decoded: readonly unknown[];
  try {
    decoded = dataParams.length ? decodeAbiParameters(dataParams, data as `0x${string}`) : [];
  } catch {
    return null;
  }
  const out: EventParam[] = [];
  let topic = 1;
  let next = 0;
  for (const input of inputs) {
    if (input.indexed) {
      try {
        out.push({ name: input.name ?? '', value: fromViem(input, decodeAbiParameters([input], topics[topic++] as `0x${string}`)[0]) });
      } catch {
        return null;
      }
    } else {
      const param = dataParams[next];
      out.push({ name: input.name ?? '', value: fromViem(param, decoded[next++]) });
    }
  }
  return out;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TYPES = ['address', 'bool', 'uint8', 'uint24', 'uint256', 'int8', 'int24', 'int256', 'bytes1', 'bytes4', 'bytes32'];

test('direct word reading agrees with viem on clean, dirty and bad words', () => {
  const rand = rng(7);
  const digit = () => '0123456789abcdef'[Math.floor(rand() * 16)];
  const digits = (n: number) => Array.from({ length: n }, digit).join('');
  /** A word for `type`: mostly canonical, sometimes with dirty padding, a value out of range, or a bad character. */
  const word = (type: string): string => {
    const r = rand();
    let w: string;
    if (type === 'address') w = '0'.repeat(24) + digits(40);
    else if (type === 'bool') w = '0'.repeat(63) + (rand() < 0.5 ? '0' : '1');
    else if (type.startsWith('bytes')) {
      const n = 2 * Number(type.slice(5));
      w = digits(n) + '0'.repeat(64 - n);
    } else {
      const bits = Number(type.replace(/^u?int/, ''));
      const value = BigInt('0x' + digits(bits / 4)) >> BigInt(type.startsWith('int') ? 1 : 0);
      const negative = type.startsWith('int') && rand() < 0.5;
      w = BigInt.asUintN(256, negative ? -value - 1n : value).toString(16).padStart(64, '0');
    }
    if (r < 0.15) {
      // A digit changed anywhere: dirty padding, a value out of range, or just another value.
      const at = Math.floor(rand() * 64);
      w = w.slice(0, at) + (w[at] === '0' ? '1' : '0') + w.slice(at + 1);
    }
    else if (r < 0.2) w = w.slice(0, 63) + (rand() < 0.5 ? 'g' : ' '); // bad hex, a trailing space
    else if (r < 0.25) w = w.toUpperCase();
    return w;
  };
  let compared = 0;
  let direct = 0;
  for (let n = 0; n < 3000; n++) {
    const inputs: Input[] = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, i) => ({
      name: `p${i}`,
      type: TYPES[Math.floor(rand() * TYPES.length)],
      indexed: rand() < 0.3,
    }));
    if (inputs.filter((i) => i.indexed).length > 3) continue;
    const topics = ['0x' + digits(64), ...inputs.filter((i) => i.indexed).map((i) => '0x' + word(i.type))];
    const data = '0x' + inputs.filter((i) => !i.indexed).map((i) => word(i.type)).join('');
    const got = eventDecoder({ inputs })(topics, data);
    const expected = viemDecode(inputs, topics, data);
    expect({ inputs, topics, data, got: normalize(got) }).toEqual({ inputs, topics, data, got: normalize(expected) });
    compared++;
    if (got && /^0x[0-9a-f]*$/.test(data)) direct++;
  }
  expect(compared).toBeGreaterThan(2000);
  expect(direct).toBeGreaterThan(500);
});

test('short data and the wrong number of topics do not decode', () => {
  const inputs: Input[] = [
    { name: 'who', type: 'address', indexed: true },
    { name: 'amount', type: 'uint256' },
  ];
  const decode = eventDecoder({ inputs });
  const who = '0x' + '0'.repeat(24) + 'ab'.repeat(20);
  expect(decode(['0x' + '1'.repeat(64), who], '0x' + '0'.repeat(63) + '5')).toEqual([
    { name: 'who', value: { kind: 'address', value: hexToBytes('0x' + 'ab'.repeat(20)) } },
    { name: 'amount', value: { kind: 'uint', value: 5n, bits: 256 } },
  ]);
  expect(decode(['0x' + '1'.repeat(64), who], '0x' + '0'.repeat(62))).toBeNull();
  expect(decode(['0x' + '1'.repeat(64)], '0x' + '0'.repeat(64))).toBeNull();
});

/** Bytes as plain arrays, so that Buffer and Uint8Array compare by content. */
function normalize(params: EventParam[] | null): unknown {
  return JSON.parse(
    JSON.stringify(params, (_k, v) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v && v.type === 'Buffer' ? v.data : v,
    ),
  );
}
