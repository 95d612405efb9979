/**
 * Aave v3 on the demo chain (mainnet, arbitrum-one, optimism, avalanche): the PoolConfigurator
 * sets each reserve's collateral parameters (CollateralConfigurationChanged), the market opens with
 * a book sized per network (lenders' supply, then every borrower's collateral and borrowing), then
 * borrowers supply volatile collateral and borrow stablecoins (or the reverse), repay, withdraw,
 * and a liquidator calls liquidationCall on every account whose health factor is below 1. Events
 * are the Pool's (subgraph/aave-v3/abis), at the real Pool and PoolConfigurator of each network
 * (subgraph/networks.json), in the order aave-v3-core's logic libraries emit them
 * (docs/methodology.md, "Aave v3"):
 * - supply: ReserveDataUpdated, (first supply) ReserveUsedAsCollateralEnabled, Supply;
 * - withdraw: ReserveDataUpdated, (full withdrawal of collateral) ReserveUsedAsCollateralDisabled, Withdraw;
 * - borrow: ReserveDataUpdated, Borrow (variable rate); repay: ReserveDataUpdated, Repay;
 * - liquidationCall: (all collateral taken) ReserveUsedAsCollateralDisabled, ReserveDataUpdated of
 *   the debt reserve, ReserveDataUpdated of the collateral reserve, LiquidationCall.
 * Balances are scaled as aave-v3-core keeps them (amount rayDiv index, rounding half up).
 *
 * Simplified (README.md): interest accrues linearly between updates for both indexes (Aave
 * compounds the borrow index); a two-slope rate curve with the demo's own parameters; the risk
 * parameters below are demo values, not the reserves' on-chain settings; no liquidation protocol
 * fee, no stable-rate debt, no eMode or isolation mode, no aToken transfers. Prices are the
 * Chainlink answers in force (./chainlink.ts), whose rounds the demo writes at the real aggregators.
 */
import { parseAbiItem, keccak256, type AbiEvent } from 'viem';
import { SeededRandom } from '../numeric/random';
import type { DemoTx, EmittedEvent } from './chain';
import { oraclePrice, type OracleRounds } from './chainlink';
import type { Asset } from './prices';
import { demoToken, type DemoToken } from './tokens';
import { RAY, rayDiv, rayMul } from '../numeric/ray';

const SECONDS_PER_YEAR = 365n * 24n * 3600n;

export const AAVE_EVENTS = {
  Supply: parseAbiItem('event Supply(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint16 indexed referralCode)'),
  Withdraw: parseAbiItem('event Withdraw(address indexed reserve, address indexed user, address indexed to, uint256 amount)'),
  Borrow: parseAbiItem('event Borrow(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint8 interestRateMode, uint256 borrowRate, uint16 indexed referralCode)'),
  Repay: parseAbiItem('event Repay(address indexed reserve, address indexed user, address indexed repayer, uint256 amount, bool useATokens)'),
  LiquidationCall: parseAbiItem('event LiquidationCall(address indexed collateralAsset, address indexed debtAsset, address indexed user, uint256 debtToCover, uint256 liquidatedCollateralAmount, address liquidator, bool receiveAToken)'),
  ReserveDataUpdated: parseAbiItem('event ReserveDataUpdated(address indexed reserve, uint256 liquidityRate, uint256 stableBorrowRate, uint256 variableBorrowRate, uint256 liquidityIndex, uint256 variableBorrowIndex)'),
  ReserveUsedAsCollateralEnabled: parseAbiItem('event ReserveUsedAsCollateralEnabled(address indexed reserve, address indexed user)'),
  ReserveUsedAsCollateralDisabled: parseAbiItem('event ReserveUsedAsCollateralDisabled(address indexed reserve, address indexed user)'),
  CollateralConfigurationChanged: parseAbiItem('event CollateralConfigurationChanged(address indexed asset, uint256 ltv, uint256 liquidationThreshold, uint256 liquidationBonus)'),
} satisfies Record<string, AbiEvent>;

/** Pool and PoolConfigurator per network (subgraph/networks.json). */
export const AAVE_CONTRACTS: Record<string, { pool: string; configurator: string }> = {
  mainnet: { pool: '0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2', configurator: '0x64b761d848206f447fe2dd461b0c635ec39ebb27' },
  'arbitrum-one': { pool: '0x794a61358d6845594f94dc1db02a252b5b4814ad', configurator: '0x8145edddf43f50276641b55bd3ad95944510021e' },
  optimism: { pool: '0x794a61358d6845594f94dc1db02a252b5b4814ad', configurator: '0x8145edddf43f50276641b55bd3ad95944510021e' },
  avalanche: { pool: '0x794a61358d6845594f94dc1db02a252b5b4814ad', configurator: '0x8145edddf43f50276641b55bd3ad95944510021e' },
};

export interface AaveReserveConfig extends DemoToken {
  /** Basis points (demo values). */
  ltv: bigint;
  liquidationThreshold: bigint;
  liquidationBonus: bigint;
}

const volatileParams = (asset: Asset) =>
  ({ ETH: [8000n, 8250n, 10500n], BTC: [7300n, 7800n, 10500n], LINK: [5300n, 6800n, 10700n], AVAX: [6000n, 7000n, 11000n] })[asset];
const reserve = (network: string, address: string): AaveReserveConfig => {
  const token = demoToken(network, address);
  const [ltv, liquidationThreshold, liquidationBonus] = token.asset ? volatileParams(token.asset) : [7500n, 7800n, 10450n];
  return { ...token, ltv, liquidationThreshold, liquidationBonus };
};
const reserves = (network: string, addresses: string[]) => addresses.map((address) => reserve(network, address));

/** Reserves per network; symbol, decimals and price path from subgraph/common/tokens.ts. */
export const AAVE_RESERVES: Record<string, AaveReserveConfig[]> = {
  mainnet: reserves('mainnet', [
    '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', // WETH
    '0x2260fac5e5542a773aa44fbcfedf7c193bc2c599', // WBTC
    '0x514910771af9ca656af840dff83e8264ecf986ca', // LINK
    '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', // USDC
    '0x6b175474e89094c44da98b954eedeac495271d0f', // DAI
    '0xdac17f958d2ee523a2206206994597c13d831ec7', // USDT
  ]),
  'arbitrum-one': reserves('arbitrum-one', [
    '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', // WETH
    '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f', // WBTC
    '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', // LINK
    '0xaf88d065e77c8cc2239327c5edb3a432268e5831', // USDC
    '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8', // USDC.e
    '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9', // USDT
  ]),
  optimism: reserves('optimism', [
    '0x4200000000000000000000000000000000000006', // WETH
    '0x68f180fcce6836688e9084f035309e29bf0a2095', // WBTC
    '0x350a791bfc2c21f9ed5d10980dad2e2638ffa7f6', // LINK
    '0x7f5c764cbc14f9669b88837ca1490cca17c31607', // USDC.e
    '0x94b008aa00579c1307b0ef2c499ad98a8ce58e58', // USDT
    '0xda10009cbd5d07dd0cecc66161fc93d7c9000da1', // DAI
  ]),
  avalanche: reserves('avalanche', [
    '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7', // WAVAX
    '0x49d5c2bdffac6ce2bfdb6640f4f80f226bc10bab', // WETH.e
    '0x152b9d0fdc40c096757f570a51e494bd4b943e50', // BTC.b
    '0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e', // USDC
    '0xa7d7079b0fead91f3e65f86e8915cb59c1a4c664', // USDC.e
  ]),
};

/**
 * The size and shape of each network's market at the start (README.md, "Magnitudes"): the USD
 * supplied in all, the share of it supplied by pure lenders (the rest is borrowers' collateral), the
 * share of borrowers who post a stablecoin to borrow a volatile asset, and the range of the share of
 * its borrowing power each borrower takes. These set utilisation, so collateral / debt.
 */
export const AAVE_MARKETS: Record<string, { suppliedUsd: number; lenderShare: number; stableCollateralShare: number; powerUsed: [number, number] }> = {
  mainnet: { suppliedUsd: 1.5e9, lenderShare: 0.2, stableCollateralShare: 0.25, powerUsed: [0.45, 0.95] },
  'arbitrum-one': { suppliedUsd: 1e9, lenderShare: 0.1, stableCollateralShare: 0.3, powerUsed: [0.45, 0.95] },
  optimism: { suppliedUsd: 4e8, lenderShare: 0.1, stableCollateralShare: 0.3, powerUsed: [0.45, 0.95] },
  avalanche: { suppliedUsd: 1.4e9, lenderShare: 0.03, stableCollateralShare: 0.45, powerUsed: [0.6, 0.95] },
};
/** Lognormal spread of borrowers' collateral (log-space standard deviation). */
const COLLATERAL_SIGMA = 1.2;
/** Random actions per day and network (before --scale), after the opening book. */
const ACTIONS_PER_DAY = 500;

interface ReserveState {
  config: AaveReserveConfig;
  liquidityIndex: bigint;
  variableBorrowIndex: bigint;
  liquidityRate: bigint;
  variableBorrowRate: bigint;
  lastUpdate: number;
  scaledSupply: bigint;
  scaledDebt: bigint;
}

interface UserReserve {
  scaledSupply: bigint;
  scaledDebt: bigint;
  collateral: boolean;
}

/** Health factor as aave-v3-core's GenericLogic: sum(collateral x price x LT) / sum(debt x price), WAD; null without debt. */
export function healthFactor(
  positions: Array<{ supply: bigint; debt: bigint; collateral: boolean; price: bigint; decimals: number; liquidationThreshold: bigint }>,
): bigint | null {
  let collateral = 0n;
  let debt = 0n;
  for (const p of positions) {
    const unit = 10n ** BigInt(p.decimals);
    if (p.collateral) collateral += ((p.supply * p.price) / unit) * p.liquidationThreshold;
    debt += (p.debt * p.price) / unit;
  }
  if (debt === 0n) return null;
  return (collateral * 10n ** 18n) / 10000n / debt;
}

export function simulateAave(options: { network: string; seed: number; oracle: OracleRounds; scale: number }): { txs: DemoTx[]; stats: Record<string, number> } {
  const { network, oracle, scale } = options;
  const contracts = AAVE_CONTRACTS[network];
  const configs = AAVE_RESERVES[network];
  const market = AAVE_MARKETS[network];
  if (!contracts || !configs || !market) throw new Error(`aave-v3 demo: no Pool configured for network ${network}`);
  const random = new SeededRandom((options.seed * 3266489917) ^ (network.length * 0x1f1f));
  const txs: DemoTx[] = [];
  const stats = { actions: 0, reverted: 0, liquidations: 0 };
  const reserves = configs.map<ReserveState>((config) => ({ config, liquidityIndex: RAY, variableBorrowIndex: RAY, liquidityRate: 0n, variableBorrowRate: 0n, lastUpdate: 0, scaledSupply: 0n, scaledDebt: 0n }));
  const users = new Map<string, Map<ReserveState, UserReserve>>();
  const borrowers = new Set<string>();
  const volatile = reserves.filter((r) => r.config.asset !== null);
  const stables = reserves.filter((r) => r.config.asset === null);

  txs.push({
    second: 3,
    order: 0,
    address: contracts.configurator,
    events: configs.map((c) => ({ event: AAVE_EVENTS.CollateralConfigurationChanged, args: [c.address, c.ltv, c.liquidationThreshold, c.liquidationBonus] })),
  });

  let minute = 0;
  /** The Pool's oracle price, 8 decimals (USD base currency): the Chainlink answer in force, stablecoins 1.00. */
  const price = (r: ReserveState) => oraclePrice(oracle, r.config.asset, minute);
  const unit = (r: ReserveState) => 10n ** BigInt(r.config.decimals);
  const amountOf = (r: ReserveState, usd: number) => (BigInt(Math.round(usd * 100)) * 10n ** 6n * unit(r)) / price(r);
  let second = 0;
  // The indexes accrued to now (aave-v3-core's getNormalizedIncome / getNormalizedDebt, with the demo's linear accrual).
  const accrued = (index: bigint, rate: bigint, since: number) => (second > since ? rayMul(RAY + (rate * BigInt(second - since)) / SECONDS_PER_YEAR, index) : index);
  const supplyOf = (r: ReserveState, u: UserReserve) => rayMul(u.scaledSupply, accrued(r.liquidityIndex, r.liquidityRate, r.lastUpdate));
  const debtOf = (r: ReserveState, u: UserReserve) => rayMul(u.scaledDebt, accrued(r.variableBorrowIndex, r.variableBorrowRate, r.lastUpdate));
  const userOf = (address: string) => {
    let m = users.get(address);
    if (!m) users.set(address, (m = new Map()));
    return m;
  };
  const entry = (m: Map<ReserveState, UserReserve>, r: ReserveState) => {
    let e = m.get(r);
    if (!e) m.set(r, (e = { scaledSupply: 0n, scaledDebt: 0n, collateral: false }));
    return e;
  };
  const hf = (address: string) =>
    healthFactor(
      [...userOf(address)].map(([r, u]) => ({ supply: supplyOf(r, u), debt: debtOf(r, u), collateral: u.collateral, price: price(r), decimals: r.config.decimals, liquidationThreshold: r.config.liquidationThreshold })),
    );
  /** Borrowing power left: sum(collateral x price x LTV) - debt, USD 8 decimals. */
  const headroom = (address: string) => {
    let power = 0n;
    for (const [r, u] of userOf(address)) {
      if (u.collateral) power += ((supplyOf(r, u) * price(r)) / unit(r)) * r.config.ltv / 10000n;
      power -= (debtOf(r, u) * price(r)) / unit(r);
    }
    return power;
  };

  const updateState = (r: ReserveState) => {
    r.liquidityIndex = accrued(r.liquidityIndex, r.liquidityRate, r.lastUpdate);
    r.variableBorrowIndex = accrued(r.variableBorrowIndex, r.variableBorrowRate, r.lastUpdate);
    r.lastUpdate = second;
  };
  const updateRates = (r: ReserveState, events: EmittedEvent[]) => {
    const supply = rayMul(r.scaledSupply, r.liquidityIndex);
    const debt = rayMul(r.scaledDebt, r.variableBorrowIndex);
    const utilization = supply === 0n ? 0n : (debt * RAY) / supply; // ray
    const optimal = (RAY * 80n) / 100n;
    const slope1 = (RAY * 4n) / 100n;
    const slope2 = (RAY * 75n) / 100n;
    r.variableBorrowRate =
      utilization <= optimal ? (slope1 * utilization) / optimal : slope1 + (slope2 * (utilization - optimal)) / (RAY - optimal);
    r.liquidityRate = (rayMul(r.variableBorrowRate, utilization) * 90n) / 100n;
    events.push({ event: AAVE_EVENTS.ReserveDataUpdated, args: [r.config.address, r.liquidityRate, 0n, r.variableBorrowRate, r.liquidityIndex, r.variableBorrowIndex] });
  };
  const available = (r: ReserveState) => rayMul(r.scaledSupply, r.liquidityIndex) - rayMul(r.scaledDebt, r.variableBorrowIndex);
  const emitTx = (order: number, events: EmittedEvent[]) => txs.push({ second, order, address: contracts.pool, events });

  const supply = (address: string, r: ReserveState, amount: bigint) => {
    if (amount <= 0n) return false;
    const events: EmittedEvent[] = [];
    updateState(r);
    const u = entry(userOf(address), r);
    const scaled = rayDiv(amount, r.liquidityIndex);
    const first = u.scaledSupply === 0n;
    u.scaledSupply += scaled;
    r.scaledSupply += scaled;
    updateRates(r, events);
    if (first && !u.collateral && r.config.ltv > 0n) {
      u.collateral = true;
      events.push({ event: AAVE_EVENTS.ReserveUsedAsCollateralEnabled, args: [r.config.address, address] });
    }
    events.push({ event: AAVE_EVENTS.Supply, args: [r.config.address, address, address, amount, 0] });
    emitTx(0, events);
    return true;
  };
  const withdraw = (address: string, r: ReserveState, all: boolean, fraction: number) => {
    const u = userOf(address).get(r);
    if (!u || u.scaledSupply === 0n) return false;
    updateState(r);
    const balance = supplyOf(r, u);
    let amount = all ? balance : (balance * BigInt(Math.round(fraction * 1000))) / 1000n;
    let scaled = rayDiv(amount, r.liquidityIndex);
    if (scaled > u.scaledSupply) {
      amount -= 1n;
      scaled = rayDiv(amount, r.liquidityIndex);
    }
    if (amount <= 0n || scaled > u.scaledSupply || amount > available(r)) return false;
    const before = { ...u };
    u.scaledSupply -= scaled;
    const wasCollateral = u.collateral;
    if (all && u.collateral) u.collateral = false;
    const health = hf(address);
    if (health !== null && health < 10n ** 18n) {
      Object.assign(u, before);
      return false;
    }
    r.scaledSupply -= scaled;
    const events: EmittedEvent[] = [];
    updateRates(r, events);
    if (all && wasCollateral) events.push({ event: AAVE_EVENTS.ReserveUsedAsCollateralDisabled, args: [r.config.address, address] });
    events.push({ event: AAVE_EVENTS.Withdraw, args: [r.config.address, address, address, amount] });
    emitTx(0, events);
    return true;
  };
  const borrow = (address: string, r: ReserveState, usd: number) => {
    updateState(r);
    const amount = amountOf(r, usd);
    if (amount <= 0n || amount > available(r)) return false;
    const value = (amount * price(r)) / unit(r);
    if (value > headroom(address)) return false;
    const u = entry(userOf(address), r);
    const scaled = rayDiv(amount, r.variableBorrowIndex);
    u.scaledDebt += scaled;
    r.scaledDebt += scaled;
    const events: EmittedEvent[] = [];
    updateRates(r, events);
    events.push({ event: AAVE_EVENTS.Borrow, args: [r.config.address, address, address, amount, 2, r.variableBorrowRate, 0] });
    emitTx(0, events);
    borrowers.add(address);
    return true;
  };
  const repay = (address: string, r: ReserveState, all: boolean, fraction: number) => {
    const u = userOf(address).get(r);
    if (!u || u.scaledDebt === 0n) return false;
    updateState(r);
    const debt = debtOf(r, u);
    let amount = all ? debt : (debt * BigInt(Math.round(fraction * 1000))) / 1000n;
    let scaled = rayDiv(amount, r.variableBorrowIndex);
    if (scaled > u.scaledDebt) {
      amount -= 1n;
      scaled = rayDiv(amount, r.variableBorrowIndex);
    }
    if (amount <= 0n || scaled > u.scaledDebt) return false;
    u.scaledDebt -= scaled;
    r.scaledDebt -= scaled;
    const events: EmittedEvent[] = [];
    updateRates(r, events);
    events.push({ event: AAVE_EVENTS.Repay, args: [r.config.address, address, address, amount, false] });
    emitTx(0, events);
    return true;
  };
  const liquidator = keccak256('0x6c697175').slice(0, 42);
  const liquidate = (address: string, order: number) => {
    const m = userOf(address);
    // The largest debt and the largest collateral, by value.
    let debtReserve: ReserveState | null = null;
    let collateralReserve: ReserveState | null = null;
    let bestDebt = -1n;
    let bestCollateral = -1n;
    for (const [r, u] of m) {
      const d = (debtOf(r, u) * price(r)) / unit(r);
      const c = u.collateral ? (supplyOf(r, u) * price(r)) / unit(r) : -1n;
      if (d > bestDebt && u.scaledDebt > 0n) [bestDebt, debtReserve] = [d, r];
      if (c > bestCollateral && u.collateral && u.scaledSupply > 0n) [bestCollateral, collateralReserve] = [c, r];
    }
    if (!debtReserve || !collateralReserve || debtReserve === collateralReserve) return false;
    const health = hf(address)!;
    updateState(debtReserve);
    updateState(collateralReserve);
    const du = m.get(debtReserve)!;
    const cu = m.get(collateralReserve)!;
    const debt = debtOf(debtReserve, du);
    // Close factor: 50%, or 100% below a health factor of 0.95.
    let debtToCover = health < (95n * 10n ** 18n) / 100n ? debt : debt / 2n;
    const collateralBalance = supplyOf(collateralReserve, cu);
    const bonus = collateralReserve.config.liquidationBonus;
    let collateralAmount = (debtToCover * price(debtReserve) * unit(collateralReserve) * bonus) / (price(collateralReserve) * unit(debtReserve) * 10000n);
    if (collateralAmount > collateralBalance) {
      collateralAmount = collateralBalance;
      debtToCover = (collateralAmount * price(collateralReserve) * unit(debtReserve) * 10000n) / (price(debtReserve) * unit(collateralReserve) * bonus);
    }
    let scaledDebt = rayDiv(debtToCover, debtReserve.variableBorrowIndex);
    if (scaledDebt > du.scaledDebt) scaledDebt = du.scaledDebt;
    let scaledCollateral = rayDiv(collateralAmount, collateralReserve.liquidityIndex);
    if (scaledCollateral > cu.scaledSupply) {
      collateralAmount -= 1n;
      scaledCollateral = rayDiv(collateralAmount, collateralReserve.liquidityIndex);
    }
    if (debtToCover <= 0n || collateralAmount <= 0n || scaledCollateral > cu.scaledSupply) return false;
    if (rayDiv(debtToCover, debtReserve.variableBorrowIndex) !== scaledDebt) return false;
    const events: EmittedEvent[] = [];
    const all = scaledCollateral === cu.scaledSupply;
    if (all) {
      cu.collateral = false;
      events.push({ event: AAVE_EVENTS.ReserveUsedAsCollateralDisabled, args: [collateralReserve.config.address, address] });
    }
    du.scaledDebt -= scaledDebt;
    debtReserve.scaledDebt -= scaledDebt;
    updateRates(debtReserve, events);
    cu.scaledSupply -= scaledCollateral;
    collateralReserve.scaledSupply -= scaledCollateral;
    updateRates(collateralReserve, events);
    events.push({ event: AAVE_EVENTS.LiquidationCall, args: [collateralReserve.config.address, debtReserve.config.address, address, debtToCover, collateralAmount, liquidator, false] });
    emitTx(order, events);
    stats.liquidations++;
    return true;
  };

  const lenders = Array.from({ length: 10 }, (_, i) => keccak256(`0x${(0x1e0d + i).toString(16).padStart(8, '0')}`).slice(0, 42));
  const borrowerPool = Array.from({ length: Math.max(20, Math.round(250 * scale)) }, (_, i) => keccak256(`0x${(0xb0a0 + i).toString(16).padStart(8, '0')}`).slice(0, 42));
  const pickOf = (pool: ReserveState[]) => pool[Math.floor(random.next() * pool.length)];
  // Median collateral such that the borrowers' expected total is their share of the market (lognormal mean = median x e^(sigma^2/2)).
  const medianCollateral = ((1 - market.lenderShare) * market.suppliedUsd * scale) / (borrowerPool.length * Math.exp((COLLATERAL_SIGMA * COLLATERAL_SIGMA) / 2));
  const collateralUsd = (median: number) => Math.min(60 * medianCollateral, Math.max(200, median * Math.exp(COLLATERAL_SIGMA * random.normal())));

  // The opening book, all in minute 0 (before the first Chainlink round and the keeper): lenders
  // seed every reserve (mostly the stablecoins borrowers take), then every borrower supplies
  // collateral and borrows a share of its borrowing power (`powerUsed`), so the market opens at the
  // utilisation the cited figures show rather than empty.
  const lent = market.lenderShare * market.suppliedUsd * scale;
  reserves.forEach((r, i) => {
    const share = r.config.asset ? 0.15 / volatile.length : 0.85 / stables.length;
    second = 6 + i;
    for (const lender of lenders) supply(lender, r, amountOf(r, (lent * share) / lenders.length));
  });
  const book = borrowerPool.map((address, j) => {
    const stableCollateral = random.next() < market.stableCollateralShare;
    second = 20 + Math.floor((j * 15) / borrowerPool.length);
    const collateral = stableCollateral ? pickOf(stables) : pickOf(volatile);
    supply(address, collateral, amountOf(collateral, collateralUsd(medianCollateral)));
    return { address, stableCollateral, share: market.powerUsed[0] + (market.powerUsed[1] - market.powerUsed[0]) * random.next() };
  });
  // Each borrows from the reserve of the other kind with the most USD left to lend.
  const mostAvailable = (pool: ReserveState[]) =>
    pool.reduce((best, r) => ((available(r) * price(r)) / unit(r) > (available(best) * price(best)) / unit(best) ? r : best));
  book.forEach(({ address, stableCollateral, share }, j) => {
    second = 40 + Math.floor((j * 15) / borrowerPool.length);
    borrow(address, mostAvailable(stableCollateral ? volatile : stables), (Number(headroom(address)) / 1e8) * share);
  });

  const perMinute = (ACTIONS_PER_DAY * scale) / (24 * 60);
  for (minute = 1; minute < oracle.minutes; minute++) {
    second = minute * 60 + 1;
    // USD per scaled unit this minute, per reserve: for a float estimate of each health factor.
    const factors = new Map(
      reserves.map((r) => {
        const usd = Number(price(r)) / 1e8 / 10 ** r.config.decimals;
        return [r, { collateral: ((usd * Number(r.liquidityIndex)) / 1e27) * (Number(r.config.liquidationThreshold) / 10000), debt: (usd * Number(r.variableBorrowIndex)) / 1e27 }];
      }),
    );
    const due = [...borrowers].filter((b) => {
      // A float estimate first (cheap), then the exact rule near or below 1.
      let collateral = 0;
      let debt = 0;
      for (const [r, u] of userOf(b)) {
        const f = factors.get(r)!;
        if (u.collateral && u.scaledSupply > 0n) collateral += Number(u.scaledSupply) * f.collateral;
        if (u.scaledDebt > 0n) debt += Number(u.scaledDebt) * f.debt;
      }
      if (debt === 0) {
        borrowers.delete(b);
        return false;
      }
      if (collateral > debt * 1.01) return false;
      const h = hf(b);
      return h !== null && h < 10n ** 18n;
    });
    due.sort().forEach((b, i) => liquidate(b, i));
    let count = 0;
    for (let limit = Math.exp(-perMinute), product = random.next(); product > limit; product *= random.next()) count++;
    const seconds = Array.from({ length: count }, () => minute * 60 + 2 + Math.floor(random.next() * 58)).sort((a, b) => a - b);
    for (const s of seconds) {
      second = s;
      stats.actions++;
      const r = random.next();
      const address = borrowerPool[Math.floor(random.next() * borrowerPool.length)];
      const m = userOf(address);
      const hasDebt = [...m.values()].some((u) => u.scaledDebt > 0n);
      let ok: boolean;
      if (r < 0.35) {
        // Supply collateral: mostly volatile (to borrow stablecoins), sometimes a stablecoin (to borrow a volatile asset).
        const long = random.next() < 0.8;
        const reserveToSupply = pickOf(long ? volatile : stables);
        ok = supply(address, reserveToSupply, amountOf(reserveToSupply, collateralUsd(medianCollateral / 12)));
      } else if (r < 0.65) {
        // Borrow a share of the headroom, from the other kind of asset than the largest collateral.
        const collateralIsStable = [...m].some(([res, u]) => u.collateral && res.config.asset === null && u.scaledSupply > 0n) && random.next() < 0.5;
        const pool = collateralIsStable ? volatile : stables;
        const target = pool[Math.floor(random.next() * pool.length)];
        const usd = (Number(headroom(address)) / 1e8) * (0.5 + 0.48 * random.next());
        ok = usd > 10 && !m.get(target)?.collateral && borrow(address, target, usd);
      } else if (r < 0.85 && hasDebt) {
        const [target] = [...m].find(([, u]) => u.scaledDebt > 0n)!;
        // Debt is sticky: mostly part of it (10-50%), sometimes all.
        ok = repay(address, target, random.next() < 0.15, 0.1 + 0.4 * random.next());
      } else {
        const held = [...m].filter(([, u]) => u.scaledSupply > 0n);
        if (held.length === 0) ok = false;
        else {
          const [target] = held[Math.floor(random.next() * held.length)];
          ok = withdraw(address, target, !hasDebt && random.next() < 0.6, 0.1 + 0.3 * random.next());
        }
      }
      if (!ok) stats.reverted++;
    }
  }
  return { txs, stats };
}
