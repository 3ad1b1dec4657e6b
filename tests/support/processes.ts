/** Compiling test definitions and watching instances, shared by the scenario tests. */
import type { WorkflowHandle } from '@temporalio/client';
import { catalogue } from '../../activities';
import { compileAll, type CompiledDefinition } from '../../dsl/compile';
import { DEFAULT_PEOPLE_FILE, loadDirectory } from '../../directory/load';
import { formatIssues } from '../../dsl/issues';
import { stateQuery, type InstanceState, type OpenTask } from '../../workflows/messages';

/** Compiles YAML texts together (the first is returned); fails the test with the problems if any. */
export async function compile(yaml: string, ...others: string[]): Promise<CompiledDefinition> {
  const results = await compileAll([yaml, ...others].map((text, i) => ({ file: `test-${i}.yaml`, text })), catalogue);
  const problems = results.filter((r) => r.issues.length).map((r) => formatIssues(r.file, r.issues));
  if (problems.length) throw new Error(problems.join('\n'));
  return results[0].definition!;
}

export async function state(handle: WorkflowHandle): Promise<InstanceState> {
  return handle.query(stateQuery);
}

/** Polls the state query until a task matching `match` is open (real time, a few seconds at most). */
export async function openTask(handle: WorkflowHandle, match: (task: OpenTask) => boolean = () => true): Promise<OpenTask> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const task = (await state(handle).catch(() => undefined))?.openTasks.find(match);
    if (task) return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no matching open task in ${handle.workflowId}`);
}

const people = loadDirectory(DEFAULT_PEOPLE_FILE);

/**
 * A person of the shipped people directory (`config/people.yaml`) as a decision's actor: their id and only
 * the roles the directory gives them, so a test cannot decide a task with a role nobody holds.
 */
export function person(id: string): { id: string; roles: string[] } {
  const found = people.person(id);
  if (!found) throw new Error(`no person '${id}' in config/people.yaml; people: ${people.people.map((p) => p.id).join(', ')}`);
  return { id: found.id, roles: [...found.roles] };
}

/** Polls (real time, 5 s at most) until `done` holds: e-mails about a task are sent alongside it, not before it opens. */
export async function waitFor(done: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 100 && !done(); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!done()) throw new Error('the expected condition did not come about within 5 seconds');
}

/**
 * Waits until the task's holders were e-mailed about it (the audit's `notified`). Deciding only then leaves
 * no e-mail activity in flight when the instance ends, which would hold the time-skipping clock.
 */
export async function notified(handle: WorkflowHandle, taskId: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const entry = (await state(handle)).audit.find((e) => e.event === 'notified' && e.taskId === taskId);
    if (entry) return entry.detail ?? '';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nobody was e-mailed about ${taskId}`);
}

/**
 * Waits for the instance to end by polling its state. On the time-skipping server, awaiting
 * `handle.result()` lets the clock jump years ahead once no timer is left, past a later scenario's date.
 */
export async function ended(handle: WorkflowHandle): Promise<{ status: string; reason?: string }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const now = await state(handle);
    if (now.status !== 'running') return { status: now.status, reason: now.reason };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${handle.workflowId} did not end`);
}
