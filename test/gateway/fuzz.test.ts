/**
 * fast-check over every gateway query's arguments, sent as variables over
 * HTTP to the demo gateway: whatever the values (negative, huge, empty,
 * unknown names, fractions where counts go), the answer is data or a 4xx /
 * a coded GraphQL error, never a 5xx or an internal error, and the server
 * keeps answering. The work a case may do is bounded before it starts: every
 * case the gateway accepts weighs at most COST_CAPS.workUnitsPerRequest
 * (server/gateway/cost.ts), counted in work units, not seconds.
 */
import fc from 'fast-check';
import { parse, type OperationDefinitionNode } from 'graphql';
import type { RunningServer } from '../../server/gateway';
import { gatewaySchema } from '../../server/gateway/apollo';
import { COST_CAPS, requestWeight } from '../../server/gateway/cost';
import { demoDataDir, startDemoGateway } from './demo-stack';

let server: RunningServer;
beforeAll(async () => {
  server = await startDemoGateway(await demoDataDir());
}, 600_000);
afterAll(async () => server?.close());

const schema = gatewaySchema();

// Values that probe the edges of each argument's meaning; counts stay small where a valid value does real work.
const anyNumber = fc.oneof(fc.constantFrom(-1e12, -1, -0.5, 0, 0.0001, 0.5, 1, 3, 1e6, 2 ** 31, 2 ** 53, -(2 ** 31)), fc.double({ min: -10, max: 10, noNaN: true }));
const anyInt = fc.oneof(fc.constantFrom(-1, 0, 1, 99, 100, 150, 2_147_483_647, -2_147_483_648), fc.integer({ min: -1000, max: 1000 }));
const anyText = fc.oneof(fc.constantFrom('', ' ', 'ETH', 'WETH', 'USDC', 'DOGE', 'gmx-v1', 'aave-v3', 'arbitrum-one', 'nowhere', '0x', '0x' + '1'.repeat(40), 'x'.repeat(300)), fc.string({ maxLength: 20 }));
const anyTimestamp = fc.oneof(fc.constantFrom(0, 1, 1709424000, 1709600000, 4102444800, 2 ** 53 - 1), fc.integer({ min: 0, max: 2 ** 40 }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const interval = maybe(fc.constantFrom('HOUR', 'DAY'));
const names = maybe(fc.array(anyText, { maxLength: 3 }));

interface Case {
  query: string;
  variables: Record<string, unknown>;
}

const cases: fc.Arbitrary<Case> = fc.oneof(
  fc.record({ protocol: anyText, network: maybe(anyText), block: maybe(anyInt), timestamp: maybe(anyTimestamp) }).map((v) => ({
    query: 'query($protocol: String!, $network: String, $block: Int, $timestamp: Timestamp) { ratio(protocol: $protocol, network: $network, block: $block, timestamp: $timestamp) { ratio bufferUSD complete } }',
    variables: v,
  })),
  fc.record({ protocols: names, networks: names, timestamp: maybe(anyTimestamp) }).map((v) => ({
    query: 'query($protocols: [String!], $networks: [String!], $timestamp: Timestamp) { ratios(protocols: $protocols, networks: $networks, timestamp: $timestamp) { ratio } aggregate(protocols: $protocols, networks: $networks, timestamp: $timestamp) { ratio missingSources } }',
    variables: v,
  })),
  fc.record({ protocol: anyText, network: maybe(anyText), interval, from: maybe(anyTimestamp), to: maybe(anyTimestamp) }).map((v) => ({
    query: 'query($protocol: String!, $network: String, $interval: Interval, $from: Timestamp, $to: Timestamp) { history(protocol: $protocol, network: $network, interval: $interval, from: $from, to: $to) { timestamp ratio } }',
    variables: v,
  })),
  fc.record({ account: anyText, token: anyText }).map((v) => ({
    query: 'query($account: String!, $token: String!) { accountExposure(account: $account) { debtUSD } assetExposure(token: $token) { complete } }',
    variables: v,
  })),
  fc.record({ protocols: names, asset: maybe(anyText), from: maybe(anyNumber), to: maybe(anyNumber), step: maybe(anyNumber) }).map((v) => ({
    query: 'query($protocols: [String!], $asset: String, $from: Float, $to: Float, $step: Float) { liquidationCurve(protocols: $protocols, asset: $asset, from: $from, to: $to, step: $step) { curves { asset } } }',
    variables: v,
  })),
  fc.record({ marketWide: maybe(anyNumber), asset: anyText, move: anyNumber, depth: fc.constantFrom('0', '1', '1000000', '-5', '1e3', 'x'), cascade: maybe(fc.boolean()) }).map((v) => ({
    query: 'query($marketWide: Float, $asset: String!, $move: Float!, $depth: BigDecimal!, $cascade: Boolean) { stressTest(scenario: { marketWide: $marketWide, moves: [{ asset: $asset, move: $move }], depths: [{ asset: $asset, depthUSD: $depth }], cascade: $cascade }, networks: ["avalanche"]) { total { ratioAfter shortfallUSD } } }',
    variables: v,
  })),
  fc.record({ paths: anyInt, horizonDays: maybe(anyNumber), historyHours: maybe(anyInt), seed: maybe(anyInt), volatility: anyNumber }).map((v) => ({
    query: 'query($paths: Int, $horizonDays: Float, $historyHours: Int, $seed: Int, $volatility: Float!) { valueAtRisk(paths: $paths, horizonDays: $horizonDays, historyHours: $historyHours, seed: $seed, volatilities: [{ asset: "ETH", volatility: $volatility }], networks: ["avalanche"]) { total { var95 { value } } } }',
    variables: v,
  })),
  fc.record({ asset: maybe(anyText), move: maybe(anyNumber), protocol: maybe(anyText), network: maybe(anyText), lossFraction: maybe(anyNumber), withdrawal: maybe(anyNumber) }).map((v) => ({
    query: 'query($asset: String, $move: Float, $protocol: String, $network: String, $lossFraction: Float, $withdrawal: Float) { contagion(shock: { asset: $asset, move: $move, protocol: $protocol, network: $network, lossFraction: $lossFraction }, parameters: { sharedAccountWithdrawal: $withdrawal }, networks: ["avalanche"]) { debtRank } }',
    variables: v,
  })),
  fc.record({ protocol: anyText, network: maybe(anyText), interval, horizonDays: maybe(anyNumber), threshold: maybe(anyNumber) }).map((v) => ({
    query: 'query($protocol: String!, $network: String, $interval: Interval, $horizonDays: Float, $threshold: Float) { forecast(protocol: $protocol, network: $network, interval: $interval, horizonDays: $horizonDays, threshold: $threshold) { lastRatio } }',
    variables: v,
  })),
  fc.record({ record: maybe(fc.oneof(anyText, fc.json({ maxDepth: 3 }))), digest: maybe(anyText) }).map((v) => ({
    query:
      'query($record: String, $digest: String) { replayRatio(record: $record, digest: $digest) { ratio } replayStressTest(record: $record, digest: $digest) { rounds } replayValueAtRisk(record: $record, digest: $digest) { paths } ' +
      'replayLiquidationCurve(record: $record, digest: $digest) { curves { asset } } replayContagion(record: $record, digest: $digest) { debtRank } replayDistanceToInsolvency(record: $record, digest: $digest) { maxDown } ' +
      'replayForecast(record: $record, digest: $digest) { lastRatio } replayHistoryPoint(record: $record, digest: $digest) { ratio } provenanceRecord(digest: "00") { digest } }',
    variables: v,
  })),
  fc.record({ protocol: anyText, network: anyText, from: maybe(anyTimestamp), to: maybe(anyTimestamp), windowHours: maybe(anyInt), horizonHours: maybe(anyInt), confidence: maybe(anyNumber), bandLevel: maybe(anyNumber), threshold: maybe(anyNumber) }).map((v) => ({
    query: 'query($protocol: String!, $network: String!, $from: Timestamp, $to: Timestamp, $windowHours: Int, $horizonHours: Int, $confidence: Float, $bandLevel: Float, $threshold: Float) { backtest(protocol: $protocol, network: $network, from: $from, to: $to, windowHours: $windowHours, horizonHours: $horizonHours, confidence: $confidence, bandLevel: $bandLevel, threshold: $threshold) { forecasts quantile { kupiec { pValue } } } }',
    variables: v,
  })),
  fc
    .record({
      protocol: anyText,
      network: anyText,
      from: maybe(anyTimestamp),
      to: maybe(anyTimestamp),
      windowHours: maybe(anyInt),
      horizonHours: maybe(anyInt),
      confidence: maybe(anyNumber),
      paths: maybe(anyInt),
      observations: maybe(anyInt),
      seed: maybe(anyInt),
      minMove: maybe(anyNumber),
    })
    .map((v) => ({
      query:
        'query($protocol: String!, $network: String!, $from: Timestamp, $to: Timestamp, $windowHours: Int, $horizonHours: Int, $confidence: Float, $paths: Int, $observations: Int, $seed: Int, $minMove: Float) { riskBacktest(protocol: $protocol, network: $network, from: $from, to: $to, windowHours: $windowHours, horizonHours: $horizonHours, confidence: $confidence, paths: $paths, observations: $observations, seed: $seed, minMove: $minMove) { observations liquidations { kupiec { pValue } } curve { observations } } }',
      variables: v,
    })),
);

/** Work units of a request the gateway would accept, or null when its own caps refuse it (cost.ts). */
function weightOf(c: Case): number | null {
  const document = parse(c.query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  try {
    return requestWeight(schema, document, operation, c.variables).units;
  } catch {
    return null;
  }
}

test('no argument of any gateway query gives a 5xx or an internal error; accepted work is bounded', async () => {
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      const weight = weightOf(c);
      if (weight !== null) expect(weight).toBeLessThanOrEqual(COST_CAPS.workUnitsPerRequest);
      const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
      expect(res.status).toBeLessThan(500);
      const body = (await res.json()) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
      for (const e of body.errors ?? []) {
        expect(e.extensions?.code).toBeDefined();
        expect(e.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
      }
    }),
    { numRuns: 120, seed: 20261204 },
  );
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
}, 600_000);
