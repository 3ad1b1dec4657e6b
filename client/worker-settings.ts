/**
 * The worker settings that matter when several workers share a cluster, from the environment. Unset means the
 * SDK's default. Each is a positive whole number; a wrong one stops the worker before it connects, naming the
 * variable.
 */
import type { WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';

const count = z.coerce.number().int().positive();

/** Environment variable → the SDK's worker option it sets. */
const SETTINGS = {
  WORKER_MAX_CACHED_WORKFLOWS: 'maxCachedWorkflows',
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 'maxConcurrentWorkflowTaskExecutions',
  WORKER_MAX_CONCURRENT_ACTIVITIES: 'maxConcurrentActivityTaskExecutions',
  WORKER_WORKFLOW_POLLERS: 'maxConcurrentWorkflowTaskPolls',
  WORKER_ACTIVITY_POLLERS: 'maxConcurrentActivityTaskPolls',
} as const satisfies Record<string, keyof WorkerOptions>;

type SettingName = keyof typeof SETTINGS;

const schema = z.object(Object.fromEntries(Object.keys(SETTINGS).map((name) => [name, count.optional()])) as Record<SettingName, z.ZodOptional<typeof count>>);

export type WorkerTuning = Partial<Pick<WorkerOptions, (typeof SETTINGS)[SettingName]>>;

/** Every wrong variable at once, e.g. "WORKER_MAX_CACHED_WORKFLOWS: expected a positive whole number, got 'lots'". */
export function workerTuningFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const present = Object.fromEntries(Object.keys(SETTINGS).filter((name) => env[name]?.trim()).map((name) => [name, env[name]!.trim()]));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])}: expected a positive whole number, got '${present[String(issue.path[0])]}'`);
    throw new Error(`wrong worker settings:\n${problems.join('\n')}`);
  }
  const tuning: WorkerTuning = {};
  for (const [name, option] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const value = parsed.data[name];
    if (value !== undefined) tuning[option] = value;
  }
  return tuning;
}
