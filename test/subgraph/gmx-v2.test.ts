/**
 * The GMX v2 subgraph (subgraph/gmx-v2) built with graph-cli and run through svr's runtime:
 * EventLog1 logs encoded with viem from subgraph/gmx-v2/abis/EventEmitter.json at the real
 * EventEmitter addresses, with the expected entities worked out by hand below (GMX scales: USD
 * x 10^30; a price is USD x 10^30 per smallest token unit, so amount x price / 10^30 is USD).
 * Then the real Arbitrum One EventEmitter logs of ../shared/fixtures/real-logs-gmx-v2, whose
 * blocks file has no parent hashes (read with `unlinked: true`), with the values of its README.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeAbiParameters, encodeEventTopics, keccak256, toHex, type Abi, type AbiEvent, type AbiParameter, type Hex } from 'viem';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment } from '../../server/indexer/deployment';
import { indexFiles } from '../../server/indexer/index-files';
import { groupLogsByBlock, IngestError, readBlockHeaders, readLogs } from '../../server/ingest/ndjson';
import type { BlockWithLogs, Log } from '../../server/ingest/types';
import { entity } from './entities';

const ROOT = resolve(__dirname, '../..');
const SUBGRAPHS = join(ROOT, 'subgraph');
const REAL_LOGS = resolve(ROOT, '../shared/fixtures/real-logs-gmx-v2');

/** The EventEmitters: gmx-io/gmx-synthetics deployments/{arbitrum,avalanche}/EventEmitter.json (lower case, as logs carry them). */
const EMITTER = {
  'arbitrum-one': '0xc8ee91a54287db53897056e12d9819156d3822fb',
  avalanche: '0xdb17b211c34240b014ab6d61d4a31fa0c0e20c26',
} as const;

const ABI = JSON.parse(readFileSync(join(SUBGRAPHS, 'gmx-v2/abis/EventEmitter.json'), 'utf8')) as Abi;
const EVENT_LOG1 = ABI.find((e) => e.type === 'event' && e.name === 'EventLog1') as AbiEvent;

// Tokens (gmx-io/gmx-synthetics config/tokens.ts; rows of subgraph/common/tokens.ts).
const WETH = '0x82af49447d8a07e3bd95bd0d56f35241523fbab1'; // 18 decimals
const USDC = '0xaf88d065e77c8cc2239327c5edb3a432268e5831'; // 6, stablecoin
const WAVAX = '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7'; // 18 (avalanche)
const USDC_AVAX = '0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e'; // 6 (avalanche)
const UNKNOWN_TOKEN = '0x1111111111111111111111111111111111111111';

const MARKET = '0x1000000000000000000000000000000000000001'; // a test market token
const ALICE = '0xa11ce00000000000000000000000000000000001';
const BOB = '0xb0b0000000000000000000000000000000000002';
const KEEPER = '0xc0ffee0000000000000000000000000000000003';

const E30 = 10n ** 30n;
const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
/** A price of `usd` dollars per whole token, in GMX's per-unit scale (10^(30 - decimals)). */
const price = (usd: bigint, decimals: number) => usd * 10n ** BigInt(30 - decimals);

/** Keys.sol base keys: keccak256(abi.encode("<NAME>")). */
const baseKey = (name: string) => keccak256(encodeAbiParameters([{ type: 'string' }], [name]));

interface Items {
  address?: Record<string, string>;
  uint?: Record<string, bigint>;
  int?: Record<string, bigint>;
  bool?: Record<string, boolean>;
  bytes32?: Record<string, Hex>;
  bytes?: Record<string, Hex>;
  string?: Record<string, string>;
}

/** An EventLogData tuple (EventUtils.sol) holding `items`, no array items. */
function eventData(items: Items) {
  const group = <T>(values: Record<string, T> | undefined) => ({
    items: Object.entries(values ?? {}).map(([key, value]) => ({ key, value })),
    arrayItems: [] as Array<{ key: string; value: T[] }>,
  });
  return {
    addressItems: group(items.address),
    uintItems: group(items.uint),
    intItems: group(items.int),
    boolItems: group(items.bool),
    bytes32Items: group(items.bytes32),
    bytesItems: group(items.bytes),
    stringItems: group(items.string),
  };
}

const pad32 = (address: string) => ('0x' + address.slice(2).padStart(64, '0')) as Hex;

interface EmitterLog {
  name: string;
  topic1: Hex;
  items: Items;
}

function blockHash(n: number): string {
  return '0x' + n.toString(16).padStart(64, '0');
}

function makeBlock(network: keyof typeof EMITTER, number: number, timestamp: bigint, logs: EmitterLog[]): BlockWithLogs {
  return {
    header: { number: BigInt(number), hash: blockHash(number), parentHash: blockHash(number - 1), timestamp },
    logs: logs.map((l, logIndex): Log => {
      const args = { msgSender: KEEPER, eventName: l.name, eventNameHash: l.name, topic1: l.topic1, eventData: eventData(l.items) };
      const dataInputs = EVENT_LOG1.inputs.filter((i) => !i.indexed) as AbiParameter[];
      return {
        address: EMITTER[network],
        // viem hashes the indexed string (eventNameHash = keccak256(eventName)), as Solidity does.
        topics: encodeEventTopics({ abi: [EVENT_LOG1], eventName: 'EventLog1', args: { eventNameHash: l.name, topic1: l.topic1 } }) as string[],
        data: encodeAbiParameters(dataInputs, [args.msgSender, args.eventName, args.eventData]),
        blockNumber: BigInt(number),
        blockHash: blockHash(number),
        transactionHash: '0x' + (number * 1000 + logIndex).toString(16).padStart(64, '0'),
        transactionIndex: 0,
        logIndex,
        removed: false,
      };
    }),
  };
}

const manifests = new Map<string, string>();
function manifestFor(network: string): string {
  let m = manifests.get(network);
  if (!m) {
    m = buildSubgraph({ subgraphDir: join(SUBGRAPHS, 'gmx-v2'), network, sourceRoot: SUBGRAPHS });
    manifests.set(network, m);
  }
  return m;
}

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'svr-gmx-v2-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function deploy(network: keyof typeof EMITTER, name: string): Deployment {
  return new Deployment({ manifestPath: manifestFor(network), subgraph: 'gmx-v2', dataDir: join(dataDir, name) });
}

const T0 = 1_700_000_000n; // 2023-11-14T22:13:20Z: UTC hour 472222

const marketCreated = (market: string, index: string, long: string, short: string): EmitterLog => ({
  name: 'MarketCreated',
  topic1: pad32(market),
  items: { address: { marketToken: market, indexToken: index, longToken: long, shortToken: short }, bytes32: { salt: keccak256(toHex('salt')), marketType: keccak256(toHex('base')) } },
});
const oraclePrice = (token: string, min: bigint, max: bigint): EmitterLog => ({
  name: 'OraclePriceUpdate',
  topic1: pad32(token),
  items: { address: { token, provider: KEEPER }, uint: { minPrice: min, maxPrice: max, timestamp: T0 } },
});
const poolAmount = (market: string, token: string, delta: bigint, next: bigint): EmitterLog => ({
  name: 'PoolAmountUpdated',
  topic1: pad32(market),
  items: { address: { market, token }, int: { delta }, uint: { nextValue: next } },
});
const openInterest = (name: 'OpenInterestUpdated' | 'OpenInterestInTokensUpdated', market: string, collateralToken: string, isLong: boolean, delta: bigint, next: bigint): EmitterLog => ({
  name,
  topic1: pad32(market),
  items: { address: { market, collateralToken }, bool: { isLong }, int: { delta }, uint: { nextValue: next } },
});

interface PositionArgs {
  key: Hex;
  account: string;
  market: string;
  collateralToken: string;
  isLong: boolean;
  orderType: bigint;
  sizeInUsd: bigint;
  sizeInTokens: bigint;
  collateralAmount: bigint;
  sizeDeltaUsd: bigint;
  collateralDeltaAmount: bigint;
  executionPrice: bigint;
  collateralPrice: bigint;
  basePnlUsd?: bigint;
}

/** PositionIncrease's items as PositionEventUtils.emitPositionIncrease sets them (collateralDeltaAmount an int item). */
function positionIncrease(p: PositionArgs): EmitterLog {
  return {
    name: 'PositionIncrease',
    topic1: pad32(p.account),
    items: {
      address: { account: p.account, market: p.market, collateralToken: p.collateralToken },
      uint: {
        sizeInUsd: p.sizeInUsd,
        sizeInTokens: p.sizeInTokens,
        collateralAmount: p.collateralAmount,
        executionPrice: p.executionPrice,
        'collateralTokenPrice.min': p.collateralPrice,
        'collateralTokenPrice.max': p.collateralPrice,
        sizeDeltaUsd: p.sizeDeltaUsd,
        orderType: p.orderType,
      },
      int: { collateralDeltaAmount: p.collateralDeltaAmount, pendingPriceImpactUsd: 0n },
      bool: { isLong: p.isLong },
      bytes32: { orderKey: keccak256(p.key), positionKey: p.key },
    },
  };
}

/** PositionDecrease's items as emitPositionDecrease sets them (collateralDeltaAmount a uint item). */
function positionDecrease(p: PositionArgs): EmitterLog {
  return {
    name: 'PositionDecrease',
    topic1: pad32(p.account),
    items: {
      address: { account: p.account, market: p.market, collateralToken: p.collateralToken },
      uint: {
        sizeInUsd: p.sizeInUsd,
        sizeInTokens: p.sizeInTokens,
        collateralAmount: p.collateralAmount,
        executionPrice: p.executionPrice,
        'collateralTokenPrice.min': p.collateralPrice,
        sizeDeltaUsd: p.sizeDeltaUsd,
        collateralDeltaAmount: p.collateralDeltaAmount,
        orderType: p.orderType,
      },
      int: { basePnlUsd: p.basePnlUsd ?? 0n },
      bool: { isLong: p.isLong },
      bytes32: { orderKey: keccak256(p.key), positionKey: p.key },
    },
  };
}

const setUint = (key: Hex, data: Hex, value: bigint): EmitterLog => ({ name: 'SetUint', topic1: key, items: { bytes32: { baseKey: key }, bytes: { data }, uint: { value } } });

describe('the manifest and the mapping name the right event hashes', () => {
  test('topic1 filters are keccak256 of the event names, base keys keccak256(abi.encode(name))', () => {
    const manifest = readFileSync(join(SUBGRAPHS, 'gmx-v2/subgraph.yaml'), 'utf8');
    const filters = [...manifest.matchAll(/"(0x[0-9a-f]{64})" # (\w+)/g)];
    expect(filters.map((f) => f[2])).toEqual(['MarketCreated', 'PoolAmountUpdated', 'OpenInterestUpdated', 'OpenInterestInTokensUpdated', 'PositionIncrease', 'PositionDecrease', 'OraclePriceUpdate', 'SetUint']);
    for (const [, hash, name] of filters) expect([name, hash]).toEqual([name, keccak256(toHex(name))]);
    const mapping = readFileSync(join(SUBGRAPHS, 'gmx-v2/src/event-emitter.ts'), 'utf8');
    for (const name of ['RESERVE_FACTOR', 'MAX_PNL_FACTOR', 'MAX_PNL_FACTOR_FOR_TRADERS']) {
      expect(mapping).toContain(`const ${name} = '${baseKey(name)}'`);
    }
  });
});

describe('gmx-v2 on arbitrum-one, hand-encoded EventLogData', () => {
  const KA = keccak256(toHex('alice long ETH'));
  const KB = keccak256(toHex('bob short ETH'));
  let d: Deployment;
  beforeAll(() => {
    d = deploy('arbitrum-one', 'arbitrum');
  });
  afterAll(() => d.close());

  test('block 1: a market, its pool, prices, a long and a short', () => {
    d.processBlock(
      makeBlock('arbitrum-one', 200_000_000, T0, [
        marketCreated(MARKET, WETH, WETH, USDC),
        oraclePrice(WETH, price(3000n, 18), price(3002n, 18)),
        oraclePrice(USDC, price(1n, 6), price(1n, 6)),
        poolAmount(MARKET, WETH, 1000n * E18, 1000n * E18),
        poolAmount(MARKET, USDC, 2_000_000n * E6, 2_000_000n * E6),
        // Alice: long 48,000 USD of ETH (16 ETH, entry 3,000) on 10,000 USDC.
        positionIncrease({ key: KA, account: ALICE, market: MARKET, collateralToken: USDC, isLong: true, orderType: 2n, sizeInUsd: 48_000n * E30, sizeInTokens: 16n * E18, collateralAmount: 10_000n * E6, sizeDeltaUsd: 48_000n * E30, collateralDeltaAmount: 10_000n * E6, executionPrice: price(3000n, 18), collateralPrice: price(1n, 6) }),
        openInterest('OpenInterestUpdated', MARKET, USDC, true, 48_000n * E30, 48_000n * E30),
        openInterest('OpenInterestInTokensUpdated', MARKET, USDC, true, 16n * E18, 16n * E18),
        // Bob: short 30,000 USD (10 ETH) on 5,000 USDC.
        positionIncrease({ key: KB, account: BOB, market: MARKET, collateralToken: USDC, isLong: false, orderType: 2n, sizeInUsd: 30_000n * E30, sizeInTokens: 10n * E18, collateralAmount: 5000n * E6, sizeDeltaUsd: 30_000n * E30, collateralDeltaAmount: 5000n * E6, executionPrice: price(3000n, 18), collateralPrice: price(1n, 6) }),
        openInterest('OpenInterestUpdated', MARKET, USDC, false, 30_000n * E30, 30_000n * E30),
        // A PoolAmountUpdated without nextValue is not the shape the mapping reads: skipped, not a failure.
        { name: 'PoolAmountUpdated', topic1: pad32(MARKET), items: { address: { market: MARKET, token: WETH }, int: { delta: 1n } } },
      ]),
    );
    expect(d.failure()).toBeNull();
    // Pool: 1,000 WETH x 3,000e12 / 1e30 = 3,000,000 (min price) + 2,000,000 USDC x 1e24 / 1e30 = 5,000,000.
    expect(entity(d, 'Protocol', 'gmx-v2')).toMatchObject({
      network: 'arbitrum-one',
      type: 'PERPETUAL',
      collateralModel: 'MARKET_POOL',
      status: 'LIVE',
      statusSource: expect.stringContaining('gmx-io/gmx-synthetics deployments'),
      contract: EMITTER['arbitrum-one'],
      totalValueLockedUSD: '5000000',
      priced: true,
      longOpenInterestUSD: '48000',
      shortOpenInterestUSD: '30000',
      totalOpenInterestUSD: '78000',
      marketCount: 1,
      openPositionCount: 2,
      cumulativePositionCount: 2,
      cumulativeUniqueUsers: 2,
    });
    expect(entity(d, 'Market', MARKET)).toMatchObject({
      name: 'WETH/USD [WETH-USDC]',
      indexToken: WETH,
      inputTokens: [WETH, USDC],
      totalValueLockedUSD: '5000000',
      priced: true,
      longOpenInterestUSD: '48000',
      shortOpenInterestUSD: '30000',
      openPositionCount: 2,
      longPositionCount: 1,
      shortPositionCount: 1,
      reserveFactorLong: '0.95',
      reserveFactorShort: '0.95',
      reserveFactorSource: 'DEFAULT',
      maxPnlFactorLong: '0.9',
      maxPnlFactorSource: 'DEFAULT',
    });
    expect(entity(d, 'CollateralBalance', MARKET + WETH.slice(2))).toMatchObject({ market: MARKET, token: WETH, amount: (1000n * E18).toString(), amountUSD: '3000000', priced: true });
    expect(entity(d, 'MarketOpenInterest', MARKET + USDC.slice(2) + '01')).toMatchObject({ side: 'LONG', openInterest: (48_000n * E30).toString(), openInterestUSD: '48000', openInterestInTokens: (16n * E18).toString() });
    // Mid price: (3,000 + 3,002) / 2 = 3,001 per WETH.
    expect(entity(d, 'Token', WETH)).toMatchObject({ symbol: 'WETH', decimals: 18, lastPriceUSD: '3001', lastPriceSource: 'ORACLE_EVENT' });
    expect(entity(d, 'OraclePrice', WETH)).toMatchObject({ minPrice: price(3000n, 18).toString(), maxPrice: price(3002n, 18).toString(), collateralBalanceIds: [MARKET + WETH.slice(2)] });
    // Entry = 48,000 / 16 = 3,000; collateral 10,000 USDC x 1.00.
    expect(entity(d, 'Position', KA)).toMatchObject({ side: 'LONG', market: MARKET, account: ALICE, collateralToken: USDC, indexToken: WETH, sizeUSD: '48000', collateralUSD: '10000', entryPriceUSD: '3000', isOpen: true, indexedFromOpen: true });
    expect(entity(d, 'Position', KB)).toMatchObject({ side: 'SHORT', sizeUSD: '30000', collateralUSD: '5000', isOpen: true });
    // Snapshots (T0 is UTC hour 472222, day 19675): the figures as they stand at the block's end.
    expect(entity(d, 'ProtocolHourlySnapshot', 'gmx-v2-472222')).toMatchObject({ protocol: 'gmx-v2', hour: 472222, totalValueLockedUSD: '5000000', totalOpenInterestUSD: '78000', openPositionCount: 2, blockNumber: '200000000' });
    expect(entity(d, 'MarketDailySnapshot', `${MARKET}-19675`)).toMatchObject({ market: MARKET, protocol: 'gmx-v2', day: 19675, totalValueLockedUSD: '5000000', longOpenInterestUSD: '48000' });
  });

  test('block 2: ETH falls, Alice is liquidated, thresholds set by Config', () => {
    const reserveData = encodeAbiParameters([{ type: 'address' }, { type: 'bool' }], [MARKET, true]);
    const pnlData = encodeAbiParameters([{ type: 'bytes32' }, { type: 'address' }, { type: 'bool' }], [baseKey('MAX_PNL_FACTOR_FOR_TRADERS'), MARKET, false]);
    const otherPnlData = encodeAbiParameters([{ type: 'bytes32' }, { type: 'address' }, { type: 'bool' }], [baseKey('MAX_PNL_FACTOR_FOR_ADL'), MARKET, true]);
    d.processBlock(
      makeBlock('arbitrum-one', 200_000_100, T0 + 3600n, [
        oraclePrice(WETH, price(2000n, 18), price(2000n, 18)),
        // Liquidation (orderType 7): the whole size, 16 x (2,000 - 3,000) = -16,000 of PnL.
        positionDecrease({ key: KA, account: ALICE, market: MARKET, collateralToken: USDC, isLong: true, orderType: 7n, sizeInUsd: 0n, sizeInTokens: 0n, collateralAmount: 0n, sizeDeltaUsd: 48_000n * E30, collateralDeltaAmount: 10_000n * E6, executionPrice: price(2000n, 18), collateralPrice: price(1n, 6), basePnlUsd: -16_000n * E30 }),
        openInterest('OpenInterestUpdated', MARKET, USDC, true, -48_000n * E30, 0n),
        poolAmount(MARKET, USDC, 10_000n * E6, 2_010_000n * E6),
        setUint(baseKey('RESERVE_FACTOR'), reserveData, 8n * 10n ** 29n),
        setUint(baseKey('MAX_PNL_FACTOR'), pnlData, 6n * 10n ** 29n),
        // Another pnl factor type (ADL): not the traders' cap, left alone.
        setUint(baseKey('MAX_PNL_FACTOR'), otherPnlData, 1n * 10n ** 29n),
      ]),
    );
    expect(d.failure()).toBeNull();
    // Pool: 1,000 WETH x 2,000 = 2,000,000 + 2,010,000 USDC = 4,010,000; open interest: Bob's 30,000.
    expect(entity(d, 'Market', MARKET)).toMatchObject({
      totalValueLockedUSD: '4010000',
      longOpenInterestUSD: '0',
      shortOpenInterestUSD: '30000',
      openPositionCount: 1,
      longPositionCount: 0,
      cumulativeLiquidationCount: 1,
      reserveFactorLong: '0.8',
      reserveFactorShort: '0.95',
      reserveFactorSource: 'EVENT_LONG',
      maxPnlFactorLong: '0.9',
      maxPnlFactorShort: '0.6',
      maxPnlFactorSource: 'EVENT_SHORT',
    });
    expect(entity(d, 'Protocol', 'gmx-v2')).toMatchObject({ totalValueLockedUSD: '4010000', longOpenInterestUSD: '0', totalOpenInterestUSD: '30000', openPositionCount: 1, cumulativeLiquidationCount: 1 });
    expect(entity(d, 'Position', KA)).toMatchObject({ isOpen: false, liquidated: true, sizeUSD: '0', realisedPnlUSD: '-16000', closedBlockNumber: '200000100' });
    // Loss 16,000 against 10,000 of collateral: 6,000 beyond it.
    const liquidationId = '0x' + (200_000_100 * 1000 + 1).toString(16).padStart(64, '0') + '01000000'; // tx hash + logIndex 1 (graph-ts concatI32: little-endian)
    expect(entity(d, 'Liquidation', liquidationId)).toMatchObject({ side: 'LONG', account: ALICE, position: KA, sizeUSD: '48000', collateralUSD: '10000', realisedLossUSD: '16000', shortfallUSD: '6000', priceUSD: '2000' });
    expect(entity(d, 'Account', ALICE)).toMatchObject({ openPositionCount: 0, closedPositionCount: 1, liquidationCount: 1 });
    // The next hour's snapshot; the day's is rewritten with the latest figures.
    expect(entity(d, 'ProtocolHourlySnapshot', 'gmx-v2-472223')).toMatchObject({ hour: 472223, totalValueLockedUSD: '4010000', cumulativeLiquidationCount: 1 });
    expect(entity(d, 'ProtocolHourlySnapshot', 'gmx-v2-472222')).toMatchObject({ totalValueLockedUSD: '5000000' });
    expect(entity(d, 'ProtocolDailySnapshot', 'gmx-v2-19675')).toMatchObject({ day: 19675, totalValueLockedUSD: '4010000', totalOpenInterestUSD: '30000', blockNumber: '200000100' });
  });

  test('a pool token without a price is left out and named', () => {
    d.processBlock(makeBlock('arbitrum-one', 200_000_200, T0 + 7200n, [poolAmount(MARKET, UNKNOWN_TOKEN, 5n * E18, 5n * E18)]));
    expect(d.failure()).toBeNull();
    expect(entity(d, 'Market', MARKET)).toMatchObject({ totalValueLockedUSD: '4010000', priced: false, inputTokens: [WETH, USDC, UNKNOWN_TOKEN] });
    expect(entity(d, 'Protocol', 'gmx-v2')).toMatchObject({ totalValueLockedUSD: '4010000', priced: false, unpricedTokens: [UNKNOWN_TOKEN] });
    // Its first OraclePriceUpdate prices it without decimals: 5e18 units x 2e12 / 1e30 = 10 USD.
    d.processBlock(makeBlock('arbitrum-one', 200_000_201, T0 + 7201n, [oraclePrice(UNKNOWN_TOKEN, 2n * 10n ** 12n, 2n * 10n ** 12n)]));
    expect(entity(d, 'Market', MARKET)).toMatchObject({ totalValueLockedUSD: '4010010', priced: true });
    expect(entity(d, 'Protocol', 'gmx-v2')).toMatchObject({ totalValueLockedUSD: '4010010', priced: true, unpricedTokens: [] });
    const unknown = entity(d, 'Token', UNKNOWN_TOKEN);
    expect([unknown.decimals ?? null, unknown.lastPriceUSD ?? null]).toEqual([null, null]);
  });
});

describe('gmx-v2 on avalanche', () => {
  test('the Avalanche EventEmitter, its tokens', () => {
    const d = deploy('avalanche', 'avalanche');
    try {
      const market = '0x2000000000000000000000000000000000000002';
      d.processBlock(
        makeBlock('avalanche', 40_000_000, T0, [
          marketCreated(market, WAVAX, WAVAX, USDC_AVAX),
          oraclePrice(WAVAX, price(40n, 18), price(40n, 18)),
          poolAmount(market, WAVAX, 1000n * E18, 1000n * E18),
          // USDC has no oracle price yet: counted at 1.00 (a stablecoin in the token table).
          poolAmount(market, USDC_AVAX, 30_000n * E6, 30_000n * E6),
        ]),
      );
      expect(d.failure()).toBeNull();
      expect(entity(d, 'Protocol', 'gmx-v2')).toMatchObject({ network: 'avalanche', contract: EMITTER.avalanche, totalValueLockedUSD: '70000', priced: true });
      expect(entity(d, 'Market', market)).toMatchObject({ name: 'WAVAX/USD [WAVAX-USDC]', totalValueLockedUSD: '70000' });
    } finally {
      d.close();
    }
  });
});

const HAVE_REAL_LOGS = existsSync(join(REAL_LOGS, 'gmx-v2.arbitrum-one.logs.ndjson'));
if (!HAVE_REAL_LOGS) {
  console.warn(`test/subgraph/gmx-v2.test.ts: real-log replay SKIPPED because ${REAL_LOGS} does not exist (../shared sits beside the repository, not in it).`);
}
const describeReal = HAVE_REAL_LOGS ? describe : describe.skip;

describeReal('gmx-v2 replaying the real Arbitrum One EventEmitter logs (blocks without parent hashes)', () => {
  const logsPath = join(REAL_LOGS, 'gmx-v2.arbitrum-one.logs.ndjson');
  const blocksPath = join(REAL_LOGS, 'gmx-v2.arbitrum-one.blocks.ndjson');
  const BTC_MARKET = '0x47c031236e19d024b42f8ae6780e44a573170703';
  const APE_MARKET = '0xdab21c4d1f569486334c93685da2b3f9b0a078e8';
  const BTC = '0x47904963fc8b2340414262125af798b9655e58cd';
  const WBTC = '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f';
  const APE = '0x7f9fbf9bdd3f4105c478b996b648fe6e828a1e98';
  const OPEN_KEY = '0xd3af62981cb9ea86832d222984e12476aab36e0d220414dd12b60b99af4cafc6';
  const CLOSE_KEY = '0xca7da4d9e5ec98d6f80019daeb5ac4aba01f32ab3d5f7809b61620502e59ae4a';

  test('without --unlinked-blocks the file is refused, with a remedy', async () => {
    const refused = readBlockHeaders(blocksPath);
    await expect(refused).rejects.toBeInstanceOf(IngestError);
    await expect(refused).rejects.toMatchObject({ code: 'MISSING_FIELD', line: 1 });
    await expect(refused).rejects.toThrow(/"parentHash" is null.*--unlinked-blocks/);
  });

  test('the open and the close, every value the mapping reads as the README states it', async () => {
    const headers = await readBlockHeaders(blocksPath, { unlinked: true });
    expect(headers.map((h) => [h.number, h.parentHash])).toEqual([
      [487783565n, null],
      [487783779n, null],
    ]);
    const d = deploy('arbitrum-one', 'real');
    try {
      for (const block of groupLogsByBlock(headers, await readLogs(logsPath))) d.processBlock(block);
      expect(d.failure()).toBeNull();
      // The store keeps no parent hash for either block.
      expect(d.store.block(487783565)).toMatchObject({ hash: '0x3fd85b01351962592e681b72eedf07f5330145f4543ca8daf6081651a568b462', parentHash: null, timestamp: 1785037408 });
      expect(d.store.block(487783779)?.parentHash).toBeNull();

      // OraclePriceUpdate (logIndex 7, 9; 2 and 3 of the close): per-unit prices as emitted; USD per token = price x 10^decimals / 1e30.
      expect(entity(d, 'OraclePrice', BTC)).toMatchObject({ minPrice: '644922763288919750000000000', maxPrice: '644922763288919750000000000', oracleTimestamp: '1785037406', provider: '0xe1d5a068c5b75e0c7ea1a9fe8ea056f9356c6ffd' });
      expect(entity(d, 'Token', BTC)).toMatchObject({ symbol: 'BTC', lastPriceUSD: '64492.276328891975', lastPriceSource: 'ORACLE_EVENT' });
      expect(entity(d, 'Token', WBTC)).toMatchObject({ lastPriceUSD: '64492.276328891975' });
      // USDC's last price is the close's 0.9999421472579141; APE's the mid of 0.144174354969 and 0.144294294076.
      expect(entity(d, 'Token', USDC)).toMatchObject({ lastPriceUSD: '0.9999421472579141', lastPriceBlockNumber: '487783779' });
      expect(entity(d, 'OraclePrice', APE)).toMatchObject({ minPrice: '144174354969', maxPrice: '144294294076' });
      expect(entity(d, 'Token', APE)).toMatchObject({ symbol: 'APE', lastPriceUSD: '0.1442343245225' });

      // PoolAmountUpdated (logIndex 23): the BTC market's USDC pool is 21,556,499.614025 USDC,
      // valued at the close's USDC min price: 21556499614025 x 999942147257914100000000 / 1e30.
      expect(entity(d, 'CollateralBalance', BTC_MARKET + USDC.slice(2))).toMatchObject({ market: BTC_MARKET, amount: '21556499614025', amountUSD: '21555252.5114125550087766052525', priced: true });
      // The APE market's USDC pool after the close's three updates (logIndex 15, 17, 19): 45,840.379587 USDC.
      expect(entity(d, 'CollateralBalance', APE_MARKET + USDC.slice(2))).toMatchObject({ amount: '45840379587', amountUSD: '45837.7275953426335338394767' });

      // OpenInterestUpdated / InTokens (logIndex 25, 26; 24, 25 of the close): the new totals.
      expect(entity(d, 'MarketOpenInterest', BTC_MARKET + USDC.slice(2) + '01')).toMatchObject({ side: 'LONG', openInterest: '5829019756933992376202483993064218249', openInterestInTokens: '8397482340' });
      expect(entity(d, 'MarketOpenInterest', APE_MARKET + USDC.slice(2) + '00')).toMatchObject({ side: 'SHORT', openInterest: '7524323417155698753091949728199096', openInterestInTokens: '52467994057683374019106' });
      // 5829019.756933992376202483993064218249 at graph-node's 34 significant digits.
      expect(entity(d, 'Market', BTC_MARKET)).toMatchObject({
        name: BTC_MARKET,
        inputTokens: [USDC],
        longOpenInterestUSD: '5829019.756933992376202483993064218',
        shortOpenInterestUSD: '0',
        totalValueLockedUSD: '21555252.5114125550087766052525',
        openPositionCount: 1,
      });
      expect(entity(d, 'Market', APE_MARKET)).toMatchObject({ shortOpenInterestUSD: '7524.323417155698753091949728199096', totalValueLockedUSD: '45837.7275953426335338394767' });

      // PositionIncrease (logIndex 28): opened by this order (sizeInUsd = sizeDeltaUsd); collateral
      // 48.504227 USDC at 0.9999279030592026. The market predates the file, so its index token (and
      // so the entry price per token) is unknown.
      const open = entity(d, 'Position', OPEN_KEY);
      expect(open).toMatchObject({
        account: '0xa4c27e854167a0592b878383b75af7f4c0ae3907',
        market: BTC_MARKET,
        side: 'LONG',
        collateralToken: USDC,
        balance: '2422849139662046611501502650000000',
        sizeUSD: '2422.84913966204661150150265',
        collateralBalance: '48504227',
        collateralUSD: '48.5007299936175573493902',
        entryPriceUSD: '0',
        isOpen: true,
        indexedFromOpen: true,
        openedBlockNumber: '487783565',
      });
      expect(open.indexToken ?? null).toBeNull();
      // PositionDecrease (logIndex 28 of the close): a partial close (orderType 4, not a liquidation) of
      // a short first seen here; basePnlUsd -30.959795142829313431483660477368 realised.
      expect(entity(d, 'Position', CLOSE_KEY)).toMatchObject({
        account: '0xe8d8bb57edf69e4daf806ba60bf2658c81eb91db',
        market: APE_MARKET,
        side: 'SHORT',
        sizeUSD: '7174.580490102829313431484279673272',
        collateralBalance: '1755558778',
        collateralUSD: '1755.4572141107997282249698',
        realisedPnlUSD: '-30.959795142829313431483660477368',
        isOpen: true,
        indexedFromOpen: false,
        liquidated: false,
      });
      // Protocol: the two pools, the two markets' open interest.
      // 21555252.5114125550087766052525 + 45837.7275953426335338394767 = 21601090.2390078976423104447292.
      expect(entity(d, 'Protocol', 'gmx-v2')).toMatchObject({
        marketCount: 2,
        totalValueLockedUSD: '21601090.2390078976423104447292',
        longOpenInterestUSD: '5829019.756933992376202483993064218',
        shortOpenInterestUSD: '7524.323417155698753091949728199096',
        openPositionCount: 2,
        cumulativePositionCount: 2,
        cumulativeLiquidationCount: 0,
        priced: true,
      });
    } finally {
      d.close();
    }
  });

  test('indexFiles with unlinkedBlocks counts the blocks it could not link', async () => {
    const summary = await indexFiles({ manifestPath: manifestFor('arbitrum-one'), subgraph: 'gmx-v2', dataDir: join(dataDir, 'real-files'), logsPath, blocksPath, unlinkedBlocks: true });
    expect(summary).toMatchObject({ blocksIndexed: 2, unlinkedBlocks: 2, logsRead: 54, head: 487783779 });
    await expect(indexFiles({ manifestPath: manifestFor('arbitrum-one'), subgraph: 'gmx-v2', dataDir: join(dataDir, 'real-refused'), logsPath, blocksPath })).rejects.toMatchObject({ code: 'MISSING_FIELD' });
  });
});
