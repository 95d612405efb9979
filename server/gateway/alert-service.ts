/**
 * The alert engine: checks every rule against the figures the gateway already
 * computes, and tells the subscribers and the webhooks when one crosses.
 *
 * - RATIO_BELOW, BUFFER_BELOW: at every live update (live.ts) of the rule's
 *   deployment or aggregate: the same snapshot the subscriptions carry.
 * - DISTANCE_BELOW, VAR_ABOVE: the `distanceToInsolvency` and `valueAtRisk`
 *   answers, executed through the gateway's schema (so in the risk worker
 *   pool, under the same work bounds), at most once per riskIntervalSeconds.
 * - LAG_ABOVE, DEPLOYMENT_FAILING, SOURCE_MISSING: the `Deployment` fields
 *   (lag, health, hasIndexingErrors, reachable) every statusIntervalSeconds.
 *
 * Each event carries the provenance of the figure that crossed (the reads'
 * deployments, blocks, hashes and times, the methodology version, the
 * parameters, the digest): the answer's own for the risk kinds, the
 * snapshot's for the ratio and buffer; a replay query recomputes the figure
 * from it. The record also goes to the served-records store, so the digest
 * alone replays it.
 *
 * A crossing is (rule, transition, scope, block hash); its id is a digest of
 * those, the same on every replica. The replica that claims it
 * (claims.ts) records the webhook deliveries; every replica records the
 * event and tells its own subscribers, so each subscriber hears it once.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { FollowerStatusSource } from '../indexer/heads';
import type { Logger } from 'pino';
import { Decimal } from '../numeric/decimal';
import {
  AlertRuleError,
  AlertStore,
  INITIAL_PROGRESS,
  LocalClaims,
  PER_DEPLOYMENT_KINDS,
  RISK_KINDS,
  RedisClaims,
  WebhookDispatcher,
  checkRule,
  clearAtOf,
  parseRule,
  type AlertBlock,
  type AlertProvenance,
  type AlertRule,
  type AlertState,
  type AlertsConfig,
  type CrossingClaims,
  type RuleProgress,
  type StoredAlertEvent,
} from '../alerts';
import type { Sources } from '../sources';
import type { WorkerPool } from '../workers/pool';
import type { GatewayContext } from './context';
import { ratioProvenance } from './provenance';
import type { ProvenanceStore } from './provenance-store';
import type { AggregateUpdateParent, RatioUpdateParent, RatioSnapshotParent } from './parents';
import type { LiveFigures, Scope } from './live';
import { GraphQLError } from 'graphql';

/** An alert event as the schema shapes it (AlertEvent). */
export interface AlertEventView {
  id: string;
  rule: AlertRuleView;
  state: AlertState;
  protocol: string | null;
  network: string | null;
  value: string | null;
  threshold: string;
  block: AlertBlock | null;
  at: number;
  acknowledged: boolean;
  message: string;
  provenance: AlertProvenance | null;
}

export interface AlertRuleView {
  id: string;
  kind: AlertRule['kind'];
  protocol: string | null;
  network: string | null;
  threshold: string;
  clearAt: string;
  origin: string;
}

export function ruleView(rule: AlertRule): AlertRuleView {
  return { id: rule.id, kind: rule.kind, protocol: rule.protocol, network: rule.network, threshold: rule.threshold, clearAt: clearAtOf(rule).toString(), origin: rule.origin };
}

export function eventView(e: StoredAlertEvent): AlertEventView {
  return { id: e.id, rule: ruleView(e.rule), state: e.state, protocol: e.protocol, network: e.network, value: e.value, threshold: e.threshold, block: e.block, at: e.at, acknowledged: e.acknowledged, message: e.message, provenance: e.provenance };
}

export interface AlertServiceOptions {
  config: AlertsConfig;
  dataDir: string;
  redisUrl: string | null;
  live: LiveFigures;
  sources: () => Sources;
  schema: GraphQLSchema;
  risk: WorkerPool;
  logger: Logger;
  requestTimeoutMs: number;
  /** Production mode: the alert mutations then need a token (authorize). */
  production: boolean;
  /** The followers of this process, for LAG_ABOVE and DEPLOYMENT_FAILING over followed deployments (Deployment.lag, health). */
  followers?: FollowerStatusSource | null;
  /** The store of the provenance records served: an event's figure is replayable by its digest. */
  records?: ProvenanceStore | null;
}

/** What a check is over: one deployment, or an aggregate's selection. */
interface CheckScope {
  key: string;
  protocol: string | null;
  network: string | null;
}

const FIGURE_NAMES: Record<AlertRule['kind'], string> = {
  RATIO_BELOW: 'ratio',
  BUFFER_BELOW: 'buffer (USD)',
  DISTANCE_BELOW: 'distance to insolvency (market-wide fall)',
  VAR_ABOVE: '99% one-day VaR of insolvency (USD)',
  LAG_ABOVE: 'lag (blocks)',
  DEPLOYMENT_FAILING: 'failing checks',
  SOURCE_MISSING: 'unreachable checks',
};

const DISTANCE_QUERY = parse(`query svr_alert_distance($protocols: [String!], $networks: [String!]) {
  aggregate(protocols: $protocols, networks: $networks) { distanceToInsolvency { marketWide { down } provenance { methodologyVersion query parameters reads { protocol network deployment blockNumber blockHash timestamp } record digest } } }
}`);
const DISTANCE_ONE_QUERY = parse(`query svr_alert_distance_one($protocol: String!, $network: String!) {
  ratio(protocol: $protocol, network: $network) { distanceToInsolvency { marketWide { down } provenance { methodologyVersion query parameters reads { protocol network deployment blockNumber blockHash timestamp } record digest } } }
}`);
const VAR_QUERY = parse(`query svr_alert_var($protocols: [String!], $networks: [String!]) {
  valueAtRisk(protocols: $protocols, networks: $networks) { total { var99 { value } } provenance { methodologyVersion query parameters reads { protocol network deployment blockNumber blockHash timestamp } record digest } }
}`);
const STATUS_QUERY = parse(`query svr_alert_status { protocols { deployments { protocol network blockNumber lag health hasIndexingErrors reachable error } } }`);

type ProvenanceRead = AlertProvenance['reads'][number];

export class AlertService {
  private opened: AlertStore | null = null;
  private readonly statePath: string;
  private readonly claims: CrossingClaims;
  private readonly dispatcher: WebhookDispatcher;
  private readonly listeners = new Set<(e: AlertEventView) => void>();
  private readonly progress = new Map<string, Map<string, RuleProgress>>();
  private readonly watches = new Map<string, () => void>();
  private readonly timers: NodeJS.Timeout[] = [];
  private rules: AlertRule[] = [];
  private chain: Promise<void> = Promise.resolve();
  private riskRun: Promise<void> | null = null;
  private statusRun: Promise<void> | null = null;
  private lastRiskCheck = new Map<string, number>();
  private stopHeads: (() => void) | null = null;
  private closed = false;

  constructor(private readonly options: AlertServiceOptions) {
    this.statePath = options.config.stateFile ?? join(options.dataDir, 'alerts.sqlite');
    this.claims = options.redisUrl
      ? new RedisClaims(options.redisUrl, options.config.redisKeyPrefix, (e) => options.logger.warn(`alert claims: Redis error, claiming locally (receivers drop duplicates by event id): ${e.message}`))
      : new LocalClaims();
    this.dispatcher = new WebhookDispatcher({
      store: { leaseDue: (n, ms) => this.store.leaseDue(n, ms), delivered: (d) => this.store.delivered(d), failed: (d, e, t) => this.store.failed(d, e, t), nextDue: () => this.store.nextDue() },
      webhooks: options.config.webhooks,
      onError: (d, error) => options.logger.warn({ event: d.eventId, webhook: d.webhookId }, `webhook delivery failed: ${error}`),
    });
  }

  /** The state file, opened on first use: a gateway with no rules and no state yet writes nothing. */
  get store(): AlertStore {
    this.opened ??= new AlertStore(this.statePath);
    return this.opened;
  }

  start(): void {
    const configured = new Set(this.options.config.rules.map((r) => r.id));
    const used = this.options.config.rules.length > 0 || this.options.config.webhooks.length > 0 || existsSync(this.statePath);
    this.rules = [...this.options.config.rules, ...(used ? this.store.apiRules().filter((r) => !configured.has(r.id)) : [])];
    // A config rule naming a deployment the gateway does not read would never fire: say so, naming the key.
    this.options.config.rules.forEach((r, i) => {
      try {
        this.checkNames(r);
      } catch (e) {
        this.options.logger.error({ rule: r.id }, `alerts.rules[${i}] (${r.id}) can never fire: ${(e as Error).message}; fix its protocol or network`);
      }
    });
    for (const r of this.rules) this.watch(r);
    const { statusIntervalSeconds, riskIntervalSeconds } = this.options.config;
    const status = setInterval(() => void this.checkStatus(), statusIntervalSeconds * 1000);
    // The risk timer looks often; each rule is checked at most once per riskIntervalSeconds.
    const risk = setInterval(() => void this.checkRisk(), Math.min(riskIntervalSeconds, statusIntervalSeconds) * 1000);
    for (const t of [status, risk]) t.unref();
    this.timers.push(status, risk);
    void this.checkStatus();
    void this.checkRisk();
    if (used) this.dispatcher.kick();
  }

  /**
   * Whether a mutation may change the alert state: with alerts.apiTokenEnv, only with that bearer token;
   * without one, in development only (a production gateway's mutations would otherwise be anyone's).
   */
  authorize(authorization: string | undefined, production = this.options.production): void {
    const token = this.options.config.apiToken;
    if (!token) {
      if (production) throw new GraphQLError('the alert mutations need a token in production: set alerts.apiTokenEnv in the config and send Authorization: Bearer <token>', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
      return;
    }
    const expected = Buffer.from(`Bearer ${token}`);
    const got = Buffer.from(authorization ?? '');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new GraphQLError('the alert mutations need Authorization: Bearer <the token alerts.apiTokenEnv names>', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
  }

  list(): AlertRule[] {
    return [...this.rules];
  }

  onEvent(listener: (e: AlertEventView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A rule from the API: checked, kept in the state file, watched at once. */
  createRule(input: Record<string, unknown>): AlertRule {
    const apiCount = this.rules.filter((r) => r.origin === 'api').length;
    if (apiCount >= this.options.config.maxApiRules) {
      throw new GraphQLError(`the API holds its limit of ${this.options.config.maxApiRules} rules (alerts.maxApiRules); delete one first`, { extensions: { code: 'ALERT_RULE_LIMIT' } });
    }
    let rule: AlertRule;
    try {
      rule = parseRule(input, 'input', 'api', `api-${randomUUID()}`);
    } catch (e) {
      if (e instanceof AlertRuleError) throw new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT', alertCode: e.code } });
      throw e;
    }
    this.checkNames(rule);
    this.store.addRule(rule);
    this.rules.push(rule);
    this.watch(rule);
    return rule;
  }

  deleteRule(id: string): boolean {
    const rule = this.rules.find((r) => r.id === id);
    if (!rule) return false;
    if (rule.origin === 'config') throw new GraphQLError(`rule ${id} comes from the config file; remove it there and restart`, { extensions: { code: 'BAD_USER_INPUT' } });
    this.watches.get(id)?.();
    this.watches.delete(id);
    this.progress.delete(id);
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.store.deleteRule(id);
  }

  acknowledge(id: string): AlertEventView {
    const e = this.store.acknowledge(id);
    if (!e) throw new GraphQLError(`no alert event ${id}`, { extensions: { code: 'NOT_FOUND' } });
    return eventView(e);
  }

  private checkNames(rule: AlertRule): void {
    const registry = this.options.sources().registry;
    if (rule.protocol && !registry.protocols().includes(rule.protocol)) throw new GraphQLError(`unknown protocol "${rule.protocol}"; svr serves: ${registry.protocols().join(', ')}`, { extensions: { code: 'BAD_USER_INPUT' } });
    if (rule.network && registry.select(rule.protocol ? [rule.protocol] : null, [rule.network]).length === 0) {
      throw new GraphQLError(`no deployment on "${rule.network}"${rule.protocol ? ` for ${rule.protocol}` : ''}`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
  }

  private scopeOf(rule: AlertRule): Scope {
    return { protocols: rule.protocol ? [rule.protocol] : null, networks: rule.network ? [rule.network] : null };
  }

  private aggregateScope(rule: AlertRule): CheckScope {
    return { key: `${rule.protocol ?? '*'}/${rule.network ?? '*'}`, protocol: rule.protocol, network: rule.network };
  }

  private watch(rule: AlertRule): void {
    const live = this.options.live;
    if (rule.kind === 'RATIO_BELOW' || rule.kind === 'BUFFER_BELOW') {
      const figure = (s: RatioSnapshotParent) => (rule.kind === 'RATIO_BELOW' ? s.ratio : s.bufferUSD);
      if (rule.protocol && rule.network) {
        const scope = { key: `${rule.protocol}/${rule.network}`, protocol: rule.protocol, network: rule.network };
        this.watches.set(
          rule.id,
          live.onRatio(this.scopeOf(rule), (u: RatioUpdateParent) => {
            const v = figure(u.snapshot);
            if (v !== null && v !== undefined) this.observe(rule, scope, Decimal.parse(v), v, u.block, u.block.hash, () => ratioProvenance(u.snapshot));
          }),
        );
      } else {
        const scope = this.aggregateScope(rule);
        this.watches.set(
          rule.id,
          live.onAggregate(this.scopeOf(rule), (u: AggregateUpdateParent) => {
            const v = figure(u.snapshot);
            if (v === null || v === undefined) return;
            const hashes = [...u.blocks].sort((a, b) => (a.deployment! < b.deployment! ? -1 : 1)).map((b) => b.hash).join(',');
            this.observe(rule, scope, Decimal.parse(v), v, u.blocks.length === 1 ? u.blocks[0] : null, hashes, () => ratioProvenance(u.snapshot));
          }),
        );
      }
    } else if (PER_DEPLOYMENT_KINDS.includes(rule.kind)) {
      // The status checks read the newest head's hash from the live figures: keep the head feed running.
      if (!this.stopHeads) this.stopHeads = live.onHead(() => undefined);
    }
  }

  private progressOf(rule: AlertRule, scope: string): RuleProgress {
    let byScope = this.progress.get(rule.id);
    if (!byScope) {
      byScope = this.store.progress(rule.id);
      this.progress.set(rule.id, byScope);
    }
    return byScope.get(scope) ?? INITIAL_PROGRESS;
  }

  /**
   * One check of a rule over a scope; a transition is recorded and told in order, one after another.
   * `provenance`: the figure's, made only when the check is a transition.
   */
  observe(
    rule: AlertRule,
    scope: CheckScope,
    value: Decimal | boolean,
    valueText: string | null,
    block: AlertBlock | null,
    blockHashes: string,
    provenance: () => AlertProvenance | null = () => null,
  ): void {
    if (this.closed) return;
    const before = this.progressOf(rule, scope.key);
    const { progress, transition, line } = checkRule(rule, before, value);
    this.progress.get(rule.id)!.set(scope.key, progress);
    if (!transition) return;
    const id = createHash('sha256').update(`${rule.id}|${transition}|${scope.key}|${blockHashes}`).digest('hex').slice(0, 32);
    const where = scope.protocol && scope.network ? `${scope.protocol}/${scope.network}` : `aggregate ${scope.key}`;
    const figure = FIGURE_NAMES[rule.kind];
    const at = block ? ` at block ${block.number}` : '';
    const message =
      transition === 'FIRING'
        ? `${where}: ${figure} ${valueText ?? ''} crossed ${line} (${rule.kind})${at}`.replace('  ', ' ')
        : `${where}: ${figure} ${valueText ?? ''} is back past ${line}; ${rule.kind} resolved${at}`.replace('  ', ' ');
    const event: StoredAlertEvent = {
      id,
      rule,
      state: transition,
      protocol: scope.protocol,
      network: scope.network,
      scope: scope.key,
      value: valueText,
      threshold: line,
      block,
      at: Math.floor(Date.now() / 1000),
      acknowledged: false,
      message,
      provenance: provenance(),
    };
    if (event.provenance) this.options.records?.keep(event.provenance.digest, event.provenance.record);
    this.chain = this.chain.then(() => this.record(event)).catch((e) => this.options.logger.error({ err: e, event: id }, 'recording an alert event failed'));
  }

  private async record(event: StoredAlertEvent): Promise<void> {
    const owned = await this.claims.claim(event.id);
    if (this.closed) return;
    const hooks = this.options.config.webhooks.filter((w) => !w.ruleIds || w.ruleIds.includes(event.rule.id)).map((w) => w.id);
    const view = eventView(event);
    const { acknowledged: _, ...body } = view;
    this.store.recordTransition(event, owned, hooks, JSON.stringify(body));
    if (owned && hooks.length) this.dispatcher.kick();
    for (const l of [...this.listeners]) l(view);
  }

  /** Executes a query through the gateway's schema (its resolvers, its risk pool), under the request deadline. */
  private async run(document: DocumentNode, variables: Record<string, unknown>): Promise<Record<string, any> | null> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('an alert check ran past its deadline')), this.options.requestTimeoutMs);
    const ctx: GatewayContext = { sources: this.options.sources().forRequest(abort.signal), sourceErrors: [], signal: abort.signal, requestId: `alerts-${randomUUID()}`, risk: this.options.risk, followers: this.options.followers ?? null };
    try {
      const result = await execute({ schema: this.options.schema, document, variableValues: variables, contextValue: ctx });
      if (result.errors?.length) this.options.logger.warn({ errors: result.errors.map((e) => e.message) }, 'an alert check had errors');
      return (result.data as Record<string, any> | null | undefined) ?? null;
    } finally {
      clearTimeout(timer);
    }
  }

  private blockOf(reads: ProvenanceRead[]): { block: AlertBlock | null; hashes: string } {
    const sorted = [...reads].sort((a, b) => (`${a.protocol}/${a.network}` < `${b.protocol}/${b.network}` ? -1 : 1));
    const hashes = sorted.map((r) => r.blockHash ?? `n${r.blockNumber}`).join(',');
    const one = sorted.length === 1 && sorted[0].blockHash ? { number: sorted[0].blockNumber, hash: sorted[0].blockHash, timestamp: sorted[0].timestamp, deployment: `${sorted[0].protocol}/${sorted[0].network}` } : null;
    return { block: one, hashes };
  }

  /**
   * The risk rules due (each at most once per riskIntervalSeconds; `force`: all of them now); while a
   * check runs, the caller waits for it first.
   */
  async checkRisk(force = false): Promise<void> {
    if (this.riskRun) {
      await this.riskRun;
      if (!force) return;
    }
    this.riskRun ??= this.runRisk(force).finally(() => (this.riskRun = null));
    return this.riskRun;
  }

  private async runRisk(force: boolean): Promise<void> {
    if (this.closed) return;
    try {
      for (const rule of this.rules.filter((r) => RISK_KINDS.includes(r.kind))) {
        const last = this.lastRiskCheck.get(rule.id) ?? 0;
        if (!force && Date.now() - last < this.options.config.riskIntervalSeconds * 1000) continue;
        this.lastRiskCheck.set(rule.id, Date.now());
        const scope: CheckScope = rule.protocol && rule.network ? { key: `${rule.protocol}/${rule.network}`, protocol: rule.protocol, network: rule.network } : this.aggregateScope(rule);
        if (rule.kind === 'DISTANCE_BELOW') {
          const one = rule.protocol && rule.network;
          const data = await this.run(one ? DISTANCE_ONE_QUERY : DISTANCE_QUERY, one ? { protocol: rule.protocol, network: rule.network } : { ...this.scopeOf(rule) });
          const d = (one ? data?.ratio : data?.aggregate)?.distanceToInsolvency;
          if (!d) continue;
          const { block, hashes } = this.blockOf(d.provenance.reads);
          // No fall in the searched range makes the buffer negative: as far from the line as the search can tell.
          const down = d.marketWide.down as number | null;
          const provenance = () => d.provenance as AlertProvenance;
          if (down === null) this.observe(rule, scope, Decimal.parse('1000000'), null, block, hashes, provenance);
          else this.observe(rule, scope, Decimal.parse(down.toFixed(9)), down.toFixed(9), block, hashes, provenance);
        } else {
          const data = await this.run(VAR_QUERY, { protocols: this.scopeOf(rule).protocols, networks: this.scopeOf(rule).networks });
          const v = data?.valueAtRisk;
          if (!v) continue;
          const { block, hashes } = this.blockOf(v.provenance.reads);
          const text = (v.total.var99.value as number).toFixed(6);
          this.observe(rule, scope, Decimal.parse(text), text, block, hashes, () => v.provenance as AlertProvenance);
        }
      }
    } catch (e) {
      this.options.logger.warn({ err: e }, 'an alert risk check failed; the next interval tries again');
    }
  }

  /** One status check of every status rule; while one runs, the caller waits for it rather than starting another. */
  checkStatus(): Promise<void> {
    this.statusRun ??= this.runStatus().finally(() => (this.statusRun = null));
    return this.statusRun;
  }

  private async runStatus(): Promise<void> {
    const rules = this.rules.filter((r) => PER_DEPLOYMENT_KINDS.includes(r.kind));
    if (rules.length === 0 || this.closed) return;
    try {
      const data = await this.run(STATUS_QUERY, {});
      const deployments = ((data?.protocols ?? []) as Array<{ deployments: any[] }>).flatMap((p) => p.deployments);
      for (const rule of rules) {
        for (const d of deployments) {
          if ((rule.protocol && d.protocol !== rule.protocol) || (rule.network && d.network !== rule.network)) continue;
          const scope = { key: `${d.protocol}/${d.network}`, protocol: d.protocol as string, network: d.network as string };
          const head = this.options.live.head(scope as { protocol: string; network: string });
          const block: AlertBlock | null = head ? { number: head.number, hash: head.hash, timestamp: head.timestamp, deployment: scope.key } : null;
          const hashes = head?.hash ?? (d.blockNumber !== null ? `n${d.blockNumber}` : 'none');
          if (rule.kind === 'SOURCE_MISSING') this.observe(rule, scope, d.reachable === false, d.reachable === false ? String(d.error ?? 'unreachable') : 'reachable', block, hashes);
          else if (rule.kind === 'DEPLOYMENT_FAILING') {
            if (d.reachable === false) continue;
            const failing = d.health === 'failed' || d.hasIndexingErrors === true;
            this.observe(rule, scope, failing, failing ? `health ${d.health ?? 'unknown'}, hasIndexingErrors ${d.hasIndexingErrors}` : `health ${d.health ?? 'unknown'}`, block, hashes);
          } else if (d.lag !== null && d.lag !== undefined) this.observe(rule, scope, Decimal.fromBigInt(BigInt(d.lag)), String(d.lag), block, hashes);
        }
      }
    } catch (e) {
      this.options.logger.warn({ err: e }, 'an alert status check failed; the next interval tries again');
    }
  }

  /** Waits until every transition seen so far is recorded and told (tests, shutdown). */
  async settled(): Promise<void> {
    await this.chain;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const stop of this.watches.values()) stop();
    this.stopHeads?.();
    await this.statusRun;
    await this.riskRun;
    await this.chain;
    await this.dispatcher.close();
    await this.claims.close();
    this.opened?.close();
  }
}
