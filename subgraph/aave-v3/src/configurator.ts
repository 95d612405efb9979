// Aave v3 PoolConfigurator -> the reserve Market's risk parameters. Aave states them in basis
// points (PoolConfigurator.configureReserveAsCollateral): ltv and liquidationThreshold of 10000 =
// 100%; liquidationBonus of 10500 = the liquidator receives 105% of the debt repaid in collateral.
import { BigDecimal, BigInt } from '@graphprotocol/graph-ts';
import { CollateralConfigurationChanged } from '../generated/aave-v3-configurator/PoolConfigurator';
import { Market } from '../generated/schema';
import { getMarket, getProtocol, recomputeProtocol } from './common';
import { saveMarket, saveProtocol } from '../../common/snapshots';

const HUNDRED = BigDecimal.fromString('100');

function percent(basisPoints: BigInt): BigDecimal {
  return basisPoints.toBigDecimal().div(HUNDRED);
}

export function handleCollateralConfigurationChanged(event: CollateralConfigurationChanged): void {
  let p = event.params;
  let protocol = getProtocol(event);
  let market: Market = getMarket(p.asset, event, protocol);
  market.maximumLTV = percent(p.ltv);
  market.liquidationThreshold = percent(p.liquidationThreshold);
  // The bonus above 100%: 10500 -> 5. Zero when the reserve is not collateral (bonus 0).
  let bonus = p.liquidationBonus.minus(BigInt.fromI32(10000));
  market.liquidationPenalty = bonus.gt(BigInt.zero()) ? percent(bonus) : BigDecimal.zero();
  // A reserve with liquidationThreshold 0 cannot back borrows (ValidationLogic).
  market.canUseAsCollateral = !p.liquidationThreshold.isZero();
  saveMarket(market, event);
  recomputeProtocol(protocol);
  saveProtocol(protocol, event);
}
