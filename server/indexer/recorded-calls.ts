/**
 * A call source that answers a mapping's ethereum.call, getBalance and hasCode
 * from recorded JSON-RPC answers (`svr index --calls`). A read with no record
 * stops indexing with a message saying what to record: it is the input that is
 * incomplete, not the mapping that is wrong.
 */
import { NonDeterministicError } from '../runtime/errors';
import type { CallSource, ContractCall } from '../runtime/host';
import type { RecordedCall } from '../ingest/types';

export class RecordedCallSource implements CallSource {
  private readonly answers = new Map<string, RecordedCall>();

  constructor(records: RecordedCall[]) {
    for (const r of records) this.answers.set(RecordedCallSource.key(r), r);
  }

  private static key(r: { method: string; blockNumber: bigint; to?: string; address?: string; data?: string }): string {
    return `${r.method}|${r.blockNumber}|${r.to ?? r.address}|${r.data ?? ''}`;
  }

  call(call: ContractCall): string | null {
    const r = this.answers.get(RecordedCallSource.key({ method: 'eth_call', blockNumber: call.blockNumber, to: call.address, data: call.calldata.toLowerCase() }));
    if (!r || r.method !== 'eth_call') {
      throw new NonDeterministicError(
        `no recorded answer for ${call.contractName}.${call.functionSignature} at ${call.address}, block ${call.blockNumber}: ` +
          `add {"method":"eth_call","params":[{"to":"${call.address}","data":"${call.calldata}"},"0x${call.blockNumber.toString(16)}"],"result":"0x…"} to the --calls file`,
      );
    }
    return r.result;
  }

  getBalance(address: string, blockNumber: bigint): bigint {
    const r = this.answers.get(RecordedCallSource.key({ method: 'eth_getBalance', blockNumber, address }));
    if (!r || r.method !== 'eth_getBalance') {
      throw new NonDeterministicError(`no recorded eth_getBalance for ${address} at block ${blockNumber} in the --calls file`);
    }
    return r.result;
  }

  hasCode(address: string, blockNumber: bigint): boolean {
    const r = this.answers.get(RecordedCallSource.key({ method: 'eth_getCode', blockNumber, address }));
    if (!r || r.method !== 'eth_getCode') {
      throw new NonDeterministicError(`no recorded eth_getCode for ${address} at block ${blockNumber} in the --calls file`);
    }
    return r.result !== '0x';
  }
}
