/**
 * A call source that answers a mapping's ethereum.call, getBalance and hasCode
 * from the RPC node, at the block of the handler that asks (eth_call pinned by
 * block hash, EIP-1898, so that a reorg makes the call fail rather than answer
 * from the other branch). The host import is synchronous, so the request
 * blocks the handler until the node answers, as it does in graph-node.
 *
 * A revert is an answer (null, as graph-node returns for the error messages it
 * treats as reverts); any other failure is the environment's and stops the
 * block without recording an indexing error.
 */
import { isRetryable, RpcError, type RpcClient } from '../ingest/rpc/client';
import { NonDeterministicError } from '../runtime/errors';
import type { CallSource, ContractCall } from '../runtime/host';

/** graph-node's list of RPC error messages that mean the call reverted (chain/ethereum/src/call_helper.rs). */
const REVERT_MESSAGES = [
  'revert',
  'invalid jump destination',
  'invalid opcode',
  'stack limit reached 1024',
  'out of gas',
  'stack underflow',
  'vm execution error',
  'invalidjump',
  'notactivated',
  'invalidfeopcode',
  'stackunderflow',
  'stackoverflow',
  'opcodenotfound',
];

export function isRevert(error: RpcError): boolean {
  if (error.kind !== 'rpc') return false;
  const message = error.message.toLowerCase();
  return REVERT_MESSAGES.some((m) => message.includes(m));
}

const hex = (n: bigint) => '0x' + n.toString(16);

export class RpcCallSource implements CallSource {
  /** Answers within the current block: mappings often read the same value more than once. */
  private cache = new Map<string, unknown>();
  private cacheBlock = '';
  calls = 0;

  constructor(private readonly client: RpcClient) {}

  private cached<T>(block: string, key: string, fetch: () => T): T {
    if (block !== this.cacheBlock) {
      this.cache = new Map();
      this.cacheBlock = block;
    }
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = fetch();
    this.cache.set(key, value);
    return value;
  }

  call(call: ContractCall): string | null {
    const data = call.calldata.toLowerCase();
    return this.cached(call.blockHash, `call|${call.address}|${data}`, () => {
      this.calls++;
      try {
        return this.client.callSync<string>('eth_call', [{ to: call.address, data }, { blockHash: call.blockHash }], (e) => !isRevert(e) && isRetryable(e));
      } catch (e) {
        if (e instanceof RpcError && isRevert(e)) return null;
        throw new NonDeterministicError(
          `ethereum.call ${call.contractName}.${call.functionSignature} at ${call.address}, block ${call.blockNumber} (${call.blockHash}): ${(e as Error).message}`,
        );
      }
    });
  }

  getBalance(address: string, blockNumber: bigint): bigint {
    return this.cached(`#${blockNumber}`, `balance|${address}`, () => BigInt(this.read('eth_getBalance', address, blockNumber)));
  }

  hasCode(address: string, blockNumber: bigint): boolean {
    return this.cached(`#${blockNumber}`, `code|${address}`, () => this.read('eth_getCode', address, blockNumber) !== '0x');
  }

  private read(method: string, address: string, blockNumber: bigint): string {
    this.calls++;
    try {
      return this.client.callSync<string>(method, [address, hex(blockNumber)]);
    } catch (e) {
      throw new NonDeterministicError(`${method}(${address}) at block ${blockNumber}: ${(e as Error).message}`);
    }
  }
}
