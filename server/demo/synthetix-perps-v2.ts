/**
 * Synthetix PerpsV2 on the demo chain (optimism): the first FuturesMarketManager announces the
 * ETH and BTC markets (MarketAdded, at the real manager and market proxy addresses of
 * ../shared/reference/protocols.md), then traders deposit margin, trade, close and withdraw, and
 * a keeper liquidates, each market emitting what PerpsV2Market emits (docs/methodology.md,
 * "Synthetix PerpsV2"): MarginTransferred then PositionModified (trade size 0) for a margin
 * transfer; PositionModified for a trade (PnL since the last change and the fee realised into the
 * margin, lastPrice reset to the fill price); PositionModified (margin 0, size 0) then
 * PositionLiquidated for a liquidation. 18-decimal fixed point throughout.
 *
 * Simplified (server/demo/README.md): no funding (fundingIndex stays constant); a flat fee; the
 * liquidation rule has the shape of PerpsV2Market's `_canLiquidate` (remaining margin <=
 * liquidation buffer + keeper fee) with the demo's own parameters below, not a market's
 * on-chain settings; flagging and liquidating happen in one transaction (PositionFlagged is not
 * in the subgraph's ABI).
 */
import { parseAbiItem, keccak256, stringToHex, type AbiEvent } from 'viem';
import { SeededRandom } from '../numeric/random';
import type { DemoTx, EmittedEvent } from './chain';
import type { Asset, PricePaths } from './prices';

const WAD = 10n ** 18n;
/** Demo parameters (not a market's on-chain values). */
export const PERPS_PARAMS = {
  /** Fee on a trade's notional: 0.05%. */
  feeRate: (5n * WAD) / 10000n,
  /** Liquidation buffer: 1% of notional. */
  liquidationBufferRatio: WAD / 100n,
  /** Keeper fee: 0.35% of notional, between 20 and 1000 sUSD. */
  liquidationFeeRatio: (35n * WAD) / 10000n,
  minKeeperFee: 20n * WAD,
  maxKeeperFee: 1000n * WAD,
  maxLeverage: 25,
  fundingIndex: 1000n,
};

/**
 * Median first margin deposit, sUSD: with the traders' number and leverage it sets the two markets'
 * open interest and margin (README.md, "Magnitudes").
 */
export const MEDIAN_DEPOSIT_SUSD = 36_000;

/** The first FuturesMarketManager and two market proxies (../shared/reference/protocols.md). */
export const PERPS_MANAGER = '0xdb89f3fc45a707dd49781495f77f8ae69bf5ca6e';
export const PERPS_MARKETS: Array<{ address: string; asset: Asset; assetKey: string; marketKey: string }> = [
  { address: '0x2b3bb4c683bfc5239b029131eef3b1d214478d93', asset: 'ETH', assetKey: 'sETH', marketKey: 'sETHPERP' },
  { address: '0x59b007e9ea8f89b069c43f8f45834d30853e3699', asset: 'BTC', assetKey: 'sBTC', marketKey: 'sBTCPERP' },
];

export const PERPS_EVENTS = {
  MarketAdded: parseAbiItem('event MarketAdded(address market, bytes32 indexed asset, bytes32 indexed marketKey)'),
  PositionModified: parseAbiItem('event PositionModified(uint256 indexed id, address indexed account, uint256 margin, int256 size, int256 tradeSize, uint256 lastPrice, uint256 fundingIndex, uint256 fee, int256 skew)'),
  MarginTransferred: parseAbiItem('event MarginTransferred(address indexed account, int256 marginDelta)'),
  PositionLiquidated: parseAbiItem('event PositionLiquidated(uint256 id, address account, address liquidator, int256 size, uint256 price, uint256 flaggerFee, uint256 liquidatorFee, uint256 stakersFee)'),
} satisfies Record<string, AbiEvent>;

const abs = (x: bigint) => (x < 0n ? -x : x);
const wadMul = (a: bigint, b: bigint) => (a * b) / WAD;

/** Keeper fee and liquidation margin at a price: PerpsV2's liquidation buffer plus the keeper fee. */
export function liquidationMargin(size: bigint, price: bigint): { margin: bigint; keeperFee: bigint } {
  const notional = wadMul(abs(size), price);
  let keeperFee = wadMul(notional, PERPS_PARAMS.liquidationFeeRatio);
  if (keeperFee < PERPS_PARAMS.minKeeperFee) keeperFee = PERPS_PARAMS.minKeeperFee;
  if (keeperFee > PERPS_PARAMS.maxKeeperFee) keeperFee = PERPS_PARAMS.maxKeeperFee;
  return { margin: wadMul(notional, PERPS_PARAMS.liquidationBufferRatio) + keeperFee, keeperFee };
}

/** Margin after the PnL since lastPrice (may be negative). */
export function remainingMargin(margin: bigint, size: bigint, lastPrice: bigint, price: bigint): bigint {
  return margin + wadMul(size, price - lastPrice);
}

interface Account {
  address: string;
  id: bigint;
  margin: bigint;
  size: bigint;
  lastPrice: bigint;
}

export function simulatePerps(options: { seed: number; paths: PricePaths; scale: number }): { txs: DemoTx[]; stats: Record<string, number> } {
  const { paths, scale } = options;
  const random = new SeededRandom((options.seed * 2246822519) ^ 0x0b7e);
  const txs: DemoTx[] = [];
  const stats = { actions: 0, reverted: 0, liquidations: 0 };
  txs.push({
    second: 5,
    order: 0,
    address: PERPS_MANAGER,
    events: PERPS_MARKETS.map((m) => ({
      event: PERPS_EVENTS.MarketAdded,
      args: [m.address, stringToHex(m.assetKey, { size: 32 }), stringToHex(m.marketKey, { size: 32 })],
    })),
  });
  const markets = PERPS_MARKETS.map((m) => ({ ...m, accounts: new Map<string, Account>(), open: [] as string[], skew: 0n, nextId: 1n }));
  const traders = Array.from({ length: Math.max(10, Math.round(150 * scale)) }, (_, i) => keccak256(`0x${(0x5e70 + i).toString(16).padStart(8, '0')}`).slice(0, 42));
  const keeper = keccak256('0x6b656570').slice(0, 42);
  let minute = 0;
  const priceOf = (asset: Asset) => BigInt(Math.round(paths.prices[asset][minute] * 1e8)) * 10n ** 10n;
  const logNormal = (median: number, sigma: number) => median * Math.exp(sigma * random.normal());
  const wadOf = (x: number) => BigInt(Math.round(x * 1e6)) * 10n ** 12n;
  const modified = (events: EmittedEvent[], m: (typeof markets)[number], a: Account, tradeSize: bigint, price: bigint, fee: bigint) =>
    events.push({ event: PERPS_EVENTS.PositionModified, args: [a.id, a.address, a.margin, a.size, tradeSize, price, PERPS_PARAMS.fundingIndex, fee, m.skew] });
  const setOpen = (m: (typeof markets)[number], a: Account) => {
    const at = m.open.indexOf(a.address);
    if (a.size !== 0n && at < 0) m.open.push(a.address);
    if (a.size === 0n && at >= 0) m.open.splice(at, 1);
  };

  const perMinute = (600 * scale) / (24 * 60);
  for (minute = 1; minute < paths.minutes; minute++) {
    const base = minute * 60;
    for (const m of markets) {
      const price = priceOf(m.asset);
      // Keeper: every position the rule liquidates at this minute's price.
      const due = m.open.filter((address) => {
        const a = m.accounts.get(address)!;
        return remainingMargin(a.margin, a.size, a.lastPrice, price) <= liquidationMargin(a.size, price).margin;
      });
      due.sort().forEach((address, i) => {
        const a = m.accounts.get(address)!;
        const remaining = remainingMargin(a.margin, a.size, a.lastPrice, price);
        const { keeperFee } = liquidationMargin(a.size, price);
        const size = a.size;
        const events: EmittedEvent[] = [];
        m.skew -= size;
        a.margin = 0n;
        a.size = 0n;
        a.lastPrice = price;
        modified(events, m, a, 0n, price, 0n);
        const positive = remaining > 0n ? remaining : 0n;
        const liquidatorFee = positive < keeperFee ? positive : keeperFee;
        events.push({ event: PERPS_EVENTS.PositionLiquidated, args: [a.id, a.address, keeper, size, price, 0n, liquidatorFee, positive - liquidatorFee] });
        setOpen(m, a);
        txs.push({ second: base + 1, order: i, address: m.address, events });
        stats.liquidations++;
      });
    }
    let count = 0;
    for (let limit = Math.exp(-perMinute), product = random.next(); product > limit; product *= random.next()) count++;
    for (let k = 0; k < count; k++) {
      stats.actions++;
      const m = markets[Math.floor(random.next() * markets.length)];
      const price = priceOf(m.asset);
      const address = traders[Math.floor(random.next() * traders.length)];
      let a = m.accounts.get(address);
      if (!a) {
        a = { address, id: m.nextId++, margin: 0n, size: 0n, lastPrice: price };
        m.accounts.set(address, a);
      }
      const second = base + 2 + Math.floor(random.next() * 58);
      const events: EmittedEvent[] = [];
      const r = random.next();
      if (a.size === 0n) {
        if (a.margin > 0n && r < 0.3) {
          // Withdraw all margin.
          const delta = -a.margin;
          a.margin = 0n;
          events.push({ event: PERPS_EVENTS.MarginTransferred, args: [a.address, delta] });
          modified(events, m, a, 0n, price, 0n);
        } else {
          // Deposit margin (if needed) and open.
          if (a.margin < wadOf(50)) {
            const deposit = wadOf(Math.min(70 * MEDIAN_DEPOSIT_SUSD, Math.max(100, logNormal(MEDIAN_DEPOSIT_SUSD, 1.1))));
            a.margin += deposit;
            events.push({ event: PERPS_EVENTS.MarginTransferred, args: [a.address, deposit] });
            modified(events, m, a, 0n, price, 0n);
          }
          const leverage = Math.min(PERPS_PARAMS.maxLeverage - 1, Math.max(1.1, logNormal(6, 0.6)));
          const notional = (a.margin * wadOf(leverage)) / WAD;
          const tradeSize = ((notional * WAD) / price) * (random.next() < 0.55 ? 1n : -1n);
          if (!trade(events, m, a, tradeSize, price)) stats.reverted++;
        }
      } else if (r < 0.5) {
        if (!trade(events, m, a, -a.size, price)) stats.reverted++;
      } else if (r < 0.8) {
        const fraction = BigInt(Math.round((0.2 + random.next() * 0.6) * 1000));
        const direction = random.next() < 0.5 ? 1n : -1n;
        if (!trade(events, m, a, (a.size * fraction * direction) / 1000n, price)) stats.reverted++;
      } else {
        // Top up margin.
        const deposit = wadOf(Math.max(50, logNormal(MEDIAN_DEPOSIT_SUSD / 3, 1)));
        a.margin = remainingMargin(a.margin, a.size, a.lastPrice, price) + deposit;
        a.lastPrice = price;
        events.push({ event: PERPS_EVENTS.MarginTransferred, args: [a.address, deposit] });
        modified(events, m, a, 0n, price, 0n);
      }
      if (events.length) txs.push({ second, order: 0, address: m.address, events });
    }
  }
  return { txs, stats };

  /** A trade: PnL since lastPrice and the fee realised into the margin; reverts (no event) if the result could be liquidated or exceeds max leverage. */
  function trade(events: EmittedEvent[], m: (typeof markets)[number], a: Account, tradeSize: bigint, price: bigint): boolean {
    if (tradeSize === 0n) return false;
    const fee = wadMul(wadMul(abs(tradeSize), price), PERPS_PARAMS.feeRate);
    const margin = remainingMargin(a.margin, a.size, a.lastPrice, price) - fee;
    const size = a.size + tradeSize;
    if (margin <= 0n) return false;
    if (size !== 0n) {
      if (margin <= liquidationMargin(size, price).margin) return false;
      if (wadMul(abs(size), price) > margin * BigInt(PERPS_PARAMS.maxLeverage)) return false;
    }
    m.skew += tradeSize;
    a.margin = margin;
    a.size = size;
    a.lastPrice = price;
    modified(events, m, a, tradeSize, price, fee);
    setOpen(m, a);
    return true;
  }
}
