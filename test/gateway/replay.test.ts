/**
 * Replay of every kind of figure-bearing answer against the demo stack, by
 * record and by digest alone: liquidation curves, contagion (both shocks),
 * distance to insolvency (of a deployment and of an aggregate), forecast,
 * history points, and the ratios list. Each replayed answer equals the
 * recorded one byte for byte, on this svr and on a second one over the same
 * data and the same record store; an unknown digest is refused with its
 * code; an alert event's provenance replays to the figure that crossed.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../server/gateway';
import { loadConfig } from '../../server/gateway/config';
import { REPLAY_KINDS } from '../../server/gateway/replay';
import { demoDataDir, post, replayCli, startDemoGateway } from './demo-stack';

let first: RunningServer;
let second: RunningServer;
let dir: string;

beforeAll(async () => {
  const data = await demoDataDir();
  dir = mkdtempSync(join(tmpdir(), 'svr-replay-'));
  // One record store for both (replicas sharing it); alert state of their own, off the shared demo directory.
  const replay = { recordsFile: join(dir, 'provenance.sqlite'), maxRecords: 10_000, maxBytes: 64 * 1024 * 1024 };
  const alerts = (name: string) => ({ ...loadConfig({ env: {} }).alerts, stateFile: join(dir, `${name}-alerts.sqlite`) });
  first = await startDemoGateway(data, { replay, alerts: alerts('first') });
  second = await startDemoGateway(data, { replay, alerts: alerts('second') });
}, 600_000);
afterAll(async () => {
  await first?.close();
  await second?.close();
  rmSync(dir, { recursive: true, force: true });
});

const gql = (s: RunningServer) => `${s.url}/graphql`;
const selection = (kind: string) => REPLAY_KINDS[kind]!.selection;

async function replay(server: RunningServer, kind: string, args: { record?: string; digest?: string }) {
  const { field } = REPLAY_KINDS[kind]!;
  const r = await post(gql(server), `query($record: String, $digest: String) { ${field}(record: $record, digest: $digest) { ${selection(kind)} } }`, args);
  return { errors: r.errors, answer: r.data?.[field] };
}

/** The recorded answer replayed by record on both svrs, and by digest alone on the second (which never served it): the same bytes each time. */
async function expectReplays(kind: string, recorded: any) {
  expect(recorded.provenance.query).toBe(kind);
  // The first svr's batch of served records is written on its next turn; the second reads the shared file.
  first.records!.flush();
  for (const [server, args] of [
    [first, { record: recorded.provenance.record }],
    [second, { record: recorded.provenance.record, digest: recorded.provenance.digest }],
    [second, { digest: recorded.provenance.digest }],
  ] as const) {
    const again = await replay(server, kind, args);
    expect(again.errors).toBeUndefined();
    expect(JSON.stringify(again.answer)).toBe(JSON.stringify(recorded));
  }
}

test('liquidation curves and both contagion shocks replay to the same bytes, by record and by digest', async () => {
  const ONLY = 'protocols: ["gmx-v1", "aave-v3"], networks: ["arbitrum-one", "avalanche"]';
  const a = await post(
    gql(first),
    `{ curve: liquidationCurve(${ONLY}, from: -0.4, to: 0.2, step: 0.1) { ${selection('liquidationCurve')} }
       eth: liquidationCurve(${ONLY}, asset: "ETH") { ${selection('liquidationCurve')} }
       asset: contagion(shock: { asset: "ETH", move: -0.35 }, ${ONLY}) { ${selection('contagion')} }
       venue: contagion(shock: { protocol: "gmx-v1", network: "arbitrum-one", lossFraction: 0.5 }, parameters: { sharedAccountWithdrawal: 0.3 }, ${ONLY}) { ${selection('contagion')} } }`,
  );
  expect(a.errors).toBeUndefined();
  expect(a.data!.curve.curves.length).toBeGreaterThan(0);
  expect(a.data!.curve.curves[0].points.length).toBe(7);
  await expectReplays('liquidationCurve', a.data!.curve);
  await expectReplays('liquidationCurve', a.data!.eth);
  await expectReplays('contagion', a.data!.asset);
  await expectReplays('contagion', a.data!.venue);
  expect(a.data!.asset.provenance.digest).not.toBe(a.data!.venue.provenance.digest);
});

test("a deployment's and an aggregate's distance to insolvency replay to the same bytes", async () => {
  const a = await post(
    gql(first),
    `{ ratio(protocol: "gmx-v1", network: "avalanche") { distanceToInsolvency { ${selection('distanceToInsolvency')} } }
       aggregate(protocols: ["gmx-v1", "gmx-v2"]) { distanceToInsolvency { ${selection('distanceToInsolvency')} } } }`,
  );
  expect(a.errors).toBeUndefined();
  const all = a.data!.aggregate.distanceToInsolvency;
  expect(all.coverage.venues.length).toBe(4);
  await expectReplays('distanceToInsolvency', a.data!.ratio.distanceToInsolvency);
  await expectReplays('distanceToInsolvency', all);
});

test('a forecast replays to the same bytes, from the history read at the recorded blocks', async () => {
  const a = await post(
    gql(first),
    `{ one: forecast(protocol: "gmx-v1", network: "arbitrum-one", horizonDays: 2, threshold: 0.8) { ${selection('forecast')} }
       all: forecast(protocol: "aave-v3") { ${selection('forecast')} } }`,
  );
  expect(a.errors).toBeUndefined();
  expect(a.data!.one.path.length).toBeGreaterThan(0);
  await expectReplays('forecast', a.data!.one);
  await expectReplays('forecast', a.data!.all);
});

test('history points (first, middle, last; across deployments and of one) replay to the same bytes', async () => {
  const a = await post(
    gql(first),
    `{ all: history(protocol: "gmx-v1", interval: HOUR) { ${selection('history')} }
       one: history(protocol: "aave-v3", network: "optimism", interval: HOUR) { ${selection('history')} } }`,
  );
  expect(a.errors).toBeUndefined();
  for (const points of [a.data!.all, a.data!.one]) {
    expect(points.length).toBeGreaterThan(2);
    for (const p of [points[0], points[Math.floor(points.length / 2)], points[points.length - 1]]) await expectReplays('history', p);
  }
});

test('the ratios list and an aggregate replay by digest alone', async () => {
  const a = await post(gql(first), `{ ratios(protocols: ["gmx-v2"]) { ${selection('ratio')} } aggregate(networks: ["avalanche"]) { ${selection('ratio')} } }`);
  expect(a.errors).toBeUndefined();
  expect(a.data!.ratios.length).toBe(2);
  for (const s of [...a.data!.ratios, a.data!.aggregate]) await expectReplays('ratio', s);
});

test('a digest no svr sharing the store served is refused with REPLAY_RECORD_UNKNOWN; a record of another kind names its query', async () => {
  const unknown = 'ab'.repeat(32);
  for (const kind of Object.keys(REPLAY_KINDS)) {
    const r = await replay(second, kind, { digest: unknown });
    expect(r.answer).toBeUndefined();
    expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', replayCode: 'REPLAY_RECORD_UNKNOWN' });
    expect(r.errors![0].message).toMatch(/pass the record/);
  }
  const none = await post(gql(second), 'query($d: String!) { provenanceRecord(digest: $d) { record } }', { d: unknown });
  expect(none.data!.provenanceRecord).toBeNull();
  const neither = await replay(second, 'ratio', {});
  expect(neither.errors![0].extensions).toMatchObject({ replayCode: 'REPLAY_BAD_RECORD' });
  const curve = await post(gql(first), '{ liquidationCurve(networks: ["avalanche"]) { provenance { record digest } } }');
  // The digest of a curve not yet served (the same at another step): unknown, then found once served (no answer cache keeps the null).
  const unserved = JSON.parse(curve.data!.liquidationCurve.provenance.record);
  unserved.parameters.step = 0.25;
  const digest = createHash('sha256').update(JSON.stringify(unserved)).digest('hex');
  const ask = () => post(gql(first), 'query($d: String!) { provenanceRecord(digest: $d) { query digest } }', { d: digest });
  expect((await ask()).data!.provenanceRecord).toBeNull();
  await post(gql(first), '{ liquidationCurve(networks: ["avalanche"], step: 0.25) { provenance { digest } } }');
  expect((await ask()).data!.provenanceRecord).toEqual({ query: 'liquidationCurve', digest });
  first.records!.flush();
  const crossed = await replay(second, 'forecast', { digest: curve.data!.liquidationCurve.provenance.digest });
  expect(crossed.errors![0].extensions).toMatchObject({ replayCode: 'REPLAY_UNSUPPORTED_QUERY' });
  expect(crossed.errors![0].message).toMatch(/replayLiquidationCurve/);
  // The stored record is the served one.
  const stored = await post(gql(second), 'query($d: String!) { provenanceRecord(digest: $d) { query record digest } }', { d: curve.data!.liquidationCurve.provenance.digest });
  expect(stored.data!.provenanceRecord).toEqual({ query: 'liquidationCurve', ...curve.data!.liquidationCurve.provenance });
});

test('svr replay --digest replays an answer the gateway served, and fails with the code for one it did not', async () => {
  const answer = await post(gql(first), `{ forecast(protocol: "gmx-v1", network: "avalanche") { ${selection('forecast')} } }`);
  first.records!.flush();
  expect(await replayCli(['--digest', answer.data!.forecast.provenance.digest, '--url', gql(second)])).toEqual([JSON.stringify(answer.data!.forecast, null, 2)]);
  await expect(replayCli(['--digest', 'cd'.repeat(32), '--url', gql(second)])).rejects.toThrow(/REPLAY_RECORD_UNKNOWN/);
  // A saved history point: the command picks replayHistoryPoint.
  const points = await post(gql(first), `{ history(protocol: "gmx-v1", network: "avalanche", interval: HOUR) { ${selection('history')} } }`);
  const saved = join(dir, 'point.json');
  writeFileSync(saved, JSON.stringify(points.data!.history[0]));
  expect(await replayCli([saved, '--url', gql(second)])).toEqual([JSON.stringify(points.data!.history[0], null, 2)]);
});

test("an alert event carries its figure's provenance, and replaying it gives the figure that crossed", async () => {
  const created = await post(
    gql(first),
    `mutation { d: createAlertRule(input: { kind: DISTANCE_BELOW, protocol: "gmx-v1", network: "avalanche", threshold: "2000000" }) { id }
                v: createAlertRule(input: { kind: VAR_ABOVE, protocol: "gmx-v1", network: "avalanche", threshold: "1" }) { id } }`,
  );
  expect(created.errors).toBeUndefined();
  await first.alerts!.checkRisk(true);
  await first.alerts!.settled();
  first.records!.flush();
  const events = await post(
    gql(first),
    '{ alertEvents { rule { id kind } state value block { number hash } provenance { methodologyVersion query parameters reads { protocol network deployment blockNumber blockHash timestamp } record digest } } }',
  );
  expect(events.errors).toBeUndefined();
  const of = (id: string) => events.data!.alertEvents.find((e: any) => e.rule.id === id);
  const distance = of(created.data!.d.id);
  const risk = of(created.data!.v.id);
  for (const e of [distance, risk]) {
    expect(e.state).toBe('FIRING');
    expect(e.provenance.reads).toEqual([expect.objectContaining({ protocol: 'gmx-v1', network: 'avalanche', blockNumber: e.block.number, blockHash: e.block.hash, deployment: expect.any(String) })]);
  }
  expect(distance.provenance.query).toBe('distanceToInsolvency');
  expect(risk.provenance.query).toBe('valueAtRisk');
  // By record on the second svr, and by digest alone (the event's record went to the shared store): the same computation, the same figure.
  // (The demo's distances are all "no fall in the searched range": the rule sees the search's end, and the event's value is null.)
  for (const args of [{ record: distance.provenance.record }, { digest: distance.provenance.digest }]) {
    const again = await replay(second, 'distanceToInsolvency', args);
    expect(again.errors).toBeUndefined();
    expect(again.answer.provenance).toEqual(distance.provenance);
    const down = again.answer.marketWide.down as number | null;
    expect(down === null ? null : down.toFixed(9)).toBe(distance.value);
  }
  for (const args of [{ record: risk.provenance.record }, { digest: risk.provenance.digest }]) {
    const again = await replay(second, 'valueAtRisk', args);
    expect(again.errors).toBeUndefined();
    expect(again.answer.provenance).toEqual(risk.provenance);
    expect(again.answer.total.var99.value.toFixed(6)).toBe(risk.value);
  }
});

test('a history point replays at the recorded blocks, not at the head', async () => {
  const head = await post(gql(first), `{ ratio(protocol: "gmx-v1", network: "arbitrum-one") { timestamp } history(protocol: "gmx-v1", network: "arbitrum-one", interval: HOUR) { ${selection('history')} } }`);
  const pastTime = head.data!.ratio.timestamp - 12 * 3600;
  const past = await post(gql(first), `{ ratio(protocol: "gmx-v1", network: "arbitrum-one", timestamp: ${pastTime}) { provenance { reads { protocol network deployment blockNumber blockHash timestamp } } } }`);
  const [pastRead] = past.data!.ratio.provenance.reads;
  const last = head.data!.history[head.data!.history.length - 1];
  const record = JSON.parse(last.provenance.record);
  expect(record.reads[0].blockNumber).toBeGreaterThan(pastRead.blockNumber);
  // The head's last hour is after every snapshot the sources had at the earlier block: no such point there.
  const later = await replay(second, 'history', { record: JSON.stringify({ ...record, reads: [pastRead] }) });
  expect(later.errors![0].extensions).toMatchObject({ replayCode: 'REPLAY_BAD_RECORD' });
  // The earlier block's own hour: a point read at that block, as its provenance says.
  const hour = Math.floor(pastRead.timestamp / 3600) * 3600;
  const atPast = await replay(second, 'history', { record: JSON.stringify({ ...record, parameters: { ...record.parameters, timestamp: hour }, reads: [pastRead] }) });
  expect(atPast.errors).toBeUndefined();
  expect(atPast.answer.timestamp).toBe(hour);
  expect(atPast.answer.provenance.reads).toEqual([pastRead]);
});
