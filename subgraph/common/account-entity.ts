// The `Account` entity of the common schema, created on first sight, for every subgraph through
// graph-ts's untyped store (as ./token-entity.ts does for Token): a subgraph reads the result with
// `changetype<Account>(...)`. A new account counts once in its Protocol's cumulativeUniqueUsers.
import { Address, Entity, ethereum, store } from '@graphprotocol/graph-ts';

const ENTITY = 'Account';

export function getOrCreateAccount(address: Address, event: ethereum.Event, protocol: Entity): Entity {
  let id = address.toHexString();
  let existing = store.get(ENTITY, id);
  if (existing != null) return existing!;
  let account = new Entity();
  account.setBytes('id', address);
  account.setI32('openPositionCount', 0);
  account.setI32('closedPositionCount', 0);
  account.setI32('cumulativePositionCount', 0);
  account.setI32('liquidationCount', 0);
  account.setBigInt('firstSeenBlockNumber', event.block.number);
  store.set(ENTITY, id, account);
  protocol.setI32('cumulativeUniqueUsers', protocol.getI32('cumulativeUniqueUsers') + 1);
  return account;
}
