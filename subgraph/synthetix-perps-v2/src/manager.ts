// FuturesMarketManager -> one PerpsV2Market data source per market (a template), and the Market
// entity. Sources: README.md and docs/methodology.md ("Synthetix PerpsV2").
import { BigDecimal, BigInt, Bytes, DataSourceContext, log } from '@graphprotocol/graph-ts';
import { MarketAdded } from '../generated/synthetix-perps-v2/FuturesMarketManager';
import { CollateralBalance, Market, Token } from '../generated/schema';
import { PerpsV2Market } from '../generated/templates';
import { getProtocol, getSUSD, WAD_DECIMALS } from './common';
import { saveMarket, saveProtocol } from '../../common/snapshots';

export function handleMarketAdded(event: MarketAdded): void {
  let p = event.params;
  if (Market.load(p.market) != null) {
    // Both managers can list the same market (or a market can be removed and added again): one
    // data source per market, or every event would be counted twice.
    log.info('synthetix-perps-v2: market {} ({}) already tracked', [p.market.toHexString(), p.marketKey.toString()]);
    return;
  }
  let protocol = getProtocol(event);
  let sUSD = getSUSD(event);

  // The traded asset (a synth key such as sETH, not a token address): a Token keyed by the
  // asset's bytes32, priced by the markets' PositionModified.lastPrice.
  let asset = Token.load(p.asset);
  if (asset == null) {
    asset = new Token(p.asset);
    asset.symbol = p.asset.toString();
    asset.decimals = WAD_DECIMALS;
    asset.isStablecoin = false;
    asset.save();
  }

  let market = new Market(p.market);
  market.protocol = protocol.id;
  market.name = p.marketKey.toString();
  market.indexToken = asset.id;
  market.inputTokens = [sUSD.id];
  market.totalValueLockedUSD = BigDecimal.zero();
  market.priced = true;
  market.longOpenInterestUSD = BigDecimal.zero();
  market.shortOpenInterestUSD = BigDecimal.zero();
  market.totalOpenInterestUSD = BigDecimal.zero();
  market.longOpenInterestSize = BigInt.zero();
  market.shortOpenInterestSize = BigInt.zero();
  market.openPositionCount = 0;
  market.longPositionCount = 0;
  market.shortPositionCount = 0;
  market.cumulativePositionCount = 0;
  market.cumulativeLiquidationCount = 0;
  market.createdBlockNumber = event.block.number;
  market.createdTimestamp = event.block.timestamp;

  // The market's trader margin, the set Protocol.totalValueLockedUSD sums (one per market).
  let balance = new CollateralBalance(p.market);
  balance.protocol = protocol.id;
  balance.token = sUSD.id;
  balance.amount = BigInt.zero();
  balance.reservedAmount = BigInt.zero();
  balance.guaranteedUSD = BigDecimal.zero();
  balance.amountUSD = BigDecimal.zero();
  balance.priced = true;
  balance.lastUpdateBlockNumber = event.block.number;
  balance.lastUpdateTimestamp = event.block.timestamp;
  balance.save();
  let ids = protocol.collateralBalanceIds;
  ids.push(balance.id);
  protocol.collateralBalanceIds = ids;
  protocol.marketCount = protocol.marketCount + 1;

  let context = new DataSourceContext();
  context.setBytes('marketKey', p.marketKey);
  context.setBytes('asset', p.asset);
  PerpsV2Market.createWithContext(p.market, context);

  saveMarket(market, event);
  saveProtocol(protocol, event);
}
