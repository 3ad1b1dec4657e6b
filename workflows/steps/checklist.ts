/** `checklist:` automatic checks first; then each verifier role confirms its items, with evidence where required. */
import { proxyActivities } from '@temporalio/workflow';
import { render, resolveValue, test } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import type { Flow, StepContext } from './context';
import { isRecovery, recoverable, recoveryFlow } from './incident';
import { awaitDecision } from './open-task';
import { assignee } from './roles';

export async function checklist(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const checklist = step.checklist!;
  const items: Record<string, { ok: boolean; evidence?: string; by: string; automatic: boolean }> = {};
  for (const item of checklist.items) {
    if (!item.check) continue;
    const activities = proxyActivities<Record<string, (input: unknown) => Promise<unknown>>>({ activityId: `${id}.${item.id}`, startToCloseTimeout: '1 minute' });
    const args = await resolveValue(item.check.with ?? {}, ctx.scope());
    const result = await recoverable(ctx, step, `${id}.${item.id}`, () => activities[item.check!.call](args));
    if (isRecovery(result)) {
      if ('cancelled' in result) return { end: { status: 'cancelled', reason: result.cancelled } };
      continue; // skipped: the verifier checks this item by hand
    }
    const ok = await test(item.check.expect, { ...ctx.scope(), result });
    items[item.id] = { ok, evidence: JSON.stringify(result), by: item.check.call, automatic: true };
  }
  const byRole = new Map<string, typeof checklist.items>();
  for (const item of checklist.items) {
    if (items[item.id]?.ok) continue;
    const verifier = await assignee(ctx, step, `${id}.${item.id}`, item.verifier);
    if (isRecovery(verifier)) {
      if ('cancelled' in verifier) return recoveryFlow(verifier);
      continue; // skipped: nobody verifies this item
    }
    byRole.set(verifier, [...(byRole.get(verifier) ?? []), item]);
  }
  const title = await render(checklist.title, ctx.scope());
  await Promise.all(
    [...byRole].map(async ([role, roleItems]) => {
      const decided = await awaitDecision(ctx, step, {
        id: `${id}.${role}`,
        stepId: step.id,
        kind: 'checklist',
        roles: [role],
        title,
        instructions: roleItems.map((item) => `- ${item.id}: ${item.label}${items[item.id] ? ' (automatic check failed)' : ''}`).join('\n'),
        outcomes: ['confirm'],
        commentRequired: [],
        form: checklistForm(roleItems),
      }, checklist.due);
      for (const item of roleItems) {
        const answer = (decided.form?.[item.id] ?? {}) as { ok?: boolean; evidence?: string };
        items[item.id] = { ok: answer.ok === true, evidence: answer.evidence, by: decided.by, automatic: false };
      }
    }),
  );
  if (step.result) ctx.variables[step.result] = { passed: Object.values(items).every((i) => i.ok), items };
  return {};
}

function checklistForm(items: { id: string; evidence?: 'required' | 'optional' }[]): Record<string, unknown> {
  const item = (evidence: boolean) => ({
    type: 'object',
    required: evidence ? ['ok', 'evidence'] : ['ok'],
    properties: { ok: { type: 'boolean' }, evidence: { type: 'string', minLength: 1 } },
  });
  return {
    type: 'object',
    required: items.map((i) => i.id),
    properties: Object.fromEntries(items.map((i) => [i.id, item(i.evidence === 'required')])),
  };
}
