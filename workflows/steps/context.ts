/**
 * What a step kind's handler may use of the running instance: its definition, variables, audit trail,
 * inbox, task board and deadlines, and the two ways of waiting (`block`) and of running nested steps
 * (`runList`). Each step module is a function of this context and its step; the `Instance` owns the state.
 */
import type { CompiledDefinition } from '../../dsl/compile';
import { andThen, type Eventually } from '../../dsl/eventually';
import { render, renderEagerly, type Scope } from '../../dsl/expressions';
import type { Step, Target } from '../../dsl/model';
import type { Deadlines } from '../deadlines';
import type { AuditEntry, EndStatus, ExternalEvent, WaitView } from '../messages';
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
  /** Task e-mails still being sent. */
  readonly notifying: Promise<unknown>[];
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
  /**
   * Runs nested steps (a parallel branch, a for-each item) in order, with this context or `within` (an item's
   * own variables); returns how the process ends, if one of them ends it.
   */
  runList(steps: Step[], within?: StepContext): Promise<Ending | undefined>;
  /** Put before step ids to make task, activity and child ids unique per for-each item; '' at the top. */
  readonly idPrefix: string;
  /** What the instance is waiting on besides tasks (polls), shown by the state query. */
  readonly waiting: WaitView[];
  /**
   * A safe point inside a long step (nothing in flight): continues as new when Temporal suggests it, if the
   * step is one of the main steps, carrying `progress` so that the step resumes where it was.
   */
  checkpoint(step: Step, progress: unknown): Promise<void>;
  /** The progress a step carried across continue-as-new, the first time it is asked after resuming. */
  resumed(step: Step): unknown;
  /** The stage the instance is in. */
  readonly stage?: string;
  /** Enters a stage (shown in search, mirrored onto the HubSpot pipeline if the definition says so). */
  enterStage(step: Step, stage: string, activityId: string): Promise<Flow>;
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

/** `target` without a promise unless the reason's text is one only JSONata renders (instances under `eager-steps`). */
export function targetEagerly(ctx: StepContext, target: Target | undefined, fallbackReason?: string): Eventually<Flow> {
  if (!target) return {};
  const status = target.end;
  if (!status) return { next: target.next };
  if (target.reason === undefined) return { end: { status, reason: fallbackReason } };
  return andThen(renderEagerly(target.reason, ctx.scope()), (reason) => ({ end: { status, reason } }));
}
