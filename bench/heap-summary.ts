/**
 * `npx tsx bench/heap-summary.ts <before.heapsnapshot> <after.heapsnapshot> [top]`: what grew between two heap
 * snapshots (those `BENCH_HEAP_SNAPSHOTS` writes idle and with every instance parked), by object kind and
 * constructor, with strings grouped by their first characters, so that per-instance memory is found by
 * reading, not guessing. Self sizes only: a kind that grows by N × per-instance size is a per-instance copy.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function sizesByKind(file: string): Map<string, { bytes: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]];
    let name = snap.strings[snap.nodes[i + nameAt]] ?? '';
    // Strings by their opening, code by its kind: enough to tell a schema from a JSONata AST from source text.
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = JSON.stringify(name.slice(0, 40));
    else if (type === 'code' || type === 'hidden') name = name.slice(0, 40);
    const key = `${type} ${name}`;
    const entry = out.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += snap.nodes[i + sizeAt];
    entry.count += 1;
    out.set(key, entry);
  }
  return out;
}

const [beforeFile, afterFile, top = '40'] = process.argv.slice(2);
if (!beforeFile || !afterFile) throw new Error('usage: npx tsx bench/heap-summary.ts <before.heapsnapshot> <after.heapsnapshot> [top]');
const before = sizesByKind(beforeFile);
const after = sizesByKind(afterFile);
const grown = [...after].map(([key, a]) => {
  const b = before.get(key) ?? { bytes: 0, count: 0 };
  return { key, bytes: a.bytes - b.bytes, count: a.count - b.count };
});
const totalGrowth = grown.reduce((sum, g) => sum + g.bytes, 0);
console.log(`heap grew ${(totalGrowth / 1048576).toFixed(1)} MiB (self sizes)`);
for (const g of grown.sort((x, y) => y.bytes - x.bytes).slice(0, Number(top))) {
  console.log(`${(g.bytes / 1048576).toFixed(2).padStart(8)} MiB ${String(g.count).padStart(9)} objects  ${g.key.slice(0, 110)}`);
}
