/**
 * The GMX v1 subgraph (subgraph/gmx-v1) built with graph-cli for each network and run
 * through svr's runtime: Vault logs encoded with viem at the real Vault addresses, with the
 * expected entities worked out by hand below (USD figures are GMX's USD x 10^30 / 10^30;
 * token amounts / 10^decimals x price). Then the real Arbitrum Vault logs of
 * ../shared/fixtures/real-logs, read where they lie.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeAbiParameters, keccak256, parseAbiItem, toBytes, toEventSelector, type AbiEvent, type AbiParameter } from 'viem';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment } from '../../server/indexer/deployment';
import { groupLogsByBlock, readBlockHeaders, readLogs } from '../../server/ingest/ndjson';
import type { BlockWithLogs, Log } from '../../server/ingest/types';
import { entity, plain } from './entities';

const ROOT = resolve(__dirname, '../..');
const SUBGRAPHS = join(ROOT, 'subgraph');
const REAL_LOGS = resolve(ROOT, '../shared/fixtures/real-logs');

/** The Vaults, from ../shared/reference/protocols.md (lower case, as logs carry them). */
const VAULT = {
  'arbitrum-one': '0x489ee077994b6658eafa855c308275ead8097c4a',
  avalanche: '0x9ab2de34a33fb459b538c43f251eb825645e8595',
} as const;

// Tokens (gmx-io/gmx-contracts scripts/core/tokens.js; see subgraph/common/tokens.ts).
const WETH = '0x82af49447d8a07e3bd95bd0d56f35241523fbab1'; // 18 decimals
const WBTC = '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f'; // 8
const USDC_E = '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8'; // 6, stablecoin
const USDC_ARB = '0xaf88d065e77c8cc2239327c5edb3a432268e5831'; // 6, stablecoin
const LINK = '0xf97f4df75117a78c1a5a0dbb814af92458539fb4'; // 18
const WAVAX = '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7'; // 18 (avalanche)
const UNKNOWN_TOKEN = '0x1111111111111111111111111111111111111111'; // not in the token table

const ALICE = '0xa11ce00000000000000000000000000000000001';
const BOB = '0xb0b0000000000000000000000000000000000002';
const CAROL = '0xca40100000000000000000000000000000000003';

const E30 = 10n ** 30n; // GMX USD precision
const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
const usd = (dollars: bigint) => dollars * E30;

const EVENTS = {
  IncreasePosition: parseAbiItem('event IncreasePosition(bytes32 key, address account, address collateralToken, address indexToken, uint256 collateralDelta, uint256 sizeDelta, bool isLong, uint256 price, uint256 fee)'),
  DecreasePosition: parseAbiItem('event DecreasePosition(bytes32 key, address account, address collateralToken, address indexToken, uint256 collateralDelta, uint256 sizeDelta, bool isLong, uint256 price, uint256 fee)'),
  LiquidatePosition: parseAbiItem('event LiquidatePosition(bytes32 key, address account, address collateralToken, address indexToken, bool isLong, uint256 size, uint256 collateral, uint256 reserveAmount, int256 realisedPnl, uint256 markPrice)'),
  UpdatePosition7: parseAbiItem('event UpdatePosition(bytes32 key, uint256 size, uint256 collateral, uint256 averagePrice, uint256 entryFundingRate, uint256 reserveAmount, int256 realisedPnl)'),
  UpdatePosition8: parseAbiItem('event UpdatePosition(bytes32 key, uint256 size, uint256 collateral, uint256 averagePrice, uint256 entryFundingRate, uint256 reserveAmount, int256 realisedPnl, uint256 markPrice)'),
  ClosePosition: parseAbiItem('event ClosePosition(bytes32 key, uint256 size, uint256 collateral, uint256 averagePrice, uint256 entryFundingRate, uint256 reserveAmount, int256 realisedPnl)'),
  IncreasePoolAmount: parseAbiItem('event IncreasePoolAmount(address token, uint256 amount)'),
  DecreasePoolAmount: parseAbiItem('event DecreasePoolAmount(address token, uint256 amount)'),
  IncreaseReservedAmount: parseAbiItem('event IncreaseReservedAmount(address token, uint256 amount)'),
  DecreaseReservedAmount: parseAbiItem('event DecreaseReservedAmount(address token, uint256 amount)'),
  IncreaseGuaranteedUsd: parseAbiItem('event IncreaseGuaranteedUsd(address token, uint256 amount)'),
  DecreaseGuaranteedUsd: parseAbiItem('event DecreaseGuaranteedUsd(address token, uint256 amount)'),
} satisfies Record<string, AbiEvent>;
type EventName = keyof typeof EVENTS;

/** A Vault position key, as Vault.getPositionKey: keccak256(abi.encodePacked(account, collateralToken, indexToken, isLong)). */
function positionKey(account: string, collateralToken: string, indexToken: string, isLong: boolean): `0x${string}` {
  const packed = account.slice(2) + collateralToken.slice(2) + indexToken.slice(2) + (isLong ? '01' : '00');
  return keccak256(toBytes(`0x${packed}`));
}

interface VaultLog {
  event: EventName;
  args: readonly unknown[];
  address?: string;
}

const T0 = 1_700_000_000n; // 2023-11-14T22:13:20Z: UTC day 19675, hour 472222

function blockHash(n: number): string {
  return '0x' + n.toString(16).padStart(64, '0');
}

function makeBlock(network: keyof typeof VAULT, number: number, timestamp: bigint, logs: VaultLog[]): BlockWithLogs {
  return {
    header: { number: BigInt(number), hash: blockHash(number), parentHash: blockHash(number - 1), timestamp },
    logs: logs.map((l, logIndex): Log => {
      const abi: AbiEvent = EVENTS[l.event];
      return {
        address: (l.address ?? VAULT[network]).toLowerCase(),
        // No Vault parameter is indexed: topic0 is the only topic, everything is in data.
        topics: [toEventSelector(abi)],
        data: encodeAbiParameters(abi.inputs as readonly AbiParameter[], l.args as readonly unknown[]),
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
    m = buildSubgraph({ subgraphDir: join(SUBGRAPHS, 'gmx-v1'), network, sourceRoot: SUBGRAPHS });
    manifests.set(network, m);
  }
  return m;
}

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'svr-gmx-v1-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function deploy(network: keyof typeof VAULT, name: string): Deployment {
  return new Deployment({ manifestPath: manifestFor(network), subgraph: 'gmx-v1', dataDir: join(dataDir, name) });
}

describe('the common schema (subgraph/schema.graphql)', () => {
  test('every entity type states whether it is immutable', () => {
    const schema = readFileSync(join(SUBGRAPHS, 'schema.graphql'), 'utf8');
    const types = [...schema.matchAll(/^type (\w+)([^{]*)\{/gm)];
    expect(types.length).toBeGreaterThan(10);
    for (const [, name, directives] of types) {
      expect([name, /@entity\(immutable: (true|false)\)/.test(directives)]).toEqual([name, true]);
    }
  });
});

describe('gmx-v1 on arbitrum-one (UpdatePosition without markPrice)', () => {
  const KA = positionKey(ALICE, WETH, WETH, true); // Alice long ETH, WETH collateral
  const KB = positionKey(BOB, USDC_E, WBTC, false); // Bob short BTC, USDC.e collateral
  let d: Deployment;
  beforeAll(() => {
    d = deploy('arbitrum-one', 'arbitrum');
  });
  afterAll(() => d.close());

  test('block 1: pools, two positions opened, prices from the position events', () => {
    d.processBlock(
      makeBlock('arbitrum-one', 300000, T0, [
        { event: 'IncreasePoolAmount', args: [WETH, 100n * E18] },
        { event: 'IncreasePoolAmount', args: [USDC_E, 50_000n * E6] },
        // Alice: long 10,000 USD of ETH on 1,000 USD of collateral at 2,000.
        { event: 'IncreaseReservedAmount', args: [WETH, 5n * E18] },
        { event: 'IncreaseGuaranteedUsd', args: [WETH, usd(9000n)] },
        { event: 'IncreasePosition', args: [KA, ALICE, WETH, WETH, usd(1000n), usd(10_000n), true, usd(2000n), usd(10n)] },
        { event: 'UpdatePosition7', args: [KA, usd(10_000n), usd(1000n), usd(2000n), 100n, 5n * E18, 0n] },
        // Bob: short 5,000 USD of BTC on 500 USD of USDC.e at 40,000.
        { event: 'IncreaseReservedAmount', args: [USDC_E, 5000n * E6] },
        { event: 'IncreasePosition', args: [KB, BOB, USDC_E, WBTC, usd(500n), usd(5000n), false, usd(40_000n), usd(5n)] },
        { event: 'UpdatePosition7', args: [KB, usd(5000n), usd(500n), usd(40_000n), 50n, 5000n * E6, 0n] },
      ]),
    );
    expect(d.failure()).toBeNull();

    // Collateral locked: WETH 100 x 2,000 (IncreasePosition's price) + USDC.e 50,000 x 1.00 = 250,000.
    expect(entity(d, 'Protocol', 'gmx-v1')).toMatchObject({
      network: 'arbitrum-one',
      type: 'PERPETUAL',
      contract: VAULT['arbitrum-one'],
      totalValueLockedUSD: '250000',
      priced: true,
      unpricedTokens: [],
      longOpenInterestUSD: '10000',
      shortOpenInterestUSD: '5000',
      totalOpenInterestUSD: '15000',
      openPositionCount: 2,
      cumulativePositionCount: 2,
      cumulativeUniqueUsers: 2,
      marketCount: 2,
      maxLeverage: '100',
      liquidationFeeUSD: '5',
      marginFeeBasisPoints: 10,
    });
    expect(entity(d, 'Token', WETH)).toMatchObject({ symbol: 'WETH', decimals: 18, lastPriceUSD: '2000', lastPriceSource: 'POSITION_EVENT', lastPriceBlockNumber: '300000' });
    expect(entity(d, 'Token', WBTC)).toMatchObject({ symbol: 'WBTC', decimals: 8, lastPriceUSD: '40000', lastPriceSource: 'POSITION_EVENT' });
    expect(entity(d, 'Token', USDC_E)).toMatchObject({ symbol: 'USDC.e', decimals: 6, isStablecoin: true, lastPriceUSD: '1', lastPriceSource: 'STABLECOIN_DEFAULT' });
    expect(entity(d, 'CollateralBalance', WETH)).toMatchObject({
      amount: (100n * E18).toString(),
      reservedAmount: (5n * E18).toString(),
      guaranteedUSD: '9000',
      amountUSD: '200000',
      priced: true,
    });

    // Alice's liquidation price (long): margin fee = 10,000 x 10 / 10,000 = 10; fee threshold = 10 + 5 = 15;
    // leverage threshold = 10,000 / 100 = 100; threshold = 100.
    // price = 2,000 - 2,000 x (1,000 - 100) / 10,000 = 2,000 - 180 = 1,820.
    expect(entity(d, 'Position', KA)).toMatchObject({
      side: 'LONG',
      account: ALICE,
      market: WETH,
      collateralToken: WETH,
      indexToken: WETH,
      balance: usd(10_000n).toString(),
      sizeUSD: '10000',
      collateralUSD: '1000',
      entryPriceUSD: '2000',
      liquidationPriceUSD: '1820',
      reserveAmount: (5n * E18).toString(),
      entryFundingRate: '100',
      isOpen: true,
      indexedFromOpen: true,
      openedBlockNumber: '300000',
    });
    // Bob's (short): margin fee 5; fee threshold 10; leverage threshold 5,000 / 100 = 50; threshold 50.
    // price = 40,000 + 40,000 x (500 - 50) / 5,000 = 40,000 + 3,600 = 43,600.
    expect(entity(d, 'Position', KB)).toMatchObject({ side: 'SHORT', sizeUSD: '5000', collateralUSD: '500', liquidationPriceUSD: '43600', isOpen: true });
    expect(entity(d, 'Market', WETH)).toMatchObject({ name: 'WETH', longOpenInterestUSD: '10000', shortOpenInterestUSD: '0', openPositionCount: 1, longPositionCount: 1 });
    expect(entity(d, 'Market', WBTC)).toMatchObject({ name: 'WBTC', shortOpenInterestUSD: '5000', inputTokens: [WBTC, USDC_E] });
    expect(entity(d, 'ProtocolHourlySnapshot', 'gmx-v1-472222')).toMatchObject({ hour: 472222, totalValueLockedUSD: '250000', totalOpenInterestUSD: '15000' });
  });

  test('block 2: partial decrease, an unpriced token comes and goes', () => {
    d.processBlock(
      makeBlock('arbitrum-one', 300001, T0 + 3600n, [
        // Alice takes 4,000 USD off at 2,100: reserve 5 x 4,000 / 10,000 = 2 WETH released; profit
        // 4,000 x (2,100 - 2,000) / 2,000 = 200 realised; 1 WETH leaves the pool.
        { event: 'DecreaseReservedAmount', args: [WETH, 2n * E18] },
        { event: 'DecreasePoolAmount', args: [WETH, 1n * E18] },
        { event: 'DecreasePosition', args: [KA, ALICE, WETH, WETH, 0n, usd(4000n), true, usd(2100n), usd(4n)] },
        { event: 'UpdatePosition7', args: [KA, usd(6000n), usd(900n), usd(2000n), 120n, 3n * E18, usd(200n)] },
        // A token the mapping does not know: its pool amount cannot be valued.
        { event: 'IncreasePoolAmount', args: [UNKNOWN_TOKEN, 5n * E18] },
      ]),
    );
    expect(d.failure()).toBeNull();
    // WETH 99 x 2,100 = 207,900; USDC.e 50,000; the unknown token is left out and named.
    expect(entity(d, 'Protocol', 'gmx-v1')).toMatchObject({
      totalValueLockedUSD: '257900',
      priced: false,
      unpricedTokens: [UNKNOWN_TOKEN],
      longOpenInterestUSD: '6000',
      shortOpenInterestUSD: '5000',
      totalOpenInterestUSD: '11000',
      openPositionCount: 2,
    });
    expect(entity(d, 'CollateralBalance', UNKNOWN_TOKEN)).toMatchObject({ amount: (5n * E18).toString(), amountUSD: '0', priced: false });
    // Its decimals and price are null (absent from the stored entity).
    const unknown = entity(d, 'Token', UNKNOWN_TOKEN);
    expect([unknown.decimals ?? null, unknown.lastPriceUSD ?? null]).toEqual([null, null]);
    // Alice after the decrease: threshold = max(6 + 5, 6,000 / 100 = 60) = 60;
    // price = 2,000 - 2,000 x (900 - 60) / 6,000 = 2,000 - 280 = 1,720.
    expect(entity(d, 'Position', KA)).toMatchObject({ sizeUSD: '6000', collateralUSD: '900', realisedPnlUSD: '200', liquidationPriceUSD: '1720', reserveAmount: (3n * E18).toString() });
    expect(entity(d, 'Token', WETH)).toMatchObject({ lastPriceUSD: '2100', lastPriceBlockNumber: '300001' });

    d.processBlock(makeBlock('arbitrum-one', 300002, T0 + 3700n, [{ event: 'DecreasePoolAmount', args: [UNKNOWN_TOKEN, 5n * E18] }]));
    // Its pool is empty again: nothing is left out.
    expect(entity(d, 'Protocol', 'gmx-v1')).toMatchObject({ totalValueLockedUSD: '257900', priced: true, unpricedTokens: [] });
    // Same UTC day as block 1: one daily snapshot, with the latest figures.
    expect(entity(d, 'ProtocolDailySnapshot', 'gmx-v1-19675')).toMatchObject({ day: 19675, totalValueLockedUSD: '257900', totalOpenInterestUSD: '11000', blockNumber: '300002' });
  });

  test('block 3 (next day): close, then liquidation with a shortfall', () => {
    d.processBlock(
      makeBlock('arbitrum-one', 300003, T0 + 86400n, [
        // Bob closes at 39,000: profit 5,000 x (40,000 - 39,000) / 40,000 = 125, paid from the USDC.e pool.
        { event: 'DecreaseReservedAmount', args: [USDC_E, 5000n * E6] },
        { event: 'DecreasePoolAmount', args: [USDC_E, 125n * E6] },
        { event: 'DecreasePosition', args: [KB, BOB, USDC_E, WBTC, 0n, usd(5000n), false, usd(39_000n), usd(5n)] },
        { event: 'ClosePosition', args: [KB, usd(5000n), usd(500n), usd(40_000n), 60n, 0n, usd(125n)] },
        // Alice is liquidated at 1,650 (below her 1,720).
        { event: 'DecreaseReservedAmount', args: [WETH, 3n * E18] },
        { event: 'DecreaseGuaranteedUsd', args: [WETH, usd(5100n)] },
        { event: 'LiquidatePosition', args: [KA, ALICE, WETH, WETH, true, usd(6000n), usd(900n), 3n * E18, usd(200n), usd(1650n)] },
      ]),
    );
    expect(d.failure()).toBeNull();
    // WETH 99 x 1,650 = 163,350; USDC.e 50,000 - 125 = 49,875; total 213,225. No open interest left.
    expect(entity(d, 'Protocol', 'gmx-v1')).toMatchObject({
      totalValueLockedUSD: '213225',
      priced: true,
      longOpenInterestUSD: '0',
      shortOpenInterestUSD: '0',
      totalOpenInterestUSD: '0',
      openPositionCount: 0,
      cumulativePositionCount: 2,
      cumulativeLiquidationCount: 1,
    });
    const closed = entity(d, 'Position', KB);
    expect(closed).toMatchObject({ isOpen: false, liquidated: false, sizeUSD: '0', balance: '0', realisedPnlUSD: '125', closedBlockNumber: '300003' });
    expect(closed.liquidationPriceUSD ?? null).toBeNull();
    expect(entity(d, 'Position', KA)).toMatchObject({ isOpen: false, liquidated: true, sizeUSD: '0', collateralUSD: '0', closedBlockNumber: '300003' });
    // Loss at the mark price: 6,000 x (2,000 - 1,650) / 2,000 = 1,050; shortfall = 1,050 - 900 = 150.
    const liquidations = d.store.list('Liquidation').map((l) => Object.fromEntries([...l].map(([k, v]) => [k, plain(v)])));
    expect(liquidations).toHaveLength(1);
    expect(liquidations[0]).toMatchObject({
      position: KA,
      account: ALICE,
      market: WETH,
      side: 'LONG',
      sizeUSD: '6000',
      collateralUSD: '900',
      priceUSD: '1650',
      realisedLossUSD: '1050',
      shortfallUSD: '150',
    });
    expect(liquidations[0].liquidator ?? null).toBeNull(); // GMX v1's event does not name the liquidator
    expect(entity(d, 'Account', ALICE)).toMatchObject({ openPositionCount: 0, closedPositionCount: 1, liquidationCount: 1 });
    expect(entity(d, 'CollateralBalance', WETH)).toMatchObject({ reservedAmount: '0', guaranteedUSD: '3900' });
    expect(entity(d, 'Market', WETH)).toMatchObject({ longOpenInterestUSD: '0', openPositionCount: 0, longPositionCount: 0, cumulativeLiquidationCount: 1 });
    expect(entity(d, 'ProtocolDailySnapshot', 'gmx-v1-19676')).toMatchObject({ totalValueLockedUSD: '213225', cumulativeLiquidationCount: 1 });
    expect(entity(d, 'MarketDailySnapshot', `${WETH}-19676`)).toMatchObject({ longOpenInterestUSD: '0', cumulativeLiquidationCount: 1 });
    // The day before keeps its figures.
    expect(entity(d, 'ProtocolDailySnapshot', 'gmx-v1-19675')).toMatchObject({ totalOpenInterestUSD: '11000' });
  });

  test('block 4: a liquidated key opened again is the same position, open again', () => {
    d.processBlock(
      makeBlock('arbitrum-one', 300004, T0 + 86500n, [
        { event: 'IncreasePosition', args: [KA, ALICE, WETH, WETH, usd(200n), usd(1000n), true, usd(1600n), usd(1n)] },
        { event: 'UpdatePosition7', args: [KA, usd(1000n), usd(199n), usd(1600n), 130n, 0n, 0n] },
      ]),
    );
    expect(d.failure()).toBeNull();
    // threshold = max(1 + 5, 1,000 / 100 = 10) = 10; price = 1,600 - 1,600 x (199 - 10) / 1,000 = 1,600 - 302.4 = 1,297.6.
    const reopened = entity(d, 'Position', KA);
    expect(reopened).toMatchObject({ isOpen: true, liquidated: false, indexedFromOpen: true, sizeUSD: '1000', liquidationPriceUSD: '1297.6', openedBlockNumber: '300004' });
    expect(reopened.closedBlockNumber ?? null).toBeNull();
    expect(entity(d, 'Protocol', 'gmx-v1')).toMatchObject({ longOpenInterestUSD: '1000', openPositionCount: 1, cumulativePositionCount: 3, cumulativeUniqueUsers: 2 });
    expect(entity(d, 'Account', ALICE)).toMatchObject({ openPositionCount: 1, cumulativePositionCount: 2, liquidationCount: 1 });
    // The liquidation stays as it was recorded (immutable).
    expect(d.store.list('Liquidation')).toHaveLength(1);
  });
});

describe('gmx-v1 on avalanche (UpdatePosition with markPrice)', () => {
  test('the 8-argument UpdatePosition prices the index token; other Vaults are ignored', () => {
    const d = deploy('avalanche', 'avalanche');
    try {
      const KC = positionKey(CAROL, WAVAX, WAVAX, true);
      d.processBlock(
        makeBlock('avalanche', 9000000, T0, [
          { event: 'IncreasePoolAmount', args: [WAVAX, 1000n * E18] },
          { event: 'IncreasePosition', args: [KC, CAROL, WAVAX, WAVAX, usd(300n), usd(3000n), true, usd(20n), usd(3n)] },
          { event: 'UpdatePosition8', args: [KC, usd(3000n), usd(300n), usd(20n), 10n, 150n * E18, 0n, usd(21n)] },
          // The Arbitrum Vault's address: not this deployment's contract.
          { event: 'IncreasePoolAmount', args: [WAVAX, 1000n * E18], address: VAULT['arbitrum-one'] },
        ]),
      );
      expect(d.failure()).toBeNull();
      // The markPrice (21) came after IncreasePosition's price (20): the most recent wins.
      expect(entity(d, 'Token', WAVAX)).toMatchObject({ symbol: 'WAVAX', lastPriceUSD: '21', lastPriceSource: 'POSITION_EVENT' });
      // 1,000 WAVAX x 21 = 21,000.
      expect(entity(d, 'Protocol', 'gmx-v1')).toMatchObject({ network: 'avalanche', contract: VAULT.avalanche, totalValueLockedUSD: '21000', longOpenInterestUSD: '3000', priced: true });
      // threshold = max(3 + 5, 3,000 / 100 = 30) = 30; price = 20 - 20 x (300 - 30) / 3,000 = 20 - 1.8 = 18.2.
      expect(entity(d, 'Position', KC)).toMatchObject({ sizeUSD: '3000', entryPriceUSD: '20', liquidationPriceUSD: '18.2', isOpen: true });
    } finally {
      d.close();
    }
  });

  test('the 7-argument form is what the manifest declares for arbitrum, the 8-argument for avalanche: both handlers exist on both', () => {
    // topic0 of each form, computed here: they differ, so each log reaches exactly one handler.
    expect(toEventSelector(EVENTS.UpdatePosition7)).not.toEqual(toEventSelector(EVENTS.UpdatePosition8));
    expect(toEventSelector(EVENTS.IncreasePosition)).toBe('0x2fe68525253654c21998f35787a8d0f361905ef647c854092430ab65f2f15022');
    expect(toEventSelector(EVENTS.LiquidatePosition)).toBe('0x2e1f85a64a2f22cf2f0c42584e7c919ed4abe8d53675cff0f62bf1e95a1c676f');
    expect(toEventSelector(EVENTS.ClosePosition)).toBe('0x73af1d417d82c240fdb6d319b34ad884487c6bf2845d98980cc52ad9171cb455');
  });
});

const HAVE_REAL_LOGS = existsSync(join(REAL_LOGS, 'gmx-v1.arbitrum-one.logs.ndjson'));
if (!HAVE_REAL_LOGS) {
  console.warn(`test/subgraph/gmx-v1.test.ts: real-log replay SKIPPED because ${REAL_LOGS} does not exist (../shared sits beside the repository, not in it).`);
}
const describeReal = HAVE_REAL_LOGS ? describe : describe.skip;

describeReal('gmx-v1 replaying the real Arbitrum Vault logs', () => {
  test('pool changes and a short closed by a keeper (rotki test_swap_in_gmx, test_decrease_short_in_gmx)', async () => {
    const logs = await readLogs(join(REAL_LOGS, 'gmx-v1.arbitrum-one.logs.ndjson'));
    const headers = await readBlockHeaders(join(REAL_LOGS, 'gmx-v1.arbitrum-one.blocks.ndjson'));
    const d = deploy('arbitrum-one', 'real');
    try {
      for (const block of groupLogsByBlock(headers, logs)) d.processBlock(block);
      expect(d.failure()).toBeNull();
      // Values from ../shared/fixtures/real-logs/README.md. Indexing starts mid-history, so pool
      // amounts are net changes over these two blocks:
      // USDC.e +14,964.074104 (swap in); LINK -948.534109 (swap out); USDC -17.745995 (profit paid).
      expect(entity(d, 'CollateralBalance', USDC_E)).toMatchObject({ amount: '14964074104', amountUSD: '14964.074104', priced: true });
      expect(entity(d, 'CollateralBalance', LINK)).toMatchObject({ amount: '-948534109000000000000', priced: false });
      expect(entity(d, 'CollateralBalance', USDC_ARB)).toMatchObject({ amount: '-17745995', reservedAmount: '-2447676903', amountUSD: '-17.745995' });
      // LINK has no price (no position event on LINK, no feed yet): left out and named.
      // 14,964.074104 - 17.745995 = 14,946.328109.
      expect(entity(d, 'Protocol', 'gmx-v1')).toMatchObject({
        totalValueLockedUSD: '14946.328109',
        priced: false,
        unpricedTokens: [LINK],
        shortOpenInterestUSD: '0',
        openPositionCount: 0,
        cumulativePositionCount: 1,
      });
      // DecreasePosition's price (2,547.69, equal to the FastPriceEvents WETH price in the same tx) prices WETH.
      expect(entity(d, 'Token', WETH)).toMatchObject({ lastPriceUSD: '2547.69', lastPriceSource: 'POSITION_EVENT', lastPriceBlockNumber: '171362022' });
      const key = '0x9550de9c21b673d4d5ee1766a0ecd0edfee527be3b12f20e9b9e9bdd0601a8bb';
      expect(entity(d, 'Position', key)).toMatchObject({
        account: '0x3d4d8a52d5717b09ca1e1980393d244ac258c6aa',
        side: 'SHORT',
        collateralToken: USDC_ARB,
        indexToken: WETH,
        isOpen: false,
        indexedFromOpen: false,
        sizeUSD: '0',
        entryPriceUSD: '2566.296',
        realisedPnlUSD: '17.745995188326008094314199454525',
        entryFundingRate: '76146',
        closedBlockNumber: '171362022',
      });
    } finally {
      d.close();
    }
  });
});
