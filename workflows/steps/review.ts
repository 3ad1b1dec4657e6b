/** `review:` the reviewer approves, rejects, or returns the work with a reason to its owner, round after round. */
import { render } from '../../dsl/expressions';
import type { Step } from '../../dsl/model';
import type { Decided } from '../tasks';
import { target, type Flow, type StepContext } from './context';
import { isRecovery, recoveryFlow } from './incident';
import { awaitDecision } from './open-task';
import { assignee } from './roles';

export async function review(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const review = step.review!;
  const rounds: Decided[] = [];
  const reviewer = await assignee(ctx, step, `${id}.reviewer`, review.reviewer);
  if (isRecovery(reviewer)) return recoveryFlow(reviewer);
  const owner = await assignee(ctx, step, `${id}.owner`, review.owner);
  if (isRecovery(owner)) return recoveryFlow(owner);
  for (let round = 1; ; round++) {
    const decided = await awaitDecision(ctx, step, {
      id: `${id}.review-${round}`,
      stepId: step.id,
      kind: 'review',
      roles: [reviewer],
      title: await render(review.title, ctx.scope()),
      instructions: review.instructions,
      outcomes: ['approve', 'reject', 'return'],
      commentRequired: ['reject', 'return'],
      form: review.form,
    }, review.due);
    rounds.push(decided);
    if (step.result) ctx.variables[step.result] = { ...decided, rounds: round, history: rounds };
    if (decided.outcome === 'approve') return target(ctx, review.approved);
    if (decided.outcome === 'reject') return target(ctx, review.rejected ?? { end: 'rejected', reason: decided.comment });
    if (round >= review['max-rounds']) return target(ctx, review['on-cap'], `returned ${round} times`);
    await awaitDecision(ctx, step, {
      id: `${id}.rework-${round}`,
      stepId: step.id,
      kind: 'rework',
      roles: [owner],
      title: `Rework: ${await render(review.title, ctx.scope())}`,
      instructions: `Returned by the reviewer: ${decided.comment}`,
      outcomes: ['resubmit'],
      commentRequired: [],
    }, review.due);
  }
}
