/**
 * A small deployment store in svr's common schema for the risk backtest:
 * gmx-v1/arbitrum-one (a shared pool) or aave-v3/arbitrum-one (lending, with
 * booked bad debt), one block per hour, with the figures the test chooses, written through SqliteStore.commitBlock (the indexer's own
 * write path). Every block rewrites the Protocol, the WETH price, the hour's
 * ProtocolHourlySnapshot, and any position or liquidation the test gives.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_SCHEMA_PATH } from '../../server/gateway/embedded-sources';
import { decimalFromString } from '../../server/runtime/numbers';
import type { Value } from '../../server/runtime/values';
import { SqliteStore } from '../../server/store/sqlite-store';

const S = (value: string): Value => ({ kind: 'String', value });
const B = (hex: string): Value => ({ kind: 'Bytes', value: Buffer.from(hex.slice(2), 'hex') });
const BI = (value: bigint | number): Value => ({ kind: 'BigInt', value: BigInt(value) });
const BD = (text: string): Value => ({ kind: 'BigDecimal', value: decimalFromString(text) });
const I = (value: number): Value => ({ kind: 'Int', value });
const BOOL = (value: boolean): Value => ({ kind: 'Bool', value });
const L = (...value: Value[]): Value => ({ kind: 'List', value });

export const WETH = '0x82af49447d8a07e3bd95bd0d56f35241523fbab1';
export const USDC = '0xaf88d065e77c8cc2239327c5edb3a432268e5831';
const MARKET = WETH;
const ACCOUNT = '0x00000000000000000000000000000000000000aa';

export interface BacktestPosition {
  id: string;
  sizeUSD: string;
  collateralUSD: string;
  entryPriceUSD: string;
  liquidationPriceUSD: string;
  isOpen: boolean;
}

export interface BacktestLiquidation {
  id: string;
  positionId: string;
  sizeUSD: string;
  collateralUSD: string;
  shortfallUSD: string | null;
}

export interface BacktestHour {
  /** WETH price at the hour's block, USD. */
  price: string;
  positions?: BacktestPosition[];
  liquidations?: BacktestLiquidation[];
  /** Lending: the Protocol's booked bad debt (realisedBadDebtUSD) from this block on. */
  badDebtUSD?: string;
}

export type BacktestVenue = 'gmx-v1' | 'aave-v3';

export class BacktestStore {
  readonly path: string;
  private last = 0;
  private readonly seen = new Set<string>();
  private badDebt = '0';

  constructor(
    dataDir: string,
    /** Hours since the epoch of block 1. */
    readonly firstHour: number,
    readonly venue: BacktestVenue = 'gmx-v1',
  ) {
    mkdirSync(join(dataDir, venue), { recursive: true });
    this.path = join(dataDir, venue, 'arbitrum-one.sqlite');
  }

  hash(n: number): string {
    return '0x' + n.toString(16).padStart(64, '0');
  }

  /** The block of hour `firstHour + k` (k from 0) is block k + 1, in the middle of its hour. */
  timestampOf(block: number): number {
    return (this.firstHour + block - 1) * 3600 + 1800;
  }

  private op(entityType: string, id: string, fields: Record<string, Value>) {
    const key = `${entityType}:${id}`;
    const kind = this.seen.has(key) ? ('overwrite' as const) : ('insert' as const);
    this.seen.add(key);
    return { kind, entityType, id, data: new Map<string, Value>(Object.entries({ id: entityType === 'Protocol' || entityType === 'ProtocolHourlySnapshot' ? S(id) : B(id), ...fields })) };
  }

  write(hour: BacktestHour): number {
    const number = this.last + 1;
    const timestamp = this.timestampOf(number);
    const hourIndex = Math.floor(timestamp / 3600);
    const block = { number, hash: this.hash(number), parentHash: this.hash(number - 1), timestamp };
    const stamp = { lastUpdateBlockNumber: BI(number), lastUpdateTimestamp: BI(timestamp) };
    const lending = this.venue === 'aave-v3';
    if (hour.badDebtUSD !== undefined) this.badDebt = hour.badDebtUSD;
    const protocol = {
      name: S('Backtest test'),
      slug: S(this.venue),
      network: S('arbitrum-one'),
      type: S(lending ? 'LENDING' : 'PERPETUAL'),
      collateralModel: S(lending ? 'OVERCOLLATERALIZED_LENDING' : 'SHARED_POOL'),
      ...(lending ? { realisedBadDebtUSD: BD(this.badDebt) } : {}),
      contract: B('0x489ee077994b6658eafa855c308275ead8097c4a'),
      status: S('LIVE'),
      statusSource: S('the backtest test writer'),
      totalValueLockedUSD: BD('100000'),
      priced: BOOL(true),
      unpricedTokens: L(),
      collateralBalanceIds: L(B(USDC)),
      longOpenInterestUSD: BD('15000'),
      shortOpenInterestUSD: BD('0'),
      totalOpenInterestUSD: BD('15000'),
      totalBorrowBalanceUSD: BD('0'),
      totalDepositBalanceUSD: BD('0'),
      marketCount: I(1),
      openPositionCount: I(0),
      cumulativePositionCount: I(0),
      cumulativeLiquidationCount: I(0),
      cumulativeUniqueUsers: I(1),
      ...stamp,
    };
    const ops = [
      this.op('Protocol', this.venue, protocol),
      this.op('Token', WETH, { symbol: S('WETH'), decimals: I(18), lastPriceUSD: BD(hour.price), lastPriceBlockNumber: BI(number), lastPriceTimestamp: BI(timestamp), isStablecoin: BOOL(false) }),
      this.op('Token', USDC, { symbol: S('USDC'), decimals: I(6), lastPriceUSD: BD('1'), lastPriceBlockNumber: BI(number), lastPriceTimestamp: BI(timestamp), isStablecoin: BOOL(true) }),
      this.op('CollateralBalance', USDC, {
        protocol: S(this.venue),
        token: B(USDC),
        amount: BI(100_000_000_000),
        reservedAmount: BI(0),
        guaranteedUSD: BD('0'),
        amountUSD: BD('100000'),
        priced: BOOL(true),
        ...stamp,
      }),
      this.op('ProtocolHourlySnapshot', `${this.venue}-${hourIndex}`, {
        protocol: S(this.venue),
        hour: I(hourIndex),
        totalValueLockedUSD: BD('100000'),
        priced: BOOL(true),
        longOpenInterestUSD: BD('15000'),
        shortOpenInterestUSD: BD('0'),
        totalOpenInterestUSD: BD('15000'),
        totalBorrowBalanceUSD: BD('0'),
        totalDepositBalanceUSD: BD('0'),
        openPositionCount: I(0),
        cumulativePositionCount: I(0),
        cumulativeLiquidationCount: I(0),
        blockNumber: BI(number),
        timestamp: BI(timestamp),
      }),
    ];
    if (number === 1) {
      ops.push(this.op('Account', ACCOUNT, { openPositionCount: I(0), closedPositionCount: I(0), cumulativePositionCount: I(0), liquidationCount: I(0), firstSeenBlockNumber: BI(1) }));
      ops.push(
        this.op('Market', MARKET, {
          protocol: S(this.venue),
          name: S('ETH'),
          indexToken: B(WETH),
          inputTokens: L(B(USDC)),
          totalValueLockedUSD: BD('0'),
          priced: BOOL(true),
          longOpenInterestUSD: BD('0'),
          shortOpenInterestUSD: BD('0'),
          totalOpenInterestUSD: BD('0'),
          openPositionCount: I(0),
          longPositionCount: I(0),
          shortPositionCount: I(0),
          cumulativePositionCount: I(0),
          cumulativeLiquidationCount: I(0),
          createdBlockNumber: BI(1),
          createdTimestamp: BI(timestamp),
          ...stamp,
        }),
      );
    }
    for (const p of hour.positions ?? []) {
      ops.push(
        this.op('Position', p.id, {
          protocol: S(this.venue),
          market: B(MARKET),
          account: B(ACCOUNT),
          side: S('LONG'),
          collateralToken: B(USDC),
          indexToken: B(WETH),
          balance: BI(0),
          collateralBalance: BI(0),
          sizeUSD: BD(p.isOpen ? p.sizeUSD : '0'),
          collateralUSD: BD(p.isOpen ? p.collateralUSD : '0'),
          entryPriceUSD: BD(p.entryPriceUSD),
          liquidationPriceUSD: BD(p.liquidationPriceUSD),
          reserveAmount: BI(0),
          realisedPnlUSD: BD('0'),
          isOpen: BOOL(p.isOpen),
          indexedFromOpen: BOOL(true),
          openedBlockNumber: BI(1),
          openedTimestamp: BI(this.timestampOf(1)),
          liquidated: BOOL(!p.isOpen),
          ...stamp,
        }),
      );
    }
    for (const l of hour.liquidations ?? []) {
      ops.push(
        this.op('Liquidation', l.id, {
          protocol: S(this.venue),
          market: B(MARKET),
          position: B(l.positionId),
          account: B(ACCOUNT),
          side: S('LONG'),
          sizeUSD: BD(l.sizeUSD),
          collateralUSD: BD(l.collateralUSD),
          ...(l.shortfallUSD === null ? {} : { shortfallUSD: BD(l.shortfallUSD), realisedLossUSD: BD(l.collateralUSD) }),
          ...(lending ? { side: S('BORROWER'), collateralToken: B(WETH), priced: BOOL(l.sizeUSD !== '0') } : {}),
          blockNumber: BI(number),
          timestamp: BI(timestamp),
          transactionHash: B(this.hash(number)),
          logIndex: BI(0),
        }),
      );
    }
    const store = SqliteStore.open(this.path, readFileSync(COMMON_SCHEMA_PATH, 'utf8'), { deployment: 'QmBacktestStore', subgraph: this.venue, network: 'arbitrum-one', startBlock: 1 });
    try {
      store.commitBlock(block, ops, []);
      store.flush();
    } finally {
      store.close();
    }
    this.last = number;
    return number;
  }
}
