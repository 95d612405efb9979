// The `Token` entity of the common schema, created from the token table (./tokens.ts) through
// graph-ts's untyped store, for every subgraph (each generates its own entity classes; a subgraph
// reads the result with `changetype<Token>(...)`, as its generated `Token.load` does).
import { Address, BigDecimal, Entity, dataSource, ethereum, log, store } from '@graphprotocol/graph-ts';
import { followFeed } from './chainlink';
import { knownToken } from './tokens';

const ENTITY = 'Token';
const SOURCE_STABLECOIN_DEFAULT = 'STABLECOIN_DEFAULT';

/**
 * The token at `address`, created on first sight: symbol, decimals and stablecoin flag from the
 * table (a stablecoin starts at 1.00 USD, priced from this block), and the Chainlink aggregator
 * that prices it followed. A token not in the table keeps its address as symbol and no decimals:
 * its amounts stay unpriced. `subgraph` names the caller in the warning.
 */
export function getOrCreateToken(address: Address, event: ethereum.Event, subgraph: string): Entity {
  let id = address.toHexString();
  let existing = store.get(ENTITY, id);
  if (existing != null) return existing!;
  let token = new Entity();
  token.setBytes('id', address);
  let info = knownToken(dataSource.network(), id);
  let stablecoin = false;
  if (info != null) {
    token.setString('symbol', info.symbol);
    token.setI32('decimals', <i32>info.decimals);
    stablecoin = info.stablecoin;
  } else {
    log.warning('{}: token {} is not in the token table (subgraph/common/tokens.ts): its decimals are unknown and its amounts unpriced', [subgraph, id]);
    token.setString('symbol', id);
  }
  token.setBoolean('isStablecoin', stablecoin);
  if (stablecoin) {
    token.setBigDecimal('lastPriceUSD', BigDecimal.fromString('1'));
    token.setString('lastPriceSource', SOURCE_STABLECOIN_DEFAULT);
    token.setBigInt('lastPriceBlockNumber', event.block.number);
    token.setBigInt('lastPriceTimestamp', event.block.timestamp);
  }
  store.set(ENTITY, id, token);
  followFeed(address, event);
  return token;
}
