/** The live demo's default alert rules: valid, about deployments the demo has, and replaced by a config's own. */
import { loadConfig } from '../../server/gateway/config';
import { DEMO_ALERT_RULES, withDemoAlerts } from '../../server/start/demo-alerts';
import { DEMO_DEPLOYMENTS } from '../gateway/demo-stack';

test('every demo rule names a deployment of the demo, or every deployment', () => {
  for (const rule of DEMO_ALERT_RULES) {
    if (rule.protocol === null) continue;
    expect(DEMO_DEPLOYMENTS).toContain(`${rule.protocol}/${rule.network}`);
  }
  expect(DEMO_ALERT_RULES.map((r) => [r.kind, r.threshold])).toEqual([
    ['RATIO_BELOW', '1.8'],
    ['RATIO_BELOW', '2.2'],
    ['DEPLOYMENT_FAILING', '3'],
  ]);
});

test("a config without rules gets the demo's; a config with rules keeps its own", () => {
  const none = loadConfig({ file: null, env: {} });
  expect(withDemoAlerts(none).alerts.rules.map((r) => r.id)).toEqual(DEMO_ALERT_RULES.map((r) => r.id));
  const own = { ...none, alerts: { ...none.alerts, rules: [{ ...DEMO_ALERT_RULES[0]!, id: 'mine' }] } };
  expect(withDemoAlerts(own).alerts.rules.map((r) => r.id)).toEqual(['mine']);
});
