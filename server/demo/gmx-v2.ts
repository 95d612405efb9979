/**
 * GMX v2 (GMX Synthetics) on the demo chain: isolated market pools driven by
 * synthetic liquidity, traders and a liquidation keeper, emitting the
 * EventEmitter's EventLog1 at the real EventEmitter of each network, encoded
 * from subgraph/gmx-v2/abis/EventEmitter.json with the items (by key) that
 * gmx-io/gmx-synthetics' emitters set (MarketFactory, MarketEventUtils,
 * PositionEventUtils, Oracle, Config).
 *
 * Modelled (integers as GMX keeps them: USD x 10^30, token units, prices USD x
 * 10^30 per token unit):
 * - set-up: MarketCreated per market, Config SetUint of the stressed market's
 *   reserve factors, an OraclePriceUpdate per token, and the pools' deposits
 *   (PoolAmountUpdated with the pool's new amount);
 * - every order: OraclePriceUpdate of the index and collateral tokens, then
 *   (decreases) the pool's PnL settlement, OpenInterestUpdated,
 *   OpenInterestInTokensUpdated, and PositionIncrease / PositionDecrease, in
 *   the order of IncreasePositionUtils / DecreasePositionUtils;
 * - positions are opened and closed whole, collateral USDC (the short token);
 *   longs enter at the max price, shorts at the min; a trader's loss goes to the
 *   pool's USDC, a profit is paid from the pool of the PnL token (the long
 *   token for longs, USDC for shorts), as MarketUtils settles it;
 * - an order that would take open interest past the reserve factor (long: open
 *   interest in tokens over the long pool's tokens; short: open interest USD over
 *   the short pool) is not executed, as MarketUtils.validateReserve rejects it;
 * - a keeper checks every open position every 5 minutes and liquidates
 *   (PositionDecrease, orderType 7) those whose collateral plus PnL is below 1%
 *   of their size (the demo's min collateral factor).
 *
 * Left out (server/demo/README.md): fees, funding, borrowing, price impact,
 * partial decreases, swaps, GM deposits and withdrawals after set-up, ADL.
 */
import { encodeAbiParameters, keccak256, stringToBytes, type AbiEvent, type Hex } from 'viem';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths';
import { SeededRandom } from '../numeric/random';
import type { DemoTx, EmittedEvent } from './chain';
import type { PricePaths } from './prices';
import { demoToken, type DemoToken } from './tokens';

/** The EventEmitters: gmx-io/gmx-synthetics deployments/arbitrum and deployments/avalanche, EventEmitter.json. */
export const EVENT_EMITTER: Record<string, string> = {
  'arbitrum-one': '0xc8ee91a54287db53897056e12d9819156d3822fb',
  avalanche: '0xdb17b211c34240b014ab6d61d4a31fa0c0e20c26',
};

const EVENT_LOG1 = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'subgraph/gmx-v2/abis/EventEmitter.json'), 'utf8')) as AbiEvent[]).find((e) => e.name === 'EventLog1')!;

export type GmToken = DemoToken;

/** Tokens per network by symbol: addresses from gmx-synthetics config/tokens.ts; symbol, decimals and price path from the one token table. */
const TOKEN_ADDRESSES: Record<string, Record<string, string>> = {
  'arbitrum-one': { WETH: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', WBTC: '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f', USDC: '0xaf88d065e77c8cc2239327c5edb3a432268e5831' },
  avalanche: { WAVAX: '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7', 'WETH.e': '0x49d5c2bdffac6ce2bfdb6640f4f80f226bc10bab', 'BTC.b': '0x152b9d0fdc40c096757f570a51e494bd4b943e50', USDC: '0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e' },
};

function tokensOf(network: string): Record<string, GmToken> | undefined {
  const addresses = TOKEN_ADDRESSES[network];
  return addresses && Object.fromEntries(Object.entries(addresses).map(([symbol, address]) => [symbol, demoToken(network, address)]));
}

export interface GmMarketSpec {
  /** The long token (also the index token); the short token is USDC. */
  long: string;
  /** Pool deposits at set-up, USD (times --scale). */
  longPoolUsd: number;
  shortPoolUsd: number;
  /** Open interest the traders keep near, USD (times --scale). */
  longOpenInterestUsd: number;
  shortOpenInterestUsd: number;
  /** Leverage range of new positions. */
  leverage: readonly [number, number];
  /** The market the crash puts under stress (server/demo/README.md, "Magnitudes"). */
  stressed?: boolean;
}

/**
 * The markets per network. Sizes: server/demo/README.md, "Magnitudes" (GMX v2 liquidity about
 * $164M in Nov 2023 over both networks; open interest a third to a half of a pool). The stressed
 * AVAX market is long-heavy on a long-token-heavy pool at low leverage: the crash takes its pool
 * value down while the open interest stays.
 */
export const GM_MARKETS: Record<string, GmMarketSpec[]> = {
  'arbitrum-one': [
    { long: 'WETH', longPoolUsd: 40e6, shortPoolUsd: 40e6, longOpenInterestUsd: 14e6, shortOpenInterestUsd: 10e6, leverage: [2, 25] },
    { long: 'WBTC', longPoolUsd: 30e6, shortPoolUsd: 30e6, longOpenInterestUsd: 10e6, shortOpenInterestUsd: 8e6, leverage: [2, 25] },
  ],
  avalanche: [
    { long: 'WAVAX', longPoolUsd: 8e6, shortPoolUsd: 2.5e6, longOpenInterestUsd: 7.4e6, shortOpenInterestUsd: 1.6e6, leverage: [1.5, 3], stressed: true },
    { long: 'WETH.e', longPoolUsd: 3e6, shortPoolUsd: 3e6, longOpenInterestUsd: 1.2e6, shortOpenInterestUsd: 0.8e6, leverage: [2, 25] },
    { long: 'BTC.b', longPoolUsd: 3e6, shortPoolUsd: 3e6, longOpenInterestUsd: 1e6, shortOpenInterestUsd: 0.8e6, leverage: [2, 25] },
  ],
};

/** gmx-synthetics config/markets.ts baseMarketConfig: reserveFactor 95% (the subgraph's default too). */
const RESERVE_FACTOR = 0.95;
/** The demo's min collateral factor: liquidated below 1% of size. */
const MIN_COLLATERAL_FACTOR = 0.01;
/** Oracle spread on volatile tokens: max = p x (1 + s), min = p x (1 - s). */
const SPREAD_BASIS_POINTS = 2n;
/** Order.OrderType: MarketIncrease 2, MarketDecrease 4, Liquidation 7. */
const MARKET_INCREASE = 2n;
const MARKET_DECREASE = 4n;
const LIQUIDATION = 7n;
/** Default activity (before --scale): orders per day and network. */
export const ORDERS_PER_DAY = 800;
/** Open positions per market the traders keep near (times --scale). */
const POSITIONS_PER_MARKET = 60;

/** A made-up market token address: markets are created on the demo chain, their addresses are synthetic. */
export function demoMarketToken(network: string, name: string): string {
  return keccak256(stringToBytes(`gmx-v2 demo market ${network} ${name}`)).slice(0, 42);
}

/** Keys.sol base key: keccak256(abi.encode(name)). */
const baseKey = (name: string) => keccak256(encodeAbiParameters([{ type: 'string' }], [name]));

type Items = {
  address?: Record<string, string>;
  uint?: Record<string, bigint>;
  int?: Record<string, bigint>;
  bool?: Record<string, boolean>;
  bytes32?: Record<string, Hex>;
  bytes?: Record<string, Hex>;
};

function group<T>(values: Record<string, T> | undefined) {
  return { items: Object.entries(values ?? {}).map(([key, value]) => ({ key, value })), arrayItems: [] as Array<{ key: string; value: T[] }> };
}

const pad32 = (address: string) => ('0x' + address.slice(2).padStart(64, '0')) as Hex;

/** One EventLog1 (EventEmitter.emitEventLog1) with its EventLogData items by key. */
function eventLog1(msgSender: string, name: string, topic1: Hex, items: Items): EmittedEvent {
  const data = {
    addressItems: group(items.address),
    uintItems: group(items.uint),
    intItems: group(items.int),
    boolItems: group(items.bool),
    bytes32Items: group(items.bytes32),
    bytesItems: group(items.bytes),
    stringItems: group<string>(undefined),
  };
  return { event: EVENT_LOG1, args: [msgSender, name, name, topic1, data] };
}

// The GMX contracts that emit through the EventEmitter (msgSender): demo addresses, not GMX's.
const MARKET_FACTORY = '0x00000000000000000000000000000000000f0001';
const CONFIG = '0x00000000000000000000000000000000000f0002';
const ORACLE = '0x00000000000000000000000000000000000f0003';
const ORDER_HANDLER = '0x00000000000000000000000000000000000f0004';
const DEPOSIT_HANDLER = '0x00000000000000000000000000000000000f0005';

interface Market {
  name: string;
  token: string;
  long: GmToken;
  short: GmToken;
  spec: GmMarketSpec;
  pool: { long: bigint; short: bigint };
  /** Open interest USD x 10^30 and in index token units, per side. */
  oi: { long: bigint; short: bigint };
  oiTokens: { long: bigint; short: bigint };
}

interface Position {
  key: Hex;
  account: string;
  market: Market;
  isLong: boolean;
  sizeInUsd: bigint;
  sizeInTokens: bigint;
  /** USDC units. */
  collateral: bigint;
}

export interface GmxV2RunOptions {
  network: string;
  seed: number;
  paths: PricePaths;
  scale: number;
}

export interface GmxV2RunStats {
  orders: number;
  rejected: number;
  liquidations: number;
}

export function simulateGmxV2(options: GmxV2RunOptions): { txs: DemoTx[]; stats: GmxV2RunStats } {
  const { network, paths, scale } = options;
  const emitter = EVENT_EMITTER[network];
  const specs = GM_MARKETS[network];
  const tokens = tokensOf(network);
  if (!emitter || !specs || !tokens) throw new Error(`gmx-v2 demo: no EventEmitter configured for network ${network}`);
  const random = new SeededRandom((options.seed * 2246822519) ^ (network === 'avalanche' ? 0x62a1 : 0x62b1));
  const usdc = tokens.USDC;
  const markets: Market[] = specs.map((spec) => {
    const long = tokens[spec.long];
    const name = `${long.symbol}/USD [${long.symbol}-${usdc.symbol}]`;
    return { name, token: demoMarketToken(network, name), long, short: usdc, spec, pool: { long: 0n, short: 0n }, oi: { long: 0n, short: 0n }, oiTokens: { long: 0n, short: 0n } };
  });

  /** Price, USD x 10^30 per token unit, at a minute: the path rounded to 8 decimals, with the spread. */
  const unitPrice = (t: GmToken, minute: number, side: 'min' | 'max' | 'mid'): bigint => {
    if (t.asset === null) return 10n ** BigInt(30 - t.decimals);
    const base = BigInt(Math.round(paths.prices[t.asset][Math.min(minute, paths.minutes - 1)] * 1e8)) * 10n ** BigInt(22 - t.decimals);
    if (side === 'mid') return base;
    const spread = (base * SPREAD_BASIS_POINTS) / 10000n;
    return side === 'max' ? base + spread : base - spread;
  };
  const priceUsd = (t: GmToken, minute: number) => (t.asset === null ? 1 : paths.prices[t.asset][Math.min(minute, paths.minutes - 1)]);
  const usd = (dollars: number) => BigInt(Math.round(dollars * 100)) * 10n ** 28n;
  /** USD x 10^30 as a float, for the traders' and the keeper's decisions only (events carry the integers). */
  const toFloat = (v: bigint) => Number(v / 10n ** 22n) / 1e8;

  const txs: DemoTx[] = [];
  let order = 0;
  // Transactions go out in the order they were simulated (every running total depends on it): never before the last one.
  let clock = 0;
  const tx = (second: number, events: EmittedEvent[]) => {
    clock = Math.max(clock, second);
    txs.push({ second: clock, order: order++, address: emitter, events });
  };
  const oracle = (t: GmToken, minute: number, second: number): EmittedEvent =>
    eventLog1(ORACLE, 'OraclePriceUpdate', pad32(t.address), {
      address: { token: t.address, provider: ORACLE },
      uint: { minPrice: unitPrice(t, minute, 'min'), maxPrice: unitPrice(t, minute, 'max'), timestamp: BigInt(second) },
    });
  const poolUpdate = (m: Market, side: 'long' | 'short', delta: bigint, sender: string): EmittedEvent => {
    m.pool[side] += delta;
    return eventLog1(sender, 'PoolAmountUpdated', pad32(m.token), { address: { market: m.token, token: m[side].address }, int: { delta }, uint: { nextValue: m.pool[side] } });
  };
  const oiUpdates = (m: Market, isLong: boolean, deltaUsd: bigint, deltaTokens: bigint): EmittedEvent[] => {
    const side = isLong ? 'long' : 'short';
    m.oi[side] += deltaUsd;
    m.oiTokens[side] += deltaTokens;
    const items = (delta: bigint, next: bigint): Items => ({ address: { market: m.token, collateralToken: usdc.address }, bool: { isLong }, int: { delta }, uint: { nextValue: next } });
    return [
      eventLog1(ORDER_HANDLER, 'OpenInterestUpdated', pad32(m.token), items(deltaUsd, m.oi[side])),
      eventLog1(ORDER_HANDLER, 'OpenInterestInTokensUpdated', pad32(m.token), items(deltaTokens, m.oiTokens[side])),
    ];
  };
  const positionEvent = (name: 'PositionIncrease' | 'PositionDecrease', p: Position, minute: number, orderType: bigint, sizeDeltaUsd: bigint, collateralDelta: bigint, executionPrice: bigint, basePnlUsd: bigint): EmittedEvent => {
    const uint: Record<string, bigint> = {
      sizeInUsd: p.sizeInUsd,
      sizeInTokens: p.sizeInTokens,
      collateralAmount: p.collateral,
      executionPrice,
      'indexTokenPrice.max': unitPrice(p.market.long, minute, 'max'),
      'indexTokenPrice.min': unitPrice(p.market.long, minute, 'min'),
      'collateralTokenPrice.max': unitPrice(usdc, minute, 'max'),
      'collateralTokenPrice.min': unitPrice(usdc, minute, 'min'),
      sizeDeltaUsd,
      orderType,
    };
    const int: Record<string, bigint> = {};
    // PositionIncrease carries collateralDeltaAmount as an int item, PositionDecrease as a uint item (PositionEventUtils).
    if (name === 'PositionIncrease') int.collateralDeltaAmount = collateralDelta;
    else {
      uint.collateralDeltaAmount = collateralDelta;
      int.basePnlUsd = basePnlUsd;
    }
    return eventLog1(ORDER_HANDLER, name, pad32(p.account), {
      address: { account: p.account, market: p.market.token, collateralToken: usdc.address },
      uint,
      int,
      bool: { isLong: p.isLong },
      bytes32: { orderKey: keccak256(stringToBytes(`${p.key}:${minute}:${name}`)), positionKey: p.key },
    });
  };

  // ---- set-up, minute 0
  const setup: EmittedEvent[] = [];
  for (const m of markets) {
    setup.push(
      eventLog1(MARKET_FACTORY, 'MarketCreated', pad32(m.token), {
        address: { marketToken: m.token, indexToken: m.long.address, longToken: m.long.address, shortToken: usdc.address },
        bytes32: { salt: keccak256(stringToBytes(m.name)), marketType: baseKey('BASE_MARKET_TYPE') },
      }),
    );
    if (m.spec.stressed) {
      for (const isLong of [true, false]) {
        setup.push(
          eventLog1(CONFIG, 'SetUint', baseKey('RESERVE_FACTOR'), {
            bytes32: { baseKey: baseKey('RESERVE_FACTOR') },
            bytes: { data: encodeAbiParameters([{ type: 'address' }, { type: 'bool' }], [m.token as Hex, isLong]) },
            uint: { value: BigInt(Math.round(RESERVE_FACTOR * 100)) * 10n ** 28n },
          }),
        );
      }
    }
  }
  const priced = [...new Set(markets.flatMap((m) => [m.long, usdc]))];
  for (const t of priced) setup.push(oracle(t, 0, 0));
  for (const m of markets) {
    const longAmount = BigInt(Math.round(((m.spec.longPoolUsd * scale) / priceUsd(m.long, 0)) * 1e6)) * 10n ** BigInt(m.long.decimals - 6);
    setup.push(poolUpdate(m, 'long', longAmount, DEPOSIT_HANDLER));
    setup.push(poolUpdate(m, 'short', BigInt(Math.round(m.spec.shortPoolUsd * scale)) * 10n ** BigInt(usdc.decimals), DEPOSIT_HANDLER));
  }
  tx(0, setup);

  // ---- traders and keeper
  const traders = Array.from({ length: Math.max(20, Math.round(400 * scale)) }, (_, i) => keccak256(stringToBytes(`gmx-v2 demo trader ${network} ${i}`)).slice(0, 42));
  const positions = new Map<Hex, Position>();
  const stats: GmxV2RunStats = { orders: 0, rejected: 0, liquidations: 0 };
  const positionKey = (account: string, m: Market, isLong: boolean) =>
    keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'bool' }], [account as Hex, m.token as Hex, usdc.address as Hex, isLong]));
  const pnlUsd = (p: Position, minute: number): bigint => {
    // Longs valued at the min price, shorts at the max (MarketUtils.getPositionPnlUsd picks the price against the trader).
    const value = p.sizeInTokens * unitPrice(p.market.long, minute, p.isLong ? 'min' : 'max');
    return p.isLong ? value - p.sizeInUsd : p.sizeInUsd - value;
  };

  const open = (minute: number, second: number): void => {
    stats.orders++;
    const m = markets[Math.floor(random.next() * markets.length)];
    const isLong = random.next() < m.spec.longOpenInterestUsd / (m.spec.longOpenInterestUsd + m.spec.shortOpenInterestUsd);
    const side = isLong ? 'long' : 'short';
    const target = (isLong ? m.spec.longOpenInterestUsd : m.spec.shortOpenInterestUsd) * scale;
    // Traders keep near the market's usual open interest: no new position on a side already past it.
    if (toFloat(m.oi[side]) >= target) return;
    const account = traders[Math.floor(random.next() * traders.length)];
    const key = positionKey(account, m, isLong);
    if (positions.has(key)) return;
    const sizeUsd = Math.min(target - toFloat(m.oi[side]), (target / (POSITIONS_PER_MARKET / 2)) * Math.exp(0.6 * random.normal()));
    if (sizeUsd < 100) return;
    const [low, high] = m.spec.leverage;
    const leverage = low + (high - low) * random.next() ** 2;
    const sizeInUsd = usd(sizeUsd);
    const executionPrice = unitPrice(m.long, minute, isLong ? 'max' : 'min');
    const sizeInTokens = sizeInUsd / executionPrice;
    // MarketUtils.validateReserve: reserved USD within the reserve factor of the side's pool.
    const reserveOk = isLong
      ? (m.oiTokens.long + sizeInTokens) * 100n <= m.pool.long * BigInt(Math.round(RESERVE_FACTOR * 100))
      : (m.oi.short + sizeInUsd) * 100n <= m.pool.short * unitPrice(usdc, minute, 'min') * BigInt(Math.round(RESERVE_FACTOR * 100));
    if (!reserveOk) {
      stats.rejected++;
      return;
    }
    const collateral = BigInt(Math.round((sizeUsd / leverage) * 1e6));
    const p: Position = { key, account, market: m, isLong, sizeInUsd, sizeInTokens, collateral };
    positions.set(key, p);
    tx(second, [
      oracle(m.long, minute, second),
      oracle(usdc, minute, second),
      ...oiUpdates(m, isLong, sizeInUsd, sizeInTokens),
      positionEvent('PositionIncrease', p, minute, MARKET_INCREASE, sizeInUsd, collateral, executionPrice, 0n),
    ]);
  };

  const close = (p: Position, minute: number, second: number, orderType: bigint): void => {
    const m = p.market;
    const pnl = pnlUsd(p, minute);
    const collateralPrice = unitPrice(usdc, minute, 'min');
    const events: EmittedEvent[] = [oracle(m.long, minute, second), oracle(usdc, minute, second)];
    if (pnl < 0n) {
      // The loss (at most the collateral) stays in the pool, in USDC.
      let loss = -pnl / collateralPrice;
      if (loss > p.collateral) loss = p.collateral;
      if (loss > 0n) events.push(poolUpdate(m, 'short', loss, ORDER_HANDLER));
    } else if (pnl > 0n) {
      // A profit is paid from the pool of the PnL token: the long token for longs, USDC for shorts.
      const side = p.isLong ? 'long' : 'short';
      const paid = pnl / unitPrice(p.isLong ? m.long : usdc, minute, 'max');
      if (paid > 0n) events.push(poolUpdate(m, side, -(paid > m.pool[side] ? m.pool[side] : paid), ORDER_HANDLER));
    }
    events.push(...oiUpdates(m, p.isLong, -p.sizeInUsd, -p.sizeInTokens));
    const sizeDelta = p.sizeInUsd;
    const collateralDelta = p.collateral;
    p.sizeInUsd = 0n;
    p.sizeInTokens = 0n;
    p.collateral = 0n;
    events.push(positionEvent('PositionDecrease', p, minute, orderType, sizeDelta, collateralDelta, unitPrice(m.long, minute, p.isLong ? 'min' : 'max'), pnl));
    positions.delete(p.key);
    tx(second, events);
  };

  const targetTotal = markets.reduce((t, m) => t + (m.spec.longOpenInterestUsd + m.spec.shortOpenInterestUsd) * scale, 0);
  const bookFill = () => markets.reduce((t, m) => t + toFloat(m.oi.long + m.oi.short), 0) / targetTotal;
  const ordersPerMinute = (ORDERS_PER_DAY * scale) / (24 * 60);
  let owed = 0;
  for (let minute = 1; minute < paths.minutes; minute++) {
    const base = minute * 60;
    // The book fills in the first hour; then orders arrive at the daily rate.
    owed += minute <= 60 ? (POSITIONS_PER_MARKET * markets.length * scale * 1.2) / 60 : ordersPerMinute;
    while (owed >= 1) {
      owed -= 1;
      const second = base + 2 + Math.floor(random.next() * 50);
      // (tx() keeps the order: a later order in the same minute at an earlier second goes out at the last one's.)
      // Closes grow with how full the book is (a restoring force): about as many closes as opens near the usual open interest.
      if (minute > 60 && positions.size > 0 && random.next() < 0.5 * bookFill() ** 6) {
        const all = [...positions.values()];
        stats.orders++;
        close(all[Math.floor(random.next() * all.length)], minute, second, MARKET_DECREASE);
      } else open(minute, second);
    }
    if (minute % 5 === 0) {
      for (const p of [...positions.values()]) {
        const remaining = toFloat(p.collateral * 10n ** 24n) + toFloat(pnlUsd(p, minute));
        if (remaining < MIN_COLLATERAL_FACTOR * toFloat(p.sizeInUsd)) {
          stats.liquidations++;
          close(p, minute, base + 55, LIQUIDATION);
        }
      }
    }
  }
  return { txs, stats: { ...stats } };
}

