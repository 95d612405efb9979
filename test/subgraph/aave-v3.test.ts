/**
 * The Aave v3 subgraph (subgraph/aave-v3) built with graph-cli and run through svr's runtime:
 * Pool and PoolConfigurator logs encoded with viem at the real addresses, expected entities worked
 * out by hand below. Aave's ray math (WadRayMath, rounding half up):
 *   rayDiv(a, i) = (a x 10^27 + i / 2) / i      scaled = amount rayDiv index
 *   rayMul(s, i) = (s x i + 10^27 / 2) / 10^27  balance = scaled rayMul index
 * Then the real Aave v3 logs of ../shared/fixtures/real-logs, read where they lie.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeAbiParameters, encodeEventTopics, parseAbiItem, toEventSelector, type AbiEvent, type AbiParameter } from 'viem';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment } from '../../server/indexer/deployment';
import { groupLogsByBlock, readBlockHeaders, readLogs } from '../../server/ingest/ndjson';
import type { BlockWithLogs, Log } from '../../server/ingest/types';
import { aggregatorForToken } from '../../subgraph/common/chainlink-feeds';
import { entity, plain } from './entities';

const ROOT = resolve(__dirname, '../..');
const SUBGRAPHS = join(ROOT, 'subgraph');
const REAL_LOGS = resolve(ROOT, '../shared/fixtures/real-logs');

/**
 * Pools: ../shared/reference/protocols.md (mainnet, arbitrum-one) and bgd-labs/aave-address-book (the
 * others; each also the emitter the fixtures README names). PoolConfigurators: bgd-labs/aave-address-book
 * (subgraph/aave-v3/README.md).
 */
const POOL = {
  mainnet: '0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2',
  'arbitrum-one': '0x794a61358d6845594f94dc1db02a252b5b4814ad',
} as const;
const NEW_POOL = {
  base: '0xa238dd80c259a72e81d7e4664a9801593f98d1c5',
  matic: '0x794a61358d6845594f94dc1db02a252b5b4814ad',
  bsc: '0x6807dc923806fe8fd134338eabca509979a7e0cb',
  gnosis: '0xb50201558b00496a145fe76f7424749556e326d8',
  scroll: '0x11fcfe756c05ad438e312a7fd934381537d3cffe',
} as const;
const CONFIGURATOR = {
  mainnet: '0x64b761d848206f447fe2dd461b0c635ec39ebb27',
  'arbitrum-one': '0x8145edddf43f50276641b55bd3ad95944510021e',
} as const;
type Network = keyof typeof POOL;

// Reserves (subgraph/common/tokens.ts).
const WETH = '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2'; // mainnet, 18 decimals
const USDC = '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48'; // mainnet, 6, stablecoin
const USDC_ARB = '0xaf88d065e77c8cc2239327c5edb3a432268e5831'; // arbitrum-one, 6, stablecoin
const UNKNOWN = '0x1111111111111111111111111111111111111111'; // not in the token table
/** The ETH / USD aggregator on mainnet (subgraph/common/chainlink-feeds.ts). */
const WETH_USD_AGGREGATOR = '0xe62b71cf983019bff55bc83b48601ce8419650cc';

const ALICE = '0xa11ce00000000000000000000000000000000001';
const BOB = '0xb0b0000000000000000000000000000000000002';
const CAROL = '0xca40100000000000000000000000000000000003';
const LIQUIDATOR = '0x1100000000000000000000000000000000000004';

const RAY = 10n ** 27n;
const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
const E8 = 10n ** 8n;

const EVENTS = {
  Supply: parseAbiItem('event Supply(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint16 indexed referralCode)'),
  Withdraw: parseAbiItem('event Withdraw(address indexed reserve, address indexed user, address indexed to, uint256 amount)'),
  Borrow: parseAbiItem('event Borrow(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint8 interestRateMode, uint256 borrowRate, uint16 indexed referralCode)'),
  Repay: parseAbiItem('event Repay(address indexed reserve, address indexed user, address indexed repayer, uint256 amount, bool useATokens)'),
  LiquidationCall: parseAbiItem('event LiquidationCall(address indexed collateralAsset, address indexed debtAsset, address indexed user, uint256 debtToCover, uint256 liquidatedCollateralAmount, address liquidator, bool receiveAToken)'),
  ReserveDataUpdated: parseAbiItem('event ReserveDataUpdated(address indexed reserve, uint256 liquidityRate, uint256 stableBorrowRate, uint256 variableBorrowRate, uint256 liquidityIndex, uint256 variableBorrowIndex)'),
  ReserveUsedAsCollateralEnabled: parseAbiItem('event ReserveUsedAsCollateralEnabled(address indexed reserve, address indexed user)'),
  ReserveUsedAsCollateralDisabled: parseAbiItem('event ReserveUsedAsCollateralDisabled(address indexed reserve, address indexed user)'),
  CollateralConfigurationChanged: parseAbiItem('event CollateralConfigurationChanged(address indexed asset, uint256 ltv, uint256 liquidationThreshold, uint256 liquidationBonus)'),
  AnswerUpdated: parseAbiItem('event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)'),
  // Aave v3.3 (aave-dao/aave-v3-origin src/contracts/interfaces/IPool.sol).
  DeficitCreated: parseAbiItem('event DeficitCreated(address indexed user, address indexed debtAsset, uint256 amountCreated)'),
  DeficitCovered: parseAbiItem('event DeficitCovered(address indexed reserve, address caller, uint256 amountCovered)'),
} satisfies Record<string, AbiEvent>;
type EventName = keyof typeof EVENTS;

interface AaveLog {
  event: EventName;
  /** Logs with the same `tx` share a transaction hash (default: one transaction per log). */
  tx?: number;
  /** Named arguments. */
  args: Record<string, unknown>;
  /** Defaults: the Pool, the PoolConfigurator for CollateralConfigurationChanged. */
  address?: string;
}

const T0 = 1_700_000_000n; // 2023-11-14T22:13:20Z: UTC day 19675, hour 472222

function blockHash(n: number): string {
  return '0x' + n.toString(16).padStart(64, '0');
}

function makeBlock(network: Network, number: number, timestamp: bigint, logs: AaveLog[]): BlockWithLogs {
  return {
    header: { number: BigInt(number), hash: blockHash(number), parentHash: blockHash(number - 1), timestamp },
    logs: logs.map((l, logIndex): Log => {
      const abi: AbiEvent = EVENTS[l.event];
      const indexed = abi.inputs.filter((i) => i.indexed);
      const plainInputs = abi.inputs.filter((i) => !i.indexed);
      const topicArgs = Object.fromEntries(indexed.map((i) => [i.name!, l.args[i.name!]]));
      const topics = encodeEventTopics({ abi: [abi], eventName: abi.name, args: topicArgs } as never) as string[];
      const defaultAddress = l.event === 'CollateralConfigurationChanged' ? CONFIGURATOR[network] : POOL[network];
      return {
        address: (l.address ?? defaultAddress).toLowerCase(),
        topics,
        data: encodeAbiParameters(plainInputs as readonly AbiParameter[], plainInputs.map((i) => l.args[i.name!])),
        blockNumber: BigInt(number),
        blockHash: blockHash(number),
        transactionHash: '0x' + (number * 1000 + (l.tx ?? logIndex)).toString(16).padStart(64, '0'),
        transactionIndex: 0,
        logIndex,
        removed: false,
      };
    }),
  };
}

const rdu = (reserve: string, liquidityIndex: bigint, variableBorrowIndex: bigint): AaveLog => ({
  event: 'ReserveDataUpdated',
  args: { reserve, liquidityRate: 3n * 10n ** 25n, stableBorrowRate: 0n, variableBorrowRate: 5n * 10n ** 25n, liquidityIndex, variableBorrowIndex },
});

const balanceId = (reserve: string, account: string) => reserve + account.slice(2);

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'svr-aave-v3-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const manifests = new Map<string, string>();
function manifestFor(network: string): string {
  let m = manifests.get(network);
  if (!m) {
    m = buildSubgraph({ subgraphDir: join(SUBGRAPHS, 'aave-v3'), network, sourceRoot: SUBGRAPHS });
    manifests.set(network, m);
  }
  return m;
}

function deploy(network: Network, name: string, manifestPath = manifestFor(network)): Deployment {
  return new Deployment({ manifestPath, subgraph: 'aave-v3', dataDir: join(dataDir, name) });
}

describe('aave-v3 on mainnet: balances from the indexes, collateral, configuration', () => {
  let d: Deployment;
  beforeAll(() => {
    d = deploy('mainnet', 'mainnet');
  });
  afterAll(() => d.close());

  test('block 1: configuration, supply with collateral, an unpriced reserve, a borrow', () => {
    d.processBlock(
      makeBlock('mainnet', 18000000, T0, [
        { event: 'CollateralConfigurationChanged', args: { asset: WETH, ltv: 8000n, liquidationThreshold: 8250n, liquidationBonus: 10500n } },
        rdu(USDC, RAY, RAY),
        { event: 'ReserveUsedAsCollateralEnabled', args: { reserve: USDC, user: ALICE } },
        // Alice supplies 10,000 USDC: scaled = 10,000e6 rayDiv 1 ray = 10,000e6.
        { event: 'Supply', args: { reserve: USDC, user: ALICE, onBehalfOf: ALICE, amount: 10_000n * E6, referralCode: 0 } },
        // Bob supplies 5 units of a token the mapping does not know, as collateral.
        rdu(UNKNOWN, RAY, RAY),
        { event: 'ReserveUsedAsCollateralEnabled', args: { reserve: UNKNOWN, user: BOB } },
        { event: 'Supply', args: { reserve: UNKNOWN, user: BOB, onBehalfOf: BOB, amount: 5n * E18, referralCode: 0 } },
        // Bob borrows 4,000 USDC at the variable rate: scaled debt 4,000e6.
        { event: 'Borrow', args: { reserve: USDC, user: BOB, onBehalfOf: BOB, amount: 4000n * E6, interestRateMode: 2, borrowRate: 5n * 10n ** 25n, referralCode: 0 } },
      ]),
    );
    expect(d.failure()).toBeNull();
    // ltv 8000 bp = 80%, threshold 8250 = 82.5%, bonus 10500 = 5% above 100%.
    expect(entity(d, 'Market', WETH)).toMatchObject({ name: 'WETH', maximumLTV: '80', liquidationThreshold: '82.5', liquidationPenalty: '5', canUseAsCollateral: true });
    // Collateral: USDC 10,000 x 1.00 (stablecoin default); the unknown token is left out and named.
    // Deposits 10,000; debt 4,000.
    expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({
      network: 'mainnet',
      type: 'LENDING',
      contract: POOL.mainnet,
      totalValueLockedUSD: '10000',
      totalDepositBalanceUSD: '10000',
      totalBorrowBalanceUSD: '4000',
      priced: false,
      unpricedTokens: [UNKNOWN],
      marketCount: 3,
      openPositionCount: 3, // Alice's supply, Bob's supply, Bob's debt
      cumulativeUniqueUsers: 2,
    });
    expect(entity(d, 'Token', USDC)).toMatchObject({ symbol: 'USDC', decimals: 6, lastPriceUSD: '1', lastPriceSource: 'STABLECOIN_DEFAULT' });
    expect(entity(d, 'CollateralBalance', UNKNOWN)).toMatchObject({ amount: (5n * E18).toString(), amountUSD: '0', priced: false });
    expect(entity(d, 'LendingBalance', balanceId(USDC, ALICE))).toMatchObject({ scaledSupply: '10000000000', supplyBalance: '10000000000', usedAsCollateral: true });
    expect(entity(d, 'LendingBalance', balanceId(USDC, BOB))).toMatchObject({ scaledVariableDebt: '4000000000', debtBalance: '4000000000', usedAsCollateral: false });
  });

  test('block 2: the indexes grow; repay and withdraw at the new indexes; rounding half up', () => {
    d.processBlock(
      makeBlock('mainnet', 18000001, T0 + 3600n, [
        // liquidityIndex 1.05, variableBorrowIndex 1.1.
        rdu(USDC, 105n * 10n ** 25n, 110n * 10n ** 25n),
        // Bob repays 1,100: scaled debt -= 1,100e6 / 1.1 = 1,000e6 -> 3,000e6 -> 3,300 USDC.
        { event: 'Repay', args: { reserve: USDC, user: BOB, repayer: BOB, amount: 1100n * E6, useATokens: false } },
        // Alice withdraws 2,100: scaled -= 2,100e6 / 1.05 = 2,000e6 -> 8,000e6 -> 8,400 USDC.
        { event: 'Withdraw', args: { reserve: USDC, user: ALICE, to: ALICE, amount: 2100n * E6 } },
        // Carol supplies 7 units (not as collateral): 7 / 1.05 = 6.67 -> rayDiv rounds half up to 7
        // ((7e27 + 0.525e27) / 1.05e27 = 7.17 -> 7; truncating would give 6).
        { event: 'Supply', args: { reserve: USDC, user: CAROL, onBehalfOf: CAROL, amount: 7n, referralCode: 0 } },
      ]),
    );
    expect(d.failure()).toBeNull();
    expect(entity(d, 'LendingReserve', USDC)).toMatchObject({
      liquidityIndex: (105n * 10n ** 25n).toString(),
      variableBorrowIndex: (110n * 10n ** 25n).toString(),
      scaledTotalSupply: (8000n * E6 + 7n).toString(),
      scaledTotalCollateral: (8000n * E6).toString(),
      scaledTotalVariableDebt: (3000n * E6).toString(),
    });
    expect(entity(d, 'LendingBalance', balanceId(USDC, CAROL))).toMatchObject({ scaledSupply: '7', supplyBalance: '7' }); // 7 x 1.05 = 7.35 -> 7
    expect(entity(d, 'LendingBalance', balanceId(USDC, ALICE))).toMatchObject({ scaledSupply: '8000000000', supplyBalance: '8400000000' });
    expect(entity(d, 'LendingBalance', balanceId(USDC, BOB))).toMatchObject({ scaledVariableDebt: '3000000000', debtBalance: '3300000000' });
    // Deposits: (8,000e6 + 7) x 1.05 = 8,400,000,007.35 -> 8,400,000,007 = 8,400.000007 USDC.
    expect(entity(d, 'Market', USDC)).toMatchObject({ totalDepositBalance: '8400000007', totalBorrowBalance: '3300000000', totalDepositBalanceUSD: '8400.000007', totalBorrowBalanceUSD: '3300', totalValueLockedUSD: '8400' });
    expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ totalValueLockedUSD: '8400', totalDepositBalanceUSD: '8400.000007', totalBorrowBalanceUSD: '3300', openPositionCount: 4 });
  });

  test('block 3 (next day): collateral disabled and enabled again, debt repaid in full with aTokens', () => {
    d.processBlock(
      makeBlock('mainnet', 18000002, T0 + 86400n, [
        { event: 'ReserveUsedAsCollateralDisabled', args: { reserve: USDC, user: ALICE } },
      ]),
    );
    expect(d.failure()).toBeNull();
    // Alice's 8,400 USDC is no longer collateral; the deposits stay.
    expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ totalValueLockedUSD: '0', totalDepositBalanceUSD: '8400.000007' });
    expect(entity(d, 'LendingBalance', balanceId(USDC, ALICE))).toMatchObject({ usedAsCollateral: false });

    d.processBlock(
      makeBlock('mainnet', 18000003, T0 + 86500n, [
        { event: 'ReserveUsedAsCollateralEnabled', args: { reserve: USDC, user: ALICE } },
        // Bob supplies 3,300 USDC and repays his 3,300 with the aTokens: supply +3,300 / 1.05
        // = 3,142.857142857 -> 3,142,857,143 scaled, then -3,142,857,143; debt 3,300 / 1.1 = 3,000e6 -> 0.
        { event: 'Supply', args: { reserve: USDC, user: BOB, onBehalfOf: BOB, amount: 3300n * E6, referralCode: 0 } },
        { event: 'Repay', args: { reserve: USDC, user: BOB, repayer: BOB, amount: 3300n * E6, useATokens: true } },
      ]),
    );
    expect(d.failure()).toBeNull();
    expect(entity(d, 'LendingBalance', balanceId(USDC, BOB))).toMatchObject({ scaledSupply: '0', scaledVariableDebt: '0', debtBalance: '0' });
    expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ totalValueLockedUSD: '8400', totalBorrowBalanceUSD: '0', openPositionCount: 3 });
    expect(entity(d, 'Account', BOB)).toMatchObject({ openPositionCount: 1, closedPositionCount: 2, cumulativePositionCount: 3 });
    expect(entity(d, 'ProtocolDailySnapshot', 'aave-v3-19676')).toMatchObject({ totalValueLockedUSD: '8400', totalBorrowBalanceUSD: '0' });
    expect(entity(d, 'ProtocolDailySnapshot', 'aave-v3-19675')).toMatchObject({ totalValueLockedUSD: '8400', totalBorrowBalanceUSD: '3300' });
  });
});

describe('aave-v3 with a Chainlink feed: price updates and a liquidation', () => {
  // WETH's aggregator on mainnet, from subgraph/common/chainlink-feeds.ts (cited there).
  let d: Deployment;
  beforeAll(() => {
    expect(aggregatorForToken('mainnet', WETH)).toBe(WETH_USD_AGGREGATOR);
    d = deploy('mainnet', 'feed');
  });
  afterAll(() => d.close());

  test('WETH unpriced until the feed reports, then valued at each answer; a liquidation', () => {
    d.processBlock(
      makeBlock('mainnet', 18100000, T0, [
        rdu(WETH, RAY, RAY),
        rdu(USDC, RAY, RAY),
        { event: 'ReserveUsedAsCollateralEnabled', args: { reserve: WETH, user: BOB } },
        { event: 'Supply', args: { reserve: WETH, user: BOB, onBehalfOf: BOB, amount: 10n * E18, referralCode: 0 } },
        { event: 'Borrow', args: { reserve: USDC, user: BOB, onBehalfOf: BOB, amount: 15_000n * E6, interestRateMode: 2, borrowRate: 5n * 10n ** 25n, referralCode: 0 } },
      ]),
    );
    expect(d.failure()).toBeNull();
    expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ totalValueLockedUSD: '0', totalBorrowBalanceUSD: '15000', priced: false, unpricedTokens: [WETH] });

    d.processBlock(
      makeBlock('mainnet', 18100001, T0 + 60n, [
        { event: 'AnswerUpdated', args: { current: 2000n * E8, roundId: 1n, updatedAt: T0 + 60n }, address: WETH_USD_AGGREGATOR },
      ]),
    );
    expect(d.failure()).toBeNull();
    // 2,000e8 / 10^8 = 2,000 USD; 10 WETH x 2,000 = 20,000.
    expect(entity(d, 'Token', WETH)).toMatchObject({ lastPriceUSD: '2000', lastPriceSource: 'CHAINLINK', lastPriceBlockNumber: '18100001' });
    expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ totalValueLockedUSD: '20000', totalDepositBalanceUSD: '20000', totalBorrowBalanceUSD: '15000', priced: true, unpricedTokens: [] });

    d.processBlock(
      makeBlock('mainnet', 18100002, T0 + 120n, [
        { event: 'AnswerUpdated', args: { current: 1700n * E8, roundId: 2n, updatedAt: T0 + 120n }, address: WETH_USD_AGGREGATOR },
        // Health factor 10 x 1,700 x 0.825 / 15,000 = 0.935 < 1. Half the debt is repaid, 4.5 WETH seized.
        { event: 'LiquidationCall', args: { collateralAsset: WETH, debtAsset: USDC, user: BOB, debtToCover: 7500n * E6, liquidatedCollateralAmount: 45n * 10n ** 17n, liquidator: LIQUIDATOR, receiveAToken: false } },
      ]),
    );
    expect(d.failure()).toBeNull();
    // Bob: 5.5 WETH x 1,700 = 9,350 collateral; debt 15,000 - 7,500 = 7,500.
    expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ totalValueLockedUSD: '9350', totalBorrowBalanceUSD: '7500', cumulativeLiquidationCount: 1, priced: true });
    expect(entity(d, 'LendingBalance', balanceId(WETH, BOB))).toMatchObject({ scaledSupply: (55n * 10n ** 17n).toString() });
    const liquidations = d.store.list('Liquidation').map((l) => Object.fromEntries([...l].map(([k, v]) => [k, plain(v)])));
    expect(liquidations).toHaveLength(1);
    // Debt 7,500 x 1.00; collateral 4.5 x 1,700 = 7,650.
    expect(liquidations[0]).toMatchObject({
      market: USDC,
      account: BOB,
      liquidator: LIQUIDATOR,
      side: 'BORROWER',
      sizeUSD: '7500',
      collateralUSD: '7650',
      priced: true,
      collateralToken: WETH,
      collateralAmount: (45n * 10n ** 17n).toString(),
      debtAmount: (7500n * E6).toString(),
    });
    expect(entity(d, 'Account', BOB)).toMatchObject({ liquidationCount: 1 });
  });
});

describe('aave-v3.3 bad debt: DeficitCreated and DeficitCovered', () => {
  const UMBRELLA = '0x0b1e000000000000000000000000000000000005';
  let d: Deployment;
  beforeAll(() => {
    d = deploy('mainnet', 'deficit');
  });
  afterAll(() => d.close());

  test('a liquidation that takes all the collateral books the rest of the debt as the reserve deficit', () => {
    d.processBlock(
      makeBlock('mainnet', 18200000, T0, [
        rdu(WETH, RAY, RAY),
        rdu(USDC, RAY, RAY),
        { event: 'ReserveUsedAsCollateralEnabled', args: { reserve: WETH, user: BOB } },
        { event: 'Supply', args: { reserve: WETH, user: BOB, onBehalfOf: BOB, amount: E18, referralCode: 0 } },
        // Alice lends the USDC Bob borrows.
        { event: 'Supply', args: { reserve: USDC, user: ALICE, onBehalfOf: ALICE, amount: 5000n * E6, referralCode: 0 } },
        { event: 'Borrow', args: { reserve: USDC, user: BOB, onBehalfOf: BOB, amount: 1000n * E6, interestRateMode: 2, borrowRate: 5n * 10n ** 25n, referralCode: 0 } },
      ]),
    );
    d.processBlock(
      makeBlock('mainnet', 18200001, T0 + 60n, [
        // One liquidationCall transaction, in the Pool's order (LiquidationLogic): all of Bob's WETH
        // goes to the liquidator for 800 USDC of his debt, now 1,000e6 scaled x 1.1 = 1,100 USDC;
        // the Pool burns all of it and books the other 300 as USDC's deficit (DeficitCreated before
        // the debt reserve's ReserveDataUpdated, which carries the index the 300 was computed at).
        { event: 'ReserveUsedAsCollateralDisabled', args: { reserve: WETH, user: BOB }, tx: 0 },
        { event: 'DeficitCreated', args: { user: BOB, debtAsset: USDC, amountCreated: 300n * E6 }, tx: 0 },
        { ...rdu(USDC, 105n * 10n ** 25n, 110n * 10n ** 25n), tx: 0 },
        { ...rdu(WETH, RAY, RAY), tx: 0 },
        { event: 'LiquidationCall', args: { collateralAsset: WETH, debtAsset: USDC, user: BOB, debtToCover: 800n * E6, liquidatedCollateralAmount: E18, liquidator: LIQUIDATOR, receiveAToken: false }, tx: 0 },
      ]),
    );
    expect(d.failure()).toBeNull();
    // Bob owes nothing: the whole 1,100 was burned, 800 repaid by the liquidator and 300 written off,
    // the LiquidationCall of the same transaction reducing it no further. 300 USD at USDC's 1.00.
    expect(entity(d, 'LendingBalance', balanceId(USDC, BOB))).toMatchObject({ scaledVariableDebt: '0', debtBalance: '0' });
    expect(entity(d, 'LendingBalance', balanceId(WETH, BOB))).toMatchObject({ scaledSupply: '0', usedAsCollateral: false });
    expect(entity(d, 'LendingReserve', USDC)).toMatchObject({ deficit: (300n * E6).toString(), deficitUSD: '300', scaledTotalVariableDebt: '0' });
    expect(entity(d, 'Market', USDC)).toMatchObject({ realisedBadDebtUSD: '300', totalBorrowBalanceUSD: '0' });
    expect(entity(d, 'Market', WETH)).toMatchObject({ realisedBadDebtUSD: '0' });
    expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ realisedBadDebtUSD: '300', totalBorrowBalanceUSD: '0', cumulativeLiquidationCount: 1 });
  });

  test('a LiquidationCall in another transaction than the deficit reduces the debt as usual', () => {
    // Alice borrows 110 USDC (100e6 scaled at 1.1); a LiquidationCall of 55 without a DeficitCreated
    // in its transaction takes 50e6 scaled off.
    d.processBlock(
      makeBlock('mainnet', 18200002, T0 + 90n, [
        { event: 'Borrow', args: { reserve: USDC, user: ALICE, onBehalfOf: ALICE, amount: 110n * E6, interestRateMode: 2, borrowRate: 5n * 10n ** 25n, referralCode: 0 } },
        { event: 'LiquidationCall', args: { collateralAsset: USDC, debtAsset: USDC, user: ALICE, debtToCover: 55n * E6, liquidatedCollateralAmount: 0n, liquidator: LIQUIDATOR, receiveAToken: false } },
      ]),
    );
    expect(d.failure()).toBeNull();
    expect(entity(d, 'LendingBalance', balanceId(USDC, ALICE))).toMatchObject({ scaledVariableDebt: (50n * E6).toString() });
    // Repaid in full again, so the next tests see no debt but Bob's written-off one.
    d.processBlock(makeBlock('mainnet', 18200003, T0 + 91n, [{ event: 'Repay', args: { reserve: USDC, user: ALICE, repayer: ALICE, amount: 55n * E6, useATokens: false } }]));
    expect(entity(d, 'LendingBalance', balanceId(USDC, ALICE))).toMatchObject({ scaledVariableDebt: '0' });
  });

  test('the Umbrella covers part of it with its aTokens; the deficit does not accrue interest', () => {
    d.processBlock(
      makeBlock('mainnet', 18200004, T0 + 120n, [
        // liquidityIndex 1.05: the Umbrella's 1,050 USDC is 1,000e6 scaled.
        rdu(USDC, 105n * 10n ** 25n, 120n * 10n ** 25n),
        { event: 'Supply', args: { reserve: USDC, user: UMBRELLA, onBehalfOf: UMBRELLA, amount: 1050n * E6, referralCode: 0 } },
        // 150 USDC of aTokens burned: 150e6 rayDiv 1.05 = 142,857,142.86 -> 142,857,143 scaled.
        { event: 'DeficitCovered', args: { reserve: USDC, caller: UMBRELLA, amountCovered: 150n * E6 } },
      ]),
    );
    expect(d.failure()).toBeNull();
    // 1,000,000,000 - 142,857,143 = 857,142,857 scaled; x 1.05 = 899,999,999.85 -> 900,000,000.
    expect(entity(d, 'LendingBalance', balanceId(USDC, UMBRELLA))).toMatchObject({ scaledSupply: '857142857', supplyBalance: '900000000' });
    // 300 - 150 = 150 USDC left, still 150 although the borrow index moved to 1.2.
    expect(entity(d, 'LendingReserve', USDC)).toMatchObject({ deficit: (150n * E6).toString(), deficitUSD: '150' });
    expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ realisedBadDebtUSD: '150' });
  });

  test('a deficit in a token without a price is left out of the USD figure and named', () => {
    d.processBlock(
      makeBlock('mainnet', 18200005, T0 + 180n, [
        rdu(UNKNOWN, RAY, RAY),
        { event: 'Borrow', args: { reserve: UNKNOWN, user: CAROL, onBehalfOf: CAROL, amount: 7n * E18, interestRateMode: 2, borrowRate: 0n, referralCode: 0 } },
        { event: 'DeficitCreated', args: { user: CAROL, debtAsset: UNKNOWN, amountCreated: 7n * E18 } },
      ]),
    );
    expect(d.failure()).toBeNull();
    expect(entity(d, 'LendingReserve', UNKNOWN)).toMatchObject({ deficit: (7n * E18).toString(), deficitUSD: '0', scaledTotalVariableDebt: '0' });
    expect(entity(d, 'Market', UNKNOWN)).toMatchObject({ priced: false, realisedBadDebtUSD: '0' });
    const protocol = entity(d, 'Protocol', 'aave-v3');
    expect(protocol).toMatchObject({ realisedBadDebtUSD: '150', priced: false });
    expect(protocol.unpricedTokens).toContain(UNKNOWN);
  });
});

describe('aave-v3 on arbitrum-one', () => {
  test('a second network: its own Pool, its own tokens; the mainnet Pool address is ignored', () => {
    const d = deploy('arbitrum-one', 'arbitrum');
    try {
      d.processBlock(
        makeBlock('arbitrum-one', 200000000, T0, [
          rdu(USDC_ARB, 102n * 10n ** 25n, RAY),
          { event: 'ReserveUsedAsCollateralEnabled', args: { reserve: USDC_ARB, user: ALICE } },
          // 510 / 1.02 = 500 scaled.
          { event: 'Supply', args: { reserve: USDC_ARB, user: ALICE, onBehalfOf: ALICE, amount: 510n * E6, referralCode: 0 } },
          { event: 'Supply', args: { reserve: USDC_ARB, user: BOB, onBehalfOf: BOB, amount: 999n * E6, referralCode: 0 }, address: POOL.mainnet },
        ]),
      );
      expect(d.failure()).toBeNull();
      expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ network: 'arbitrum-one', contract: POOL['arbitrum-one'], totalValueLockedUSD: '510', totalDepositBalanceUSD: '510', priced: true });
      expect(entity(d, 'LendingBalance', balanceId(USDC_ARB, ALICE))).toMatchObject({ scaledSupply: '500000000' });
      expect(d.store.getLatest('LendingBalance', balanceId(USDC_ARB, BOB))).toBeNull();
    } finally {
      d.close();
    }
  });

  test('topic0s computed from the signatures match protocols.md and the fixtures README', () => {
    expect(toEventSelector(EVENTS.LiquidationCall)).toBe('0xe413a321e8681d831f4dbccbca790d2952b56f977908e45be37335533e005286');
    expect(toEventSelector(EVENTS.Supply)).toBe('0x2b627736bca15cd5381dcf80b0bf11fd197d01a037c52b927a881a10fb73ba61');
    expect(toEventSelector(EVENTS.ReserveDataUpdated)).toBe('0x804c9b842b2748a22bb64b345453a3de7ca54a6ca45ce00d415894979e22897a');
    expect(toEventSelector(EVENTS.ReserveUsedAsCollateralDisabled)).toBe('0x44c58d81365b66dd4b1a7f36c25aa97b8c71c361ee4937adc1a00000227db5dd');
  });
});

const HAVE_REAL_LOGS = existsSync(join(REAL_LOGS, 'aave-v3.mainnet.logs.ndjson'));
if (!HAVE_REAL_LOGS) {
  console.warn(`test/subgraph/aave-v3.test.ts: real-log replay SKIPPED because ${REAL_LOGS} does not exist (../shared sits beside the repository, not in it).`);
}
const describeReal = HAVE_REAL_LOGS ? describe : describe.skip;

/** Replays one real-log file pair into a fresh deployment. */
async function replay(network: 'mainnet' | 'arbitrum-one' | 'optimism' | keyof typeof NEW_POOL, name: string): Promise<Deployment> {
  // The fixture files name Polygon PoS `polygon`; graph-cli's network is `matic`.
  const file = network === 'matic' ? 'polygon' : network;
  const logs = await readLogs(join(REAL_LOGS, `aave-v3.${file}.logs.ndjson`));
  const headers = await readBlockHeaders(join(REAL_LOGS, `aave-v3.${file}.blocks.ndjson`));
  const d = new Deployment({ manifestPath: manifestFor(network), subgraph: 'aave-v3', dataDir: join(dataDir, name) });
  for (const block of groupLogsByBlock(headers, logs)) d.processBlock(block);
  return d;
}

describeReal('aave-v3 replaying the real Pool logs (../shared/fixtures/real-logs)', () => {
  // Indexing starts mid-history, so balances are net changes over the recorded transactions:
  // a withdrawal by an account not seen before is a negative scaled balance.
  test('optimism: a 2,000 USDT variable borrow (rotki test_aave_v3_borrow_optimism)', async () => {
    const d = await replay('optimism', 'real-optimism');
    try {
      expect(d.failure()).toBeNull();
      const USDT = '0x94b008aa00579c1307b0ef2c499ad98a8ce58e58';
      const user = '0xdbd5d31b7f48adc13a0ab0c591f7e3d4f9642e69';
      // scaled = 2,000e6 rayDiv 1.135202187030246832720052866 ray
      //        = (2,000e6 x 10^27 + index / 2) / index = 1,761,800,693.4... -> 1,761,800,693;
      // back at the same index: 1,761,800,693 x 1.1352... = 1,999,999,999.6 -> 2,000,000,000.
      expect(entity(d, 'LendingBalance', balanceId(USDT, user))).toMatchObject({ scaledVariableDebt: '1761800693', debtBalance: '2000000000' });
      expect(entity(d, 'LendingReserve', USDT)).toMatchObject({ variableBorrowIndex: '1135202187030246832720052866' });
      expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ network: 'optimism', totalBorrowBalanceUSD: '2000', totalValueLockedUSD: '0', priced: true });
    } finally {
      d.close();
    }
  });

  test('arbitrum-one: withdrawals, a repay, collateral off and on, a gateway supply', async () => {
    const d = await replay('arbitrum-one', 'real-arbitrum');
    try {
      expect(d.failure()).toBeNull();
      const LINK = '0xf97f4df75117a78c1a5a0dbb814af92458539fb4';
      const WETH_ARB = '0x82af49447d8a07e3bd95bd0d56f35241523fbab1';
      // 12 LINK withdrawn by an account first seen here: -(12e18 rayDiv 1.003643087338233931118630087)
      // = -11,956,441,638,855,153,836 scaled (a net change since indexing started).
      expect(entity(d, 'LendingBalance', balanceId(LINK, '0x645c22593c232ae78a7ecbac93b38cbac535ef12'))).toMatchObject({ scaledSupply: '-11956441638855153836' });
      // The gateway supplies 1.59584956103024626 WETH on behalf of 0x9531... (onBehalfOf owns it),
      // which had enabled WETH as collateral just before: 1.59584956103024626e18 rayDiv
      // 1.043311570294655774139797485 = 1,529,600,175,506,096,167 scaled, 1.59584956103024626 WETH back.
      expect(entity(d, 'LendingBalance', balanceId(WETH_ARB, '0x9531c059098e3d194ff87febb587ab07b30b1306'))).toMatchObject({
        scaledSupply: '1529600175506096167',
        supplyBalance: '1595849561030246260',
        usedAsCollateral: true,
      });
      expect(d.store.getLatest('LendingBalance', balanceId(WETH_ARB, '0x5283beced7adf6d003225c13896e536f2d4264ff'))).toBeNull();
      // The Safe disabled WETH as collateral before withdrawing.
      expect(entity(d, 'LendingBalance', balanceId(WETH_ARB, '0x1cdc859a9685103a0791075b6c365e2d583bc236'))).toMatchObject({ usedAsCollateral: false });
      // WETH has no price (no feed configured): left out and named, not counted as zero.
      const protocol = entity(d, 'Protocol', 'aave-v3');
      expect(protocol).toMatchObject({ network: 'arbitrum-one', priced: false });
      expect(protocol.unpricedTokens).toContain(WETH_ARB);
    } finally {
      d.close();
    }
  });

  test('mainnet: a liquidation, collateral from enabled balances only', async () => {
    const d = await replay('mainnet', 'real-mainnet');
    try {
      expect(d.failure()).toBeNull();
      const USDT = '0xdac17f958d2ee523a2206206994597c13d831ec7';
      const user = '0x7420fa58ba44e1141d5e9adb6903be549f7ce0b5';
      // LiquidationCall: debt -30,660,134 rayDiv 1.020702748878539816897215007 = -30,038,259 scaled USDC;
      // collateral -18,891,825,379,519,208 rayDiv 1.010652523250155937614435391 = -18,692,700,948,061,768 scaled WETH.
      expect(entity(d, 'LendingBalance', balanceId(USDC, user))).toMatchObject({ scaledVariableDebt: '-30038259' });
      expect(entity(d, 'LendingBalance', balanceId(WETH, user))).toMatchObject({ scaledSupply: '-18692700948061768', usedAsCollateral: false });
      const liquidations = d.store.list('Liquidation').map((l) => Object.fromEntries([...l].map(([k, v]) => [k, plain(v)])));
      expect(liquidations).toHaveLength(1);
      // WETH has no price: the USD figures that need it are 0 and say so.
      expect(liquidations[0]).toMatchObject({
        account: user,
        market: USDC,
        liquidator: '0x594efbe5a71a10a958d812b4c65f3dfa60922a15',
        collateralToken: WETH,
        debtAmount: '30660134',
        collateralAmount: '18891825379519208',
        sizeUSD: '30.660134',
        collateralUSD: '0',
        priced: false,
      });
      // Collateral: the only enabled balance with a price is 0x93a2...'s USDT: 99,503e6 rayDiv
      // 1.055703889182846895658373298 = 94,252,754,981 scaled, at the last USDT liquidityIndex
      // 1.082077057649290473495358441: 101,988,743,785 = 101,988.743785 USD. WETH (enabled by the
      // Safe 0x0beb...) has no price: left out and named.
      const protocol = entity(d, 'Protocol', 'aave-v3');
      expect(protocol).toMatchObject({ totalValueLockedUSD: '101988.743785', priced: false, cumulativeLiquidationCount: 1 });
      expect(protocol.unpricedTokens).toContain(WETH);
      expect(entity(d, 'LendingReserve', USDT)).toMatchObject({ scaledTotalCollateral: '94252754981' });
    } finally {
      d.close();
    }
  });
});

/** A reserve's indexes and rates as the README's last ReserveDataUpdated of it gives them (rays). */
function reserveState(liquidityRate: bigint, stableBorrowRate: bigint, variableBorrowRate: bigint, liquidityIndex: bigint, variableBorrowIndex: bigint) {
  return {
    liquidityRate: liquidityRate.toString(),
    stableBorrowRate: stableBorrowRate.toString(),
    variableBorrowRate: variableBorrowRate.toString(),
    liquidityIndex: liquidityIndex.toString(),
    variableBorrowIndex: variableBorrowIndex.toString(),
  };
}

describeReal('aave-v3 on the networks added for issue 14, replaying their real Pool logs', () => {
  // Every expected figure is a decoded value the fixtures README states (amounts, indexes, rates,
  // accounts), or Aave's rayDiv of one by another (worked out in the comments). Gateways and
  // adapters put themselves in `user`: the supply belongs to onBehalfOf (README, "Aave gateways").
  test('bsc: a WBNB supply through the gateway, enabled as collateral (rotki test_aave_v3_deposit_bnb)', async () => {
    const d = await replay('bsc', 'real-bsc');
    try {
      expect(d.failure()).toBeNull();
      const WBNB = '0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c';
      expect(entity(d, 'LendingReserve', WBNB)).toMatchObject(
        reserveState(69974822885415738077572978n, 0n, 185629780645079546894574841n, 1029242365156313544639153304n, 1083180651971518576623317348n),
      );
      // 0.005 WBNB: 5e15 rayDiv 1.029242365156313544639153304 = 4,857,942,277,998,475 scaled, 5e15 back.
      expect(entity(d, 'LendingBalance', balanceId(WBNB, '0x706a70067be19bdadbea3600db0626859ff25d74'))).toMatchObject({
        scaledSupply: '4857942277998475',
        supplyBalance: '5000000000000000',
        usedAsCollateral: true,
      });
      expect(d.store.getLatest('LendingBalance', balanceId(WBNB, '0xe63eaf6dab1045689bd3a332bc596ffcf54a5c88'))).toBeNull();
      // BNB / USD is followed from WBNB's first event, but the file has no round: WBNB is unpriced.
      expect(entity(d, 'PriceFeed', '0xa6e8fee84f9bd528ad71917c9ddbb1fd3214f280')).toMatchObject({ pair: 'BNB / USD', roundCount: 0 });
      expect(entity(d, 'Token', WBNB)).toMatchObject({ symbol: 'WBNB', decimals: 18 });
      expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ network: 'bsc', contract: NEW_POOL.bsc, priced: false, unpricedTokens: [WBNB], realisedBadDebtUSD: '0' });
    } finally {
      d.close();
    }
  });

  test('matic: USDC and USDT0 supplied as collateral, WPOL through the gateway (four rotki tests)', async () => {
    const d = await replay('matic', 'real-matic');
    try {
      expect(d.failure()).toBeNull();
      const USDC_POL = '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359';
      const USDT0 = '0xc2132d05d31c914a87c6611c10748aeb04b58e8f';
      const WPOL = '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270';
      expect(entity(d, 'LendingReserve', USDC_POL)).toMatchObject(
        reserveState(115062433172351965955296867n, 189979161455771325171669788n, 139979161455771325171669788n, 1028513993926970341112739428n, 1032602715044161694508969840n),
      );
      // The last WPOL update (block 78677262, logIndex 388).
      expect(entity(d, 'LendingReserve', WPOL)).toMatchObject(
        reserveState(3135651150762759159022741n, 0n, 16166129558633280180949685n, 1064225918446719174381842988n, 1168486104000691325618663477n),
      );
      // 1,245.829008 USDC rayDiv 1.028513993926970341112739428 = 1,211,290,284 scaled.
      expect(entity(d, 'LendingBalance', balanceId(USDC_POL, '0xa55ead17fa903b1218dc6a79c47b54c9370e20ab'))).toMatchObject({ scaledSupply: '1211290284', supplyBalance: '1245829008', usedAsCollateral: true });
      // 72.227367 USDT0 rayDiv 1.113050848272566851642148203 = 64,891,345 scaled.
      expect(entity(d, 'LendingBalance', balanceId(USDT0, '0xfe46dceb5d586da13abaa571613e20f5a61fa62e'))).toMatchObject({ scaledSupply: '64891345', supplyBalance: '72227367', usedAsCollateral: true });
      // The gateway withdraws 4,000 WPOL (rayDiv 1.047321700109205963272376017 = 3,819,265,846,953,150,492,528
      // scaled, a net change since indexing started) after enabling and disabling it as collateral.
      expect(entity(d, 'LendingBalance', balanceId(WPOL, '0xc1e320966c485ebf2a0a2a6d3c0dc860a156eb1b'))).toMatchObject({ scaledSupply: '-3819265846953150492528', usedAsCollateral: false });
      // 111 WPOL on behalf of 0xc4b1...: rayDiv 1.064225918446719174381842988 = 104,301,162,070,934,144,448 scaled.
      expect(entity(d, 'LendingBalance', balanceId(WPOL, '0xc4b17c8d9e1b6b2814ef2666a577a0d1e2a99909'))).toMatchObject({ scaledSupply: '104301162070934144448', supplyBalance: '111000000000000000000' });
      // Collateral: the two stablecoins at 1.00, 1,245.829008 + 72.227367; WPOL has no round yet.
      expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ network: 'matic', contract: NEW_POOL.matic, totalValueLockedUSD: '1318.056375', priced: false, unpricedTokens: [WPOL] });
      expect(entity(d, 'PriceFeed', '0x15cc6dba96cd9482c3fd565d2d3ddfb595f71e67')).toMatchObject({ pair: 'MATIC / USD', roundCount: 0 });
    } finally {
      d.close();
    }
  });

  test('base: a wstETH borrow, a collateral swap by the adapter (rotki test_aave_v3_borrow_base, test_aave_v3_collateral_swap)', async () => {
    const d = await replay('base', 'real-base');
    try {
      expect(d.failure()).toBeNull();
      const WSTETH = '0xc1cba3fcea344f92d9239c08c0568f6f2f0ee452';
      const WETH_BASE = '0x4200000000000000000000000000000000000006';
      const ADAPTER = '0x2e549104c516b8657a7d888494dfbabd7c70b464';
      const OWNER = '0xe37b28362f65060c18c16398cfd23275d8cae750';
      expect(entity(d, 'LendingReserve', WSTETH)).toMatchObject(
        reserveState(316274926310765893219169n, 0n, 1426364986333856757270381n, 1002915028247474168034019639n, 1015560520376654201490343008n),
      );
      expect(entity(d, 'LendingReserve', WETH_BASE)).toMatchObject(
        reserveState(16690052118547777409513550n, 0n, 24270572093884218608905418n, 1031762970036322826332340979n, 1051990345141993487853791266n),
      );
      // 0.181 wstETH at variableBorrowIndex 1.003117246421233830474321404: 180,437,531,749,896,370 scaled.
      expect(entity(d, 'LendingBalance', balanceId(WSTETH, '0xaafc3e3c8b4fd93584256e6d49a9c364648e66ce'))).toMatchObject({ scaledVariableDebt: '180437531749896370', debtBalance: '181000000000000000' });
      // The adapter withdraws 0.000109666465527922 WETH (rayDiv 1.031762970036322826332340979 =
      // 106,290,367,761,562 scaled) and supplies 0.000090888333840838 wstETH for the owner
      // (rayDiv 1.002915028247474168034019639 = 90,624,161,849,144 scaled), not as collateral.
      expect(entity(d, 'LendingBalance', balanceId(WETH_BASE, ADAPTER))).toMatchObject({ scaledSupply: '-106290367761562', usedAsCollateral: false });
      expect(entity(d, 'LendingBalance', balanceId(WSTETH, OWNER))).toMatchObject({ scaledSupply: '90624161849144', supplyBalance: '90888333840838', usedAsCollateral: false });
      expect(d.store.getLatest('LendingBalance', balanceId(WSTETH, ADAPTER))).toBeNull();
      // ETH / USD is followed; wstETH has no USD aggregator listed on base: both unpriced.
      expect(entity(d, 'PriceFeed', '0x57d2d46fc7ff2a7142d479f2f59e1e3f95447077')).toMatchObject({ pair: 'ETH / USD', roundCount: 0 });
      const protocol = entity(d, 'Protocol', 'aave-v3');
      // Accounts: the borrower, the owner and the adapter.
      expect(protocol).toMatchObject({ network: 'base', contract: NEW_POOL.base, priced: false, cumulativeUniqueUsers: 3 });
      expect([...(protocol.unpricedTokens as string[])].sort()).toEqual([WETH_BASE, WSTETH].sort());
    } finally {
      d.close();
    }
  });

  test('gnosis: sDAI, WXDAI and EURe withdrawals, a WXDAI supply through the gateway (four rotki tests)', async () => {
    const d = await replay('gnosis', 'real-gnosis');
    try {
      expect(d.failure()).toBeNull();
      const SDAI = '0xaf204776c7245bf4147c2612bf6e5972ee483701';
      const WXDAI = '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d';
      const EURE = '0xcb444e90d8198415266c6a2724b7900fb12fc56e';
      const GATEWAY = '0xfe76366a986b72c3f2923e05e6ba07b7de5401e4';
      expect(entity(d, 'LendingReserve', WXDAI)).toMatchObject(
        reserveState(30994399303401850839662093n, 0n, 50254051515073294552010523n, 1082891523099976146405087520n, 1128891189208634350168473066n),
      );
      expect(entity(d, 'LendingReserve', EURE)).toMatchObject(
        reserveState(36509501513626262987161559n, 0n, 54127394291817342295506639n, 1052449812222268849310946359n, 1094608599655028773342258319n),
      );
      // 4,300 sDAI rayDiv 1.000001199545958195878149161 = 4,299,994,841,958,567,065,477 scaled, withdrawn.
      expect(entity(d, 'LendingBalance', balanceId(SDAI, '0x91ed7a7fd3072885c1ec905c932717df6a8ae2ca'))).toMatchObject({ scaledSupply: '-4299994841958567065477' });
      // The gateway: 5.076355892637370336 WXDAI rayDiv 1.033302235390313991406486297 = 4,912,750,324,903,589,459.
      expect(entity(d, 'LendingBalance', balanceId(WXDAI, GATEWAY))).toMatchObject({ scaledSupply: '-4912750324903589459', usedAsCollateral: false });
      // 1,000 WXDAI for 0x56a1...: rayDiv 1.082891523099976146405087520 = 923,453,530,356,684,373,686 scaled.
      expect(entity(d, 'LendingBalance', balanceId(WXDAI, '0x56a1a34f0d33788eba53e2706854a37a5f275536'))).toMatchObject({ scaledSupply: '923453530356684373686', supplyBalance: '1000000000000000000000' });
      // 154.130094976329435259 EURe rayDiv 1.052449812222268849310946359 = 146,448,878,783,949,473,012.
      expect(entity(d, 'LendingBalance', balanceId(EURE, '0xa37478676a7a86a6fb9e8d57d3e543eac8140a95'))).toMatchObject({ scaledSupply: '-146448878783949473012' });
      // WXDAI deposits: (923,453,530,356,684,373,686 - 4,912,750,324,903,589,459) x 1.08289152309997614640508752
      // = 994,680,024,318,055,249,337 = 994.680024318055249337 WXDAI at 1.00. sDAI has no feed, EURe no round.
      expect(entity(d, 'Market', WXDAI)).toMatchObject({ totalDepositBalance: '994680024318055249337', totalDepositBalanceUSD: '994.680024318055249337', priced: true });
      expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ network: 'gnosis', contract: NEW_POOL.gnosis, priced: false, unpricedTokens: [SDAI, EURE] });
      expect(entity(d, 'PriceFeed', '0x759be90a34e426042ed7d17916b78a5cd2567dd1')).toMatchObject({ pair: 'EUR / USD', roundCount: 0 });
    } finally {
      d.close();
    }
  });

  test('scroll: a USDC repay, WETH out through the gateway and in again (rotki test_aave_v3_repay_scroll, _withdraw_eth, _scroll_deposit_eth)', async () => {
    const d = await replay('scroll', 'real-scroll');
    try {
      expect(d.failure()).toBeNull();
      const USDC_SCR = '0x06efdbff2a14a7c8e15944d1f4a48f9f95f663a4';
      const WETH_SCR = '0x5300000000000000000000000000000000000004';
      expect(entity(d, 'LendingReserve', USDC_SCR)).toMatchObject(
        reserveState(108069292681109505160072802n, 201671278220804529555837838n, 131671278220804529555837838n, 1004025638356471285929738670n, 1006100466821964587465216373n),
      );
      expect(entity(d, 'LendingReserve', WETH_SCR)).toMatchObject(
        reserveState(7457440349232298322310551n, 0n, 21152941345501378044471853n, 1036699805284585613573794622n, 1056567200467887770559404164n),
      );
      // 14,460.008663 USDC repaid: rayDiv 1.006100466821964587465216373 = 14,372,330,736 scaled, off a debt
      // indexed before the start.
      expect(entity(d, 'LendingBalance', balanceId(USDC_SCR, '0x3e6b4598e5bfeec911f344e546c9ebfe4a00d770'))).toMatchObject({ scaledVariableDebt: '-14372330736' });
      // The gateway's 0.010000021776581852 WETH: rayDiv 1.001659936141956653444425134 = 9,983,449,887,292,522.
      expect(entity(d, 'LendingBalance', balanceId(WETH_SCR, '0xff75a4b698e3ec95e608ac0f22a03b8368e05f5d'))).toMatchObject({ scaledSupply: '-9983449887292522', usedAsCollateral: false });
      // 0.03 WETH for 0x7253...: rayDiv 1.036699805284585613573794622 = 28,937,981,706,058,744 scaled; back
      // at the same index rayMul rounds half up to 30,000,000,000,000,001 (one wei over: two roundings).
      expect(entity(d, 'LendingBalance', balanceId(WETH_SCR, '0x72534b92c950b9d4739919bfd5facd81397178eb'))).toMatchObject({ scaledSupply: '28937981706058744', supplyBalance: '30000000000000001' });
      // No Chainlink aggregator is listed for scroll (subgraph/common/chainlink-feeds.ts): none is
      // followed, and WETH is unpriced.
      expect(d.store.list('PriceFeed')).toHaveLength(0);
      expect(entity(d, 'Protocol', 'aave-v3')).toMatchObject({ network: 'scroll', contract: NEW_POOL.scroll, priced: false, unpricedTokens: [WETH_SCR] });
    } finally {
      d.close();
    }
  });
});
