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

/** Waits until the task's holders were e-mailed about it (the audit's `notified`); returns who was. */
export async function notified(handle: WorkflowHandle, taskId: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const entry = (await state(handle)).audit.find((e) => e.event === 'notified' && e.taskId === taskId);
    if (entry) return entry.detail ?? '';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nobody was e-mailed about ${taskId}`);
}

/**
 * Terminates an instance once nothing of it is under way (no activity, no workflow task). The time-skipping
 * server keeps its clock locked for an instance terminated with an e-mail still queued, and every later
 * skip in the file then waits in real time.
 */
export async function terminateWhenIdle(handle: WorkflowHandle): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { status, raw } = await handle.describe();
    if (status.name !== 'RUNNING') return;
    if (!raw.pendingActivities?.length && !raw.pendingWorkflowTask) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await handle.terminate('test over');
}
