/**
 * Stages projected once: a definition's `hubspot-pipeline:` mirrors its stages onto a HubSpot ticket
 * pipeline, so entering a stage moves the ticket there (through `hubspot.moveTicket`, which does nothing
 * when the ticket is there already: idempotent). A move that fails for good opens an incident like any step.
 */
import type { CompiledDefinition } from '../dsl/compile';
import { evaluate } from '../dsl/expressions';
import type { Step } from '../dsl/model';
import { proxyActions } from './actions';
import type { Flow, StepContext } from './steps/context';
import { isRecovery, recoverable, recoveryFlow } from './steps/incident';

/** Whether entering the stage moves a ticket (else `mirrorStage` has nothing to do). */
export function mirrorsStage(def: CompiledDefinition, stage: string): boolean {
  return def['hubspot-pipeline']?.stages[stage] !== undefined;
}

export async function mirrorStage(ctx: StepContext, step: Step, stage: string, activityId: string): Promise<Flow> {
  const mirror = ctx.def['hubspot-pipeline'];
  const label = mirror?.stages[stage];
  if (!mirror || label === undefined) return {};
  const ticketId = await evaluate(mirror.ticket, ctx.scope());
  const activities = proxyActions({ activityId });
  const moved = await recoverable(ctx, step, activityId, () => activities['hubspot.moveTicket']({ ticketId: String(ticketId), pipeline: mirror.pipeline, stage: label }));
  return isRecovery(moved) ? recoveryFlow(moved) : {};
}
