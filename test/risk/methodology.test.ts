/**
 * A methodology change without a version bump fails here. The engine's
 * answers on fixed inputs (every definition a figure of svr depends on, with
 * its defaults) are recorded per METHODOLOGY_VERSION in
 * test/fixtures/methodology/v<N>.json; they must come out the same, to the
 * last bit. A changed answer means a changed definition: raise
 * METHODOLOGY_VERSION (server/risk/methodology.ts), add its entry to
 * docs/methodology-changelog.md, and record the new version's fixture with
 * SVR_RECORD_METHODOLOGY=1 (which never overwrites a recorded version).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MODEL_DEFINITIONS,
  METHODOLOGY_VERSION,
  SeededRandom,
  backtestForecast,
  contagion,
  distanceToInsolvency,
  forecastRatio,
  liquidationCurves,
  monteCarloRisk,
  solvency,
  stressTest,
} from '../../server/risk';
import { dec, smallPortfolio } from './fixtures';

const DIRECTORY = join(__dirname, '..', 'fixtures', 'methodology');

function answers(): Record<string, unknown> {
  const hour = 3600;
  const rng = new SeededRandom(19);
  let x = Math.log(1.4);
  const walk = Array.from({ length: 200 }, (_, k) => {
    if (k > 0) x += -0.0005 + 0.01 * rng.normal();
    return { time: k * hour, ratio: Math.exp(x) };
  });
  return {
    modelDefinitions: MODEL_DEFINITIONS,
    solvency: solvency({ backingUsd: dec('1234567.891'), obligationsUsd: dec('987654.321') }),
    liquidationCurves: liquidationCurves(smallPortfolio()),
    distanceToInsolvency: distanceToInsolvency(smallPortfolio()),
    stressTest: stressTest(smallPortfolio('2000000'), { moves: { ETH: -0.15 }, cascade: true }),
    valueAtRisk: monteCarloRisk(smallPortfolio(), { volatility: { ETH: 0.8 }, paths: 2000, seed: 5 }),
    contagion: contagion(smallPortfolio(), { kind: 'asset', asset: 'ETH', move: -0.3 }),
    forecast: forecastRatio(walk.slice(0, 72)),
    backtest: backtestForecast(walk, { window: 48, horizonSteps: 2, confidence: 0.95, bandLevel: 0.9, threshold: 1.3 }),
  };
}

test(`the engine's answers are version ${METHODOLOGY_VERSION}'s fixture, exactly`, () => {
  const file = join(DIRECTORY, `v${METHODOLOGY_VERSION}.json`);
  const now = `${JSON.stringify(answers(), null, 1)}\n`;
  if (!existsSync(file)) {
    if (process.env.SVR_RECORD_METHODOLOGY !== '1') {
      throw new Error(`no fixture for methodology version ${METHODOLOGY_VERSION} (${file}): after adding its changelog entry, record it with SVR_RECORD_METHODOLOGY=1 npx jest test/risk/methodology.test.ts`);
    }
    mkdirSync(DIRECTORY, { recursive: true });
    writeFileSync(file, now);
  }
  const recorded = readFileSync(file, 'utf8');
  if (recorded !== now) {
    // Jest's diff shows which answer moved.
    expect({ version: METHODOLOGY_VERSION, answers: JSON.parse(now) }).toEqual({ version: METHODOLOGY_VERSION, answers: JSON.parse(recorded) });
    throw new Error(`the answers differ from version ${METHODOLOGY_VERSION}'s fixture in their text: raise METHODOLOGY_VERSION and record a new fixture`);
  }
});

test('the changelog has an entry for every version up to the current one', () => {
  const changelog = readFileSync(join(__dirname, '..', '..', 'docs', 'methodology-changelog.md'), 'utf8');
  for (let v = 1; v <= METHODOLOGY_VERSION; v++) expect(changelog).toMatch(new RegExp(`^## Version ${v}\\b`, 'm'));
  for (let v = 1; v <= METHODOLOGY_VERSION; v++) expect(existsSync(join(DIRECTORY, `v${v}.json`))).toBe(true);
});
