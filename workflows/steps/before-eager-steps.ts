/**
 * `branch:`, `set:`, `end:`, `call:`, `task:` and `checklist:` as instances started before the patch `eager-steps` run them:
 * async, with a promise for every step and every expression. Kept exactly as they were: how many promises a step makes
 * decides the order in which steps running side by side (parallel branches, for-each items) give their
 * commands, and a recorded history replays only in the order it was recorded.
 */
import { patched } from '@temporalio/workflow';
import { render, resolveValue, test } from '../../dsl/expressions';
import type { ChecklistItemSpec, Step, StepKind } from '../../dsl/model';
import { proxyActions } from '../actions';
import { now } from '../clock';
import { expectationFailed, recorded, stepActivities } from './call';
import { CHECKLIST_MUST_PASS, checklistForm, recordFailures, type Answer, type ItemResult } from './checklist';
import { target, type Flow, type StepContext } from './context';
import { isRecovery, recoverable, recoveryFlow } from './incident';
import { awaitDecision } from './open-task';
import { assignee } from './roles';
import { taskSpec } from './task';

async function branch(ctx: StepContext, step: Step): Promise<Flow> {
  for (const branchCase of step.branch!) {
    if (branchCase.when === undefined || (await test(branchCase.when, ctx.scope()))) return target(ctx, branchCase);
  }
  return {};
}

async function set(ctx: StepContext, step: Step): Promise<Flow> {
  for (const [name, value] of Object.entries(step.set!)) ctx.variables[name] = await resolveValue(value, ctx.scope());
  await ctx.deadlines.fixKnown();
  ctx.search.changedNow();
  return {};
}

async function end(ctx: StepContext, step: Step): Promise<Flow> {
  return { end: { status: step.end!, reason: step.reason === undefined ? undefined : await render(step.reason, ctx.scope()) } };
}

async function call(ctx: StepContext, step: Step, activityId: string): Promise<Flow> {
  const activities = stepActivities(step, activityId);
  const args = await resolveValue(step.with ?? {}, ctx.scope());
  const result = await recoverable(ctx, step, activityId, async () => {
    const value = await activities[step.call!](args);
    if (step.expect !== undefined && !(await test(step.expect, { ...ctx.scope(), result: value }))) throw expectationFailed(step, value);
    return value;
  });
  return isRecovery(result) ? recoveryFlow(result) : recorded(ctx, step, result);
}

async function humanTask(ctx: StepContext, step: Step, taskId: string): Promise<Flow> {
  const task = step.task!;
  const role = await assignee(ctx, step, taskId, task.role);
  if (isRecovery(role)) return recoveryFlow(role);
  const title = await render(task.title, ctx.scope());
  const instructions = task.instructions === undefined ? undefined : await render(task.instructions, ctx.scope());
  const decided = await awaitDecision(ctx, step, taskSpec(ctx, step, taskId, role, { title, instructions }), task.due);
  if (step.result) ctx.variables[step.result] = decided;
  return target(ctx, task.outcomes[decided.outcome]);
}

async function checklist(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const checklist = step.checklist!;
  const items: Record<string, ItemResult> = {};
  const applicable: ChecklistItemSpec[] = [];
  for (const item of checklist.items) {
    // The label may name the instance's data ("Invoice {{ invoiceNo }} paid"): filled in as the item applies.
    if (item.when === undefined || (await test(item.when, ctx.scope()))) applicable.push({ ...item, label: await render(item.label, ctx.scope()) });
    else ctx.audit.push({ at: now(), event: 'skipped', stepId: step.id, detail: `item '${item.id}' does not apply (when: ${item.when})` });
  }

  const automaticFailures: ChecklistItemSpec[] = [];
  for (const item of applicable) {
    if (!item.check) continue;
    const activities = proxyActions({ activityId: `${id}.${item.id}` });
    const args = await resolveValue(item.check.with ?? {}, ctx.scope());
    const result = await recoverable(ctx, step, `${id}.${item.id}`, () => activities[item.check!.call](args));
    if (isRecovery(result)) {
      if ('cancelled' in result) return { end: { status: 'cancelled', reason: result.cancelled } };
      continue; // skipped: the verifier checks this item by hand
    }
    const ok = await test(item.check.expect, { ...ctx.scope(), result });
    items[item.id] = { ok, evidence: JSON.stringify(result), by: item.check.call, automatic: true };
    if (!ok) {
      items[item.id].reason = `automatic check failed: ${item.check.expect}`;
      if (checklist['on-check-fail'] === 'fail') automaticFailures.push(item);
    }
  }
  const outcome = () => ({ passed: applicable.every((i) => items[i.id]?.ok || items[i.id]?.notApplicable), items });
  if (automaticFailures.length && checklist['on-fail']) {
    recordFailures(ctx, step, automaticFailures, items);
    if (step.result) ctx.variables[step.result] = outcome();
    return target(ctx, checklist['on-fail'], `checklist item ${automaticFailures.map((i) => `'${i.id}'`).join(', ')} failed`);
  }

  // Who verifies each item that still needs a person: a role the data chooses is resolved once, here.
  const verifierOf = new Map<string, string>();
  for (const item of applicable) {
    if (items[item.id]?.ok) continue;
    const verifier = await assignee(ctx, step, `${id}.${item.id}`, item.verifier);
    if (isRecovery(verifier)) {
      if ('cancelled' in verifier) return recoveryFlow(verifier);
      continue; // skipped: nobody verifies this item
    }
    verifierOf.set(item.id, verifier);
  }
  const title = await render(checklist.title, ctx.scope());
  let pending = applicable.filter((item) => !items[item.id]?.ok && verifierOf.has(item.id));
  for (let round = 1; pending.length; round++) {
    const byRole = new Map<string, ChecklistItemSpec[]>();
    for (const item of pending) {
      const role = verifierOf.get(item.id)!;
      byRole.set(role, [...(byRole.get(role) ?? []), item]);
    }
    await Promise.all(
      [...byRole].map(async ([role, roleItems]) => {
        const decided = await awaitDecision(ctx, step, {
          id: round === 1 ? `${id}.${role}` : `${id}.${role}-${round}`,
          stepId: step.id,
          kind: 'checklist',
          roles: [role],
          title,
          instructions: roleItems.map((item) => `- ${item.id}: ${item.label}${items[item.id] ? ` (${items[item.id].reason ?? 'not done'})` : ''}`).join('\n'),
          outcomes: ['confirm'],
          commentRequired: [],
          form: checklistForm(roleItems),
        }, checklist.due);
        for (const item of roleItems) {
          const answer = (decided.form?.[item.id] ?? {}) as Answer;
          const notApplicable = answer.notApplicable === true && item['not-applicable'] === 'allowed';
          items[item.id] = { ok: !notApplicable && answer.ok === true, notApplicable: notApplicable || undefined, evidence: answer.evidence, reason: answer.reason, by: decided.by, automatic: false };
        }
      }),
    );
    const failed = pending.filter((item) => !items[item.id].ok && !items[item.id].notApplicable);
    if (!failed.length || !patched(CHECKLIST_MUST_PASS)) break;
    recordFailures(ctx, step, failed, items);
    if (checklist['on-fail']) {
      if (step.result) ctx.variables[step.result] = outcome();
      return target(ctx, checklist['on-fail'], `checklist item ${failed.map((i) => `'${i.id}'`).join(', ')} not done`);
    }
    pending = failed; // the checklist stays open for these items
  }
  if (step.result) ctx.variables[step.result] = outcome();
  return {};
}

export const handlersBeforeEagerSteps: Partial<Record<StepKind, (ctx: StepContext, step: Step, id: string) => Promise<Flow>>> = { branch, set, end, call, task: humanTask, checklist };
