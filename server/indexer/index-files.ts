/**
 * Indexes a deployment from NDJSON files (eth_getLogs results and block
 * headers). Both files are read and validated in full before the first block
 * is applied, so a bad line never leaves half an index; blocks the store
 * already has are skipped, so a re-run resumes where the last one stopped.
 */
import { groupLogsByBlock, IngestError, readBlockHeaders, readLogs, readRecordedCalls, sourceOf } from '../ingest/ndjson';
import { RecordedCallSource } from './recorded-calls';
import { Deployment, type DeploymentOptions } from './deployment';

export interface IndexProgress {
  blocksDone: number;
  blocksTotal: number;
  events: number;
  block: number;
  /** The chain's head when indexing from a node (blocks behind it are shown). */
  chainHead?: number;
}

export interface IndexSummary {
  subgraph: string;
  network: string;
  blocksIndexed: number;
  blocksSkipped: number;
  logsRead: number;
  /** Blocks indexed with their parent unknown (--unlinked-blocks): the store keeps no parent hash for them. */
  unlinkedBlocks: number;
  triggers: number;
  entityChanges: number;
  head: number | null;
  seconds: number;
}

export interface IndexFilesOptions extends DeploymentOptions {
  logsPath: string;
  blocksPath: string;
  /** Recorded eth_call / eth_getBalance / eth_getCode answers for the mapping's contract reads. */
  callsPath?: string;
  /** Accept headers with `"parentHash": null` (parent unknown; see HeaderReadOptions in ../ingest/ndjson.ts). */
  unlinkedBlocks?: boolean;
  onProgress?: (p: IndexProgress) => void;
}

export async function indexFiles(options: IndexFilesOptions): Promise<IndexSummary> {
  const started = process.hrtime.bigint();
  const [headers, logs, calls] = await Promise.all([
    readBlockHeaders(options.blocksPath, { unlinked: options.unlinkedBlocks ?? false }),
    readLogs(options.logsPath),
    options.callsPath ? readRecordedCalls(options.callsPath) : Promise.resolve(null),
  ]);
  const blocks = groupLogsByBlock(headers, logs);
  // Without a calls file, a contract read still stops with the line to record in one (RecordedCallSource's message).
  const deployment = new Deployment({ ...options, calls: options.calls ?? new RecordedCallSource(calls ?? []) });
  try {
    const summary = runBlocks(deployment, blocks, options.onProgress, started, logs.length);
    deployment.store.createAttributeIndexes();
    return summary;
  } finally {
    deployment.close();
  }
}

export function runBlocks(
  deployment: Deployment,
  blocks: ReturnType<typeof groupLogsByBlock>,
  onProgress: IndexFilesOptions['onProgress'],
  started: bigint,
  logsRead: number,
): IndexSummary {
  const head = deployment.head();
  let indexed = 0;
  let skipped = 0;
  let triggers = 0;
  let changes = 0;
  let events = 0;
  let unlinked = 0;
  for (const block of blocks) {
    const number = Number(block.header.number);
    if (head && number <= head.number) {
      if (number === head.number && block.header.hash !== head.hash) {
        throw new Error(
          `block ${number} in the input has hash ${block.header.hash}, but the store indexed ${head.hash} at that height: ` +
            'the input is from another chain or branch; index it into another --data directory',
        );
      }
      skipped++;
      continue;
    }
    // Resuming: the first new block must continue the store's head, or the run would graft another branch onto it.
    // A block whose parent is unknown cannot be checked; it is counted as unlinked instead.
    if (head && indexed === 0 && number === head.number + 1 && block.header.parentHash !== null && block.header.parentHash !== head.hash) {
      const at = sourceOf(block.header);
      throw new IngestError(
        'RESUME_PARENT_MISMATCH',
        at?.file ?? null,
        at?.line ?? null,
        `${at ? `${at.file} line ${at.line}` : `block ${number}`}: block ${number} has parentHash ${block.header.parentHash}, but the store's head, block ${head.number}, is ${head.hash}; ` +
          'the input continues another branch of the chain than the one indexed: export the blocks again from the chain the store was indexed from, ' +
          'or index this input into another --data directory',
      );
    }
    const r = deployment.processBlock(block);
    indexed++;
    if (block.header.parentHash === null) unlinked++;
    triggers += r.triggers;
    changes += r.modifications;
    events += block.logs.length;
    onProgress?.({ blocksDone: indexed + skipped, blocksTotal: blocks.length, events, block: number });
  }
  return {
    subgraph: deployment.subgraph,
    network: deployment.network,
    blocksIndexed: indexed,
    blocksSkipped: skipped,
    logsRead,
    unlinkedBlocks: unlinked,
    triggers,
    entityChanges: changes,
    head: deployment.head()?.number ?? null,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
