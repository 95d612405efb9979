// Chainlink AnswerUpdated -> the reserve token's USD price (most recent source wins), and the
// reserve and protocol revalued at it. The aggregator's data source carries the token (context).
import { BigDecimal, BigInt, dataSource, log } from '@graphprotocol/graph-ts';
import { AnswerUpdated } from '../generated/templates/ChainlinkAggregator/ChainlinkAggregator';
import { Market, Token } from '../generated/schema';
import { fixedToDecimal } from '../../common/units';
import { FEED_DECIMALS } from './feeds';
import { getProtocol, recomputeProtocol, revalueReserve, saveProtocol } from './common';

export function handleAnswerUpdated(event: AnswerUpdated): void {
  let tokenAddress = dataSource.context().getBytes('token');
  let token = Token.load(tokenAddress);
  if (token == null) return;
  let answer = event.params.current;
  if (answer.le(BigInt.zero())) {
    log.warning('aave-v3: aggregator {} answered {} for {}: not a price, ignored', [
      dataSource.address().toHexString(),
      answer.toString(),
      tokenAddress.toHexString(),
    ]);
    return;
  }
  let price: BigDecimal = fixedToDecimal(answer, FEED_DECIMALS);
  token.lastPriceUSD = price;
  token.lastPriceSource = 'CHAINLINK';
  token.lastPriceBlockNumber = event.block.number;
  token.lastPriceTimestamp = event.block.timestamp;
  token.save();
  if (Market.load(tokenAddress) == null) return;
  let protocol = getProtocol(event);
  revalueReserve(tokenAddress, event);
  recomputeProtocol(protocol);
  saveProtocol(protocol, event);
}
