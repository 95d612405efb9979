import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenanceStore } from '../../server/gateway/provenance-store';
test('bench store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-bench-'));
  const s = new ProvenanceStore({ path: join(dir, 'p.sqlite'), maxRecords: 5000, maxBytes: 1 << 30 });
  const rec = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(1500) });
  s.keep('warm', rec(0)); s.flush();
  const r0 = rec(0);
  const out: Record<string, number> = {};
  let t = performance.now(); for (let i = 0; i < 100000; i++) s.keep('warm', r0); out.warmKeepUs = ((performance.now() - t) * 1000) / 100000;
  for (const batch of [1, 168]) {
    t = performance.now(); let n = 0;
    for (let r = 0; r < 60; r++) { for (let i = 0; i < batch; i++) s.keep(`b${batch}-${r}-${i}`, rec(i)); s.flush(); n++; }
    out[`flushBatch${batch}Ms`] = (performance.now() - t) / n;
  }
  t = performance.now(); for (let r = 0; r < 60; r++) { for (let i = 0; i < 168; i++) s.keep(`e-${r}-${i}`, rec(i)); s.flush(); } out.flushBatch168EvictingMs = (performance.now() - t) / 60;
  console.log(JSON.stringify({ ...out, size: s.size(), evicted: s.evicted }));
  s.close(); rmSync(dir, { recursive: true, force: true });
});
