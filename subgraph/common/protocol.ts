// A new `Protocol` entity's fields, as every subgraph starts it: its identity and collateral model,
// and every running figure at zero (docs/methodology.md). On the untyped store, like ./snapshots.ts,
// so that each subgraph's generated Protocol class can be passed in. Each mapping sets its venue's
// status (./status.ts) and its own fields beside these.
import { BigDecimal, Bytes, Entity, Value, dataSource, ethereum } from '@graphprotocol/graph-ts';

export function initProtocol(protocol: Entity, name: string, type: string, collateralModel: string, contract: Bytes, event: ethereum.Event): void {
  protocol.setString('name', name);
  protocol.setString('slug', protocol.getString('id'));
  protocol.setString('network', dataSource.network());
  protocol.setString('type', type);
  protocol.setString('collateralModel', collateralModel);
  protocol.setBytes('contract', contract);
  protocol.setBoolean('priced', true);
  protocol.set('unpricedTokens', Value.fromBytesArray(new Array<Bytes>()));
  protocol.set('collateralBalanceIds', Value.fromBytesArray(new Array<Bytes>()));
  const zeroUSD = ['totalValueLockedUSD', 'longOpenInterestUSD', 'shortOpenInterestUSD', 'totalOpenInterestUSD', 'totalBorrowBalanceUSD', 'totalDepositBalanceUSD'];
  for (let i = 0; i < zeroUSD.length; i++) protocol.setBigDecimal(zeroUSD[i], BigDecimal.zero());
  const zeroCounts = ['marketCount', 'openPositionCount', 'cumulativePositionCount', 'cumulativeLiquidationCount', 'cumulativeUniqueUsers'];
  for (let i = 0; i < zeroCounts.length; i++) protocol.setI32(zeroCounts[i], 0);
  protocol.setBigInt('lastUpdateBlockNumber', event.block.number);
  protocol.setBigInt('lastUpdateTimestamp', event.block.timestamp);
}
