/**
 * What a cache miss adds to a decision, measured without a server: the worker replays the instance's whole
 * history in a fresh workflow context before it can take the decision. This replays each variant's parked
 * history in this process (the SDK's replay worker, workflows on the main thread), the variants taking turns
 * so that they share whatever else the machine is doing, and counts the promises each workflow makes on
 * the way: inside a workflow each promise runs the SDK's promise hook (which captures a stack trace where
 * stack traces are kept: the hand-written workflow), so the count is an exact measure of much of a replay's
 * CPU, where times on a shared machine are not.
 */
import type { DataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promiseHooks } from 'node:v8';

export interface ReplaySubject {
  bundlePath: string;
  history: temporal.api.history.v1.IHistory;
  /** For the census: the history of an instance decided and parked again at the next wait. */
  decided?: temporal.api.history.v1.IHistory;
}

export interface ReplayCost {
  /** Promises made inside the workflow per replay (the SDK's and the workflow's own). */
  promisesPerReplay: number;
  /** Wall time per replay, mean over the rounds, after one replay to warm up. */
  msPerReplay: number;
}

const TURN = 10;

/** What else to find out about the replays: where their promises come from, and a CPU profile of each variant's. */
export interface ReplayDiagnostics {
  census?: boolean;
  /** A directory for `replay-<variant>.cpuprofile`: `rounds` replays of that variant alone. */
  profileDir?: string;
}

export async function replayCosts<K extends string>(subjects: Record<K, ReplaySubject>, dataConverter: DataConverter, rounds: number, diagnostics: ReplayDiagnostics = {}): Promise<Record<K, ReplayCost>> {
  const names = Object.keys(subjects) as K[];
  const totals = Object.fromEntries(names.map((name) => [name, { promises: 0, ms: 0 }])) as Record<K, { promises: number; ms: number }>;
  const replay = async ({ bundlePath, history }: ReplaySubject, count: number) => {
    const histories = Array.from({ length: count }, (_, i) => ({ history, workflowId: `replay-${i}` }));
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath }, dataConverter, replayName: 'bench-replay' }, histories)) {
      if (result.error) throw result.error;
    }
  };
  for (const name of names) await replay(subjects[name], 1);
  for (let done = 0; done < rounds; done += TURN) {
    for (const name of names) {
      let promises = 0;
      // Workflow code runs in a V8 context of its own, whose promises are not this context's `Promise`.
      const stop = promiseHooks.onInit((promise: Promise<unknown>) => {
        if (promise.constructor !== Promise) promises++;
      });
      const began = performance.now();
      try {
        await replay(subjects[name], TURN);
      } finally {
        stop();
      }
      totals[name].ms += performance.now() - began;
      totals[name].promises += promises;
    }
  }
  if (diagnostics.census) {
    for (const name of names) {
      const { decided, ...parked } = subjects[name];
      console.log(`where ${name}'s promises come from, per replay of a parked instance:\n${await promiseCensus(parked, replay)}`);
      if (decided) console.log(`and of one decided and parked again at the next wait:\n${await promiseCensus({ ...parked, history: decided }, replay)}`);
    }
  }
  if (diagnostics.profileDir) {
    for (const name of names) {
      const file = path.join(diagnostics.profileDir, `replay-${name}.cpuprofile`);
      await profiled(file, () => replay(subjects[name], rounds));
      console.log(`CPU profile of ${rounds} replays of ${name}: ${file}`);
    }
  }
  const replays = Math.ceil(rounds / TURN) * TURN;
  return Object.fromEntries(names.map((name) => [name, { promisesPerReplay: totals[name].promises / replays, msPerReplay: totals[name].ms / replays }])) as Record<K, ReplayCost>;
}

/**
 * Which functions make a replay's promises: for each promise made inside the workflow, the function that made
 * it and the one below (`new Promise < scheduleActivity`, `Instance.enter < Instance.runSteps`), most first.
 */
async function promiseCensus(subject: ReplaySubject, replay: (subject: ReplaySubject, count: number) => Promise<void>): Promise<string> {
  const counts = new Map<string, number>();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 6;
  const stop = promiseHooks.onInit((promise: Promise<unknown>) => {
    if (promise.constructor === Promise) return;
    const frames = (new Error().stack ?? '').split('\n').slice(2).filter((line) => !line.includes('node:internal')).slice(0, 2).map((line) => line.trim().replace(/^at /, '').replace(/ \(.*\)$/, ''));
    const caller = frames.join(' < ');
    counts.set(caller, (counts.get(caller) ?? 0) + 1);
  });
  try {
    await replay(subject, 1);
  } finally {
    stop();
    Error.stackTraceLimit = limit;
  }
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  return [`${String(total).padStart(6)}  in all`, ...[...counts].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([caller, n]) => `${String(n).padStart(6)}  ${caller}`)].join('\n');
}

async function profiled(file: string, work: () => Promise<void>): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await work();
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
  } finally {
    session.disconnect();
  }
}
