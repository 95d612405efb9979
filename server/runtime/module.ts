/**
 * Loads a compiled mapping and runs handlers with graph-node's isolation:
 * every trigger starts from the state right after `_start`, as if the module
 * had been instantiated afresh (graph-node makes a new instance per trigger,
 * runtime/wasm/src/mapping.rs). Instantiating costs ~100us, more than the
 * work of a typical handler, so we instantiate once, snapshot the memory and
 * the mutable globals after `_start`, and restore them before each trigger.
 * The globals are not exported by graph-cli's build, so the module is
 * rewritten with binaryen (installed with graph-cli) to export them.
 */
import { readFileSync } from 'node:fs';
import { AscHeap, type AscExports } from './asc';
import { RuntimeError } from './errors';
import { hostFunctions, type HostContext } from './host';

const GLOBAL_EXPORT_PREFIX = '__svr_global_';
const STUB_OFFSET_GLOBAL = '~lib/rt/stub/offset';

interface PreparedModule {
  module: WebAssembly.Module;
  globalExports: string[];
  /** Export name of the stub allocator's bump pointer, when the module has one. */
  offsetExport: string | null;
}

const prepared = new Map<string, PreparedModule>();

function prepare(wasmPath: string): PreparedModule {
  const cached = prepared.get(wasmPath);
  if (cached) return cached;
  // binaryen is large; load it only when a mapping is first prepared.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const binaryen = require('binaryen');
  const mod = binaryen.readBinary(readFileSync(wasmPath));
  const globalExports: string[] = [];
  let offsetExport: string | null = null;
  for (let i = 0; i < mod.getNumGlobals(); i++) {
    const info = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
    if (!info.mutable || info.module) continue;
    const exportName = GLOBAL_EXPORT_PREFIX + i;
    mod.addGlobalExport(info.name, exportName);
    globalExports.push(exportName);
    if (info.name === STUB_OFFSET_GLOBAL) offsetExport = exportName;
  }
  const bytes = new Uint8Array(mod.emitBinary() as Uint8Array);
  mod.dispose();
  const result = { module: new WebAssembly.Module(bytes), globalExports, offsetExport };
  prepared.set(wasmPath, result);
  return result;
}

export class MappingInstance {
  readonly heap: AscHeap;
  private readonly exports: WebAssembly.Exports & AscExports & { _start?: () => void };
  private context: HostContext | null = null;
  private readonly memorySnapshot: Uint8Array;
  private readonly globalSnapshot: Array<[WebAssembly.Global, number | bigint]>;
  private readonly offsetGlobal: WebAssembly.Global | null;
  private dirty = false;

  constructor(readonly wasmPath: string) {
    const { module, globalExports, offsetExport } = prepare(wasmPath);
    const host = hostFunctions(
      () => this.heap,
      () => {
        if (!this.context) throw new RuntimeError('a host function was called outside a handler');
        return this.context;
      },
    );
    const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind !== 'function') {
        throw new RuntimeError(`${wasmPath} imports the ${imp.kind} ${imp.module}.${imp.name}, which graph-node does not provide`);
      }
      // graph-node links by import name whatever the module name (index, numbers, conversion, ...).
      const fn =
        host[imp.name] ??
        (() => {
          throw new RuntimeError(`the mapping called the host function \`${imp.name}\`, which graph-node does not provide`);
        });
      const hostFn = fn as (...args: number[]) => unknown;
      (imports[imp.module] ??= {})[imp.name] = (...args: number[]) => {
        const heap = this.heap;
        heap.enter();
        try {
          return hostFn(...args);
        } finally {
          heap.leave();
        }
      };
    }
    const instance = new WebAssembly.Instance(module, imports);
    this.exports = instance.exports as typeof this.exports;
    for (const name of ['memory', '__new', 'id_of_type']) {
      if (!(name in this.exports)) {
        throw new RuntimeError(`${wasmPath} does not export \`${name}\`: was it built by graph-cli (asc --exportRuntime)?`);
      }
    }
    this.heap = new AscHeap(this.exports);
    // graph-node calls `_start` on every new instance: top-level statements of the mapping run here.
    if (typeof this.exports._start === 'function') this.exports._start();
    this.offsetGlobal = offsetExport ? (this.exports[offsetExport] as WebAssembly.Global) : null;
    if (this.offsetGlobal) this.heap.useStubAllocator(this.offsetGlobal);
    // With the stub allocator's bump pointer known, only memory below it can hold state; above it is all zero.
    const memory = new Uint8Array(this.exports.memory.buffer);
    this.memorySnapshot = memory.slice(0, this.offsetGlobal ? Number(this.offsetGlobal.value) : memory.length);
    this.globalSnapshot = globalExports.map((name) => {
      const g = this.exports[name] as WebAssembly.Global;
      return [g, g.value as number | bigint];
    });
  }

  hasHandler(name: string): boolean {
    return typeof this.exports[name] === 'function';
  }

  /** Put memory and globals back to their state right after `_start`. */
  private restore(): void {
    if (!this.dirty) return;
    const memory = new Uint8Array(this.exports.memory.buffer);
    const used = this.offsetGlobal ? Number(this.offsetGlobal.value) : memory.length;
    memory.set(this.memorySnapshot, 0);
    if (used > this.memorySnapshot.length) memory.fill(0, this.memorySnapshot.length, Math.min(used, memory.length));
    for (const [g, v] of this.globalSnapshot) g.value = v;
    this.dirty = false;
  }

  /**
   * Runs one handler: restores the fresh state, lets `writeArgument` build the
   * trigger object in memory, and calls the handler with its pointer.
   * Errors thrown by host functions come out unchanged; traps come out as
   * RuntimeError with graph-node's wording.
   */
  run(handler: string, context: HostContext, writeArgument: (heap: AscHeap) => number): void {
    const fn = this.exports[handler];
    if (typeof fn !== 'function') {
      throw new RuntimeError(`the mapping ${this.wasmPath} has no exported handler \`${handler}\``);
    }
    this.restore();
    this.dirty = true;
    this.context = context;
    try {
      let arg: number;
      this.heap.enter();
      try {
        arg = writeArgument(this.heap);
      } finally {
        this.heap.leave();
      }
      (fn as (ptr: number) => void)(arg);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        throw new RuntimeError(`Mapping terminated before handling trigger: ${e.message}`);
      }
      throw e;
    } finally {
      this.context = null;
    }
  }
}
