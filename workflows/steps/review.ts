/**
 * `review:` the reviewer approves, rejects, or returns the work with a reason to its owner, round after round.
 * With several reviewers (`reviewers:`) each decides in turn, and a return sends the work back to the owner,
 * after which review starts again from the first reviewer. Steps under `on-return:` run each time the work
 * is returned, before the owner's rework task opens; steps under `on-resubmit:` each time the owner
 * resubmits it, before the next round. The verdicts' names and labels are the definition's
 * (`outcomes:`, read by `dsl/review.ts`). Reaching the round cap never rejects by itself: the reviewer
 * (joined by `on-cap.escalate`, if given) must then approve or reject, or the process goes to
 * `on-cap.next`. Only a person's reject rejects.
 */
import { patched } from '@temporalio/workflow';
import { render } from '../../dsl/expressions';
import type { Step, Target } from '../../dsl/model';
import { reviewersOf, reviewVerdicts, type ReviewVerdict } from '../../dsl/review';
import { now } from '../clock';
import type { Decided } from '../tasks';
import { target, type Flow, type StepContext } from './context';
import { isRecovery, recoveryFlow } from './incident';
import { awaitDecision } from './open-task';
import { assignee } from './roles';

/** Instances started before this change end through their `on-cap` target, as they did then. */
const CAP_NEVER_REJECTS = 'review-cap-never-rejects';

/** One reviewer's approval in the round that passed, as the step's result lists them. */
interface Approval {
  reviewer: string;
  by: string;
  at: string;
  comment?: string;
}

export async function review(ctx: StepContext, step: Step, id: string): Promise<Flow> {
  const review = step.review!;
  const cap = review['max-rounds'];
  const title = () => render(review.title, ctx.scope());
  const verdicts = reviewVerdicts(review);
  const verdictOf = (outcome: string) => verdicts.find((v) => v.name === outcome)!;
  const rounds: Decided[] = [];
  // Roles are resolved in the order they always were: the (first) reviewer, then the owner.
  const stages = reviewersOf(review);
  const reviewers: string[] = [];
  for (const [index, entry] of stages.entries()) {
    const role = await assignee(ctx, step, index === 0 ? `${id}.reviewer` : `${id}.reviewer-${index + 1}`, entry.reviewer);
    if (isRecovery(role)) return recoveryFlow(role);
    reviewers.push(role);
  }
  const owner = await assignee(ctx, step, `${id}.owner`, review.owner);
  if (isRecovery(owner)) return recoveryFlow(owner);
  let capped = false;
  // The stage resubmitted work comes back to: where the review began (the first reviewer's turn).
  const reviewStage = ctx.stage;
  for (let round = 1; ; round++) {
    const approvals: Approval[] = [];
    let returned: { decided: Decided; verdict: ReviewVerdict; by: string } | undefined;
    for (const [index, reviewer] of reviewers.entries()) {
      const own = stages[index].stage;
      const taskId = index === 0 ? `${id}.review-${round}` : `${id}.review-${round}.reviewer-${index + 1}`;
      if (own !== undefined && own !== ctx.stage) {
        const moved = await ctx.enterStage(step, own, `${taskId}.stage`);
        if (moved.end) return moved;
      }
      const roles = [reviewer];
      if (capped && review['on-cap']?.escalate && !roles.includes(review['on-cap'].escalate)) roles.push(review['on-cap'].escalate);
      const offered = capped ? verdicts.filter((v) => v.verdict !== 'return') : verdicts;
      const requires = Object.fromEntries(offered.filter((v) => v.requires.length).map((v) => [v.name, v.requires]));
      const labels = Object.fromEntries(offered.filter((v) => v.label !== undefined).map((v) => [v.name, v.label!]));
      const decided = await awaitDecision(ctx, step, {
        id: taskId,
        stepId: step.id,
        kind: 'review',
        roles,
        title: await title(),
        instructions: capped ? capInstructions(review.instructions, round - 1) : review.instructions,
        outcomes: offered.map((v) => v.name),
        commentRequired: offered.filter((v) => v.commentRequired).map((v) => v.name),
        form: review.form,
        ...(Object.keys(requires).length ? { requires } : {}),
        ...(Object.keys(labels).length ? { labels } : {}),
      }, review.due);
      const verdict = verdictOf(decided.outcome);
      rounds.push(decided);
      if (verdict.verdict === 'approve') approvals.push({ reviewer, by: decided.by, at: decided.at, ...(decided.comment ? { comment: decided.comment } : {}) });
      if (step.result) ctx.variables[step.result] = { ...decided, verdict: verdict.verdict, rounds: round, history: rounds, approvals };
      if (verdict.verdict === 'reject') return target(ctx, verdict.target, decided.comment);
      if (verdict.verdict === 'return') {
        returned = { decided, verdict, by: reviewer };
        break;
      }
    }
    if (!returned) return target(ctx, verdicts[0].target);
    if (cap !== undefined && round >= cap) {
      if (!patched(CAP_NEVER_REJECTS)) return target(ctx, review['on-cap'] as Target, `returned ${round} times`);
      ctx.audit.push({ at: now(), event: 'review-capped', stepId: step.id, detail: capDetail(review['on-cap'], round) });
      if (review['on-cap']?.next !== undefined) return { next: review['on-cap'].next };
      capped = true; // after this rework, the reviewer's (and the escalation role's) final decision
    }
    // While the owner reworks it, the work sits in the returned stage (its ticket moves back there).
    const returnedStage = review['returned-stage'];
    if (returnedStage !== undefined) {
      const moved = await ctx.enterStage(step, returnedStage, `${id}.rework-${round}.stage`);
      if (moved.end) return moved;
    }
    if (review['on-return']) {
      const ending = await ctx.runList(review['on-return']);
      if (ending) return { end: ending };
    }
    await awaitDecision(ctx, step, {
      id: `${id}.rework-${round}`,
      stepId: step.id,
      kind: 'rework',
      roles: [owner],
      title: `Rework: ${await title()}`,
      instructions: reworkInstructions(returned, reviewers.length > 1),
      outcomes: ['resubmit'],
      commentRequired: [],
    }, review.due);
    if (review['on-resubmit']) {
      const ending = await ctx.runList(review['on-resubmit']);
      if (ending) return { end: ending };
    }
    // Back to the review's stage, unless the first reviewer's own stage takes the work there next round.
    if (returnedStage !== undefined && reviewStage !== undefined && stages[0].stage === undefined) {
      const moved = await ctx.enterStage(step, reviewStage, `${id}.resubmit-${round}.stage`);
      if (moved.end) return moved;
    }
  }
}

/** What the owner is told: who returned the work, the comment, and the form fields the return required. */
function reworkInstructions(returned: { decided: Decided; verdict: ReviewVerdict; by: string }, several: boolean): string {
  const { decided, verdict, by } = returned;
  const fields = verdict.requires.map((field) => `${field}: ${String(decided.form?.[field] ?? '')}`);
  const why = [decided.comment, ...fields].filter((part) => part !== undefined && part !== '');
  const who = several ? by : 'the reviewer';
  return why.length ? `Returned by ${who}: ${why.join('; ')}` : `Returned by ${who}`;
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
