/**
 * The API's share of `npm run bench`: starts per second through HTTP against raw client starts on the
 * same dev server, and decision-to-next-step latency through the API (p50, p99): from sending a decision
 * to the next task showing in the instance, as a user of the API sees it.
 *
 * BENCH_API_STARTS (default 200), BENCH_API_CONCURRENCY (10), BENCH_API_DECISIONS (50).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApi } from '../api/app';
import { ApiKeyStore } from '../api/identity/api-keys';
import { DEFINITIONS_DIR } from '../client/definitions';
import { startProcess } from '../client/processes';
import { catalogue } from '../activities';
import { compileAll } from '../dsl/compile';
import { Directory } from '../directory/model';
import { TASK_QUEUE } from '../worker';

const STARTS = Number(process.env.BENCH_API_STARTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_API_CONCURRENCY ?? 10);
const DECISIONS = Number(process.env.BENCH_API_DECISIONS ?? 50);

const TWO_STEPS = `
process: bench-two-steps
version: 1
title: Two tasks in a row
business-key: input.key
roles: { approver: Approver }
input: { type: object, required: [key], properties: { key: { type: string } } }
steps:
  - id: first
    task: { role: approver, title: First, outcomes: { approve: {} } }
  - id: second
    task: { role: approver, title: Second, outcomes: { done: {} } }
`;

async function inLanes(count: number, lanes: number, work: (i: number) => Promise<void>): Promise<number> {
  const began = performance.now();
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) await work(i);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane));
  return performance.now() - began;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function measureApi(env: TestWorkflowEnvironment, bundle: WorkflowBundle): Promise<void> {
  const [result] = await compileAll([{ file: 'bench-two-steps.yaml', text: TWO_STEPS }], catalogue);
  if (!result.definition) throw new Error(`the API benchmark definition does not compile: ${JSON.stringify(result.issues)}`);
  const definition = result.definition;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: {} });
  const keys = new ApiKeyStore(path.join(mkdtempSync(path.join(tmpdir(), 'bench-keys-')), 'keys.json'));
  const app = await buildApi({
    client: env.client,
    registry: new Map([[definition.process, definition]]),
    definitionsDir: DEFINITIONS_DIR,
    directory: new Directory([{ id: 'bench.user', name: 'Bench User', email: 'bench@example.com', roles: ['approver'] }]),
    keys,
    uploadsDir: mkdtempSync(path.join(tmpdir(), 'bench-uploads-')),
    maxUploadBytes: 1024,
    writesPerMinute: 1_000_000,
    webhooks: { routes: { hubspot: {}, jira: {}, partnerstack: {}, jotform: {} } },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const headers = { authorization: `Bearer ${keys.issue('bench.user').key}`, 'content-type': 'application/json' };
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${base}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${await response.text()}`);
    return response.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  const running = worker.run();
  try {
    const stamp = Date.now();
    // Warm both paths.
    await startProcess(env.client, definition, { key: `warm-raw-${stamp}` }, { onConflict: 'use-existing' });
    await call('POST', '/processes/bench-two-steps/instances', { input: { key: `warm-api-${stamp}` } });

    const rawMs = await inLanes(STARTS, CONCURRENCY, async (i) => void (await startProcess(env.client, definition, { key: `raw-${stamp}-${i}` }, { onConflict: 'use-existing' })));
    const apiMs = await inLanes(STARTS, CONCURRENCY, async (i) => void (await call('POST', '/processes/bench-two-steps/instances', { input: { key: `api-${stamp}-${i}` } })));
    const rawRate = STARTS / (rawMs / 1000);
    const apiRate = STARTS / (apiMs / 1000);

    const latencies: number[] = [];
    for (let i = 0; i < DECISIONS; i++) {
      const { workflowId } = await call('POST', '/processes/bench-two-steps/instances', { input: { key: `decide-${stamp}-${i}` } });
      const route = `/instances/${encodeURIComponent(workflowId)}`;
      const open = async (stepId: string) => {
        for (;;) {
          const view = await call('GET', route);
          if (view.openTasks.some((t: { stepId: string }) => t.stepId === stepId)) return view.openTasks.find((t: { stepId: string }) => t.stepId === stepId);
        }
      };
      const first = await open('first');
      const t0 = performance.now();
      await call('POST', `${route}/tasks/${encodeURIComponent(first.id)}/decision`, { outcome: 'approve' });
      await open('second');
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);

    console.log(`\nAPI, dev server, ${STARTS} starts ${CONCURRENCY} at a time (instances wait on their first task)`);
    console.log(`starts/s   raw client ${rawRate.toFixed(1)}   through the API ${apiRate.toFixed(1)}   ratio API / raw ${(apiRate / rawRate).toFixed(2)}`);
    console.log(`decision to next step through the API (${DECISIONS} decisions, one at a time): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
  } finally {
    worker.shutdown();
    await running;
    await app.close();
  }
}
