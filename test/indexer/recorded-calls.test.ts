import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFunctionData, encodeFunctionResult, parseAbi } from 'viem';
import { readRecordedCalls } from '../../server/ingest/ndjson';
import { RecordedCallSource } from '../../server/indexer/recorded-calls';
import { NonDeterministicError } from '../../server/runtime/errors';
import type { ContractCall } from '../../server/runtime/host';

const abi = parseAbi(['function getPrice(address token) view returns (uint256)']);
const token = '0x82af49447d8a07e3bd95bd0d56f35241523fbab1';
const vault = '0x489ee077994b6658eafa855c308275ead8097c4a';
const calldata = encodeFunctionData({ abi, functionName: 'getPrice', args: [token] });
const answer = encodeFunctionResult({ abi, functionName: 'getPrice', result: 2547690000000000000000000000000000n });

function file(lines: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'svr-calls-')), 'calls.ndjson');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const call = (block: bigint): ContractCall => ({
  contractName: 'Vault',
  address: vault,
  functionName: 'getPrice',
  functionSignature: 'getPrice(address):(uint256)',
  params: [],
  calldata,
  blockNumber: block,
  blockHash: '0x' + '00'.repeat(32),
});

test('answers recorded calls by block, address and calldata; an error records a revert', async () => {
  const path = file([
    JSON.stringify({ method: 'eth_call', params: [{ to: vault, data: calldata }, '0x10'], result: answer }),
    JSON.stringify({ method: 'eth_call', params: [{ to: vault, data: calldata }, '0x11'], error: { code: 3, message: 'execution reverted' } }),
    JSON.stringify({ method: 'eth_getBalance', params: [vault, '0x10'], result: '0xde0b6b3a7640000' }),
    JSON.stringify({ method: 'eth_getCode', params: [vault, '0x10'], result: '0x6080' }),
    JSON.stringify({ method: 'eth_getCode', params: [token, '0x10'], result: '0x' }),
  ]);
  const source = new RecordedCallSource(await readRecordedCalls(path));
  expect(source.call(call(16n))).toBe(answer);
  expect(source.call(call(17n))).toBeNull();
  expect(source.getBalance(vault, 16n)).toBe(10n ** 18n);
  expect(source.hasCode(vault, 16n)).toBe(true);
  expect(source.hasCode(token, 16n)).toBe(false);
  // A read with no record is the input's gap: a non-deterministic stop that says what to record.
  expect(() => source.call(call(18n))).toThrow(NonDeterministicError);
  expect(() => source.call(call(18n))).toThrow(`"params":[{"to":"${vault}","data":"${calldata}"},"0x12"]`);
  expect(() => source.getBalance(token, 16n)).toThrow(/no recorded eth_getBalance/);
});

test('a malformed record names its file and line', async () => {
  const path = file([JSON.stringify({ method: 'eth_call', params: [{ to: vault, data: calldata }, '0x10'], result: answer }), '{"method":"eth_sign","params":[1,"0x1"]}']);
  await expect(readRecordedCalls(path)).rejects.toThrow(`${path} line 2: unknown method "eth_sign"`);
});
