/**
 * The host's side of a mapping's memory (server/runtime/asc.ts), on a
 * graph-cli build:
 * - it allocates a trigger's objects in JS, as the module's stub `__new`
 *   (AssemblyScript 0.19, std/assembly/rt/stub.ts) would: the same pointers,
 *   the same headers, the same bump pointer, memory growth left to the module.
 *   Checked against the module's own `__new` on a second instance of the same
 *   build, from the same fresh state;
 * - strings and BigInts it wrote or read before are answered without decoding
 *   only while memory still holds them.
 */
import { join } from 'node:path';
import { buildSubgraph } from '../../server/compile/graph-build';
import { loadManifest } from '../../server/runtime/manifest';
import { MappingInstance } from '../../server/runtime/module';
import { AscHeap, TypeId } from '../../server/runtime/asc';
import { BIGINT_MAX_BITS } from '../../server/runtime/numbers';

const FIXTURE = join(__dirname, '..', 'fixtures', 'subgraphs', 'block-handlers');

function freshHeap(): AscHeap {
  return new MappingInstance(loadManifest(buildSubgraph({ subgraphDir: FIXTURE, network: 'mainnet' })).dataSources[0].wasmPath).heap;
}

test('JS allocations land where the module would put them, headers and growth included', () => {
  const wasmPath = loadManifest(buildSubgraph({ subgraphDir: FIXTURE, network: 'mainnet' })).dataSources[0].wasmPath;
  const js = new MappingInstance(wasmPath).heap;
  const module = new MappingInstance(wasmPath).heap;
  expect(js.allocatesInJs).toBe(true);

  // Sizes around the 16-byte alignment, empty objects, and one large enough to grow memory.
  const sizes = [0, 1, 3, 4, 12, 13, 16, 17, 28, 44, 100, 2 << 20, 5, 64];
  const typeIds = [TypeId.String, TypeId.ArrayBuffer, TypeId.Uint8Array, TypeId.StoreValue];
  const viaJs: number[] = [];
  const viaModule: number[] = [];
  js.enter();
  sizes.forEach((size, i) => viaJs.push(js.alloc(size, typeIds[i % typeIds.length])));
  js.leave();
  // Outside enter/leave the heap calls the module's own __new.
  sizes.forEach((size, i) => viaModule.push(module.alloc(size, typeIds[i % typeIds.length])));
  expect(viaJs).toEqual(viaModule);

  // Headers: mmInfo, gcInfo, gcInfo2, rtId, rtSize before each object.
  const header = (heap: typeof js, ptr: number) => [20, 16, 12, 8, 4].map((back) => heap.u32(ptr - back));
  for (const ptr of viaJs) expect(header(js, ptr)).toEqual(header(module, ptr));

  // The bump pointer handed back to the module: the next allocation, by the module itself, agrees.
  expect(js.alloc(7, TypeId.String)).toBe(module.alloc(7, TypeId.String));
});

test('strings and BigInts read back as memory holds them, not as they were written', () => {
  const heap = freshHeap();
  heap.enter();
  const text = heap.writeString('size');
  expect(heap.readString(text)).toBe('size');
  // The mapping changes the characters in place ("size" -> "sizE"): the read follows memory.
  heap.setU32(text + 4, 0x0045007a);
  expect(heap.readString(text)).toBe('sizE');
  // A NUL written by the host is stripped when read back, as graph-node strips it.
  expect(heap.readString(heap.writeString('a\u0000b'))).toBe('ab');

  const big = heap.writeBigInt(5n);
  expect(heap.readBigInt(big)).toBe(5n);
  const data = heap.u32(big + 4);
  heap.setU32(data, 7);
  expect(heap.readBigInt(big)).toBe(7n);
  // The view moved to other bytes.
  const other = heap.writeBigInt(300n);
  heap.setU32(big + 4, heap.u32(other + 4));
  heap.setU32(big + 8, heap.u32(other + 8));
  expect(heap.readBigInt(big)).toBe(300n);

  // A value past graph-node's limit, as bigInt.times may write it, still fails when read.
  const huge = heap.writeBigInt(1n << BigInt(BIGINT_MAX_BITS));
  expect(() => heap.readBigInt(huge)).toThrow(/BigInt is too big/);
  heap.leave();
});
