/**
 * The gateway's work bounds (server/gateway/cost.ts) on the public schema:
 * weights from arguments and defaults, summed over aliases, fragments, inline
 * fragments and nested fields; each cap refused with BAD_USER_INPUT naming
 * the field, the argument and the cap.
 */
import { getOperationAST, GraphQLError, parse } from 'graphql';
import { gatewaySchema } from '../../server/gateway/apollo';
import { COST_CAPS, FIXED_WEIGHTS, requestWeight } from '../../server/gateway/cost';

const schema = gatewaySchema();
function weigh(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  return requestWeight(schema, document, getOperationAST(document)!, variables);
}
function refusal(query: string, variables: Record<string, unknown> = {}): GraphQLError {
  try {
    weigh(query, variables);
  } catch (e) {
    expect(e).toBeInstanceOf(GraphQLError);
    expect((e as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    return e as GraphQLError;
  }
  throw new Error(`${query} was not refused`);
}

test('defaults weigh as the resolvers would run them', () => {
  expect(weigh('{ valueAtRisk { paths } }')).toEqual({ units: 10_000, varPaths: 10_000 });
  expect(weigh('{ forecast(protocol: "gmx-v1") { leadingIndicator } }').units).toBe(7 * 24 + 168);
  expect(weigh('{ forecast(protocol: "gmx-v1", interval: DAY, horizonDays: 30) { leadingIndicator } }').units).toBe(30 + 168);
  expect(weigh('{ liquidationCurve { curves { protocol } } }').units).toBe(21);
  expect(weigh('{ history(protocol: "gmx-v1") { timestamp } }').units).toBe(90);
  expect(weigh('{ history(protocol: "gmx-v1", interval: HOUR, from: 0, to: 7199) { timestamp } }').units).toBe(2);
  expect(weigh('{ ratios { ratio } }').units).toBe(0);
});

test('aliases, fragments, inline fragments and nested fields all count', () => {
  const q = `
    query Q($p: Int) {
      a: valueAtRisk(paths: $p) { paths }
      ...Risk
      ... on Query { c: stressTest(scenario: { marketWide: -0.2 }) { scenario } }
      ratios { distanceToInsolvency { reasons } }
    }
    fragment Risk on Query { b: valueAtRisk(paths: 500) { paths } contagion(shock: { asset: "ETH", move: -0.3 }) { protocol } }`;
  expect(weigh(q, { p: 1000 })).toEqual({ units: 1000 + 500 + FIXED_WEIGHTS.stressTest + FIXED_WEIGHTS.contagion + FIXED_WEIGHTS.distanceToInsolvency, varPaths: 1500 });
});

test('each cap names the field, the argument and the cap', () => {
  expect(refusal('{ forecast(protocol: "x", horizonDays: 366) { reasons } }').message).toBe('forecast(horizonDays): horizonDays is 366; it must be above 0 and at most 365');
  expect(refusal('{ forecast(protocol: "x", horizonDays: -1) { reasons } }').extensions.argument).toBe('horizonDays');
  expect(refusal('{ liquidationCurve(from: 0, to: 10, step: 0.001) { curves { protocol } } }').message).toMatch(/^liquidationCurve\(from, to, step\): .* 10001 points; ask for at most 1000/);
  expect(weigh('{ liquidationCurve(from: -0.5, to: 0.499, step: 0.001) { curves { protocol } } }').units).toBe(1000);
  const many = Array.from({ length: 11 }, (_, i) => `v${i}: valueAtRisk(paths: 10000) { paths }`).join(' ');
  expect(refusal(`{ ${many} }`).message).toBe(`valueAtRisk(paths): the request asks for 110000 paths over all its valueAtRisk fields; at most ${COST_CAPS.valueAtRiskPathsPerRequest} are allowed per request`);
  expect(weigh(`{ ${Array.from({ length: 10 }, (_, i) => `v${i}: valueAtRisk(paths: 10000) { paths }`).join(' ')} }`).varPaths).toBe(100_000);
});

test('the request total is capped over fields each within their own cap', () => {
  const heavy = Array.from({ length: 30 }, (_, i) => `h${i}: history(protocol: "gmx-v1", interval: HOUR, from: 0, to: ${3600 * 9999}) { timestamp }`).join(' ');
  expect(refusal(`{ ${heavy} }`).message).toMatch(new RegExp(`^the request weighs 300000 work units .*; at most ${COST_CAPS.workUnitsPerRequest} are allowed`));
});

test('riskBacktest weighs observations x paths plus its reads, and each of its caps names the argument', () => {
  // Defaults: 24 origins x 1000 paths, 50 units of reads per origin, 12 + 24 x 1 hours spanned.
  expect(weigh('{ riskBacktest(protocol: "gmx-v1", network: "arbitrum-one") { observations } }')).toEqual({ units: 24 * 1000 + 50 * 24 + 36, varPaths: 0 });
  expect(weigh('{ riskBacktest(protocol: "gmx-v1", network: "arbitrum-one", observations: 200, paths: 1000) { observations } }').units).toBe(200_000 + 50 * 200 + 212);
  expect(refusal('{ riskBacktest(protocol: "x", network: "y", observations: 200, paths: 1001) { observations } }').message).toBe(
    `riskBacktest(observations, paths): observations x paths is 200200; at most ${COST_CAPS.riskBacktestPathObservations} (fewer paths or observations)`,
  );
  expect(refusal('{ riskBacktest(protocol: "x", network: "y", observations: 201, paths: 100) { observations } }').extensions.argument).toBe('observations');
  expect(refusal('{ riskBacktest(protocol: "x", network: "y", paths: 99) { observations } }').extensions.argument).toBe('paths');
  expect(refusal('{ riskBacktest(protocol: "x", network: "y", windowHours: 10) { observations } }').extensions.argument).toBe('windowHours');
  expect(refusal('{ riskBacktest(protocol: "x", network: "y", observations: 100, paths: 100, horizonHours: 24) { observations } }').extensions.argument).toBe('windowHours, observations, horizonHours');
});

test('a replay weighs what its record asks for; a digest alone or an unreadable record, the heaviest a record may ask', () => {
  const r = (parameters: Record<string, unknown>) => JSON.stringify({ methodologyVersion: 1, query: 'x', parameters, reads: [] });
  const q = (field: string, selection: string) => `query($record: String, $digest: String) { ${field}(record: $record, digest: $digest) { ${selection} } }`;
  expect(weigh(q('replayValueAtRisk', 'paths'), { record: r({ paths: 500 }) })).toEqual({ units: 500, varPaths: 500 });
  expect(weigh(q('replayValueAtRisk', 'paths'), { digest: 'ab' })).toEqual({ units: COST_CAPS.valueAtRiskPathsPerRequest, varPaths: COST_CAPS.valueAtRiskPathsPerRequest });
  expect(weigh(q('replayLiquidationCurve', 'coverage { complete }'), { record: r({ from: -0.4, to: 0.2, step: 0.1 }) }).units).toBe(7);
  expect(weigh(q('replayLiquidationCurve', 'coverage { complete }'), { digest: 'ab' }).units).toBe(COST_CAPS.liquidationCurvePoints);
  expect(weigh(q('replayForecast', 'lastRatio'), { record: r({ horizonDays: 2, interval: 'HOUR' }) }).units).toBe(2 * 24 + 168);
  expect(weigh(q('replayForecast', 'lastRatio'), { record: 'not json' }).units).toBe(COST_CAPS.forecastHorizonDays * 24 + 168);
  expect(weigh(q('replayContagion', 'debtRank'), { digest: 'ab' }).units).toBe(FIXED_WEIGHTS.contagion);
  expect(weigh(q('replayDistanceToInsolvency', 'maxDown'), { digest: 'ab' }).units).toBe(FIXED_WEIGHTS.distanceToInsolvency);
  expect(weigh(q('replayStressTest', 'rounds'), { digest: 'ab' }).units).toBe(FIXED_WEIGHTS.stressTest);
  // A record asking for more than a query may is refused by the original's own cap.
  expect(refusal(q('replayLiquidationCurve', 'coverage { complete }'), { record: r({ from: 0, to: 1, step: 0.0001 }) }).extensions).toMatchObject({ field: 'liquidationCurve' });
});
