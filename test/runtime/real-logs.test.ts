/**
 * Real on-chain logs replayed through a graph-cli-compiled mapping.
 *
 * The logs in ../shared/fixtures/real-logs (recorded GMX v1 and Aave v3 receipts,
 * read where they lie, never copied) go through the "recorder" test subgraph
 * (test/fixtures/subgraphs/recorder), which stores every decoded event parameter
 * in one immutable entity per log. Every log the fixture README lists must come
 * out with exactly the values the README states, with its block number, hash and
 * timestamp; logs from other emitters, or whose topic0 is not in the data
 * source's ABI, must leave no trace.
 *
 * One deployment per network, as graph-node would run them: the subgraph is built
 * with `graph build --network <name>` from the recorder's networks.json.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toEventSelector } from 'viem';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment, type BlockResult } from '../../server/indexer/deployment';
import { groupLogsByBlock, readBlockHeaders, readLogs } from '../../server/ingest/ndjson';
import type { BlockHeader, BlockWithLogs, Log } from '../../server/ingest/types';
import { bytesToHex, type EntityData, type Value } from '../../server/runtime/values';

const REPO_ROOT = resolve(__dirname, '../..');
const REAL_LOGS = resolve(REPO_ROOT, '../shared/fixtures/real-logs');
const RECORDER = resolve(REPO_ROOT, 'test/fixtures/subgraphs/recorder');
const HAVE_REAL_LOGS = existsSync(REAL_LOGS);

if (!HAVE_REAL_LOGS) {
  console.warn(
    `test/runtime/real-logs.test.ts: SKIPPED because ../shared is missing (${REAL_LOGS} does not exist). ` +
      'These tests replay the recorded logs of ../shared/fixtures/real-logs, which sits beside the repository, not in it.',
  );
}
const describeReal = HAVE_REAL_LOGS ? describe : describe.skip;

/** Emitter addresses, lower case, as the README names them. */
const GMX_VAULT = '0x489ee077994b6658eafa855c308275ead8097c4a';
const GMX_FAST_PRICE_FEED = '0x11d62807dae812a0f1571243460bf94325f43bb7';
const GMX_FAST_PRICE_EVENTS = '0x4530b7de1958270a2376be192a24175d795e1b07';
const AAVE_POOL: Record<string, string> = {
  'aave-v3.mainnet': '0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2',
  'aave-v3-lido.mainnet': '0x4e033931ad43597d96d6bcc25c280717730b58b1',
  'aave-v3.arbitrum-one': '0x794a61358d6845594f94dc1db02a252b5b4814ad',
  'aave-v3.optimism': '0x794a61358d6845594f94dc1db02a252b5b4814ad',
  'aave-v3.polygon': '0x794a61358d6845594f94dc1db02a252b5b4814ad',
  'aave-v3.base': '0xa238dd80c259a72e81d7e4664a9801593f98d1c5',
  'aave-v3.gnosis': '0xb50201558b00496a145fe76f7424749556e326d8',
  'aave-v3.scroll': '0x11fcfe756c05ad438e312a7fd934381537d3cffe',
  'aave-v3.bsc': '0x6807dc923806fe8fd134338eabca509979a7e0cb',
};

/** graph-cli network name -> the fixture files (prefixes) of that chain. */
const NETWORK_FILES: Record<string, string[]> = {
  'arbitrum-one': ['gmx-v1.arbitrum-one', 'gmx-v1-fastprice.arbitrum-one', 'aave-v3.arbitrum-one'],
  mainnet: ['aave-v3.mainnet', 'aave-v3-lido.mainnet'],
  optimism: ['aave-v3.optimism'],
  matic: ['aave-v3.polygon'],
  base: ['aave-v3.base'],
  gnosis: ['aave-v3.gnosis'],
  scroll: ['aave-v3.scroll'],
  bsc: ['aave-v3.bsc'],
};

const GMX_EVENTS = [
  'Swap', 'DecreasePosition', 'ClosePosition', 'UpdatePnl', 'CollectSwapFees', 'CollectMarginFees', 'IncreasePoolAmount',
  'DecreasePoolAmount', 'IncreaseUsdgAmount', 'DecreaseUsdgAmount', 'DecreaseReservedAmount', 'PriceData', 'PriceUpdate',
];
const AAVE_EVENTS = [
  'Supply', 'Withdraw', 'Borrow', 'Repay', 'LiquidationCall', 'ReserveDataUpdated', 'ReserveUsedAsCollateralEnabled',
  'ReserveUsedAsCollateralDisabled', 'IsolationModeTotalDebtUpdated',
];
/** Every entity type of the recorder's schema: one per event. */
const ENTITY_TYPES = [...GMX_EVENTS.map((e) => `Gmx${e}`), ...AAVE_EVENTS.map((e) => `Aave${e}`)];
/** What the mapping stores besides the decoded parameters of every log. */
const COMMON_FIELDS = ['id', 'emitter', 'logIndex', 'blockNumber', 'blockHash', 'blockTimestamp', 'transactionHash'];

function entityType(event: string): string {
  if (GMX_EVENTS.includes(event)) return `Gmx${event}`;
  if (AAVE_EVENTS.includes(event)) return `Aave${event}`;
  throw new Error(`no entity type for event ${event}`);
}

function emitterOf(file: string, event: string): string {
  if (file === 'gmx-v1.arbitrum-one') return GMX_VAULT;
  if (file === 'gmx-v1-fastprice.arbitrum-one') return event === 'PriceData' ? GMX_FAST_PRICE_FEED : GMX_FAST_PRICE_EVENTS;
  const pool = AAVE_POOL[file];
  if (!pool) throw new Error(`no emitter known for ${file}`);
  return pool;
}

/**
 * An expected raw field: a 0x string is an address or bytes32 (Bytes), a bigint a
 * uint256/int256 (BigInt), a number a uint8/uint16 (Int: graph-ts decodes them as
 * i32), a boolean a bool (Boolean).
 */
type Expected = string | bigint | number | boolean;

interface ExpectedTx {
  /** Fixture file prefix: `<file>.logs.ndjson` and `<file>.blocks.ndjson`. */
  file: string;
  rotkiTest: string;
  tx: string;
  block: number;
  blockHash: string;
  /** Block timestamp in seconds (rotki asserts it x 1000 as TimestampMS). */
  timestamp: number;
  /** [logIndex, event, every decoded parameter in ABI order]. */
  logs: Array<[number, string, Record<string, Expected>]>;
}

/**
 * Transcribed from ../shared/fixtures/real-logs/README.md: every transaction and
 * every log it lists (117 logs, all the files hold), with the raw values it states.
 *
 * GMX CollectSwapFees: the Arbitrum Vault declares (token, feeUsd, feeTokens), but in
 * the recorded swap the 2nd data word is the fee in TOKEN units (1.0433875199 LINK =
 * amountOut - amountOutAfterFees) and the 3rd the fee in USD x 1e30 (~16.46 USD). A
 * decoder must not reorder words, so the recorder keeps them under the declared
 * names: here `feeUsd` holds LINK units and `feeTokens` holds USD, as on chain.
 */
const EXPECTED: ExpectedTx[] = [
  {
    file: 'gmx-v1.arbitrum-one',
    rotkiTest: 'test_swap_in_gmx',
    tx: '0x5969392c45eaf7e6e3453e2405afb23eb2424e8e4ba2d14e38943fdcdab55d5f',
    block: 171294311,
    blockHash: '0xce4ee6d28b10fd1e9a4be6589ee570242bf12493d09b8e217a7554b5ea0cf2f6',
    timestamp: 1705481044,
    logs: [
      [2, 'CollectSwapFees', { token: '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', feeUsd: 1043387519900000000n, feeTokens: 16460481513942400000000000000000n }],
      [3, 'IncreaseUsdgAmount', { token: '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8', amount: 14964074104000000000000n }],
      [4, 'DecreaseUsdgAmount', { token: '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', amount: 14964074104000000000000n }],
      [5, 'IncreasePoolAmount', { token: '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8', amount: 14964074104n }],
      [6, 'DecreasePoolAmount', { token: '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', amount: 948534109000000000000n }],
      [8, 'Swap', { account: '0x22e798f9440f563b92aae24e94c75dfa499e3d3e', tokenIn: '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8', tokenOut: '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', amountIn: 14964074104n, amountOut: 948534109000000000000n, amountOutAfterFees: 947490721480100000000n, feeBasisPoints: 11n }],
    ],
  },
  {
    file: 'gmx-v1.arbitrum-one',
    rotkiTest: 'test_decrease_short_in_gmx',
    tx: '0xa3dd437d57689479db67ce685c4b70ee9bdbfbcc53f99fc343f73c89edaafe7a',
    block: 171362022,
    blockHash: '0xc8547762711cfa720150d5b7c5969148972aed3b929b14ef93fde404d338a3ce',
    timestamp: 1705498390,
    logs: [
      [11, 'DecreaseReservedAmount', { token: '0xaf88d065e77c8cc2239327c5edb3a432268e5831', amount: 2447676903n }],
      [12, 'CollectMarginFees', { token: '0xaf88d065e77c8cc2239327c5edb3a432268e5831', feeUsd: 2552927010423334051539697805756n, feeTokens: 2552927n }],
      [13, 'DecreasePoolAmount', { token: '0xaf88d065e77c8cc2239327c5edb3a432268e5831', amount: 17745995n }],
      [14, 'UpdatePnl', { key: '0x9550de9c21b673d4d5ee1766a0ecd0edfee527be3b12f20e9b9e9bdd0601a8bb', hasProfit: true, delta: 17745995188326008094314199454525n }],
      [15, 'DecreasePosition', { key: '0x9550de9c21b673d4d5ee1766a0ecd0edfee527be3b12f20e9b9e9bdd0601a8bb', account: '0x3d4d8a52d5717b09ca1e1980393d244ac258c6aa', collateralToken: '0xaf88d065e77c8cc2239327c5edb3a432268e5831', indexToken: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', collateralDelta: 0n, sizeDelta: 2447676903569831305407188692000000n, isLong: false, price: 2547690000000000000000000000000000n, fee: 2552927010423334051539697805756n }],
      [16, 'ClosePosition', { key: '0x9550de9c21b673d4d5ee1766a0ecd0edfee527be3b12f20e9b9e9bdd0601a8bb', size: 2447676903569831305407188692000000n, collateral: 0n, averagePrice: 2566296000000000000000000000000000n, entryFundingRate: 76146n, reserveAmount: 0n, realisedPnl: 17745995188326008094314199454525n }],
    ],
  },
  {
    file: 'gmx-v1-fastprice.arbitrum-one',
    rotkiTest: 'test_decrease_short_in_gmx',
    tx: '0xa3dd437d57689479db67ce685c4b70ee9bdbfbcc53f99fc343f73c89edaafe7a',
    block: 171362022,
    blockHash: '0xc8547762711cfa720150d5b7c5969148972aed3b929b14ef93fde404d338a3ce',
    timestamp: 1705498390,
    logs: [
      [2, 'PriceData', { token: '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f', refPrice: 4263191700000n, fastPrice: 42596479000000000000000000000000000n, cumulativeRefDelta: 15928n, cumulativeFastDelta: 9153n }],
      [3, 'PriceUpdate', { token: '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f', price: 42635471000000000000000000000000000n, priceFeed: '0x11d62807dae812a0f1571243460bf94325f43bb7' }],
      [4, 'PriceData', { token: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', refPrice: 254711039692n, fastPrice: 2542991000000000000000000000000000n, cumulativeRefDelta: 16267n, cumulativeFastDelta: 18478n }],
      [5, 'PriceUpdate', { token: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', price: 2547690000000000000000000000000000n, priceFeed: '0x11d62807dae812a0f1571243460bf94325f43bb7' }],
      [6, 'PriceData', { token: '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', refPrice: 1596916411n, fastPrice: 15947000000000000000000000000000n, cumulativeRefDelta: 21221n, cumulativeFastDelta: 22574n }],
      [7, 'PriceUpdate', { token: '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', price: 15983000000000000000000000000000n, priceFeed: '0x11d62807dae812a0f1571243460bf94325f43bb7' }],
      [8, 'PriceData', { token: '0xfa7f8980b0f1e64a2062791cc3b0871572f1f7f0', refPrice: 682605518n, fastPrice: 6817000000000000000000000000000n, cumulativeRefDelta: 15188n, cumulativeFastDelta: 8801n }],
      [9, 'PriceUpdate', { token: '0xfa7f8980b0f1e64a2062791cc3b0871572f1f7f0', price: 6823000000000000000000000000000n, priceFeed: '0x11d62807dae812a0f1571243460bf94325f43bb7' }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_liquidation',
    tx: '0xc1a03e87f1c0446ddd5a77f7eb906831c72618a921a1f6f9f430f612edca0531',
    block: 17938283,
    blockHash: '0xa46cc3d88de59383a8656337bfae3b83e736a0455a803c979bdb5c90432a6b3a',
    timestamp: 1692320627,
    logs: [
      [242, 'ReserveUsedAsCollateralDisabled', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', user: '0x7420fa58ba44e1141d5e9adb6903be549f7ce0b5' }],
      [245, 'ReserveDataUpdated', { reserve: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', liquidityRate: 35126263916222255229270633n, stableBorrowRate: 58299211749613635664794266n, variableBorrowRate: 43299211749613635664794266n, liquidityIndex: 1014865401365699317523993839n, variableBorrowIndex: 1020702748878539816897215007n }],
      [246, 'ReserveDataUpdated', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', liquidityRate: 13993021550754786091778907n, stableBorrowRate: 92639045935749698514368399n, variableBorrowRate: 33407093638962213588649979n, liquidityIndex: 1010652523250155937614435391n, variableBorrowIndex: 1021157211227377573698475871n }],
      [255, 'LiquidationCall', { collateralAsset: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', debtAsset: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', user: '0x7420fa58ba44e1141d5e9adb6903be549f7ce0b5', debtToCover: 30660134n, liquidatedCollateralAmount: 18891825379519208n, liquidator: '0x594efbe5a71a10a958d812b4c65f3dfa60922a15', receiveAToken: false }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_disable_collateral',
    tx: '0x1f7614ba2425f3345d02bf1518c81ab3aa46e888553b409f3c9a360259bc7988',
    block: 19483419,
    blockHash: '0x357b311218510127413037e8c776098332635fcf7a4a0c5461b34bbc5c94beb6',
    timestamp: 1711028735,
    logs: [
      [259, 'ReserveDataUpdated', { reserve: '0x2260fac5e5542a773aa44fbcfedf7c193bc2c599', liquidityRate: 804279987320926775806219n, stableBorrowRate: 76543234472034308021754276n, variableBorrowRate: 9453276841162461726716729n, liquidityIndex: 1001944055448579415410958274n, variableBorrowIndex: 1013934007204722663890392667n }],
      [260, 'ReserveUsedAsCollateralDisabled', { reserve: '0x2260fac5e5542a773aa44fbcfedf7c193bc2c599', user: '0x203b2e862c57fbac813c05c46b6e1242844724a2' }],
      [264, 'Withdraw', { reserve: '0x2260fac5e5542a773aa44fbcfedf7c193bc2c599', user: '0x203b2e862c57fbac813c05c46b6e1242844724a2', to: '0x203b2e862c57fbac813c05c46b6e1242844724a2', amount: 30005421n }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_enable_collateral',
    tx: '0x867d09a777ca7c5cbccd281d197ffbed327b5a8f07153483e94f75d4e1d04413',
    block: 19483509,
    blockHash: '0xeaf6cc76c8c2006c9cdcc7c5a89a4422d50d5105e81ce4fc9e1bfdb54d72c579',
    timestamp: 1711029839,
    logs: [
      [181, 'ReserveDataUpdated', { reserve: '0xdac17f958d2ee523a2206206994597c13d831ec7', liquidityRate: 119504320489965143086506761n, stableBorrowRate: 192259328236808805738979580n, variableBorrowRate: 145686800246675839311437063n, liquidityIndex: 1055703889182846895658373298n, variableBorrowIndex: 1073733829211487788113223360n }],
      [185, 'ReserveUsedAsCollateralEnabled', { reserve: '0xdac17f958d2ee523a2206206994597c13d831ec7', user: '0x93a208b0d7007f5733ea23f65bacf101be8ac6cd' }],
      [186, 'Supply', { reserve: '0xdac17f958d2ee523a2206206994597c13d831ec7', user: '0x93a208b0d7007f5733ea23f65bacf101be8ac6cd', onBehalfOf: '0x93a208b0d7007f5733ea23f65bacf101be8ac6cd', amount: 99503000000n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_deposit',
    tx: '0x062bb6b01d4ac5fabd7b7783965d22589d289e44bb0227bb2fc0adaad7eb563b',
    block: 19483564,
    blockHash: '0xbc8c742d20a5a01aa0dbda3859cea13648004545f335191c076042cdb0433caa',
    timestamp: 1711030499,
    logs: [
      [217, 'ReserveDataUpdated', { reserve: '0x5a98fcbea516cf06857215779fd812ca3bef1b32', liquidityRate: 1943328656466858456598n, stableBorrowRate: 101141605912430913511216142n, variableBorrowRate: 614710875924338044501000n, liquidityIndex: 1003742173036279576228314816n, variableBorrowIndex: 1015681614654280787426010742n }],
      [221, 'Supply', { reserve: '0x5a98fcbea516cf06857215779fd812ca3bef1b32', user: '0x08c14b32c8a48894e4b933090ebcc9ce33b21135', onBehalfOf: '0x08c14b32c8a48894e4b933090ebcc9ce33b21135', amount: 71657177259074315114745n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_borrow',
    tx: '0x44367976e841cde459d84aec984d5fae4466b2978b1d71c9cd916bb79792ee20',
    block: 19483570,
    blockHash: '0xac5368933fd78dd1d2c7a64845c54dc49cdd9e3bf183870b4e13f1bd09f58ce9',
    timestamp: 1711030571,
    logs: [
      [218, 'IsolationModeTotalDebtUpdated', { asset: '0x5a98fcbea516cf06857215779fd812ca3bef1b32', totalDebt: 309637501n }],
      [219, 'ReserveDataUpdated', { reserve: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', liquidityRate: 108705575892722837669744276n, stableBorrowRate: 147428204126703210588698520n, variableBorrowRate: 132428204126703210588698520n, liquidityIndex: 1053097937773519077391123247n, variableBorrowIndex: 1067914178370561297990810198n }],
      [221, 'Borrow', { reserve: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', user: '0x08c14b32c8a48894e4b933090ebcc9ce33b21135', onBehalfOf: '0x08c14b32c8a48894e4b933090ebcc9ce33b21135', amount: 79931500229n, interestRateMode: 2, borrowRate: 132428204126703210588698520n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_withdraw',
    tx: '0xf184c285dab9ea6c72d18025c65202e3d9e5ec3181209a6cbedf88dfd4c8283f',
    block: 19483575,
    blockHash: '0x3aecd39b0487d3d9a765efa40117f71c38ffbf6baff8616450c5efd6869fddc3',
    timestamp: 1711030631,
    logs: [
      [358, 'ReserveDataUpdated', { reserve: '0xdac17f958d2ee523a2206206994597c13d831ec7', liquidityRate: 123471411534936689421995414n, stableBorrowRate: 196802163634466631996621150n, variableBorrowRate: 150418920452569408329813698n, liquidityIndex: 1055707084170649410094226282n, variableBorrowIndex: 1073737790013394575301643860n }],
      [362, 'Withdraw', { reserve: '0xdac17f958d2ee523a2206206994597c13d831ec7', user: '0xabe9e5d199e1e411098181b6a5ab9f5f65d91389', to: '0xabe9e5d199e1e411098181b6a5ab9f5f65d91389', amount: 6779850000n }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_repay',
    tx: '0x440dddaad9f8d9c6d99777494640520854cca8dd102fb557f1654f5746da5f7e',
    block: 19483576,
    blockHash: '0xeb447d57e9a3ffedff9b2cb461da3c10a77b08fa55be007d0756a07021ab8629',
    timestamp: 1711030643,
    logs: [
      [159, 'ReserveDataUpdated', { reserve: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', liquidityRate: 108125260037539656888254239n, stableBorrowRate: 146737865489369982634369212n, variableBorrowRate: 131737865489369982634369212n, liquidityIndex: 1053098199137943271704343417n, variableBorrowIndex: 1067914501251789346877002957n }],
      [161, 'Repay', { reserve: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', user: '0x9cbf099ff424979439dfba03f00b5961784c06ce', repayer: '0x9cbf099ff424979439dfba03f00b5961784c06ce', amount: 123961452987n, useATokens: false }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_non_aave_tx',
    tx: '0xf5b4c6f3b4e5bce1f91f7e7eab6185b6d1518e63dea637c79d7f1bbb97edda67',
    block: 19686743,
    blockHash: '0x7e9c7cc465b4f3e7113ebe9a18844b859b1733dd29a2401f35b8659152522b2f',
    timestamp: 1713496487,
    logs: [
      [329, 'ReserveDataUpdated', { reserve: '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', liquidityRate: 14838988685807358571077n, stableBorrowRate: 75505656186204683752007273n, variableBorrowRate: 3068863209480269221008182n, liquidityIndex: 1000537333530028483780249997n, variableBorrowIndex: 1004736477384193176486882611n }],
      [334, 'Supply', { reserve: '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', user: '0x35542f2c7d18716401a38cc7f08bf5bf61f371cc', onBehalfOf: '0x35542f2c7d18716401a38cc7f08bf5bf61f371cc', amount: 369679303449850277673n, referralCode: 64 }],
      [338, 'ReserveDataUpdated', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', liquidityRate: 15529104816247929637997899n, stableBorrowRate: 92058339377294478811088443n, variableBorrowRate: 23840837564106135167761910n, liquidityIndex: 1023163303521614412757261730n, variableBorrowIndex: 1040584197922075716275683811n }],
      [340, 'Borrow', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', user: '0x35542f2c7d18716401a38cc7f08bf5bf61f371cc', onBehalfOf: '0x35542f2c7d18716401a38cc7f08bf5bf61f371cc', amount: 430327718028702690733n, interestRateMode: 2, borrowRate: 23840837564106135167761910n, referralCode: 64 }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_interest_on_transfer',
    tx: '0x84a70d14ef53987e1ee267435492100f07a4480b7d8022a8d3508e3a4ee70fbf',
    block: 20513851,
    blockHash: '0xd657fe12c30bdae5ffa71aeae7eb78e61e93f4944a52ec609ef213352fabe119',
    timestamp: 1723481603,
    logs: [
      [273, 'ReserveUsedAsCollateralEnabled', { reserve: '0xdac17f958d2ee523a2206206994597c13d831ec7', user: '0x9c9ef79aae8996c72ea8c374011d7ac1eb42c4fc' }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_withdraw_with_bigger_interest',
    tx: '0x8ed7c1ed348212c6b9aa615a2c13857dd801dfac103f01852a303e62cc58b24f',
    block: 20522966,
    blockHash: '0x27460a6ba792cba574a297f403df48bb3e3cfed592274110aae695421e16c4f6',
    timestamp: 1723591427,
    logs: [
      [168, 'ReserveDataUpdated', { reserve: '0xdac17f958d2ee523a2206206994597c13d831ec7', liquidityRate: 38974403244442138647171687n, stableBorrowRate: 0n, variableBorrowRate: 55313513681191385990150909n, liquidityIndex: 1082077057649290473495358441n, variableBorrowIndex: 1110158232180501532844267080n }],
      [172, 'Withdraw', { reserve: '0xdac17f958d2ee523a2206206994597c13d831ec7', user: '0x430431ae62cd20f0d519ee9ff7e26c2005b50aaf', to: '0x430431ae62cd20f0d519ee9ff7e26c2005b50aaf', amount: 20000000000n }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_deposit_with_interest',
    tx: '0xd5dc3d24da9a97957743c09b8655154ffedb3cb40325b698b1159aa2fe9cf166',
    block: 20526997,
    blockHash: '0x0fb401c62edf5a0e374cb323f4e2b599ee44953c6bbdd949f2d978b88943990e',
    timestamp: 1723640027,
    logs: [
      [281, 'ReserveDataUpdated', { reserve: '0x2260fac5e5542a773aa44fbcfedf7c193bc2c599', liquidityRate: 813230477039753369430676n, stableBorrowRate: 0n, variableBorrowRate: 9505732054571385295115053n, liquidityIndex: 1002988223170123524059452279n, variableBorrowIndex: 1018323450484995374187267635n }],
      [285, 'Supply', { reserve: '0x2260fac5e5542a773aa44fbcfedf7c193bc2c599', user: '0x8abad97dbdbe16d043a5df66cf9e120d13708a3f', onBehalfOf: '0x8abad97dbdbe16d043a5df66cf9e120d13708a3f', amount: 21191208n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_safe_interaction_interest',
    tx: '0x01ac87a1fe87913f54153a85f9657359387b82f374cb81132f5ccb30b3bddfbb',
    block: 21552890,
    blockHash: '0x7d5569b575b8868c116b6f67db0197ea5217ee73dbe5774e0561660fb525ac20',
    timestamp: 1736015087,
    logs: [
      [144, 'ReserveDataUpdated', { reserve: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', liquidityRate: 88680409978438177225110230n, stableBorrowRate: 0n, variableBorrowRate: 115705414965335349512859432n, liquidityIndex: 1111710423663322298087880265n, variableBorrowIndex: 1143789689415721219057393962n }],
      [148, 'Supply', { reserve: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', user: '0xd99697546891ee4c20b9a3c65fbfbc356353befb', onBehalfOf: '0xd99697546891ee4c20b9a3c65fbfbc356353befb', amount: 8000000000n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_batch_aave3_operations_via_safe',
    tx: '0xcb42b04cf1b8dbc70c21c07f150107a500da4f19753b07a14ffa9b6f84645d33',
    block: 23335605,
    blockHash: '0x92c201186ffefda6bd5759a8dab08662d6ebacdfb534d7c42de1cd3d412ff97b',
    timestamp: 1757542811,
    logs: [
      [888, 'ReserveDataUpdated', { reserve: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', liquidityRate: 48225329962258149135661870n, stableBorrowRate: 0n, variableBorrowRate: 61528894759426518994451497n, liquidityIndex: 1143869974086580469915221077n, variableBorrowIndex: 1191564332055891085804141761n }],
      [892, 'Supply', { reserve: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', user: '0x0bebd2fca9854f657329324aa7dc90f656395189', onBehalfOf: '0x0bebd2fca9854f657329324aa7dc90f656395189', amount: 840000000n, referralCode: 0 }],
      [895, 'ReserveDataUpdated', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', liquidityRate: 18785496226060059933807060n, stableBorrowRate: 0n, variableBorrowRate: 25467706801872735927797609n, liquidityIndex: 1052509371056946349232783735n, variableBorrowIndex: 1080723363917833314552023569n }],
      [899, 'ReserveUsedAsCollateralEnabled', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', user: '0x0bebd2fca9854f657329324aa7dc90f656395189' }],
      [900, 'Supply', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', user: '0xd01607c3c5ecaba394d8be377a08590149325722', onBehalfOf: '0x0bebd2fca9854f657329324aa7dc90f656395189', amount: 100000000000000000n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.mainnet',
    rotkiTest: 'test_aave_v3_deposit_native_and_wrapped_same_reserve',
    tx: '0xb834f10346b44fea939462547e7df990430ddccf92152fa452680afe7a636748',
    block: 24274116,
    blockHash: '0x577af97bf0e20ffbab24260db39fcf5bf8a35c3a056e0722d01340d3f402f532',
    timestamp: 1768889483,
    logs: [
      [494, 'ReserveDataUpdated', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', liquidityRate: 12591838664788501061955256n, stableBorrowRate: 0n, variableBorrowRate: 19452510913311249255682105n, liquidityIndex: 1058066913011771450857082795n, variableBorrowIndex: 1089241453797985489845680571n }],
      [496, 'Repay', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', user: '0xb5d235c27bd7741e2467ffb0efd49877f6beda13', repayer: '0xd01607c3c5ecaba394d8be377a08590149325722', amount: 6000000000000000000n, useATokens: false }],
      [500, 'ReserveDataUpdated', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', liquidityRate: 12591614684924829701429532n, stableBorrowRate: 0n, variableBorrowRate: 19452337904816075765821767n, liquidityIndex: 1058066913011771450857082795n, variableBorrowIndex: 1089241453797985489845680571n }],
      [502, 'Repay', { reserve: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', user: '0xb5d235c27bd7741e2467ffb0efd49877f6beda13', repayer: '0xb5d235c27bd7741e2467ffb0efd49877f6beda13', amount: 22168708881893998569n, useATokens: false }],
    ],
  },
  {
    file: 'aave-v3-lido.mainnet',
    rotkiTest: 'test_aave_v3_lido_pool',
    tx: '0xd1e4360f6f7fb34f0f169aeb5e7d0ac0f025e3fed90903a50ee7b1bb694ac8d0',
    block: 21461473,
    blockHash: '0x7d80c02f982cccccd6b38b5d22dce694335536c20323b62e0c176a8a7fd8622f',
    timestamp: 1734912023,
    logs: [
      [186, 'ReserveDataUpdated', { reserve: '0x40d16fc0246ad3160ccc09b8d0d3a2cd28ae6c2f', liquidityRate: 1017104455623427955443766n, stableBorrowRate: 0n, variableBorrowRate: 105349802371541501976284585n, liquidityIndex: 1000000000000000000000000000n, variableBorrowIndex: 1000000000000000000000000000n }],
      [188, 'Borrow', { reserve: '0x40d16fc0246ad3160ccc09b8d0d3a2cd28ae6c2f', user: '0x4f243b4b795502aa5cf562cb42eccd444c0321b0', onBehalfOf: '0x4f243b4b795502aa5cf562cb42eccd444c0321b0', amount: 59000000000000000000000n, interestRateMode: 2, borrowRate: 105349802371541501976284585n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.arbitrum-one',
    rotkiTest: 'test_aave_v3_withdraw_arbitrum_one',
    tx: '0x09d5e6da511fb88e8a7db6f1209542610a9d3873048e405b88c7a766d7210d6f',
    block: 194378588,
    blockHash: '0xcc76856a653962ca6f50f773a14dbbc5a7fd9bd1a516233f11954103791423ba',
    timestamp: 1711450245,
    logs: [
      [25, 'ReserveDataUpdated', { reserve: '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', liquidityRate: 99157271986157708566737n, stableBorrowRate: 90000000000000000000000000n, variableBorrowRate: 4390965800820488057367069n, liquidityIndex: 1003643087338233931118630087n, variableBorrowIndex: 1029835496112208908320002719n }],
      [29, 'Withdraw', { reserve: '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', user: '0x645c22593c232ae78a7ecbac93b38cbac535ef12', to: '0x645c22593c232ae78a7ecbac93b38cbac535ef12', amount: 12000000000000000000n }],
    ],
  },
  {
    file: 'aave-v3.arbitrum-one',
    rotkiTest: 'test_aave_v3_close_position_with_safe',
    tx: '0x56c57b83508f46d45af6b3230ee882f99df315c089af3250fbe5494ea59e5624',
    block: 292033050,
    blockHash: '0x0656c320938e8c8d1605ee984ce4c8e2db48efaa0c00a689d1d679f4904886e9',
    timestamp: 1736028280,
    logs: [
      [7, 'ReserveDataUpdated', { reserve: '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9', liquidityRate: 75150147034444293871776227n, stableBorrowRate: 0n, variableBorrowRate: 107690505211568604920156684n, liquidityIndex: 1161732366330049152312763503n, variableBorrowIndex: 1219192496238341358295934811n }],
      [10, 'Repay', { reserve: '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9', user: '0x1cdc859a9685103a0791075b6c365e2d583bc236', repayer: '0x1cdc859a9685103a0791075b6c365e2d583bc236', amount: 2353181360n, useATokens: false }],
      [12, 'ReserveDataUpdated', { reserve: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', liquidityRate: 15559242137921128665826287n, stableBorrowRate: 0n, variableBorrowRate: 23433943810525435427677289n, liquidityIndex: 1037519540964895470671583230n, variableBorrowIndex: 1079004106247778700189766249n }],
      [13, 'ReserveUsedAsCollateralDisabled', { reserve: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', user: '0x1cdc859a9685103a0791075b6c365e2d583bc236' }],
      [17, 'Withdraw', { reserve: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', user: '0x1cdc859a9685103a0791075b6c365e2d583bc236', to: '0x1cdc859a9685103a0791075b6c365e2d583bc236', amount: 3038166066433018795n }],
    ],
  },
  {
    file: 'aave-v3.arbitrum-one',
    rotkiTest: 'test_arbitrum_deposit_eth_gatewayv3',
    tx: '0xc951183a146d91b996d36632fc8dbe994378da8af88d3c63631a14fcf2f16ca4',
    block: 330879539,
    blockHash: '0x12ee2512d556100d87d7ed9917327f2e802269356343686c200366b725c612f6',
    timestamp: 1745789183,
    logs: [
      [1, 'ReserveDataUpdated', { reserve: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', liquidityRate: 17184036011854731659267003n, stableBorrowRate: 0n, variableBorrowRate: 24627128059986020417387410n, liquidityIndex: 1043311570294655774139797485n, variableBorrowIndex: 1087169866652673761588217028n }],
      [6, 'ReserveUsedAsCollateralEnabled', { reserve: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', user: '0x9531c059098e3d194ff87febb587ab07b30b1306' }],
      [7, 'Supply', { reserve: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', user: '0x5283beced7adf6d003225c13896e536f2d4264ff', onBehalfOf: '0x9531c059098e3d194ff87febb587ab07b30b1306', amount: 1595849561030246260n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.optimism',
    rotkiTest: 'test_aave_v3_borrow_optimism',
    tx: '0xb043a7f28cccd6cb0392db47cea4607f8cf3b91b6510669a0a62588b66eb7fcf',
    block: 117928582,
    blockHash: '0xac615b78890f4bb394b7978dbd33c5b688c52530f76d236d4ad9ebb7d6a8b77c',
    timestamp: 1711455941,
    logs: [
      [8, 'ReserveDataUpdated', { reserve: '0x94b008aa00579c1307b0ef2c499ad98a8ce58e58', liquidityRate: 109991434969655596032384678n, stableBorrowRate: 152126586920780025224440470n, variableBorrowRate: 137126586920780025224440470n, liquidityIndex: 1101058603835628574836839591n, variableBorrowIndex: 1135202187030246832720052866n }],
      [10, 'Borrow', { reserve: '0x94b008aa00579c1307b0ef2c499ad98a8ce58e58', user: '0xdbd5d31b7f48adc13a0ab0c591f7e3d4f9642e69', onBehalfOf: '0xdbd5d31b7f48adc13a0ab0c591f7e3d4f9642e69', amount: 2000000000n, interestRateMode: 2, borrowRate: 137126586920780025224440470n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.polygon',
    rotkiTest: 'test_aave_v3_enable_collateral_polygon',
    tx: '0x8002f1a3044bcdec645d512713724f09551c18a14c67509417c83961b230294b',
    block: 55096604,
    blockHash: '0xbd04ce95d79f3f92b32195eaab8da2f890b576c03f4f5fdeae491c2b11daec35',
    timestamp: 1711448176,
    logs: [
      [569, 'ReserveDataUpdated', { reserve: '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', liquidityRate: 115062433172351965955296867n, stableBorrowRate: 189979161455771325171669788n, variableBorrowRate: 139979161455771325171669788n, liquidityIndex: 1028513993926970341112739428n, variableBorrowIndex: 1032602715044161694508969840n }],
      [573, 'ReserveUsedAsCollateralEnabled', { reserve: '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', user: '0xa55ead17fa903b1218dc6a79c47b54c9370e20ab' }],
      [574, 'Supply', { reserve: '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', user: '0xa55ead17fa903b1218dc6a79c47b54c9370e20ab', onBehalfOf: '0xa55ead17fa903b1218dc6a79c47b54c9370e20ab', amount: 1245829008n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.polygon',
    rotkiTest: 'test_aave_v3_events_with_approval',
    tx: '0x0aaca18a7e0ee29a247bd9bfab3b081acf469833105a9204251c5a4969a5fc29',
    block: 58041872,
    blockHash: '0x86d6530095d84a74d6f06f0ffc370e080e37a4026db8955dced82e30058f6abe',
    timestamp: 1718134876,
    logs: [
      [139, 'ReserveDataUpdated', { reserve: '0xc2132d05d31c914a87c6611c10748aeb04b58e8f', liquidityRate: 68552031513482128799057981n, stableBorrowRate: 104878091629069491548051670n, variableBorrowRate: 87805649323250847864930059n, liquidityIndex: 1113050848272566851642148203n, variableBorrowIndex: 1150257733809210497467336792n }],
      [144, 'ReserveUsedAsCollateralEnabled', { reserve: '0xc2132d05d31c914a87c6611c10748aeb04b58e8f', user: '0xfe46dceb5d586da13abaa571613e20f5a61fa62e' }],
      [145, 'Supply', { reserve: '0xc2132d05d31c914a87c6611c10748aeb04b58e8f', user: '0xfe46dceb5d586da13abaa571613e20f5a61fa62e', onBehalfOf: '0xfe46dceb5d586da13abaa571613e20f5a61fa62e', amount: 72227367n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.polygon',
    rotkiTest: 'test_aave_v3_withdraw_matic',
    tx: '0x301885bdc8998d0e6d5c0064b3b92f5ee34f81ebbd14ca2b796579981ff8df31',
    block: 59110912,
    blockHash: '0xd01d266343025e125cdf5357d27a3728d0833ed63c33e8f1ad61eb9aa6b5a93f',
    timestamp: 1720447017,
    logs: [
      [1225, 'ReserveUsedAsCollateralEnabled', { reserve: '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270', user: '0xc1e320966c485ebf2a0a2a6d3c0dc860a156eb1b' }],
      [1227, 'ReserveDataUpdated', { reserve: '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270', liquidityRate: 12468134707634604550223290n, stableBorrowRate: 70000000000000000000000000n, variableBorrowRate: 32233697051939559448520953n, liquidityIndex: 1047321700109205963272376017n, variableBorrowIndex: 1123103822439754015916369405n }],
      [1228, 'ReserveUsedAsCollateralDisabled', { reserve: '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270', user: '0xc1e320966c485ebf2a0a2a6d3c0dc860a156eb1b' }],
      [1232, 'Withdraw', { reserve: '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270', user: '0xc1e320966c485ebf2a0a2a6d3c0dc860a156eb1b', to: '0xc1e320966c485ebf2a0a2a6d3c0dc860a156eb1b', amount: 4000000000000000000000n }],
    ],
  },
  {
    file: 'aave-v3.polygon',
    rotkiTest: 'test_aave_v3_deposit_pol',
    tx: '0x285cae1c14c05915f5b1e9b290b6cb6a7c9d886e7e990a7d14e6d2cd4dfa6246',
    block: 78677262,
    blockHash: '0xc4cf1d527e00de8078d72af86be26496808076ac2f0af88ffb52baa47ec388b2',
    timestamp: 1762459387,
    logs: [
      [388, 'ReserveDataUpdated', { reserve: '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270', liquidityRate: 3135651150762759159022741n, stableBorrowRate: 0n, variableBorrowRate: 16166129558633280180949685n, liquidityIndex: 1064225918446719174381842988n, variableBorrowIndex: 1168486104000691325618663477n }],
      [392, 'Supply', { reserve: '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270', user: '0xbc302053db3aa514a3c86b9221082f162b91ad63', onBehalfOf: '0xc4b17c8d9e1b6b2814ef2666a577a0d1e2a99909', amount: 111000000000000000000n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.base',
    rotkiTest: 'test_aave_v3_borrow_base',
    tx: '0x92b6fef0623a3f56daa651968819f2e5b7a982037c19fed2166e4c00ba4d6350',
    block: 12331463,
    blockHash: '0x3a6d92de4c9cdc354d3f6ca16dfc97a0856b65649a0fd6c27a485ca6bb383c79',
    timestamp: 1711452273,
    logs: [
      [179, 'ReserveDataUpdated', { reserve: '0xc1cba3fcea344f92d9239c08c0568f6f2f0ee452', liquidityRate: 50107946065357566971577n, stableBorrowRate: 105623826491568337903004611n, variableBorrowRate: 3028214264690643486233251n, liquidityIndex: 1001134371101763609346714394n, variableBorrowIndex: 1003117246421233830474321404n }],
      [181, 'Borrow', { reserve: '0xc1cba3fcea344f92d9239c08c0568f6f2f0ee452', user: '0xaafc3e3c8b4fd93584256e6d49a9c364648e66ce', onBehalfOf: '0xaafc3e3c8b4fd93584256e6d49a9c364648e66ce', amount: 181000000000000000n, interestRateMode: 2, borrowRate: 3028214264690643486233251n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.base',
    rotkiTest: 'test_aave_v3_collateral_swap',
    tx: '0xdc1a92c8cbda2fe7917e633efd889d17fc62e88e0f584af65f577b5d2a8bcb3c',
    block: 34188458,
    blockHash: '0xa0c406adac3fa7a63917be5cccb326e4c9f299523f7d0158259a3f6604535b8c',
    timestamp: 1755166263,
    logs: [
      [1643, 'ReserveUsedAsCollateralDisabled', { reserve: '0x4200000000000000000000000000000000000006', user: '0xe37b28362f65060c18c16398cfd23275d8cae750' }],
      [1644, 'ReserveUsedAsCollateralEnabled', { reserve: '0x4200000000000000000000000000000000000006', user: '0x2e549104c516b8657a7d888494dfbabd7c70b464' }],
      [1645, 'ReserveDataUpdated', { reserve: '0x4200000000000000000000000000000000000006', liquidityRate: 16690052118547777409513550n, stableBorrowRate: 0n, variableBorrowRate: 24270572093884218608905418n, liquidityIndex: 1031762970036322826332340979n, variableBorrowIndex: 1051990345141993487853791266n }],
      [1649, 'ReserveUsedAsCollateralDisabled', { reserve: '0x4200000000000000000000000000000000000006', user: '0x2e549104c516b8657a7d888494dfbabd7c70b464' }],
      [1650, 'Withdraw', { reserve: '0x4200000000000000000000000000000000000006', user: '0x2e549104c516b8657a7d888494dfbabd7c70b464', to: '0x2e549104c516b8657a7d888494dfbabd7c70b464', amount: 109666465527922n }],
      [1661, 'ReserveDataUpdated', { reserve: '0xc1cba3fcea344f92d9239c08c0568f6f2f0ee452', liquidityRate: 316274926310765893219169n, stableBorrowRate: 0n, variableBorrowRate: 1426364986333856757270381n, liquidityIndex: 1002915028247474168034019639n, variableBorrowIndex: 1015560520376654201490343008n }],
      [1666, 'Supply', { reserve: '0xc1cba3fcea344f92d9239c08c0568f6f2f0ee452', user: '0x2e549104c516b8657a7d888494dfbabd7c70b464', onBehalfOf: '0xe37b28362f65060c18c16398cfd23275d8cae750', amount: 90888333840838n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.gnosis',
    rotkiTest: 'test_aave_v3_withdraw_gnosis',
    tx: '0x1f3cae37be928563d154c534c98f41eefe9201eb3d0129c99c1ecb51f83e5596',
    block: 33123884,
    blockHash: '0xf969bae3cae8805499b72fcb33380f474a9516693b7db769e98f60c87b05a608',
    timestamp: 1711453785,
    logs: [
      [291, 'ReserveDataUpdated', { reserve: '0xaf204776c7245bf4147c2612bf6e5972ee483701', liquidityRate: 0n, stableBorrowRate: 50000000000000000000000000n, variableBorrowRate: 0n, liquidityIndex: 1000001199545958195878149161n, variableBorrowIndex: 1000000000000000000000000000n }],
      [295, 'Withdraw', { reserve: '0xaf204776c7245bf4147c2612bf6e5972ee483701', user: '0x91ed7a7fd3072885c1ec905c932717df6a8ae2ca', to: '0x91ed7a7fd3072885c1ec905c932717df6a8ae2ca', amount: 4300000000000000000000n }],
    ],
  },
  {
    file: 'aave-v3.gnosis',
    rotkiTest: 'test_aave_v3_withdraw_xdai',
    tx: '0x0154ef3042e93a632d654c86bff99f7d452681dba72f4f773806c9c26470f678',
    block: 34864631,
    blockHash: '0x03dc3b3434a41c02357e63281e2b1be40a665e717479cb52ece709591e6637b1',
    timestamp: 1720459795,
    logs: [
      [4, 'ReserveUsedAsCollateralDisabled', { reserve: '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d', user: '0x44ddbb35cfebbafe98e402970517b33d8e925eb3' }],
      [5, 'ReserveUsedAsCollateralEnabled', { reserve: '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d', user: '0xfe76366a986b72c3f2923e05e6ba07b7de5401e4' }],
      [7, 'ReserveDataUpdated', { reserve: '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d', liquidityRate: 52085526426013843248702304n, stableBorrowRate: 146297270993893918309577610n, variableBorrowRate: 83335087789009052957239697n, liquidityIndex: 1033302235390313991406486297n, variableBorrowIndex: 1048772123545606372843110587n }],
      [8, 'ReserveUsedAsCollateralDisabled', { reserve: '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d', user: '0xfe76366a986b72c3f2923e05e6ba07b7de5401e4' }],
      [12, 'Withdraw', { reserve: '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d', user: '0xfe76366a986b72c3f2923e05e6ba07b7de5401e4', to: '0xfe76366a986b72c3f2923e05e6ba07b7de5401e4', amount: 5076355892637370336n }],
    ],
  },
  {
    file: 'aave-v3.gnosis',
    rotkiTest: 'test_gnosis_xdai_deposit',
    tx: '0xbdc74d91e713209a666daf25a97da7c73aca646a7e7c0e126954e6a4c644eb72',
    block: 40832037,
    blockHash: '0x331c066a8528fefbc75838cb7a0210f945e1fd683173b918d8e962720c6aee38',
    timestamp: 1751201820,
    logs: [
      [51, 'ReserveDataUpdated', { reserve: '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d', liquidityRate: 30994399303401850839662093n, stableBorrowRate: 0n, variableBorrowRate: 50254051515073294552010523n, liquidityIndex: 1082891523099976146405087520n, variableBorrowIndex: 1128891189208634350168473066n }],
      [55, 'Supply', { reserve: '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d', user: '0x721b9abab6511b46b9ee83a1aba23bdacb004149', onBehalfOf: '0x56a1a34f0d33788eba53e2706854a37a5f275536', amount: 1000000000000000000000n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.gnosis',
    rotkiTest: 'test_aave_v3_monerium_order',
    tx: '0x4a8e7cde236b18a4f07e1cd0dbba9e46d3fff75d608a30d6c1db8a5a2b328284',
    block: 42199915,
    blockHash: '0xb08d2bf4f12dc6134681a45b6aa6699ddb317d291cbc0d29b4710c1a5fb08fe4',
    timestamp: 1758276410,
    logs: [
      [37, 'ReserveDataUpdated', { reserve: '0xcb444e90d8198415266c6a2724b7900fb12fc56e', liquidityRate: 36509501513626262987161559n, stableBorrowRate: 0n, variableBorrowRate: 54127394291817342295506639n, liquidityIndex: 1052449812222268849310946359n, variableBorrowIndex: 1094608599655028773342258319n }],
      [43, 'Withdraw', { reserve: '0xcb444e90d8198415266c6a2724b7900fb12fc56e', user: '0xa37478676a7a86a6fb9e8d57d3e543eac8140a95', to: '0xa37478676a7a86a6fb9e8d57d3e543eac8140a95', amount: 154130094976329435259n }],
    ],
  },
  {
    file: 'aave-v3.scroll',
    rotkiTest: 'test_aave_v3_repay_scroll',
    tx: '0x66010f353be60adaa004f839d37cecd22c35c580060eeaffb9a28ebe169e1692',
    block: 4430491,
    blockHash: '0x6dc7d1a6ce97a660941b9c69ed54c5ed0a5db5bb7261b7a414a1d8ecccbe21c1',
    timestamp: 1711456958,
    logs: [
      [67, 'ReserveDataUpdated', { reserve: '0x06efdbff2a14a7c8e15944d1f4a48f9f95f663a4', liquidityRate: 108069292681109505160072802n, stableBorrowRate: 201671278220804529555837838n, variableBorrowRate: 131671278220804529555837838n, liquidityIndex: 1004025638356471285929738670n, variableBorrowIndex: 1006100466821964587465216373n }],
      [69, 'Repay', { reserve: '0x06efdbff2a14a7c8e15944d1f4a48f9f95f663a4', user: '0x3e6b4598e5bfeec911f344e546c9ebfe4a00d770', repayer: '0x3e6b4598e5bfeec911f344e546c9ebfe4a00d770', amount: 14460008663n, useATokens: false }],
    ],
  },
  {
    file: 'aave-v3.scroll',
    rotkiTest: 'test_aave_v3_withdraw_eth',
    tx: '0x65cd06fd54a10052c3d9084d14d28c06e2bb328b1ec39730fab9284cb529d068',
    block: 6012115,
    blockHash: '0xe6593206d1848e56b4b50afb26a081250397e6a7e4fb7267433b03293de4a71c',
    timestamp: 1716738746,
    logs: [
      [60, 'ReserveUsedAsCollateralDisabled', { reserve: '0x5300000000000000000000000000000000000004', user: '0x76111d2841b41b15e6f07fbae4796a82438d9c90' }],
      [61, 'ReserveUsedAsCollateralEnabled', { reserve: '0x5300000000000000000000000000000000000004', user: '0xff75a4b698e3ec95e608ac0f22a03b8368e05f5d' }],
      [63, 'ReserveDataUpdated', { reserve: '0x5300000000000000000000000000000000000004', liquidityRate: 672599328065028436740904n, stableBorrowRate: 58713217109854329907587615n, variableBorrowRate: 5713217109854329907587615n, liquidityIndex: 1001659936141956653444425134n, variableBorrowIndex: 1004095053757229994217111768n }],
      [64, 'ReserveUsedAsCollateralDisabled', { reserve: '0x5300000000000000000000000000000000000004', user: '0xff75a4b698e3ec95e608ac0f22a03b8368e05f5d' }],
      [68, 'Withdraw', { reserve: '0x5300000000000000000000000000000000000004', user: '0xff75a4b698e3ec95e608ac0f22a03b8368e05f5d', to: '0xff75a4b698e3ec95e608ac0f22a03b8368e05f5d', amount: 10000021776581852n }],
    ],
  },
  {
    file: 'aave-v3.scroll',
    rotkiTest: 'test_aave_v3_scroll_deposit_eth',
    tx: '0x76dd8a5b94409801fd86676be4d43913401eb407e3795facf063b7fb35c80e0e',
    block: 24403877,
    blockHash: '0xe053e9a2e0a6d78f9ecab0bae7bb7ecbee58fdfed93a267a4835c61f7ca50930',
    timestamp: 1762377954,
    logs: [
      [2, 'ReserveDataUpdated', { reserve: '0x5300000000000000000000000000000000000004', liquidityRate: 7457440349232298322310551n, stableBorrowRate: 0n, variableBorrowRate: 21152941345501378044471853n, liquidityIndex: 1036699805284585613573794622n, variableBorrowIndex: 1056567200467887770559404164n }],
      [6, 'Supply', { reserve: '0x5300000000000000000000000000000000000004', user: '0xe79ca44408dae5a57ea2a9594532f1e84d2edaa4', onBehalfOf: '0x72534b92c950b9d4739919bfd5facd81397178eb', amount: 30000000000000000n, referralCode: 0 }],
    ],
  },
  {
    file: 'aave-v3.bsc',
    rotkiTest: 'test_aave_v3_deposit_bnb',
    tx: '0x07b14d73cf0b4ca453883178c6521a6c6fd21cd7ee2bf7650badc8be61d9c76e',
    block: 45624882,
    blockHash: '0xabab127de8974364485ab4e766eb80a03547c8b3fcd8f26c60e2c2e1ba0cefce',
    timestamp: 1736455901,
    logs: [
      [17, 'ReserveDataUpdated', { reserve: '0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c', liquidityRate: 69974822885415738077572978n, stableBorrowRate: 0n, variableBorrowRate: 185629780645079546894574841n, liquidityIndex: 1029242365156313544639153304n, variableBorrowIndex: 1083180651971518576623317348n }],
      [21, 'ReserveUsedAsCollateralEnabled', { reserve: '0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c', user: '0x706a70067be19bdadbea3600db0626859ff25d74' }],
      [22, 'Supply', { reserve: '0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c', user: '0xe63eaf6dab1045689bd3a332bc596ffcf54a5c88', onBehalfOf: '0x706a70067be19bdadbea3600db0626859ff25d74', amount: 5000000000000000n, referralCode: 0 }],
    ],
  },
];

/** rotki's "variable APY x%" of each Borrow: borrowRate (ray) / 1e25, rounded to 2 decimals. */
const BORROW_APY: Record<string, string> = {
  '0x44367976e841cde459d84aec984d5fae4466b2978b1d71c9cd916bb79792ee20': '13.24',
  '0xf5b4c6f3b4e5bce1f91f7e7eab6185b6d1518e63dea637c79d7f1bbb97edda67': '2.38',
  '0xd1e4360f6f7fb34f0f169aeb5e7d0ac0f025e3fed90903a50ee7b1bb694ac8d0': '10.53',
  '0xb043a7f28cccd6cb0392db47cea4607f8cf3b91b6510669a0a62588b66eb7fcf': '13.71',
  '0x92b6fef0623a3f56daa651968819f2e5b7a982037c19fed2166e4c00ba4d6350': '0.30',
};

function fixturePath(file: string, kind: 'logs' | 'blocks'): string {
  return join(REAL_LOGS, `${file}.${kind}.ndjson`);
}

/**
 * Several fixture files of one chain read as one input. A block two files share
 * (the GMX close tx has Vault and fast-price logs) keeps one header;
 * groupLogsByBlock orders blocks and each block's logs.
 */
async function readChain(files: string[]): Promise<{ headers: BlockHeader[]; logs: Log[] }> {
  const headers = new Map<string, BlockHeader>();
  const logs: Log[] = [];
  for (const file of files) {
    for (const h of await readBlockHeaders(fixturePath(file, 'blocks'))) headers.set(h.hash, h);
    logs.push(...(await readLogs(fixturePath(file, 'logs'))));
  }
  return { headers: [...headers.values()], logs };
}

async function readBlocks(files: string[]): Promise<BlockWithLogs[]> {
  const { headers, logs } = await readChain(files);
  return groupLogsByBlock(headers, logs);
}

/** The recorder's entity id: transaction hash ++ logIndex as 4 little-endian bytes (graph-ts `concatI32`). */
function recordId(tx: string, logIndex: number): string {
  const le = Buffer.alloc(4);
  le.writeInt32LE(logIndex);
  return tx + le.toString('hex');
}

function show(v: Value | undefined): string {
  if (v === undefined) return '(missing)';
  if (v.kind === 'Bytes') return `Bytes ${bytesToHex(v.value)}`;
  return `${v.kind} ${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}`;
}

/** The stored value as the JS type of the expectation; a wrong kind shows up as text in the failure diff. */
function plain(v: Value | undefined, like: Expected): Expected {
  if (typeof like === 'string') return v?.kind === 'Bytes' ? bytesToHex(v.value) : show(v);
  if (typeof like === 'bigint') return v?.kind === 'BigInt' ? v.value : show(v);
  if (typeof like === 'number') return v?.kind === 'Int' ? v.value : show(v);
  return v?.kind === 'Bool' ? v.value : show(v);
}

function allEntities(deployment: Deployment): Array<{ type: string; entity: EntityData }> {
  return ENTITY_TYPES.flatMap((type) => deployment.store.list(type).map((entity) => ({ type, entity })));
}

function expectedFor(network: string): ExpectedTx[] {
  return EXPECTED.filter((t) => NETWORK_FILES[network].includes(t.file));
}

function build(network: string): string {
  // sourceRoot = the recorder itself: it imports nothing from beside it.
  return buildSubgraph({ subgraphDir: RECORDER, sourceRoot: RECORDER, network });
}

describe('the real-logs expectations', () => {
  // Guards the transcription itself; runs with or without ../shared.
  it('cover the 117 logs of the README, in files the networks below index', () => {
    expect(EXPECTED.reduce((n, t) => n + t.logs.length, 0)).toBe(117);
    const indexed = new Set(Object.values(NETWORK_FILES).flat());
    expect(EXPECTED.filter((t) => !indexed.has(t.file))).toEqual([]);
  });
});

describeReal('real logs replayed through the recorder subgraph', () => {
  let dataRoot: string;
  beforeAll(() => {
    dataRoot = mkdtempSync(join(tmpdir(), 'svr-real-logs-'));
  });
  afterAll(() => {
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  });

  for (const [network, files] of Object.entries(NETWORK_FILES)) {
    describe(`${network}: ${files.join(', ')}`, () => {
      let deployment: Deployment | undefined;
      let blocks: BlockWithLogs[] = [];
      const results = new Map<number, BlockResult>();
      const store = () => deployment!.store;

      beforeAll(async () => {
        const manifestPath = build(network);
        blocks = await readBlocks(files);
        deployment = new Deployment({ manifestPath, subgraph: 'recorder', dataDir: join(dataRoot, 'replay') });
        for (const block of blocks) results.set(Number(block.header.number), deployment.processBlock(block));
      }, 600_000);
      afterAll(() => deployment?.close());

      it('runs one handler per log, and stores one entity per log and nothing else', () => {
        const expected = expectedFor(network);
        const expectedLogs = expected.reduce((n, t) => n + t.logs.length, 0);
        expect(blocks.reduce((n, b) => n + b.logs.length, 0)).toBe(expectedLogs);
        expect(blocks.map((b) => [Number(b.header.number), results.get(Number(b.header.number))?.triggers])).toEqual(
          blocks.map((b) => [Number(b.header.number), b.logs.length]),
        );
        const stored = allEntities(deployment!);
        expect(stored).toHaveLength(expectedLogs);
        const ids = new Set(stored.map((s) => plain(s.entity.get('id'), '')));
        expect(ids.size).toBe(expectedLogs);
        expect(deployment!.failure()).toBeNull();
        expect(deployment!.head()?.number).toBe(Math.max(...expected.map((t) => t.block)));
      });

      for (const tx of expectedFor(network)) {
        it(`${tx.rotkiTest}: ${tx.file} logs of tx ${tx.tx.slice(0, 10)} in block ${tx.block} decode as the README states`, () => {
          for (const [logIndex, event, fields] of tx.logs) {
            const type = entityType(event);
            const entity = store().getLatest(type, recordId(tx.tx, logIndex));
            if (!entity) throw new Error(`no ${type} stored for tx ${tx.tx} logIndex ${logIndex}`);
            // Every decoded parameter plus the log's provenance: nothing missing, nothing more.
            expect({ logIndex, fields: [...entity.keys()].sort() }).toEqual({
              logIndex,
              fields: [...Object.keys(fields), ...COMMON_FIELDS].sort(),
            });
            const got: Record<string, Expected> = {};
            for (const [name, want] of Object.entries(fields)) got[name] = plain(entity.get(name), want);
            expect({ logIndex, event, ...got }).toEqual({ logIndex, event, ...fields });
            expect({
              logIndex,
              emitter: plain(entity.get('emitter'), ''),
              logIndexField: plain(entity.get('logIndex'), 0n),
              blockNumber: plain(entity.get('blockNumber'), 0n),
              blockHash: plain(entity.get('blockHash'), ''),
              blockTimestamp: plain(entity.get('blockTimestamp'), 0n),
              transactionHash: plain(entity.get('transactionHash'), ''),
            }).toEqual({
              logIndex,
              emitter: emitterOf(tx.file, event),
              logIndexField: BigInt(logIndex),
              blockNumber: BigInt(tx.block),
              blockHash: tx.blockHash,
              blockTimestamp: BigInt(tx.timestamp),
              transactionHash: tx.tx,
            });
            if (event === 'Borrow') {
              const rate = fields.borrowRate as bigint;
              const hundredths = (rate + 5n * 10n ** 22n) / 10n ** 23n; // round(rate / 1e25, 2 decimals)
              expect(`${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`).toBe(BORROW_APY[tx.tx]);
            }
          }
        });
      }

      if (network === 'arbitrum-one') {
        const swapTx = '0x5969392c45eaf7e6e3453e2405afb23eb2424e8e4ba2d14e38943fdcdab55d5f';
        const closeTx = '0xa3dd437d57689479db67ce685c4b70ee9bdbfbcc53f99fc343f73c89edaafe7a';
        const big = (type: string, tx: string, logIndex: number, field: string): bigint => {
          const v = store().getLatest(type, recordId(tx, logIndex))?.get(field);
          if (v?.kind !== 'BigInt') throw new Error(`${type} ${tx} #${logIndex}: ${field} is ${show(v)}`);
          return v.value;
        };

        it('CollectSwapFees keeps the on-chain word order under the declared names (README note)', () => {
          // Declared (token, feeUsd, feeTokens); on chain word 2 is the fee in LINK units and word 3
          // the fee in USD x 1e30. The recorder stores each word where the ABI declares it.
          const word2 = big('GmxCollectSwapFees', swapTx, 2, 'feeUsd');
          const word3 = big('GmxCollectSwapFees', swapTx, 2, 'feeTokens');
          expect(word2).toBe(big('GmxSwap', swapTx, 8, 'amountOut') - big('GmxSwap', swapTx, 8, 'amountOutAfterFees'));
          expect(word3 / 10n ** 28n).toBe(1646n); // 16.46 USD at 30 decimals
          // CollectMarginFees in the close tx follows its declared order: USD x 1e30, then USDC (6 decimals).
          expect(big('GmxCollectMarginFees', closeTx, 12, 'feeUsd') / 10n ** 24n).toBe(2552927n);
          expect(big('GmxCollectMarginFees', closeTx, 12, 'feeTokens')).toBe(2552927n);
        });

        it('DecreasePosition.price equals the FastPriceEvents WETH price of the same tx (README note)', () => {
          expect(big('GmxDecreasePosition', closeTx, 15, 'price')).toBe(big('GmxPriceUpdate', closeTx, 5, 'price'));
        });

        it('runs the Vault, FastPriceFeed and FastPriceEvents handlers of one block in logIndex order', () => {
          const block = blocks.find((b) => b.header.number === 171362022n)!;
          expect(block.logs.map((l) => l.logIndex)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16]);
          expect(results.get(171362022)?.triggers).toBe(14);
        });
      }
    });
  }

  describe('logs the recorder must ignore', () => {
    const fresh = (network: string, name: string) =>
      new Deployment({ manifestPath: build(network), subgraph: 'recorder', dataDir: join(dataRoot, name) });

    // Real logs of the very events the recorder handles, from contracts that are not its data
    // sources on that network. Every block fed is past the start block of the data source
    // handling that event (arbitrum-one's Pool starts at 7742429, mainnet's at 16291127), so
    // only the address can keep them out. Aave's Pool has the same address on arbitrum-one,
    // optimism and polygon, which a log cannot tell apart, so those are not fed to each other.
    const foreign: Array<[string, string[]]> = [
      ['arbitrum-one', ['aave-v3.mainnet', 'aave-v3-lido.mainnet', 'aave-v3.base', 'aave-v3.gnosis', 'aave-v3.bsc']],
      ['mainnet', ['gmx-v1.arbitrum-one', 'gmx-v1-fastprice.arbitrum-one', 'aave-v3.arbitrum-one', 'aave-v3.polygon', 'aave-v3.gnosis']],
      ['bsc', ['aave-v3.mainnet', 'aave-v3.optimism', 'aave-v3.gnosis', 'aave-v3.scroll']],
    ];
    for (const [network, files] of foreign) {
      it(`a ${network} deployment ignores the same events from other emitters (${files.join(', ')})`, async () => {
        for (const file of files) {
          const deployment = fresh(network, `foreign-${network}-${file}`);
          try {
            const blocks = await readBlocks([file]);
            expect(blocks.length).toBeGreaterThan(0);
            const triggers = blocks.reduce((n, b) => n + deployment.processBlock(b).triggers, 0);
            expect({ file, triggers, stored: allEntities(deployment).length }).toEqual({ file, triggers: 0, stored: 0 });
            // The blocks were indexed, not skipped.
            expect(deployment.head()?.number).toBe(Number(blocks[blocks.length - 1].header.number));
          } finally {
            deployment.close();
          }
        }
      }, 600_000);
    }

    it("ignores logs whose topic0 is not in the emitting data source's ABI", async () => {
      // Variations of real logs (so synthetic): one contract's real event presented at another
      // data source's address, and a real Vault log re-keyed to the topic0 of an event the
      // recorder's ABI does not have. The untouched log last is the control.
      const deployment = fresh('arbitrum-one', 'topic0');
      try {
        const { headers, logs } = await readChain(['gmx-v1.arbitrum-one', 'gmx-v1-fastprice.arbitrum-one', 'aave-v3.arbitrum-one']);
        const pick = (block: number, logIndex: number) =>
          logs.find((l) => l.blockNumber === BigInt(block) && l.logIndex === logIndex) ??
          (() => {
            throw new Error(`no log ${block}/${logIndex}`);
          })();
        const priceData = pick(171362022, 2);
        const priceUpdate = pick(171362022, 3);
        const decreasePosition = pick(171362022, 15);
        const swap = pick(171294311, 8);
        const withdraw = pick(194378588, 29);
        const increasePositionTopic = toEventSelector('IncreasePosition(bytes32,address,address,address,uint256,uint256,bool,uint256,uint256)');
        const transferTopic = toEventSelector('Transfer(address,address,uint256)');
        const header = headers.find((h) => h.number === 171362022n)!;
        const variant = (log: Log, logIndex: number, changes: Partial<Log>): Log => ({
          ...log,
          ...changes,
          blockNumber: header.number,
          blockHash: header.hash,
          logIndex,
        });
        const block: BlockWithLogs = {
          header,
          logs: [
            variant(priceUpdate, 0, { address: GMX_FAST_PRICE_FEED }), // PriceUpdate belongs to FastPriceEvents
            variant(priceData, 1, { address: GMX_FAST_PRICE_EVENTS }), // PriceData belongs to FastPriceFeed
            variant(swap, 2, { address: AAVE_POOL['aave-v3.arbitrum-one'] }), // a Vault event at the Pool
            variant(withdraw, 3, { address: GMX_VAULT }), // a Pool event at the Vault
            variant(decreasePosition, 4, { topics: [increasePositionTopic, ...decreasePosition.topics.slice(1)] }),
            variant(decreasePosition, 5, { topics: [transferTopic, ...decreasePosition.topics.slice(1)] }),
            variant(decreasePosition, 6, {}), // control: the real log as it is
          ],
        };
        expect(deployment.processBlock(block).triggers).toBe(1);
        const stored = allEntities(deployment);
        expect(stored.map((s) => [s.type, plain(s.entity.get('logIndex'), 0n)])).toEqual([['GmxDecreasePosition', 6n]]);
      } finally {
        deployment.close();
      }
    });
  });
});
