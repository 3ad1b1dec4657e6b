/**
 * `review:` the reviewer approves, rejects, or returns the work with a reason to its owner, round after round.
 * Reaching the round cap never rejects by itself: the reviewer (joined by `on-cap.escalate`, if given) must
 * then approve or reject, or the process goes to `on-cap.next`. Only a person's reject rejects.
 */
import { patched } from '@temporalio/workflow';
import { render } from '../../dsl/expressions';
import type { Step, Target } from '../../dsl/model';
import { now } from '../clock';
import type { Decided } from '../tasks';
import { target, type Flow, type StepContext } from './context';
import { isRecovery, recoveryFlow } from './incident';
import { awaitDecision } from './open-task';
import { assignee } from './roles';

/** Instances started before this change end through their `on-cap` target, as they did then. */
const CAP_NEVER_REJECTS = 'review-cap-never-rejects';

export async function review(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const review = step.review!;
  const cap = review['max-rounds'];
  const title = () => render(review.title, ctx.scope());
  const rounds: Decided[] = [];
  const reviewer = await assignee(ctx, step, `${id}.reviewer`, review.reviewer);
  if (isRecovery(reviewer)) return recoveryFlow(reviewer);
  const owner = await assignee(ctx, step, `${id}.owner`, review.owner);
  if (isRecovery(owner)) return recoveryFlow(owner);
  let capped = false;
  for (let round = 1; ; round++) {
    const roles = [reviewer];
    if (capped && review['on-cap']?.escalate && !roles.includes(review['on-cap'].escalate)) roles.push(review['on-cap'].escalate);
    const decided = await awaitDecision(ctx, step, {
      id: `${id}.review-${round}`,
      stepId: step.id,
      kind: 'review',
      roles,
      title: await title(),
      instructions: capped ? capInstructions(review.instructions, round - 1) : review.instructions,
      outcomes: capped ? ['approve', 'reject'] : ['approve', 'reject', 'return'],
      commentRequired: ['reject', 'return'],
      form: review.form,
    }, review.due);
    rounds.push(decided);
    if (step.result) ctx.variables[step.result] = { ...decided, rounds: round, history: rounds };
    if (decided.outcome === 'approve') return target(ctx, review.approved);
    if (decided.outcome === 'reject') return target(ctx, review.rejected ?? { end: 'rejected', reason: decided.comment });
    if (cap !== undefined && round >= cap) {
      if (!patched(CAP_NEVER_REJECTS)) return target(ctx, review['on-cap'] as Target, `returned ${round} times`);
      ctx.audit.push({ at: now(), event: 'review-capped', stepId: step.id, detail: capDetail(review['on-cap'], round) });
      if (review['on-cap']?.next !== undefined) return { next: review['on-cap'].next };
      capped = true; // after this rework, the reviewer's (and the escalation role's) final decision
    }
    // While the owner reworks it, the work sits in the returned stage (its ticket moves back there).
    const reviewStage = ctx.stage;
    const returnedStage = review['returned-stage'];
    if (returnedStage !== undefined) {
      const moved = await ctx.enterStage(step, returnedStage, `${id}.rework-${round}.stage`);
      if (moved.end) return moved;
    }
    await awaitDecision(ctx, step, {
      id: `${id}.rework-${round}`,
      stepId: step.id,
      kind: 'rework',
      roles: [owner],
      title: `Rework: ${await title()}`,
      instructions: `Returned by the reviewer: ${decided.comment}`,
      outcomes: ['resubmit'],
      commentRequired: [],
    }, review.due);
    if (returnedStage !== undefined && reviewStage !== undefined) {
      const moved = await ctx.enterStage(step, reviewStage, `${id}.resubmit-${round}.stage`);
      if (moved.end) return moved;
    }
  }
}

function capInstructions(instructions: string | undefined, returned: number): string {
  const note = `Returned ${returned} times, the round cap: approve or reject, giving the reason.`;
  return instructions ? `${instructions}\n${note}` : note;
}

function capDetail(onCap: { escalate?: string; next?: string } | undefined, round: number): string {
  if (onCap?.next !== undefined) return `returned ${round} times; going to '${onCap.next}'`;
  if (onCap?.escalate !== undefined) return `returned ${round} times; escalated to ${onCap.escalate} to approve or reject`;
  return `returned ${round} times; the reviewer must approve or reject`;
}
