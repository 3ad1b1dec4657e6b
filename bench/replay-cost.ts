/**
 * What a cache miss adds to a decision, measured without a server: the worker replays the instance's whole
 * history in a fresh workflow context before it can take the decision. This replays each variant's parked
 * history in this process (the SDK's replay worker, workflows on the main thread), the variants taking turns
 * so that they share whatever else the machine is doing, and counts the promises each workflow makes on
 * the way: inside a workflow each promise costs a captured stack trace (the SDK's promise hook), so the count
 * is an exact measure of much of a replay's CPU, where times on a shared machine are not.
 */
import type { DataConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { promiseHooks } from 'node:v8';

export interface ReplaySubject {
  bundlePath: string;
  history: temporal.api.history.v1.IHistory;
}

export interface ReplayCost {
  /** Promises made inside the workflow per replay (the SDK's and the workflow's own). */
  promisesPerReplay: number;
  /** Wall time per replay, mean over the rounds, after one replay to warm up. */
  msPerReplay: number;
}

const TURN = 10;

export async function replayCosts<K extends string>(subjects: Record<K, ReplaySubject>, dataConverter: DataConverter, rounds: number): Promise<Record<K, ReplayCost>> {
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
  const replays = Math.ceil(rounds / TURN) * TURN;
  return Object.fromEntries(names.map((name) => [name, { promisesPerReplay: totals[name].promises / replays, msPerReplay: totals[name].ms / replays }])) as Record<K, ReplayCost>;
}
