/**
 * Alert rules: what they watch, how they are checked, and the hysteresis that
 * keeps a figure hovering at its line from flapping. Pure: no I/O.
 *
 * A rule fires when its figure crosses its threshold (below it for the
 * *_BELOW kinds, above it for the *_ABOVE kinds) and resolves only once the
 * figure is past clearAt on the safe side; between the two lines nothing
 * changes. clearAt defaults to the threshold moved by DEFAULT_MARGIN of its
 * size to the safe side (a threshold of 0 has no size: give clearAt).
 * DEPLOYMENT_FAILING and SOURCE_MISSING count checks instead: they fire after
 * `threshold` bad checks in a row and resolve after `clearAt` good ones
 * (default 1 and 1).
 */
import { Decimal } from '../numeric/decimal';

export const ALERT_KINDS = ['RATIO_BELOW', 'BUFFER_BELOW', 'DISTANCE_BELOW', 'VAR_ABOVE', 'LAG_ABOVE', 'DEPLOYMENT_FAILING', 'SOURCE_MISSING'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertState = 'FIRING' | 'RESOLVED';

/** The default distance between threshold and clearAt, as a share of the threshold's size: 5%. */
export const DEFAULT_MARGIN = Decimal.parse('0.05');

export interface AlertRule {
  id: string;
  kind: AlertKind;
  protocol: string | null;
  network: string | null;
  threshold: string;
  /** As given; null: the default (clearAtOf). */
  clearAt: string | null;
  origin: 'config' | 'api';
}

export class AlertRuleError extends Error {
  readonly code = 'ALERT_RULE_INVALID';
}

const COUNT_KINDS: readonly AlertKind[] = ['DEPLOYMENT_FAILING', 'SOURCE_MISSING'];
/** Kinds checked per deployment even when the rule names no network (each deployment in its scope on its own). */
export const PER_DEPLOYMENT_KINDS: readonly AlertKind[] = ['LAG_ABOVE', 'DEPLOYMENT_FAILING', 'SOURCE_MISSING'];
/** Kinds whose figure comes from the risk engine: checked at most once per riskIntervalSeconds. */
export const RISK_KINDS: readonly AlertKind[] = ['DISTANCE_BELOW', 'VAR_ABOVE'];

export function isCountKind(kind: AlertKind): boolean {
  return COUNT_KINDS.includes(kind);
}

export function isBelowKind(kind: AlertKind): boolean {
  return kind.endsWith('_BELOW');
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

function decimalText(value: unknown, where: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) throw new AlertRuleError(`${where} must be a decimal as a string (e.g. "${value}"): money and ratios are never floats`);
  if (typeof value !== 'string' || !DECIMAL.test(value)) throw new AlertRuleError(`${where} must be a decimal as a string, e.g. "1.1", not ${JSON.stringify(value)}`);
  return value;
}

/** The line past which a firing rule resolves. */
export function clearAtOf(rule: Pick<AlertRule, 'kind' | 'threshold' | 'clearAt'>): Decimal {
  if (rule.clearAt !== null) return Decimal.parse(rule.clearAt);
  if (isCountKind(rule.kind)) return Decimal.ONE;
  const threshold = Decimal.parse(rule.threshold);
  const margin = (threshold.isNegative() ? threshold.negated() : threshold).times(DEFAULT_MARGIN);
  return isBelowKind(rule.kind) ? threshold.plus(margin) : threshold.minus(margin);
}

/**
 * A rule from the config file or the API, checked: `where` names it in errors
 * (e.g. alerts.rules[2]). Protocol and network names are checked against the
 * sources by the caller, which knows them.
 */
export function parseRule(raw: Record<string, unknown>, where: string, origin: 'config' | 'api', id: string): AlertRule {
  const kind = raw.kind;
  if (typeof kind !== 'string' || !ALERT_KINDS.includes(kind as AlertKind)) throw new AlertRuleError(`${where}.kind must be one of ${ALERT_KINDS.join(', ')}, not ${JSON.stringify(kind)}`);
  const k = kind as AlertKind;
  const name = (key: 'protocol' | 'network'): string | null => {
    const v = raw[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !v) throw new AlertRuleError(`${where}.${key} must be a non-empty string or absent (every ${key})`);
    return v;
  };
  const protocol = name('protocol');
  const network = name('network');
  let threshold: string;
  if (raw.threshold === undefined || raw.threshold === null) {
    if (!isCountKind(k)) throw new AlertRuleError(`${where}.threshold is required for ${k}`);
    threshold = '1';
  } else threshold = decimalText(raw.threshold, `${where}.threshold`);
  const clearAt = raw.clearAt === undefined || raw.clearAt === null ? null : decimalText(raw.clearAt, `${where}.clearAt`);
  const t = Decimal.parse(threshold);
  if (isCountKind(k) || k === 'LAG_ABOVE') {
    for (const [key, v] of [['threshold', threshold], ['clearAt', clearAt]] as const) {
      if (v !== null && (!/^\d+$/.test(v) || (isCountKind(k) && v === '0'))) {
        throw new AlertRuleError(`${where}.${key} of ${k} must be a whole number${isCountKind(k) ? ' of checks, at least 1' : ' of blocks'}, not "${v}"`);
      }
    }
  }
  if ((k === 'DISTANCE_BELOW' || k === 'VAR_ABOVE' || k === 'RATIO_BELOW') && t.isNegative()) throw new AlertRuleError(`${where}.threshold of ${k} must not be negative`);
  if (!isCountKind(k)) {
    if (clearAt === null && t.isZero()) throw new AlertRuleError(`${where}.clearAt is required when threshold is 0 (the default margin is 5% of the threshold's size)`);
    const c = clearAtOf({ kind: k, threshold, clearAt });
    if (isBelowKind(k) ? c.compare(t) <= 0 : c.compare(t) >= 0) {
      throw new AlertRuleError(`${where}.clearAt must be ${isBelowKind(k) ? 'above' : 'below'} threshold (${threshold}) for ${k}: a firing rule resolves only past it, on the safe side`);
    }
  }
  return { id, kind: k, protocol, network, threshold, clearAt, origin };
}

/** What one rule knows of one scope between checks. */
export interface RuleProgress {
  state: AlertState;
  /** Count kinds: checks in a row on the other side of the current state. */
  streak: number;
}

export const INITIAL_PROGRESS: RuleProgress = { state: 'RESOLVED', streak: 0 };

/**
 * One check of a rule: the figure (a Decimal; for count kinds, true when the
 * check was bad) against the current state. A transition carries the line crossed.
 */
export function checkRule(rule: AlertRule, progress: RuleProgress, observed: Decimal | boolean): { progress: RuleProgress; transition: AlertState | null; line: string } {
  const clearAt = clearAtOf(rule);
  if (isCountKind(rule.kind)) {
    const bad = observed === true;
    const needed = progress.state === 'RESOLVED' ? Number(rule.threshold) : Number(clearAt.toString());
    const onOtherSide = progress.state === 'RESOLVED' ? bad : !bad;
    const streak = onOtherSide ? progress.streak + 1 : 0;
    if (streak >= needed) {
      const to: AlertState = progress.state === 'RESOLVED' ? 'FIRING' : 'RESOLVED';
      return { progress: { state: to, streak: 0 }, transition: to, line: to === 'FIRING' ? rule.threshold : clearAt.toString() };
    }
    return { progress: { state: progress.state, streak }, transition: null, line: rule.threshold };
  }
  if (typeof observed === 'boolean') throw new Error(`${rule.kind} checks a figure, not a flag`);
  const threshold = Decimal.parse(rule.threshold);
  const below = isBelowKind(rule.kind);
  if (progress.state === 'RESOLVED') {
    const crossed = below ? observed.compare(threshold) < 0 : observed.compare(threshold) > 0;
    return crossed ? { progress: { state: 'FIRING', streak: 0 }, transition: 'FIRING', line: rule.threshold } : { progress, transition: null, line: rule.threshold };
  }
  const cleared = below ? observed.compare(clearAt) > 0 : observed.compare(clearAt) < 0;
  return cleared ? { progress: { state: 'RESOLVED', streak: 0 }, transition: 'RESOLVED', line: clearAt.toString() } : { progress, transition: null, line: clearAt.toString() };
}
