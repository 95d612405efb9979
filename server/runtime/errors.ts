/**
 * Errors raised while running a mapping.
 *
 * graph-node tells two kinds apart. A deterministic error is the mapping's own
 * fault (an abort, a CRITICAL log, an invalid entity, a division by zero):
 * replaying the block would fail the same way, so it is recorded against the
 * block and the deployment stops with `hasIndexingErrors: true`. A
 * non-deterministic error comes from the environment (a call result that is
 * not available, an unsupported service): nothing is recorded, indexing stops,
 * and a later run may succeed once the cause is fixed.
 */
export class RuntimeError extends Error {
  readonly code: string = 'MAPPING_ERROR';
}

/** The environment could not serve the mapping; indexing stops without recording an indexing error. */
export class NonDeterministicError extends RuntimeError {
  override readonly code: string = 'HOST_UNAVAILABLE';
}
