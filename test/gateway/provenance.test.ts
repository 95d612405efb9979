/**
 * Provenance and replay of the ratio answers against the demo stack: a
 * replayed answer equals the recorded one byte for byte, on this svr and on a
 * second one started on the same data; every reason a replay cannot give the
 * recorded answer is a coded error.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../server/gateway';
import { METHODOLOGY_VERSION } from '../../server/risk';
import { DEMO_DEPLOYMENTS, demoDataDir, post, replayCli, startDemoGateway } from './demo-stack';

let first: RunningServer;
let second: RunningServer;

beforeAll(async () => {
  const dir = await demoDataDir();
  first = await startDemoGateway(dir);
  second = await startDemoGateway(dir);
}, 600_000);
afterAll(async () => {
  await first?.close();
  await second?.close();
});

// Every field of a snapshot but the two that say how old the read was (stale, ageSeconds).
const SNAPSHOT = `protocol network collateralModels { model backing obligations } collateralUSD openInterestUSD longOpenInterestUSD shortOpenInterestUSD debtUSD
  ratio bufferUSD unpricedTokens priced blockNumber timestamp complete missingSources
  markets { network market name collateralUSD openInterestUSD ratio bufferUSD priced }
  collateral { network token symbol amount valueUSD }
  provenance { methodologyVersion query parameters reads { protocol network deployment blockNumber blockHash timestamp } record digest }`;

const gql = (s: RunningServer) => `${s.url}/graphql`;

async function replay(server: RunningServer, record: string, digest?: string) {
  return post(gql(server), `query($record: String!, $digest: String) { replayRatio(record: $record, digest: $digest) { ${SNAPSHOT} } }`, { record, digest });
}

test('a deployment\'s ratio and an aggregate replay to the same bytes, here and on a second svr', async () => {
  const answer = await post(gql(first), `{ one: ratio(protocol: "gmx-v1", network: "arbitrum-one") { ${SNAPSHOT} } all: aggregate { ${SNAPSHOT} } }`);
  expect(answer.errors).toBeUndefined();
  for (const recorded of [answer.data!.one, answer.data!.all]) {
    const p = recorded.provenance;
    expect(p.methodologyVersion).toBe(METHODOLOGY_VERSION);
    expect(p.digest).toBe(createHash('sha256').update(p.record).digest('hex'));
    for (const r of p.reads) {
      expect(r.blockHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(r.deployment).toEqual(expect.any(String));
    }
    for (const server of [first, second]) {
      const again = await replay(server, p.record, p.digest);
      expect(again.errors).toBeUndefined();
      expect(JSON.stringify(again.data!.replayRatio)).toBe(JSON.stringify(recorded));
    }
  }
  expect(answer.data!.all.provenance.reads.length).toBe(DEMO_DEPLOYMENTS.length);
});

test('the same answer at the same blocks has the same digest; a different one does not', async () => {
  const q = `{ a: ratio(protocol: "gmx-v1", network: "avalanche") { provenance { digest } } b: ratio(protocol: "gmx-v1", network: "avalanche") { provenance { digest } } c: ratio(protocol: "gmx-v1", network: "arbitrum-one") { provenance { digest } } }`;
  const [x, y] = [await post(gql(first), q), await post(gql(second), q)];
  expect(x.data!.a.provenance.digest).toBe(x.data!.b.provenance.digest);
  expect(y.data!.a.provenance.digest).toBe(x.data!.a.provenance.digest);
  expect(x.data!.c.provenance.digest).not.toBe(x.data!.a.provenance.digest);
});

test('why a replay cannot give the recorded answer, each with its code', async () => {
  const answer = await post(gql(first), '{ ratio(protocol: "gmx-v1", network: "arbitrum-one") { provenance { record digest } } }');
  const record = JSON.parse(answer.data!.ratio.provenance.record);
  const codeOf = async (text: string, digest?: string) => {
    const r = await replay(first, text, digest);
    expect(r.data).toBeNull();
    expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    return { replayCode: r.errors![0].extensions!.replayCode, message: r.errors![0].message };
  };
  const reorged = { ...record, reads: [{ ...record.reads[0], blockHash: `0x${'ab'.repeat(32)}` }] };
  expect(await codeOf(JSON.stringify(reorged))).toMatchObject({ replayCode: 'REPLAY_BLOCK_UNKNOWN', message: expect.stringMatching(/reorganised away/) });
  const future = { ...record, reads: [{ ...record.reads[0], blockNumber: record.reads[0].blockNumber + 1_000_000 }] };
  expect((await codeOf(JSON.stringify(future))).replayCode).toBe('REPLAY_BLOCK_UNKNOWN');
  const version = { ...record, methodologyVersion: METHODOLOGY_VERSION + 1 };
  expect(await codeOf(JSON.stringify(version))).toMatchObject({ replayCode: 'REPLAY_UNSUPPORTED_METHODOLOGY', message: expect.stringMatching(/methodology version/) });
  const rebuilt = { ...record, reads: [{ ...record.reads[0], deployment: 'Qm-another-build' }] };
  expect((await codeOf(JSON.stringify(rebuilt))).replayCode).toBe('REPLAY_DEPLOYMENT_CHANGED');
  const elsewhere = { ...record, reads: [{ ...record.reads[0], network: 'nowhere' }] };
  expect((await codeOf(JSON.stringify(elsewhere))).replayCode).toBe('REPLAY_UNKNOWN_SOURCE');
  expect((await codeOf(answer.data!.ratio.provenance.record, '00'.repeat(32))).replayCode).toBe('REPLAY_DIGEST_MISMATCH');
  expect((await codeOf('{"methodologyVersion": 1')).replayCode).toBe('REPLAY_BAD_RECORD');
  expect((await codeOf(JSON.stringify({ ...record, reads: [] }))).replayCode).toBe('REPLAY_BAD_RECORD');
});

test('an answer at a past time replays at that time, not at the head', async () => {
  const head = await post(gql(first), `{ ratio(protocol: "gmx-v1", network: "arbitrum-one") { ${SNAPSHOT} } }`);
  const past = await post(gql(first), `{ ratio(protocol: "gmx-v1", network: "arbitrum-one", timestamp: ${head.data!.ratio.timestamp - 12 * 3600}) { ${SNAPSHOT} } }`);
  expect(past.errors).toBeUndefined();
  expect(past.data!.ratio.blockNumber).toBeLessThan(head.data!.ratio.blockNumber);
  expect(past.data!.ratio.ratio).not.toBe(head.data!.ratio.ratio);
  const again = await replay(second, past.data!.ratio.provenance.record);
  expect(JSON.stringify(again.data!.replayRatio)).toBe(JSON.stringify(past.data!.ratio));
});

test('svr replay prints the replayed answer from a saved answer, and fails with the reason', async () => {
  const { REPLAY_KINDS } = await import('../../server/gateway/replay');
  const REPLAY_SELECTION = REPLAY_KINDS.ratio.selection;
  const answer = await post(gql(first), `{ ratio(protocol: "aave-v3", network: "optimism") { ${REPLAY_SELECTION} } }`);
  const dir = mkdtempSync(join(tmpdir(), 'svr-replay-'));
  try {
    const saved = join(dir, 'answer.json');
    writeFileSync(saved, JSON.stringify(answer));
    expect(await replayCli([saved, '--url', gql(second)])).toEqual([JSON.stringify(answer.data!.ratio, null, 2)]);
    // A VaR record: the command picks replayValueAtRisk and prints every field of the answer, as the query gave it.
    const risk = await post(gql(first), `{ valueAtRisk(networks: ["avalanche"], paths: 500, volatilities: [{ asset: "AVAX", volatility: 1.2 }]) { ${REPLAY_KINDS.valueAtRisk.selection} } }`);
    writeFileSync(saved, JSON.stringify(risk));
    expect(await replayCli([saved, '--url', gql(second)])).toEqual([JSON.stringify(risk.data!.valueAtRisk, null, 2)]);
    const record = JSON.parse(answer.data!.ratio.provenance.record);
    writeFileSync(saved, JSON.stringify({ ...record, methodologyVersion: 999 }));
    await expect(replayCli([saved, '--url', gql(second)])).rejects.toThrow(/REPLAY_UNSUPPORTED_METHODOLOGY/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every risk answer states its provenance: the reads, the parameters with their defaults, and a digest that follows them', async () => {
  const P = 'provenance { methodologyVersion query parameters reads { protocol network blockNumber blockHash deployment } record digest }';
  const ONLY = 'protocols: ["gmx-v1"], networks: ["avalanche"]';
  const q = (seed: number) => `{
    liquidationCurve(${ONLY}) { ${P} }
    stressTest(scenario: { marketWide: -0.2 }, ${ONLY}) { ${P} }
    valueAtRisk(${ONLY}, volatilities: [{ asset: "AVAX", volatility: 1 }], paths: 500, seed: ${seed}) { ${P} }
    contagion(shock: { asset: "AVAX", move: -0.3 }, ${ONLY}) { ${P} }
    forecast(protocol: "gmx-v1", network: "avalanche") { ${P} }
    backtest(protocol: "gmx-v1", network: "avalanche", windowHours: 12) { ${P} }
    ratio(protocol: "gmx-v1", network: "avalanche") { distanceToInsolvency { ${P} } }
  }`;
  const [a, b, c] = [await post(gql(first), q(1)), await post(gql(second), q(1)), await post(gql(first), q(2))];
  expect(a.errors).toBeUndefined();
  const answers = (x: typeof a) => ({ ...x.data!, ratio: undefined, distanceToInsolvency: x.data!.ratio.distanceToInsolvency });
  for (const [name, answer] of Object.entries(answers(a))) {
    if (!answer) continue;
    const p = (answer as any).provenance;
    expect(p.methodologyVersion).toBe(METHODOLOGY_VERSION);
    expect(p.query).toBe(name);
    expect(p.reads).toEqual([expect.objectContaining({ protocol: 'gmx-v1', network: 'avalanche', blockHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) })]);
    expect(p.digest).toBe(createHash('sha256').update(p.record).digest('hex'));
    expect((answers(b) as any)[name].provenance.digest).toBe(p.digest); // the same computation on another svr
  }
  expect(JSON.parse(a.data!.valueAtRisk.provenance.parameters)).toMatchObject({ horizonDays: 1, paths: 500, seed: 1, volatility: { AVAX: 1 } });
  expect(JSON.parse(a.data!.stressTest.provenance.parameters).scenario).toMatchObject({ marketWide: -0.2, cascade: true });
  expect(JSON.parse(a.data!.forecast.provenance.parameters)).toMatchObject({ horizonDays: 7, threshold: 1, bandLevel: 0.9, interval: 'HOUR' });
  expect(c.data!.valueAtRisk.provenance.digest).not.toBe(a.data!.valueAtRisk.provenance.digest);
  expect(c.data!.stressTest.provenance.digest).toBe(a.data!.stressTest.provenance.digest);
  const notYet = await replay(first, a.data!.stressTest.provenance.record);
  expect(notYet.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', replayCode: 'REPLAY_UNSUPPORTED_QUERY' });
});

test('a stress test and a VaR replay to the same bytes on a second svr', async () => {
  const ONLY = 'protocols: ["gmx-v1"], networks: ["arbitrum-one", "avalanche"]';
  const STRESS = 'venues { protocol network ratioBefore ratioAfter shortfallUSD liquidatedObligationsUSD } total { ratioAfter shortfallUSD } rounds finalMoves { asset move } coverage { venues missingSources complete unpricedPositions } provenance { record digest }';
  const VAR = 'paths horizonDays seed volatilities { asset volatility } volatilitySource venues { protocol network var95 { value low high confidence horizonDays intervalLevel } lar99 { value } } total { expectedInsolvencyUSD var99 { value low high } expectedShortfall99USD } coverage { venues complete } provenance { record digest }';
  const answer = await post(
    gql(first),
    `{ stressTest(scenario: { moves: [{ asset: "ETH", move: -0.3 }], depths: [{ asset: "ETH", depthUSD: "5000000" }] }, ${ONLY}) { ${STRESS} }
       valueAtRisk(${ONLY}, paths: 1000, seed: 3, historyHours: 12) { ${VAR} } }`,
  );
  expect(answer.errors).toBeUndefined();
  const again = await post(
    gql(second),
    `query($s: String!, $v: String!) { replayStressTest(record: $s) { ${STRESS} } replayValueAtRisk(record: $v) { ${VAR} } }`,
    { s: answer.data!.stressTest.provenance.record, v: answer.data!.valueAtRisk.provenance.record },
  );
  expect(again.errors).toBeUndefined();
  expect(JSON.stringify(again.data!.replayStressTest)).toBe(JSON.stringify(answer.data!.stressTest));
  expect(JSON.stringify(again.data!.replayValueAtRisk)).toBe(JSON.stringify(answer.data!.valueAtRisk));
  const crossed = await post(gql(first), 'query($s: String!) { replayValueAtRisk(record: $s) { paths } }', { s: answer.data!.stressTest.provenance.record });
  expect(crossed.errors![0].extensions).toMatchObject({ replayCode: 'REPLAY_UNSUPPORTED_QUERY' });
  expect(crossed.errors![0].message).toMatch(/replayStressTest/);
});

test('every history point states its provenance: the reads behind the series, the interval and its time', async () => {
  const q = '{ history(protocol: "gmx-v1", interval: HOUR) { timestamp ratio provenance { query parameters reads { network blockNumber blockHash } digest } } }';
  const [a, b] = [await post(gql(first), q), await post(gql(second), q)];
  expect(a.errors).toBeUndefined();
  const points = a.data!.history;
  expect(points.length).toBeGreaterThan(1);
  for (const p of points) {
    expect(p.provenance.query).toBe('history');
    expect(JSON.parse(p.provenance.parameters)).toEqual({ protocol: 'gmx-v1', network: null, interval: 'HOUR', timestamp: p.timestamp });
    expect(p.provenance.reads.map((r: any) => r.network).sort()).toEqual(['arbitrum-one', 'avalanche']);
  }
  expect(new Set(points.map((p: any) => p.provenance.digest)).size).toBe(points.length);
  expect(b.data!.history.map((p: any) => p.provenance.digest)).toEqual(points.map((p: any) => p.provenance.digest));
});
