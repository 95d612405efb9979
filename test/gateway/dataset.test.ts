/**
 * Query.dataset: synthetic when the data directory holds the demo chain that
 * `svr start` generated (its marker, server/demo/marker.ts), else indexed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { datasetOf, INDEXED_DATASET } from '../../server/gateway/dataset';
import { demoMarkerPath } from '../../server/demo/marker';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(`${tmpdir()}/svr-dataset-`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a data directory without the demo marker serves indexed data', () => {
  expect(datasetOf(dir, false)).toEqual(INDEXED_DATASET);
});

test("the demo marker makes it synthetic, with the demo's settings; configured sources never are", () => {
  mkdirSync(dirname(demoMarkerPath(dir)), { recursive: true });
  writeFileSync(demoMarkerPath(dir), JSON.stringify({ settings: { seed: 1, days: 3, scale: 1 }, results: [] }));
  const d = datasetOf(dir, false);
  expect(d.synthetic).toBe(true);
  expect(d.description).toMatch(/not chain history.*\(seed 1, 3 simulated day\(s\), scale 1\)\.$/);
  expect(datasetOf(dir, true)).toEqual(INDEXED_DATASET);
});
