/** Alerts: rules with hysteresis, their state in SQLite, crossing claims across replicas, signed webhooks (docs/alerts.md). */
export * from './rules';
export { AlertStore, type AlertBlock, type AlertProvenance, type Delivery, type StoredAlertEvent } from './store';
export { WebhookDispatcher, signBody, verifySignature, backoffMs, WEBHOOK_DEFAULTS, SIGNATURE_HEADER, EVENT_ID_HEADER, ATTEMPT_HEADER, type WebhookConfig } from './webhooks';
export { LocalClaims, RedisClaims, CLAIM_TTL_SECONDS, type CrossingClaims } from './claims';
export { parseAlertsConfig, DEFAULT_ALERTS, type AlertsConfig } from './config';
