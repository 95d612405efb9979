/**
 * Work bounds for the gateway's computations, checked once the operation and
 * its variables are known and before anything is read or computed.
 *
 * graphql-armor's cost limit weighs every field alike; the risk queries'
 * work grows with their arguments instead (Monte Carlo paths, forecast
 * horizon, curve points, history points). Each field below gets a weight in
 * work units from its arguments, summed over every alias and fragment of the
 * request; a request over MAX_WORK_UNITS, or over a per-field cap, is refused
 * with BAD_USER_INPUT naming the field, the argument and the cap.
 * docs/gateway.md lists the weights and caps.
 */
import { ApolloServerPlugin } from '@apollo/server';
import {
  getArgumentValues,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** The caps (docs/gateway.md "Work bounds"). */
export const COST_CAPS = {
  /** valueAtRisk.paths summed over the request. */
  valueAtRiskPathsPerRequest: 100_000,
  /** forecast.horizonDays, per field. */
  forecastHorizonDays: 365,
  /** liquidationCurve points ((to - from) / step + 1), per field. */
  liquidationCurvePoints: 1_000,
  /** history points ((to - from) / interval), per field. */
  historyPoints: 10_000,
  /** backtest.windowHours, per field. */
  backtestWindowHours: 720,
  /** backtest.horizonHours, per field. */
  backtestHorizonHours: 168,
  /** riskBacktest.observations (origins simulated), per field. */
  riskBacktestObservations: 200,
  /** riskBacktest.paths (per origin), per field. */
  riskBacktestPaths: 10_000,
  /** riskBacktest observations x paths, per field. */
  riskBacktestPathObservations: 200_000,
  /** riskBacktest: hours from the first origin's price window to the last outcome, per field. */
  riskBacktestSpanHours: 2_160,
  /** All weights summed over the request. */
  workUnitsPerRequest: 250_000,
} as const;

/** Fixed weights of fields whose work does not grow with an argument. */
export const FIXED_WEIGHTS = { stressTest: 2_000, contagion: 2_000, distanceToInsolvency: 500 } as const;

const INTERVAL_SECONDS = { HOUR: 3600, DAY: 86400 } as const;
/** history's default span when from is absent, in points (resolvers.ts keeps the same defaults). */
const DEFAULT_HISTORY_POINTS = { HOUR: 168, DAY: 90 } as const;
/** backtest's defaults (backtest-resolvers.ts keeps the same): hours read when from is absent, and the fit's window. */
export const BACKTEST_DEFAULT_HOURS = 720;
export const BACKTEST_DEFAULT_WINDOW_HOURS = 24;
/** riskBacktest's defaults (the schema's; backtest-resolvers.ts reads the same). */
export const RISK_BACKTEST_DEFAULTS = { windowHours: 12, horizonHours: 1, observations: 24, paths: 1_000 } as const;
/** Reads per riskBacktest origin (its portfolio and prices), in work units. */
const RISK_BACKTEST_READ_UNITS = 50;
/** forecast reads this much hourly history besides projecting the horizon. */
const FORECAST_HISTORY_POINTS = 168;

function refuse(field: string, argument: string, message: string): GraphQLError {
  return new GraphQLError(`${field}(${argument}): ${message}`, { extensions: { code: 'BAD_USER_INPUT', field, argument, http: { status: 400 } } });
}

interface Weighed {
  units: number;
  varPaths: number;
}

type Args = Record<string, unknown>;

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** The replay queries, and the query whose answer each recomputes: a replay weighs what its record asks the original to do. */
const REPLAYED: Record<string, string> = {
  replayValueAtRisk: 'valueAtRisk',
  replayStressTest: 'stressTest',
  replayLiquidationCurve: 'liquidationCurve',
  replayContagion: 'contagion',
  replayDistanceToInsolvency: 'distanceToInsolvency',
  replayForecast: 'forecast',
};

/** The arguments of the heaviest answer a record could ask for: a replay by digest alone, or of a record that cannot be read, weighs that. */
const HEAVIEST: Record<string, Args> = {
  valueAtRisk: { paths: COST_CAPS.valueAtRiskPathsPerRequest },
  liquidationCurve: { from: 0, to: COST_CAPS.liquidationCurvePoints - 1, step: 1 },
  forecast: { horizonDays: COST_CAPS.forecastHorizonDays, interval: 'HOUR' },
};

/** The arguments a record's parameters stand for (valueAtRisk's paths, a curve's range, a forecast's horizon), or the heaviest. */
function recordedArguments(field: string, record: unknown): Args {
  const heaviest = HEAVIEST[field] ?? {};
  if (typeof record !== 'string' || record.length > 65_536) return heaviest;
  try {
    const parameters = (JSON.parse(record) as { parameters?: unknown }).parameters;
    if (typeof parameters !== 'object' || parameters === null) return heaviest;
    const p = parameters as Args;
    if (field === 'valueAtRisk') {
      const paths = p.paths;
      return typeof paths === 'number' && Number.isInteger(paths) && paths >= 1 && paths <= COST_CAPS.valueAtRiskPathsPerRequest ? { paths } : heaviest;
    }
    return { ...heaviest, ...Object.fromEntries(Object.keys(heaviest).filter((k) => p[k] !== undefined).map((k) => [k, p[k]])) };
  } catch {
    return heaviest;
  }
}

/** One field's weight; throws when one of its own caps is passed. */
export function fieldWeight(name: string, args: Args): Weighed | null {
  switch (name) {
    case 'valueAtRisk': {
      const paths = num(args.paths, 10_000);
      return { units: Math.max(1, paths), varPaths: Math.max(0, paths) };
    }
    case 'forecast': {
      const horizon = num(args.horizonDays, 7);
      if (!(horizon > 0 && horizon <= COST_CAPS.forecastHorizonDays)) {
        throw refuse('forecast', 'horizonDays', `horizonDays is ${horizon}; it must be above 0 and at most ${COST_CAPS.forecastHorizonDays}`);
      }
      const perDay = args.interval === 'DAY' ? 1 : 24;
      return { units: Math.ceil(horizon * perDay) + FORECAST_HISTORY_POINTS, varPaths: 0 };
    }
    case 'liquidationCurve': {
      const from = num(args.from, -0.5);
      const to = num(args.to, 0.5);
      const step = num(args.step, 0.05);
      if (!(step > 0)) throw refuse('liquidationCurve', 'step', `step is ${step}; it must be above 0`);
      const points = Math.floor(Math.abs(to - from) / step + 1e-9) + 1;
      if (!(points <= COST_CAPS.liquidationCurvePoints)) {
        throw refuse('liquidationCurve', 'from, to, step', `(to - from) / step + 1 is ${points} points; ask for at most ${COST_CAPS.liquidationCurvePoints} (a larger step or a narrower range)`);
      }
      return { units: points, varPaths: 0 };
    }
    case 'history': {
      const interval = args.interval === 'HOUR' ? 'HOUR' : 'DAY';
      const size = INTERVAL_SECONDS[interval];
      const to = typeof args.to === 'number' ? args.to : null;
      const from = typeof args.from === 'number' ? args.from : null;
      const points = from !== null && to !== null ? Math.floor(to / size) - Math.floor(from / size) + 1 : DEFAULT_HISTORY_POINTS[interval];
      if (from !== null && to === null) return { units: COST_CAPS.historyPoints, varPaths: 0 }; // up to now: the resolver caps the span
      if (!(points <= COST_CAPS.historyPoints)) {
        throw refuse('history', 'from, to, interval', `that is ${points} points; ask for at most ${COST_CAPS.historyPoints} (narrow from/to, or use DAY)`);
      }
      return { units: Math.max(1, points), varPaths: 0 };
    }
    case 'backtest': {
      const window = num(args.windowHours, BACKTEST_DEFAULT_WINDOW_HOURS);
      const horizon = num(args.horizonHours, 1);
      if (!(Number.isInteger(window) && window >= 3 && window <= COST_CAPS.backtestWindowHours)) {
        throw refuse('backtest', 'windowHours', `windowHours is ${window}; it must be a whole number from 3 to ${COST_CAPS.backtestWindowHours}`);
      }
      if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= COST_CAPS.backtestHorizonHours)) {
        throw refuse('backtest', 'horizonHours', `horizonHours is ${horizon}; it must be a whole number from 1 to ${COST_CAPS.backtestHorizonHours}`);
      }
      const to = typeof args.to === 'number' ? args.to : null;
      const from = typeof args.from === 'number' ? args.from : null;
      const points = from !== null && to !== null ? Math.floor(to / 3600) - Math.floor(from / 3600) + 1 : from !== null ? COST_CAPS.historyPoints : BACKTEST_DEFAULT_HOURS;
      if (!(points <= COST_CAPS.historyPoints)) throw refuse('backtest', 'from, to', `that is ${points} hours; ask for at most ${COST_CAPS.historyPoints}`);
      // Two fits of `window` observations per forecast, one forecast every `horizon` hours.
      return { units: Math.max(1, points) + Math.ceil((2 * Math.max(1, points) * window) / horizon / 100), varPaths: 0 };
    }
    case 'riskBacktest': {
      const d = RISK_BACKTEST_DEFAULTS;
      const observations = num(args.observations, d.observations);
      const paths = num(args.paths, d.paths);
      const window = num(args.windowHours, d.windowHours);
      const horizon = num(args.horizonHours, d.horizonHours);
      if (!(Number.isInteger(observations) && observations >= 2 && observations <= COST_CAPS.riskBacktestObservations)) {
        throw refuse('riskBacktest', 'observations', `observations is ${observations}; it must be a whole number from 2 to ${COST_CAPS.riskBacktestObservations}`);
      }
      if (!(Number.isInteger(paths) && paths >= 100 && paths <= COST_CAPS.riskBacktestPaths)) {
        throw refuse('riskBacktest', 'paths', `paths is ${paths}; it must be a whole number from 100 to ${COST_CAPS.riskBacktestPaths}`);
      }
      if (!(observations * paths <= COST_CAPS.riskBacktestPathObservations)) {
        throw refuse('riskBacktest', 'observations, paths', `observations x paths is ${observations * paths}; at most ${COST_CAPS.riskBacktestPathObservations} (fewer paths or observations)`);
      }
      if (!(Number.isInteger(window) && window >= 11 && window <= COST_CAPS.backtestWindowHours)) {
        throw refuse('riskBacktest', 'windowHours', `windowHours is ${window}; it must be a whole number from 11 to ${COST_CAPS.backtestWindowHours}`);
      }
      if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= COST_CAPS.backtestHorizonHours)) {
        throw refuse('riskBacktest', 'horizonHours', `horizonHours is ${horizon}; it must be a whole number from 1 to ${COST_CAPS.backtestHorizonHours}`);
      }
      const span = window + observations * horizon;
      if (!(span <= COST_CAPS.riskBacktestSpanHours)) {
        throw refuse('riskBacktest', 'windowHours, observations, horizonHours', `windowHours + observations x horizonHours is ${span} hours; at most ${COST_CAPS.riskBacktestSpanHours}`);
      }
      return { units: observations * paths + RISK_BACKTEST_READ_UNITS * observations + span, varPaths: 0 };
    }
    case 'replayValueAtRisk':
    case 'replayStressTest':
    case 'replayLiquidationCurve':
    case 'replayContagion':
    case 'replayDistanceToInsolvency':
    case 'replayForecast': {
      const field = REPLAYED[name]!;
      return fieldWeight(field, recordedArguments(field, args.record));
    }
    case 'stressTest':
    case 'contagion':
    case 'distanceToInsolvency':
      return { units: FIXED_WEIGHTS[name], varPaths: 0 };
    default:
      return null;
  }
}

/** The request's total weight over every selected field, fragments and aliases included. */
export function requestWeight(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): Weighed {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const total: Weighed = { units: 0, varPaths: 0 };
  const walk = (set: SelectionSetNode, typeName: string, seen: Set<string>) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet, sel.typeCondition?.name.value ?? typeName, seen);
      else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        // Spreading one fragment twice at one level selects its fields once (they merge).
        if (frag && !seen.has(frag.name.value)) walk(frag.selectionSet, frag.typeCondition.name.value, new Set([...seen, frag.name.value]));
      } else visit(sel, typeName, seen);
    }
  };
  const visit = (node: FieldNode, typeName: string, seen: Set<string>) => {
    const type = schema.getType(typeName);
    const def = type && 'getFields' in type ? (type.getFields() as Record<string, any>)[node.name.value] : undefined;
    if (!def) return;
    const w = fieldWeight(node.name.value, getArgumentValues(def, node, variables));
    if (w) {
      total.units += w.units;
      total.varPaths += w.varPaths;
    }
    if (node.selectionSet) {
      let named = def.type;
      while (named.ofType) named = named.ofType;
      walk(node.selectionSet, named.name, seen);
    }
  };
  walk(operation.selectionSet, (schema.getRootType(operation.operation) ?? schema.getQueryType()!).name, new Set());
  if (total.varPaths > COST_CAPS.valueAtRiskPathsPerRequest) {
    throw refuse('valueAtRisk', 'paths', `the request asks for ${total.varPaths} paths over all its valueAtRisk fields; at most ${COST_CAPS.valueAtRiskPathsPerRequest} are allowed per request`);
  }
  if (total.units > COST_CAPS.workUnitsPerRequest) {
    throw new GraphQLError(
      `the request weighs ${total.units} work units (risk paths, curve and history points, see docs/gateway.md); at most ${COST_CAPS.workUnitsPerRequest} are allowed: split it or ask for less`,
      { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
    );
  }
  return total;
}

/** Refuses over-heavy requests once their operation and variables are resolved. */
export function workBounds<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation || operation.operation !== 'query') return;
          requestWeight(schema, document, operation, request.variables ?? {});
        },
      };
    },
  };
}
