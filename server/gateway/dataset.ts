/**
 * What the gateway serves (Query.dataset): svr's synthetic demo chain, or
 * data indexed from real chains. The page shows a banner when it is synthetic.
 */
import { existsSync, readFileSync } from 'node:fs';
import { demoMarkerPath } from '../demo/marker';

export interface Dataset {
  synthetic: boolean;
  description: string;
}

export const INDEXED_DATASET: Dataset = {
  synthetic: false,
  description: 'Indexed from the chains by the deployments the gateway reads.',
};

export function syntheticDataset(settings: { seed?: number; days?: number; scale?: number }): Dataset {
  const parts = [settings.seed !== undefined ? `seed ${settings.seed}` : null, settings.days !== undefined ? `${settings.days} simulated day(s)` : null, settings.scale !== undefined ? `scale ${settings.scale}` : null].filter(Boolean);
  return {
    synthetic: true,
    description: `svr's demo chain: a seeded simulation of the venues' contracts, not chain history; prices, accounts, blocks and hashes are made up${parts.length ? ` (${parts.join(', ')})` : ''}.`,
  };
}

/**
 * The dataset of a data directory: synthetic when `svr start` generated its
 * demo chain there (the marker of server/demo/marker.ts) and the gateway reads
 * the directory's own deployments; configured sources are real.
 */
export function datasetOf(dataDir: string, configuredSources: boolean): Dataset {
  if (configuredSources) return INDEXED_DATASET;
  const marker = demoMarkerPath(dataDir);
  if (!existsSync(marker)) return INDEXED_DATASET;
  let settings: { seed?: number; days?: number; scale?: number } = {};
  try {
    settings = (JSON.parse(readFileSync(marker, 'utf8')) as { settings?: typeof settings }).settings ?? {};
  } catch {
    // A marker that cannot be read still says the chain is the demo's.
  }
  return syntheticDataset(settings);
}
