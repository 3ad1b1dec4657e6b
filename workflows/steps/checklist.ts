/**
 * `checklist:` automatic checks first; then each verifier role confirms its items, with evidence where
 * required. Items whose `when` does not hold are left out. A checklist passes only when every item that
 * applies is done (or, where the definition allows it, marked not applicable): an item answered "not done"
 * is recorded in the audit with its reason, and the checklist either goes to `on-fail` or stays open for
 * the failed items, asking their verifiers again.
 */
import { patched } from '@temporalio/workflow';
import { renderEagerly, resolveEagerly, testEagerly } from '../../dsl/expressions';
import type { ChecklistItemSpec, Step } from '../../dsl/model';
import { proxyActions } from '../actions';
import { now } from '../clock';
import { targetEagerly, type Flow, type StepContext } from './context';
import { isRecovery, recoverable, recoveryFlow } from './incident';
import { awaitDecision } from './open-task';
import { assigneeEagerly } from './roles';

/** Instances started before this change let a checklist with failed items pass, as they did then. */
export const CHECKLIST_MUST_PASS = 'checklist-must-pass';

export interface ItemResult {
  ok: boolean;
  notApplicable?: boolean;
  evidence?: string;
  /** Why the item is not done, or not applicable. */
  reason?: string;
  by: string;
  automatic: boolean;
}

/** What a verifier answers for one item. */
export interface Answer {
  ok?: boolean;
  notApplicable?: boolean;
  evidence?: string;
  reason?: string;
}

export async function checklist(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const checklist = step.checklist!;
  const items: Record<string, ItemResult> = {};
  const applicable: ChecklistItemSpec[] = [];
  for (const item of checklist.items) {
    const applies = item.when === undefined || testEagerly(item.when, ctx.scope());
    if (!(applies instanceof Promise ? await applies : applies)) {
      ctx.audit.push({ at: now(), event: 'skipped', stepId: step.id, detail: `item '${item.id}' does not apply (when: ${item.when})` });
      continue;
    }
    // The label may name the instance's data ("Invoice {{ invoiceNo }} paid"): filled in as the item applies.
    const label = renderEagerly(item.label, ctx.scope());
    applicable.push({ ...item, label: label instanceof Promise ? await label : label });
  }

  const automaticFailures: ChecklistItemSpec[] = [];
  for (const item of applicable) {
    if (!item.check) continue;
    const activities = proxyActions({ activityId: `${id}.${item.id}` });
    const resolved = resolveEagerly(item.check.with ?? {}, ctx.scope());
    const args = resolved instanceof Promise ? await resolved : resolved;
    const result = await recoverable(ctx, step, `${id}.${item.id}`, () => activities[item.check!.call](args));
    if (isRecovery(result)) {
      if ('cancelled' in result) return { end: { status: 'cancelled', reason: result.cancelled } };
      continue; // skipped: the verifier checks this item by hand
    }
    const expected = testEagerly(item.check.expect, { ...ctx.scope(), result });
    const ok = expected instanceof Promise ? await expected : expected;
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
    return targetEagerly(ctx, checklist['on-fail'], `checklist item ${automaticFailures.map((i) => `'${i.id}'`).join(', ')} failed`);
  }

  // Who verifies each item that still needs a person: a role the data chooses is resolved once, here.
  const verifierOf = new Map<string, string>();
  for (const item of applicable) {
    if (items[item.id]?.ok) continue;
    const chosen = assigneeEagerly(ctx, step, `${id}.${item.id}`, item.verifier);
    const verifier = chosen instanceof Promise ? await chosen : chosen;
    if (isRecovery(verifier)) {
      if ('cancelled' in verifier) return recoveryFlow(verifier);
      continue; // skipped: nobody verifies this item
    }
    verifierOf.set(item.id, verifier);
  }
  const rendered = renderEagerly(checklist.title, ctx.scope());
  const title = rendered instanceof Promise ? await rendered : rendered;
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
      return targetEagerly(ctx, checklist['on-fail'], `checklist item ${failed.map((i) => `'${i.id}'`).join(', ')} not done`);
    }
    pending = failed; // the checklist stays open for these items
  }
  if (step.result) ctx.variables[step.result] = outcome();
  return {};
}

export function recordFailures(ctx: StepContext, step: Step, failed: ChecklistItemSpec[], items: Record<string, ItemResult>): void {
  for (const item of failed) {
    const result = items[item.id];
    ctx.audit.push({
      at: now(),
      event: 'item-failed',
      stepId: step.id,
      actor: result.by,
      detail: `'${item.id}' (${item.label}) not done: ${result.reason ?? 'no reason given'}`,
    });
  }
}

/**
 * One object per item: `ok` (with `evidence` where required), or `ok: false` with a `reason`; where the
 * definition allows it, `notApplicable: true` with a `reason`.
 */
export function checklistForm(items: ChecklistItemSpec[]): Record<string, unknown> {
  const item = (spec: ChecklistItemSpec) => {
    const mayNotApply = spec['not-applicable'] === 'allowed';
    const evidenceRequired = spec.evidence === 'required';
    return {
      type: 'object',
      ...(mayNotApply ? {} : { required: ['ok'] }),
      properties: {
        ok: { type: 'boolean' },
        evidence: { type: 'string', minLength: 1 },
        reason: { type: 'string', minLength: 1 },
        ...(mayNotApply ? { notApplicable: { type: 'boolean' } } : {}),
      },
      additionalProperties: false,
      allOf: [
        // Done: evidence where the item needs it. Not done, or not applicable: the reason why.
        ...(evidenceRequired ? [{ if: { properties: { ok: { const: true } }, required: ['ok'] }, then: { required: ['evidence'] } }] : []),
        { if: { properties: { ok: { const: false } }, required: ['ok'] }, then: { required: ['reason'] } },
        ...(mayNotApply
          ? [
              { if: { properties: { notApplicable: { const: true } }, required: ['notApplicable'] }, then: { required: ['reason'] }, else: { required: ['ok'] } },
            ]
          : []),
      ],
    };
  };
  return {
    type: 'object',
    required: items.map((i) => i.id),
    properties: Object.fromEntries(items.map((i) => [i.id, item(i)])),
  };
}
