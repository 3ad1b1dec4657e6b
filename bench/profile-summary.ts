/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`: the functions with the most self time in a CPU
 * profile (one written by `BENCH_CPU_PROFILE`), and where each lives, so hot spots are read, not guessed.
 * Idle time (the event loop waiting) and garbage collection are listed like functions.
 *
 * `npx tsx bench/profile-summary.ts <base.cpuprofile> <other.cpuprofile> [top]`: the functions whose self time
 * differs most between two profiles (the hand-written workflow's and the interpreter's), both bundles' code
 * counted as one `bundle`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time in µs by function, and the busy (not idle) total. */
function selfTimes(file: string, bundleAsOne: boolean): { self: Map<string, number>; total: number; busy: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const place = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/perf\//, '');
    const where = !url ? '' : bundleAsOne && /bench-[^/]+\/\w+\.js$/.test(url) ? 'bundle' : `${place}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'} ${where}`;
    const delta = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + delta);
    total += delta;
  });
  return { self, total, busy: total - (self.get('(idle) ') ?? 0) };
}

const ms = (micros: number) => (micros / 1000).toFixed(1).padStart(9);
const args = process.argv.slice(2);
const files = args.filter((arg) => arg.endsWith('.cpuprofile'));
const top = Number(args.find((arg) => !arg.endsWith('.cpuprofile')) ?? 30);
if (files.length === 1) {
  const { self, total, busy } = selfTimes(files[0], false);
  console.log(`${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy (not idle)`);
  for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms(micros)} ms ${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
} else if (files.length === 2) {
  const [base, other] = files.map((file) => selfTimes(file, true));
  console.log(`busy: ${(base.busy / 1000).toFixed(0)} ms and ${(other.busy / 1000).toFixed(0)} ms; self time in ms, most added first`);
  console.log(`${'added'.padStart(9)} ${'base'.padStart(9)} ${'other'.padStart(9)}  function`);
  const keys = [...new Set([...base.self.keys(), ...other.self.keys()])].filter((key) => key !== '(idle) ');
  const added = (key: string) => (other.self.get(key) ?? 0) - (base.self.get(key) ?? 0);
  for (const key of keys.sort((a, b) => added(b) - added(a)).slice(0, top)) {
    console.log(`${ms(added(key))} ${ms(base.self.get(key) ?? 0)} ${ms(other.self.get(key) ?? 0)}  ${key}`);
  }
} else {
  throw new Error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [<other.cpuprofile>] [how many functions]');
}
