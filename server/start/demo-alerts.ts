/**
 * The live demo's alert rules, used when `svr start` runs the live demo and the
 * config file names no rule of its own: they show the alert path (hysteresis,
 * the subscription, the page's alerts view) on the demo's crash.
 *
 * The thresholds are set from the default demo's hourly history (seed 1,
 * 3 days; server/demo/README.md), where the crash runs from hour 39.6 to 45.6
 * and the live demo goes live an hour before it:
 * - gmx-v2/avalanche, the demo's stressed GMX v2 venue: 1.89 at the go-live
 *   hour, 1.80 at hour 42, 1.77 at hour 43, 1.69 at hour 48. Below 1.8 it fires.
 * - aave-v3/gnosis, where the liquidator is away in the crash: 2.31 at the
 *   go-live hour, 2.22 at hour 42, 2.18 at hour 43; the Pool writes the
 *   accounts' debt off as deficits at hour 45 and the ratio jumps to 3.04.
 *   Below 2.2 it fires, and it resolves past its clear line (2.31) once the
 *   debt is written off: the ratio recovering because the bad debt left it,
 *   which realisedBadDebtUSD shows beside it.
 * - any demo deployment's follower failing three status checks in a row.
 */
import type { GatewayConfig } from '../gateway/config';
import { parseRule, type AlertRule } from '../alerts';

const RULES: Array<Record<string, unknown> & { id: string }> = [
  { id: 'demo-gmx-v2-avalanche-ratio', kind: 'RATIO_BELOW', protocol: 'gmx-v2', network: 'avalanche', threshold: '1.8' },
  { id: 'demo-aave-v3-gnosis-ratio', kind: 'RATIO_BELOW', protocol: 'aave-v3', network: 'gnosis', threshold: '2.2' },
  { id: 'demo-deployment-failing', kind: 'DEPLOYMENT_FAILING', threshold: '3' },
];

export const DEMO_ALERT_RULES: readonly AlertRule[] = RULES.map((raw, i) => parseRule(raw, `demo alert rules[${i}]`, 'config', raw.id));

/** The config with the demo's rules when it has none of its own (a config's rules replace them). */
export function withDemoAlerts(config: GatewayConfig): GatewayConfig {
  if (config.alerts.rules.length > 0) return config;
  return { ...config, alerts: { ...config.alerts, rules: [...DEMO_ALERT_RULES] } };
}
