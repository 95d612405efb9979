// Shared by the manager and market mappings of synthetix-perps-v2: the protocol, its markets and
// their snapshots, accounts, and units. The rules are stated with their sources in
// docs/methodology.md ("Synthetix PerpsV2").
import { Address, BigDecimal, BigInt, Bytes, dataSource, ethereum } from '@graphprotocol/graph-ts';
import {
  Account,
  Market,
  MarketDailySnapshot,
  MarketHourlySnapshot,
  Protocol,
  ProtocolDailySnapshot,
  ProtocolHourlySnapshot,
  Token,
} from '../generated/schema';
import { dayIndex, fixedToDecimal, hourIndex } from '../../common/units';

export const PROTOCOL_ID = 'synthetix-perps-v2';
/** PerpsV2 amounts, sizes and prices are fixed point with 18 decimals. */
export const WAD_DECIMALS: i32 = 18;
/**
 * sUSD on Optimism (ProxyERC20sUSD): the unit margin is kept in. Address: the sUSD reserve of
 * Aave v3 on Optimism (optimistic.etherscan.io/address/0x8c6f28f2f1a3c87f0f938b96d27520d9751ec8d9).
 */
export const SUSD = '0x8c6f28f2f1a3c87f0f938b96d27520d9751ec8d9';

export const SOURCE_POSITION_EVENT = 'POSITION_EVENT';

/** An 18-decimal fixed-point integer as a BigDecimal. */
export function wad(value: BigInt): BigDecimal {
  return fixedToDecimal(value, WAD_DECIMALS);
}

export function getProtocol(event: ethereum.Event): Protocol {
  let protocol = Protocol.load(PROTOCOL_ID);
  if (protocol == null) {
    protocol = new Protocol(PROTOCOL_ID);
    protocol.name = 'Synthetix PerpsV2';
    protocol.slug = PROTOCOL_ID;
    protocol.network = dataSource.network();
    protocol.type = 'PERPETUAL';
    protocol.collateralModel = 'TRADER_MARGIN';
    // The FuturesMarketManager whose MarketAdded created the protocol (markets only come from it).
    protocol.contract = event.address;
    protocol.totalValueLockedUSD = BigDecimal.zero();
    protocol.priced = true;
    protocol.unpricedTokens = new Array<Bytes>();
    protocol.collateralBalanceIds = new Array<Bytes>();
    protocol.longOpenInterestUSD = BigDecimal.zero();
    protocol.shortOpenInterestUSD = BigDecimal.zero();
    protocol.totalOpenInterestUSD = BigDecimal.zero();
    protocol.totalBorrowBalanceUSD = BigDecimal.zero();
    protocol.totalDepositBalanceUSD = BigDecimal.zero();
    protocol.marketCount = 0;
    protocol.openPositionCount = 0;
    protocol.cumulativePositionCount = 0;
    protocol.cumulativeLiquidationCount = 0;
    protocol.cumulativeUniqueUsers = 0;
    protocol.lastUpdateBlockNumber = event.block.number;
    protocol.lastUpdateTimestamp = event.block.timestamp;
  }
  return protocol;
}

/** Saves the protocol and writes its hourly and daily snapshots. */
export function saveProtocol(protocol: Protocol, event: ethereum.Event): void {
  protocol.lastUpdateBlockNumber = event.block.number;
  protocol.lastUpdateTimestamp = event.block.timestamp;
  protocol.save();

  let day = dayIndex(event.block.timestamp);
  let daily = new ProtocolDailySnapshot(PROTOCOL_ID + '-' + day.toString());
  daily.protocol = protocol.id;
  daily.day = day;
  daily.totalValueLockedUSD = protocol.totalValueLockedUSD;
  daily.priced = protocol.priced;
  daily.longOpenInterestUSD = protocol.longOpenInterestUSD;
  daily.shortOpenInterestUSD = protocol.shortOpenInterestUSD;
  daily.totalOpenInterestUSD = protocol.totalOpenInterestUSD;
  daily.totalBorrowBalanceUSD = protocol.totalBorrowBalanceUSD;
  daily.totalDepositBalanceUSD = protocol.totalDepositBalanceUSD;
  daily.openPositionCount = protocol.openPositionCount;
  daily.cumulativePositionCount = protocol.cumulativePositionCount;
  daily.cumulativeLiquidationCount = protocol.cumulativeLiquidationCount;
  daily.blockNumber = event.block.number;
  daily.timestamp = event.block.timestamp;
  daily.save();

  let hour = hourIndex(event.block.timestamp);
  let hourly = new ProtocolHourlySnapshot(PROTOCOL_ID + '-' + hour.toString());
  hourly.protocol = protocol.id;
  hourly.hour = hour;
  hourly.totalValueLockedUSD = protocol.totalValueLockedUSD;
  hourly.priced = protocol.priced;
  hourly.longOpenInterestUSD = protocol.longOpenInterestUSD;
  hourly.shortOpenInterestUSD = protocol.shortOpenInterestUSD;
  hourly.totalOpenInterestUSD = protocol.totalOpenInterestUSD;
  hourly.totalBorrowBalanceUSD = protocol.totalBorrowBalanceUSD;
  hourly.totalDepositBalanceUSD = protocol.totalDepositBalanceUSD;
  hourly.openPositionCount = protocol.openPositionCount;
  hourly.cumulativePositionCount = protocol.cumulativePositionCount;
  hourly.cumulativeLiquidationCount = protocol.cumulativeLiquidationCount;
  hourly.blockNumber = event.block.number;
  hourly.timestamp = event.block.timestamp;
  hourly.save();
}

/** Saves the market and writes its hourly and daily snapshots. */
export function saveMarket(market: Market, event: ethereum.Event): void {
  market.lastUpdateBlockNumber = event.block.number;
  market.lastUpdateTimestamp = event.block.timestamp;
  market.save();
  let prefix = market.id.toHexString() + '-';

  let day = dayIndex(event.block.timestamp);
  let daily = new MarketDailySnapshot(prefix + day.toString());
  daily.market = market.id;
  daily.protocol = market.protocol;
  daily.day = day;
  daily.totalValueLockedUSD = market.totalValueLockedUSD;
  daily.longOpenInterestUSD = market.longOpenInterestUSD;
  daily.shortOpenInterestUSD = market.shortOpenInterestUSD;
  daily.totalOpenInterestUSD = market.totalOpenInterestUSD;
  daily.openPositionCount = market.openPositionCount;
  daily.cumulativeLiquidationCount = market.cumulativeLiquidationCount;
  daily.blockNumber = event.block.number;
  daily.timestamp = event.block.timestamp;
  daily.save();

  let hour = hourIndex(event.block.timestamp);
  let hourly = new MarketHourlySnapshot(prefix + hour.toString());
  hourly.market = market.id;
  hourly.protocol = market.protocol;
  hourly.hour = hour;
  hourly.totalValueLockedUSD = market.totalValueLockedUSD;
  hourly.longOpenInterestUSD = market.longOpenInterestUSD;
  hourly.shortOpenInterestUSD = market.shortOpenInterestUSD;
  hourly.totalOpenInterestUSD = market.totalOpenInterestUSD;
  hourly.openPositionCount = market.openPositionCount;
  hourly.cumulativeLiquidationCount = market.cumulativeLiquidationCount;
  hourly.blockNumber = event.block.number;
  hourly.timestamp = event.block.timestamp;
  hourly.save();
}

/** sUSD, the margin token. It gets no price: margin counts in USD as the protocol accounts it (methodology). */
export function getSUSD(): Token {
  let address = Address.fromString(SUSD);
  let token = Token.load(address);
  if (token == null) {
    token = new Token(address);
    token.symbol = 'sUSD';
    token.decimals = 18;
    token.isStablecoin = false;
    token.save();
  }
  return token;
}

export function getAccount(address: Address, event: ethereum.Event, protocol: Protocol): Account {
  let account = Account.load(address);
  if (account == null) {
    account = new Account(address);
    account.openPositionCount = 0;
    account.closedPositionCount = 0;
    account.cumulativePositionCount = 0;
    account.liquidationCount = 0;
    account.firstSeenBlockNumber = event.block.number;
    protocol.cumulativeUniqueUsers = protocol.cumulativeUniqueUsers + 1;
  }
  return account;
}
