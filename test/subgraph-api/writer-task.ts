/** A pool task for the read-consistency test: an indexer's writes on another thread. */
import { writeScoreBlocks } from './fixture';

export function writeBlocks(input: { path: string; from: number; count: number }): number {
  return writeScoreBlocks(input.path, input.from, input.count);
}
