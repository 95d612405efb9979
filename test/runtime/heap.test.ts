/**
 * The host allocates a trigger's objects in JS, as the module's stub
 * `__new` (AssemblyScript 0.19, std/assembly/rt/stub.ts) would: the same
 * pointers, the same headers, the same bump pointer, memory growth left to the
 * module. Checked against the module's own `__new` on a second instance of
 * the same graph-cli build, from the same fresh state.
 */
import { join } from 'node:path';
import { buildSubgraph } from '../../server/compile/graph-build';
import { loadManifest } from '../../server/runtime/manifest';
import { MappingInstance } from '../../server/runtime/module';
import { TypeId } from '../../server/runtime/asc';

const FIXTURE = join(__dirname, '..', 'fixtures', 'subgraphs', 'block-handlers');

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
