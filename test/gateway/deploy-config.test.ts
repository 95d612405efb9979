/**
 * The production recipe's files (deploy/): what this machine can check
 * without Docker. The gateway config loads with loadConfig; the compose file
 * names the services docs/production.md describes and mounts the files that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { loadConfig } from '../../server/gateway/config';
import { PROJECT_ROOT } from '../../server/paths';
import { DEMO_DEPLOYMENTS } from './demo-stack';

const DEPLOY = join(PROJECT_ROOT, 'deploy');

test('deploy/svr.config.json loads: every deployment from graph-node, the shared Redis, production, alerts with a signed webhook', () => {
  const config = loadConfig({ file: join(DEPLOY, 'svr.config.json'), env: { SVR_WEBHOOK_SECRET: 'x', SVR_ALERTS_TOKEN: 't' } });
  expect(config.sources!.map((s) => `${s.protocol}/${s.network}`)).toEqual(DEMO_DEPLOYMENTS);
  expect(config.sources!.every((s) => s.url === `http://graph-node:8000/subgraphs/name/${s.protocol}/${s.network}` && s.statusUrl === 'http://graph-node:8030/graphql')).toBe(true);
  expect({ redis: config.redisUrl, production: config.production, forwarded: config.subscriptions.trustForwardedFor }).toEqual({ redis: 'redis://redis:6379', production: true, forwarded: true });
  expect(config.alerts.rules.map((r) => r.kind)).toEqual(['RATIO_BELOW', 'BUFFER_BELOW', 'DISTANCE_BELOW', 'LAG_ABOVE', 'DEPLOYMENT_FAILING', 'SOURCE_MISSING']);
  expect(config.alerts.webhooks.map((w) => [w.id, w.secret])).toEqual([['ops', 'x']]);
  expect(config.alerts.apiToken).toBe('t');
  // The secret comes from the environment: without it the file is refused, naming the key.
  expect(() => loadConfig({ file: join(DEPLOY, 'svr.config.json'), env: { SVR_ALERTS_TOKEN: 't' } })).toThrow(/alerts\.webhooks\[0\]\.secretEnv reads the environment variable SVR_WEBHOOK_SECRET, which is not set/);
});

test('deploy/docker-compose.yml: graph-node, ipfs, postgres, redis, three gateway replicas and nginx, with the files they mount', () => {
  const compose = YAML.parse(readFileSync(join(DEPLOY, 'docker-compose.yml'), 'utf8'), { merge: true });
  expect(Object.keys(compose.services).sort()).toEqual(['gateway-1', 'gateway-2', 'gateway-3', 'graph-node', 'ipfs', 'nginx', 'postgres', 'redis']);
  for (const name of ['gateway-1', 'gateway-2', 'gateway-3']) expect(compose.services[name].volumes).toContain('./svr.config.json:/etc/svr/svr.config.json:ro');
  const mounted = Object.values(compose.services).flatMap((s: any) => s.volumes ?? []).filter((v: string) => v.startsWith('./')).map((v: string) => v.split(':')[0]);
  for (const file of mounted) expect(existsSync(join(DEPLOY, file))).toBe(true);
  expect(existsSync(join(DEPLOY, 'Dockerfile'))).toBe(true);
  // nginx passes the WebSocket upgrade through to every replica.
  const nginx = readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8');
  expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
  for (const name of ['gateway-1', 'gateway-2', 'gateway-3']) expect(nginx).toContain(`server ${name}:4000;`);
});
