/**
 * What a step kind's handler may use of the running instance: its definition, variables, audit trail,
 * inbox, task board and deadlines, and the two ways of waiting (`block`) and of running nested steps
 * (`runList`). Each step module is a function of this context and its step; the `Instance` owns the state.
 */
import type { CompiledDefinition } from '../../dsl/compile';
import { render, type Scope } from '../../dsl/expressions';
import type { Step, Target } from '../../dsl/model';
import type { Deadlines } from '../deadlines';
import type { AuditEntry, EndStatus, ExternalEvent } from '../messages';
import type { SearchAttributePublisher } from '../search-attributes';
import type { TaskBoard } from '../tasks';

/** How the process ends: its status and, when a definition or a person gave one, the reason. */
export interface Ending {
  status: EndStatus;
  reason?: string;
}

/** Where control goes after a step: nowhere special, another step, or the end of the process. */
export interface Flow {
  next?: string;
  end?: Ending;
}

export interface StepContext {
  readonly def: CompiledDefinition;
  readonly variables: Record<string, unknown>;
  readonly audit: AuditEntry[];
  readonly inbox: ExternalEvent[];
  readonly tasks: TaskBoard;
  readonly deadlines: Deadlines;
  readonly search: SearchAttributePublisher;
  /** Who started the instance, when the starter was authenticated. */
  readonly startedBy?: { id: string };
  /** What expressions see: the variables, `input`, `deadlines` and `now`. */
  scope(): Scope;
  /** Waits on `work` after bringing the search attributes up to date. */
  block<T>(work: () => Promise<T>): Promise<T>;
  /** The stage the instance is in. */
  readonly stage?: string;
  /** Enters a stage (shown in search, mirrored onto the HubSpot pipeline if the definition says so). */
  enterStage(step: Step, stage: string, activityId: string): Promise<Flow>;
  /** Runs nested steps (a parallel branch) in order; returns how the process ends, if one of them ends it. */
  runList(steps: Step[]): Promise<Ending | undefined>;
}

/** Turns an outcome's target into a flow; `fallbackReason` is used when the target ends without a reason. */
export async function target(ctx: StepContext, target: Target | undefined, fallbackReason?: string): Promise<Flow> {
  if (!target) return {};
  if (target.end) {
    const reason = target.reason === undefined ? fallbackReason : await render(target.reason, ctx.scope());
    return { end: { status: target.end, reason } };
  }
  return { next: target.next };
}
