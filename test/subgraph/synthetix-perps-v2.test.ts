/**
 * The Synthetix PerpsV2 subgraph (subgraph/synthetix-perps-v2) built with graph-cli for optimism
 * and run through svr's runtime: FuturesMarketManager and market logs encoded with viem at the
 * real addresses (../shared/reference/protocols.md), with the expected entities worked out by
 * hand below. PerpsV2 amounts, sizes and prices are 18-decimal fixed point; open interest per
 * side = sum of |size| x the market's last price; collateral = trader margin.
 * No real PerpsV2 logs exist in ../shared/fixtures/real-logs (its README lists them as absent).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeAbiParameters, encodeEventTopics, parseAbiItem, stringToHex, toEventSelector, type AbiEvent, type AbiParameter } from 'viem';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment } from '../../server/indexer/deployment';
import type { BlockWithLogs, Log } from '../../server/ingest/types';
import { entity, plain } from './entities';

const ROOT = resolve(__dirname, '../..');
const SUBGRAPHS = join(ROOT, 'subgraph');

// ../shared/reference/protocols.md, "Synthetix PerpsV2" (lower case, as logs carry them).
const MANAGER_1 = '0xdb89f3fc45a707dd49781495f77f8ae69bf5ca6e'; // from block 52456507
const MANAGER_2 = '0xd30bdfd7e7a65fe109d5de1d4e95f3b800fb7463'; // from block 86524190
const ETH_PERP = '0x2b3bb4c683bfc5239b029131eef3b1d214478d93';
const BTC_PERP = '0x59b007e9ea8f89b069c43f8f45834d30853e3699';
const SUSD = '0x8c6f28f2f1a3c87f0f938b96d27520d9751ec8d9';
const NOT_A_MARKET = '0x3333333333333333333333333333333333333333';

const sETH = stringToHex('sETH', { size: 32 });
const sBTC = stringToHex('sBTC', { size: 32 });
const sETHPERP = stringToHex('sETHPERP', { size: 32 });
const sBTCPERP = stringToHex('sBTCPERP', { size: 32 });

const ALICE = '0xa11ce00000000000000000000000000000000001';
const BOB = '0xb0b0000000000000000000000000000000000002';
const CAROL = '0xca40100000000000000000000000000000000003';
const KEEPER = '0x4ee9e00000000000000000000000000000000004';

const E18 = 10n ** 18n;
const wad = (units: bigint) => units * E18;

const EVENTS = {
  MarketAdded: parseAbiItem('event MarketAdded(address market, bytes32 indexed asset, bytes32 indexed marketKey)'),
  PositionModified: parseAbiItem('event PositionModified(uint indexed id, address indexed account, uint margin, int size, int tradeSize, uint lastPrice, uint fundingIndex, uint fee, int skew)'),
  MarginTransferred: parseAbiItem('event MarginTransferred(address indexed account, int marginDelta)'),
  PositionLiquidated: parseAbiItem('event PositionLiquidated(uint id, address account, address liquidator, int size, uint price, uint flaggerFee, uint liquidatorFee, uint stakersFee)'),
} satisfies Record<string, AbiEvent>;
type EventName = keyof typeof EVENTS;

interface PerpLog {
  address: string;
  event: EventName;
  args: Record<string, unknown>;
}

const T0 = 1_700_000_000n; // 2023-11-14T22:13:20Z: UTC day 19675 (ends at 1,700,006,400), hour 472222
const B0 = 110_000_000; // after both managers' start blocks

function blockHash(n: number): string {
  return '0x' + n.toString(16).padStart(64, '0');
}

function makeBlock(number: number, timestamp: bigint, logs: PerpLog[]): BlockWithLogs {
  return {
    header: { number: BigInt(number), hash: blockHash(number), parentHash: blockHash(number - 1), timestamp },
    logs: logs.map((l, logIndex): Log => {
      const abi: AbiEvent = EVENTS[l.event];
      const topics = encodeEventTopics({ abi: [abi], eventName: abi.name, args: l.args } as never) as string[];
      const dataInputs = abi.inputs.filter((i) => !i.indexed);
      return {
        address: l.address.toLowerCase(),
        topics,
        data: encodeAbiParameters(dataInputs as readonly AbiParameter[], dataInputs.map((i) => l.args[i.name!]) as readonly unknown[]),
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

const marketAdded = (manager: string, market: string, asset: string, marketKey: string): PerpLog => ({
  address: manager,
  event: 'MarketAdded',
  args: { market, asset, marketKey },
});
const margin = (market: string, account: string, marginDelta: bigint): PerpLog => ({
  address: market,
  event: 'MarginTransferred',
  args: { account, marginDelta },
});
const modified = (
  market: string,
  id: bigint,
  account: string,
  m: bigint,
  size: bigint,
  tradeSize: bigint,
  lastPrice: bigint,
  fee = 0n,
  skew = 0n,
): PerpLog => ({
  address: market,
  event: 'PositionModified',
  args: { id, account, margin: m, size, tradeSize, lastPrice, fundingIndex: 7n, fee, skew },
});

/** Position id: market + account + side (1 long, 0 short) as graph-ts concatI32 appends it (little-endian). */
function positionId(market: string, account: string, isLong: boolean): string {
  return market + account.slice(2) + (isLong ? '01000000' : '00000000');
}

describe('synthetix-perps-v2 on optimism', () => {
  let dataDir: string;
  let d: Deployment;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'svr-synthetix-'));
    const manifest = buildSubgraph({ subgraphDir: join(SUBGRAPHS, 'synthetix-perps-v2'), network: 'optimism', sourceRoot: SUBGRAPHS });
    d = new Deployment({ manifestPath: manifest, subgraph: 'synthetix-perps-v2', dataDir });
  });
  afterAll(() => {
    d?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ALICE_LONG = positionId(ETH_PERP, ALICE, true);
  const ALICE_SHORT = positionId(ETH_PERP, ALICE, false);
  const BOB_SHORT = positionId(ETH_PERP, BOB, false);
  const CAROL_LONG = positionId(BTC_PERP, CAROL, true);

  test('the event signatures give protocols.md topic0s', () => {
    expect(toEventSelector(EVENTS.PositionModified)).toBe('0xc0d933baa356386a245ade48f9a9c59db4612af2b5b9c17de5b451c628760f43');
    expect(toEventSelector(EVENTS.PositionLiquidated)).toBe('0x8e83cfbf9c95216dce50909e376c0dcc3e23129a3aa1edd5013fa8b41648f883');
    expect(toEventSelector(EVENTS.MarginTransferred)).toBe('0xe20b33a51269d7e4c48682ccfacaf1ca004fdec7b161e7098e4847a0c05d0ce2');
  });

  test('block 1: markets from both managers (templates, used in the same block), three positions', () => {
    d.processBlock(
      makeBlock(B0, T0, [
        marketAdded(MANAGER_1, ETH_PERP, sETH, sETHPERP),
        marketAdded(MANAGER_2, BTC_PERP, sBTC, sBTCPERP),
        // Alice deposits 1,000 and goes long 5 ETH at 2,000 (fee 2): margin 998.
        margin(ETH_PERP, ALICE, wad(1000n)),
        modified(ETH_PERP, 0n, ALICE, wad(1000n), 0n, 0n, wad(2000n)),
        modified(ETH_PERP, 1n, ALICE, wad(998n), wad(5n), wad(5n), wad(2000n), wad(2n), wad(5n)),
        // Bob deposits 3,000 and goes short 3 ETH at 2,000 (fee 4): margin 2,996.
        margin(ETH_PERP, BOB, wad(3000n)),
        modified(ETH_PERP, 0n, BOB, wad(3000n), 0n, 0n, wad(2000n)),
        modified(ETH_PERP, 2n, BOB, wad(2996n), -wad(3n), -wad(3n), wad(2000n), wad(4n), wad(2n)),
        // Carol deposits 5,000 and goes long 0.5 BTC at 40,000 (fee 10): margin 4,990.
        margin(BTC_PERP, CAROL, wad(5000n)),
        modified(BTC_PERP, 0n, CAROL, wad(5000n), 0n, 0n, wad(40_000n)),
        modified(BTC_PERP, 1n, CAROL, wad(4990n), E18 / 2n, E18 / 2n, wad(40_000n), wad(10n), E18 / 2n),
        // Not a market any manager added: no data source, ignored.
        modified(NOT_A_MARKET, 9n, CAROL, wad(1_000_000n), wad(100n), wad(100n), wad(1n)),
      ]),
    );
    expect(d.failure()).toBeNull();

    // ETH-PERP: long 5 x 2,000 = 10,000; short 3 x 2,000 = 6,000; margin 998 + 2,996 = 3,994.
    expect(entity(d, 'Market', ETH_PERP)).toMatchObject({
      name: 'sETHPERP',
      indexToken: sETH,
      inputTokens: [SUSD],
      lastPriceUSD: '2000',
      longOpenInterestSize: wad(5n).toString(),
      shortOpenInterestSize: wad(3n).toString(),
      longOpenInterestUSD: '10000',
      shortOpenInterestUSD: '6000',
      totalOpenInterestUSD: '16000',
      totalValueLockedUSD: '3994',
      openPositionCount: 2,
      longPositionCount: 1,
      shortPositionCount: 1,
    });
    // BTC-PERP: long 0.5 x 40,000 = 20,000; margin 4,990.
    expect(entity(d, 'Market', BTC_PERP)).toMatchObject({ name: 'sBTCPERP', longOpenInterestUSD: '20000', shortOpenInterestUSD: '0', totalValueLockedUSD: '4990' });
    // Protocol: long 30,000, short 6,000; collateral 3,994 + 4,990 = 8,984.
    expect(entity(d, 'Protocol', 'synthetix-perps-v2')).toMatchObject({
      network: 'optimism',
      type: 'PERPETUAL',
      contract: MANAGER_1,
      totalValueLockedUSD: '8984',
      priced: true,
      collateralBalanceIds: [ETH_PERP, BTC_PERP],
      longOpenInterestUSD: '30000',
      shortOpenInterestUSD: '6000',
      totalOpenInterestUSD: '36000',
      marketCount: 2,
      openPositionCount: 3,
      cumulativePositionCount: 3,
      cumulativeUniqueUsers: 3,
    });
    expect(entity(d, 'CollateralBalance', ETH_PERP)).toMatchObject({ token: SUSD, amount: wad(3994n).toString(), amountUSD: '3994', priced: true });
    expect(entity(d, 'Token', sETH)).toMatchObject({ symbol: 'sETH', lastPriceUSD: '2000', lastPriceSource: 'POSITION_EVENT', lastPriceBlockNumber: String(B0) });
    expect(entity(d, 'Token', SUSD)).toMatchObject({ symbol: 'sUSD', decimals: 18 });
    expect(entity(d, 'Position', ALICE_LONG)).toMatchObject({
      market: ETH_PERP,
      account: ALICE,
      side: 'LONG',
      collateralToken: SUSD,
      indexToken: sETH,
      balance: wad(5n).toString(),
      sizeUSD: '10000',
      collateralBalance: wad(998n).toString(),
      collateralUSD: '998',
      entryPriceUSD: '2000',
      isOpen: true,
      indexedFromOpen: true,
      openedBlockNumber: String(B0),
    });
    expect(entity(d, 'Position', BOB_SHORT)).toMatchObject({ side: 'SHORT', balance: wad(3n).toString(), sizeUSD: '6000', collateralUSD: '2996' });
    expect(entity(d, 'Position', CAROL_LONG)).toMatchObject({ side: 'LONG', sizeUSD: '20000', collateralUSD: '4990', indexToken: sBTC });
    expect(entity(d, 'MarginBalance', ETH_PERP + ALICE.slice(2))).toMatchObject({ margin: wad(998n).toString(), marginUSD: '998', position: ALICE_LONG });
    expect(d.store.getLatest('Market', NOT_A_MARKET)).toBeNull();
    expect(entity(d, 'ProtocolHourlySnapshot', 'synthetix-perps-v2-472222')).toMatchObject({ hour: 472222, totalValueLockedUSD: '8984', totalOpenInterestUSD: '36000' });
  });

  test('block 2: ETH at 2,100, a partial close and a deposit', () => {
    d.processBlock(
      makeBlock(B0 + 1, T0 + 3600n, [
        // Alice sells 3 of her 5 at 2,100: margin 998 + 5 x 100 - fee 2 = 1,496.
        modified(ETH_PERP, 1n, ALICE, wad(1496n), wad(2n), -wad(3n), wad(2100n), wad(2n), -wad(1n)),
        // Bob adds 500: margin 2,996 - 3 x 100 (loss) + 500 = 3,196.
        margin(ETH_PERP, BOB, wad(500n)),
        modified(ETH_PERP, 2n, BOB, wad(3196n), -wad(3n), 0n, wad(2100n), 0n, -wad(1n)),
      ]),
    );
    expect(d.failure()).toBeNull();
    // ETH: long 2 x 2,100 = 4,200; short 3 x 2,100 = 6,300. Margin 1,496 + 3,196 = 4,692.
    expect(entity(d, 'Market', ETH_PERP)).toMatchObject({ longOpenInterestUSD: '4200', shortOpenInterestUSD: '6300', totalOpenInterestUSD: '10500', totalValueLockedUSD: '4692' });
    // Protocol: long 4,200 + 20,000 = 24,200; collateral 4,692 + 4,990 = 9,682.
    expect(entity(d, 'Protocol', 'synthetix-perps-v2')).toMatchObject({
      totalValueLockedUSD: '9682',
      longOpenInterestUSD: '24200',
      shortOpenInterestUSD: '6300',
      totalOpenInterestUSD: '30500',
      openPositionCount: 3,
    });
    expect(entity(d, 'Position', ALICE_LONG)).toMatchObject({ isOpen: true, balance: wad(2n).toString(), sizeUSD: '4200', collateralUSD: '1496', entryPriceUSD: '2100' });
    expect(entity(d, 'Position', BOB_SHORT)).toMatchObject({ sizeUSD: '6300', collateralUSD: '3196', entryPriceUSD: '2100' });
  });

  test('block 3: a flip from long to short, a withdrawal, BTC at 41,000', () => {
    d.processBlock(
      makeBlock(B0 + 2, T0 + 7200n, [
        // Alice sells 6 at 2,050: long 2 -> short 4. Margin 1,496 + 2 x (2,050 - 2,100) - fee 3 = 1,393.
        modified(ETH_PERP, 1n, ALICE, wad(1393n), -wad(4n), -wad(6n), wad(2050n), wad(3n), -wad(7n)),
        // Carol withdraws 1,000: margin 4,990 + 0.5 x 1,000 - 1,000 = 4,490.
        margin(BTC_PERP, CAROL, -wad(1000n)),
        modified(BTC_PERP, 1n, CAROL, wad(4490n), E18 / 2n, 0n, wad(41_000n), 0n, E18 / 2n),
      ]),
    );
    expect(d.failure()).toBeNull();
    // The long closes, a short opens in its place (same PerpsV2 id, another side).
    expect(entity(d, 'Position', ALICE_LONG)).toMatchObject({ isOpen: false, liquidated: false, balance: '0', sizeUSD: '0', collateralUSD: '0', closedBlockNumber: String(B0 + 2) });
    expect(entity(d, 'Position', ALICE_SHORT)).toMatchObject({ isOpen: true, indexedFromOpen: true, side: 'SHORT', balance: wad(4n).toString(), sizeUSD: '8200', collateralUSD: '1393', openedBlockNumber: String(B0 + 2) });
    // ETH: long 0; short (3 + 4) x 2,050 = 14,350 (Bob's 3 revalued at the new price). Margin 1,393 + 3,196 = 4,589.
    expect(entity(d, 'Market', ETH_PERP)).toMatchObject({
      longOpenInterestSize: '0',
      shortOpenInterestSize: wad(7n).toString(),
      longOpenInterestUSD: '0',
      shortOpenInterestUSD: '14350',
      totalValueLockedUSD: '4589',
      openPositionCount: 2,
      longPositionCount: 0,
      shortPositionCount: 2,
      cumulativePositionCount: 3,
    });
    // Bob's own entity keeps the size as of his last change (3 x 2,100).
    expect(entity(d, 'Position', BOB_SHORT)).toMatchObject({ sizeUSD: '6300' });
    // BTC: 0.5 x 41,000 = 20,500; margin 4,490. Protocol collateral 4,589 + 4,490 = 9,079.
    expect(entity(d, 'Protocol', 'synthetix-perps-v2')).toMatchObject({
      totalValueLockedUSD: '9079',
      longOpenInterestUSD: '20500',
      shortOpenInterestUSD: '14350',
      totalOpenInterestUSD: '34850',
      openPositionCount: 3,
      cumulativePositionCount: 4,
    });
    expect(entity(d, 'Account', ALICE)).toMatchObject({ openPositionCount: 1, closedPositionCount: 1, cumulativePositionCount: 2 });
    expect(entity(d, 'Token', sBTC)).toMatchObject({ lastPriceUSD: '41000' });
  });

  test('block 4 (next day): Bob liquidated at 3,200 with a shortfall, Carol closes and keeps her margin', () => {
    d.processBlock(
      makeBlock(B0 + 3, T0 + 86400n, [
        // PerpsV2MarketLiquidate._liquidatePosition: PositionModified with margin and size 0, then PositionLiquidated.
        modified(ETH_PERP, 2n, BOB, 0n, 0n, 0n, wad(3200n), 0n, -wad(4n)),
        {
          address: ETH_PERP,
          event: 'PositionLiquidated',
          args: { id: 2n, account: BOB, liquidator: KEEPER, size: -wad(3n), price: wad(3200n), flaggerFee: wad(20n), liquidatorFee: wad(5n), stakersFee: wad(10n) },
        },
        // Carol closes 0.5 BTC at 42,000: margin 4,490 + 0.5 x 1,000 - fee 20 = 4,970, left deposited.
        modified(BTC_PERP, 1n, CAROL, wad(4970n), 0n, -(E18 / 2n), wad(42_000n), wad(20n), 0n),
      ]),
    );
    expect(d.failure()).toBeNull();
    // Bob: short 3 from 2,100 (his last change) to 3,200: loss 3 x 1,100 = 3,300; margin 3,196;
    // shortfall 3,300 - 3,196 = 104. Size 3 x 3,200 = 9,600. Fees 20 + 5 + 10 = 35.
    const liquidations = d.store.list('Liquidation').map((l) => Object.fromEntries([...l].map(([k, v]) => [k, plain(v)])));
    expect(liquidations).toHaveLength(1);
    expect(liquidations[0]).toMatchObject({
      market: ETH_PERP,
      position: BOB_SHORT,
      account: BOB,
      liquidator: KEEPER,
      side: 'SHORT',
      sizeUSD: '9600',
      collateralUSD: '3196',
      priceUSD: '3200',
      realisedLossUSD: '3300',
      shortfallUSD: '104',
      feeUSD: '35',
      blockNumber: String(B0 + 3),
    });
    expect(entity(d, 'Position', BOB_SHORT)).toMatchObject({ isOpen: false, liquidated: true, sizeUSD: '0', collateralUSD: '0', realisedPnlUSD: '-3196', closedBlockNumber: String(B0 + 3) });
    expect(entity(d, 'Account', BOB)).toMatchObject({ openPositionCount: 0, liquidationCount: 1 });
    const bobMargin = entity(d, 'MarginBalance', ETH_PERP + BOB.slice(2));
    expect([bobMargin.margin, bobMargin.position ?? null]).toEqual(['0', null]);
    // Carol's position closes; her 4,970 margin stays in the market, still collateral.
    expect(entity(d, 'Position', CAROL_LONG)).toMatchObject({ isOpen: false, liquidated: false, sizeUSD: '0' });
    const carolMargin = entity(d, 'MarginBalance', BTC_PERP + CAROL.slice(2));
    expect([carolMargin.marginUSD, carolMargin.position ?? null]).toEqual(['4970', null]);
    // ETH: only Alice's short 4 at 3,200 = 12,800; margin 1,393. BTC: no open interest, margin 4,970.
    expect(entity(d, 'Market', ETH_PERP)).toMatchObject({ shortOpenInterestUSD: '12800', totalValueLockedUSD: '1393', cumulativeLiquidationCount: 1, openPositionCount: 1 });
    expect(entity(d, 'Market', BTC_PERP)).toMatchObject({ longOpenInterestUSD: '0', totalValueLockedUSD: '4970', openPositionCount: 0 });
    // Protocol: collateral 1,393 + 4,970 = 6,363; short 12,800.
    expect(entity(d, 'Protocol', 'synthetix-perps-v2')).toMatchObject({
      totalValueLockedUSD: '6363',
      longOpenInterestUSD: '0',
      shortOpenInterestUSD: '12800',
      totalOpenInterestUSD: '12800',
      openPositionCount: 1,
      cumulativeLiquidationCount: 1,
    });
    expect(entity(d, 'ProtocolDailySnapshot', 'synthetix-perps-v2-19676')).toMatchObject({ totalValueLockedUSD: '6363', cumulativeLiquidationCount: 1 });
    expect(entity(d, 'MarketDailySnapshot', `${ETH_PERP}-19676`)).toMatchObject({ shortOpenInterestUSD: '12800', cumulativeLiquidationCount: 1 });
    // UTC day 19675 ends at 1,700,006,400: blocks 1 and 2 fall in it, block 3 (T0 + 7,200) and this one
    // in day 19676. Day 19675 keeps block 2's figures.
    expect(entity(d, 'ProtocolDailySnapshot', 'synthetix-perps-v2-19675')).toMatchObject({ totalValueLockedUSD: '9682', totalOpenInterestUSD: '30500', blockNumber: String(B0 + 1) });
  });

  test('block 5: a market added again by the other manager gets no second data source', () => {
    d.processBlock(
      makeBlock(B0 + 4, T0 + 86500n, [
        marketAdded(MANAGER_2, ETH_PERP, sETH, sETHPERP),
        // Counted once: 1,393 + 100 = 1,493 (a second data source would make it 1,593).
        margin(ETH_PERP, ALICE, wad(100n)),
      ]),
    );
    expect(d.failure()).toBeNull();
    expect(entity(d, 'MarginBalance', ETH_PERP + ALICE.slice(2))).toMatchObject({ marginUSD: '1493', position: ALICE_SHORT });
    expect(entity(d, 'Position', ALICE_SHORT)).toMatchObject({ collateralUSD: '1493' });
    expect(entity(d, 'Protocol', 'synthetix-perps-v2')).toMatchObject({ marketCount: 2, totalValueLockedUSD: '6463' });
  });
});
