/**
 * The config file's "alerts" section, checked: an error names the bad key.
 *
 *   "alerts": {
 *     "rules": [{ "id": "gmx-arb-ratio", "kind": "RATIO_BELOW", "protocol": "gmx-v1", "network": "arbitrum-one", "threshold": "1.1" }],
 *     "webhooks": [{ "id": "ops", "url": "https://hooks.example/svr", "secretEnv": "SVR_WEBHOOK_SECRET" }],
 *     "stateFile": "/var/lib/svr/alerts.sqlite",
 *     "riskIntervalSeconds": 300, "statusIntervalSeconds": 15, "maxApiRules": 200, "redisKeyPrefix": "svr:",
 *     "apiTokenEnv": "SVR_ALERTS_TOKEN"
 *   }
 */
import { AlertRuleError, parseRule, type AlertRule } from './rules';
import { WEBHOOK_DEFAULTS, type WebhookConfig } from './webhooks';

export interface AlertsConfig {
  rules: AlertRule[];
  webhooks: WebhookConfig[];
  /** The SQLite file of the alert state; null: alerts.sqlite in the data directory. */
  stateFile: string | null;
  /** Least seconds between two checks of a DISTANCE_BELOW or VAR_ABOVE rule (each runs the risk engine). */
  riskIntervalSeconds: number;
  /** Seconds between two checks of the deployments' status (LAG_ABOVE, DEPLOYMENT_FAILING, SOURCE_MISSING). */
  statusIntervalSeconds: number;
  /** Rules the API may hold. */
  maxApiRules: number;
  /** Prefix of the crossing claims' Redis keys. */
  redisKeyPrefix: string;
  /** The token the alert mutations require (`Authorization: Bearer <token>`), read from the variable `apiTokenEnv` names; null: none. */
  apiToken: string | null;
}

export const DEFAULT_ALERTS: AlertsConfig = { rules: [], webhooks: [], stateFile: null, riskIntervalSeconds: 300, statusIntervalSeconds: 15, maxApiRules: 200, redisKeyPrefix: 'svr:', apiToken: null };

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new AlertRuleError(`${where} must be an object`);
  return value as Json;
}

function allowOnly(o: Json, keys: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new AlertRuleError(`${where}.${k} is not a setting (known: ${keys.join(', ')})`);
}

function count(o: Json, key: string, where: string, fallback: number): number {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new AlertRuleError(`${where}.${key} must be a positive number, not ${JSON.stringify(v)}`);
  return v;
}

function id(o: Json, where: string, fallback: string): string {
  const v = o.id ?? fallback;
  if (typeof v !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(v)) throw new AlertRuleError(`${where}.id must be 1 to 100 letters, digits or . _ : -, not ${JSON.stringify(v)}`);
  return v;
}

export function parseAlertsConfig(value: unknown, env: NodeJS.ProcessEnv): AlertsConfig {
  const where = 'alerts';
  const raw = object(value, where);
  allowOnly(raw, ['rules', 'webhooks', 'stateFile', 'riskIntervalSeconds', 'statusIntervalSeconds', 'maxApiRules', 'redisKeyPrefix', 'apiTokenEnv'], where);
  let apiToken: string | null = null;
  if (raw.apiTokenEnv !== undefined) {
    if (typeof raw.apiTokenEnv !== 'string' || !raw.apiTokenEnv) throw new AlertRuleError(`${where}.apiTokenEnv must name the environment variable that holds the alert API's token`);
    apiToken = env[raw.apiTokenEnv] || null;
    if (!apiToken) throw new AlertRuleError(`${where}.apiTokenEnv reads the environment variable ${raw.apiTokenEnv}, which is not set`);
  }
  const rulesRaw = raw.rules ?? [];
  if (!Array.isArray(rulesRaw)) throw new AlertRuleError(`${where}.rules must be a list of rules`);
  const rules = rulesRaw.map((r, i) => {
    const w = `${where}.rules[${i}]`;
    const o = object(r, w);
    allowOnly(o, ['id', 'kind', 'protocol', 'network', 'threshold', 'clearAt'], w);
    return parseRule(o, w, 'config', id(o, w, `config-${i}`));
  });
  const ids = new Set<string>();
  rules.forEach((r, i) => {
    if (ids.has(r.id)) throw new AlertRuleError(`${where}.rules[${i}].id "${r.id}" is used twice`);
    ids.add(r.id);
  });
  const hooksRaw = raw.webhooks ?? [];
  if (!Array.isArray(hooksRaw)) throw new AlertRuleError(`${where}.webhooks must be a list of webhooks`);
  const webhooks = hooksRaw.map((h, i): WebhookConfig => {
    const w = `${where}.webhooks[${i}]`;
    const o = object(h, w);
    allowOnly(o, ['id', 'url', 'secretEnv', 'ruleIds', 'maxAttempts', 'initialBackoffMs', 'maxBackoffMs', 'timeoutMs'], w);
    if (typeof o.url !== 'string' || !/^https?:\/\//.test(o.url)) throw new AlertRuleError(`${w}.url must be an http(s) URL, not ${JSON.stringify(o.url)}`);
    if (typeof o.secretEnv !== 'string' || !o.secretEnv) throw new AlertRuleError(`${w}.secretEnv must name the environment variable that holds the signing secret`);
    const secret = env[o.secretEnv];
    if (!secret) throw new AlertRuleError(`${w}.secretEnv reads the environment variable ${o.secretEnv}, which is not set`);
    let ruleIds: string[] | null = null;
    if (o.ruleIds !== undefined) {
      if (!Array.isArray(o.ruleIds) || !o.ruleIds.every((x) => typeof x === 'string')) throw new AlertRuleError(`${w}.ruleIds must be a list of rule ids`);
      ruleIds = o.ruleIds as string[];
    }
    const maxAttempts = Math.floor(count(o, 'maxAttempts', w, WEBHOOK_DEFAULTS.maxAttempts));
    if (maxAttempts > 50) throw new AlertRuleError(`${w}.maxAttempts must be at most 50`);
    return {
      id: id(o, w, `webhook-${i}`),
      url: o.url,
      secret,
      ruleIds,
      maxAttempts,
      initialBackoffMs: count(o, 'initialBackoffMs', w, WEBHOOK_DEFAULTS.initialBackoffMs),
      maxBackoffMs: count(o, 'maxBackoffMs', w, WEBHOOK_DEFAULTS.maxBackoffMs),
      timeoutMs: count(o, 'timeoutMs', w, WEBHOOK_DEFAULTS.timeoutMs),
    };
  });
  if (new Set(webhooks.map((w) => w.id)).size !== webhooks.length) throw new AlertRuleError(`${where}.webhooks: two webhooks have one id`);
  if (raw.stateFile !== undefined && (typeof raw.stateFile !== 'string' || !raw.stateFile)) throw new AlertRuleError(`${where}.stateFile must be a file path`);
  if (raw.redisKeyPrefix !== undefined && typeof raw.redisKeyPrefix !== 'string') throw new AlertRuleError(`${where}.redisKeyPrefix must be a string`);
  return {
    rules,
    webhooks,
    stateFile: (raw.stateFile as string | undefined) ?? null,
    riskIntervalSeconds: count(raw, 'riskIntervalSeconds', where, DEFAULT_ALERTS.riskIntervalSeconds),
    statusIntervalSeconds: count(raw, 'statusIntervalSeconds', where, DEFAULT_ALERTS.statusIntervalSeconds),
    maxApiRules: Math.floor(count(raw, 'maxApiRules', where, DEFAULT_ALERTS.maxApiRules)),
    redisKeyPrefix: (raw.redisKeyPrefix as string | undefined) ?? DEFAULT_ALERTS.redisKeyPrefix,
    apiToken,
  };
}
