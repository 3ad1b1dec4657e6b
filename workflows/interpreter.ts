/**
 * The interpreter: runs one compiled process definition as a durable workflow. It is registered as the
 * bundle's default workflow, so every process runs under its own workflow type (`reseller-offboarding`),
 * and reads the definition from its input, so an instance keeps the version it started with.
 *
 * The `Instance` keeps the sequencing, the state and the messages (update, signals, query); what each
 * step kind does lives in `steps/`, one module per kind.
 *
 * Deterministic by construction: no I/O, no YAML; time comes from the workflow clock, expressions from
 * JSONata, business days from the calendar snapshots inside the definition.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CompiledDefinition } from '../dsl/compile';
import { andThen, type Eventually } from '../dsl/eventually';
import { test, testEagerly, TIME_CONTEXT, type Scope } from '../dsl/expressions';
import type { Step } from '../dsl/model';
import { now } from './clock';
import { Deadlines } from './deadlines';
import {
  cancelReasonUpdate,
  decideSignal,
  decideUpdate,
  eventSignal,
  searchAttributes,
  stateQuery,
  type AuditEntry,
  type CarriedState,
  type Decision,
  type EndStatus,
  type ExternalEvent,
  type InstanceState,
  type ProcessArgs,
  type ProcessResult,
  type WaitView,
} from './messages';
import { notificationsSent } from './notifications';
import { SearchAttributePublisher } from './search-attributes';
import { mirrorsStage, mirrorStage } from './stage-mirror';
import { handlers, handlersBeforeEager, target, targetEagerly, type Ending, type Flow, type StepContext } from './steps';
import { Secrets } from './sensitive';
import { sharedDefinition } from './shared-definitions';
import { TaskBoard } from './tasks';
import { timeContext, timeLeftInWords } from './time';

/** Instances started before this change end a cancel without recording it in their own trail. */
const CANCEL_IN_AUDIT = 'cancel-in-audit';
/** Instances started before `OverdueSince` existed never set it. */
const OVERDUE_SEARCH_ATTRIBUTE = 'overdue-search-attribute';
/**
 * Instances started before plain expressions were evaluated without promises (dsl/expressions.ts) keep
 * JSONata's promises for all: fewer promises can reorder the commands of steps running side by side.
 */
const SYNCHRONOUS_EXPRESSIONS = 'synchronous-expressions';
/** Instances started before operators (`=`, `and`, `? :`...) were evaluated without promises keep JSONata's for them. */
const SYNCHRONOUS_OPERATORS = 'synchronous-operators';
/**
 * Instances started before steps were entered and run without a promise where nothing waits (a skipped step,
 * a branch, a `set:`, an `end:`, a stage without a ticket to move, and the arguments, roles and titles of
 * `call:`, `task:` and `checklist:` evaluated here) keep their promises (`enterAsBefore`,
 * steps/before-eager-steps.ts): fewer promises can reorder the commands of steps running side by side.
 */
const EAGER_STEPS = 'eager-steps';

export default async function interpret({ definition, input, startedBy, carried }: ProcessArgs): Promise<ProcessResult> {
  return new Instance(sharedDefinition(definition), input, startedBy, carried).run();
}

class Instance implements StepContext {
  readonly variables: Record<string, unknown>;
  readonly audit: AuditEntry[];
  readonly notifying: Promise<unknown>[] = [];
  readonly inbox: ExternalEvent[];
  readonly tasks: TaskBoard;
  readonly deadlines: Deadlines;
  readonly search: SearchAttributePublisher;
  readonly idPrefix = '';
  readonly waiting: WaitView[] = [];
  private readonly visits: Record<string, number>;
  /** The main step running now: only it may continue as new from inside (`checkpoint`). */
  private current?: Step;
  private progress?: unknown;
  stage?: string;
  private status: InstanceState['status'] = 'running';
  private reason?: string;
  private readonly resumeAt?: string;
  /** Values of `x-sensitive` fields, shown as "•••" by the state query. */
  private readonly secrets: Secrets;
  private cancelRequest?: { reason: string; by: string };
  private readonly evaluatedHere = !patched(SYNCHRONOUS_EXPRESSIONS) ? 'none' : !patched(SYNCHRONOUS_OPERATORS) ? 'plain' : undefined;
  private readonly eager = patched(EAGER_STEPS);

  constructor(
    readonly def: CompiledDefinition,
    private readonly input: Record<string, unknown>,
    readonly startedBy: { id: string } | undefined,
    carried?: CarriedState,
  ) {
    this.variables = carried?.variables ?? { ...(def.variables ?? {}) };
    this.audit = carried?.audit ?? [];
    this.visits = carried?.visits ?? {};
    this.inbox = carried?.inbox ?? [];
    this.deadlines = new Deadlines(def, carried?.deadlines ?? {}, () => this.scope());
    this.stage = carried?.stage;
    this.resumeAt = carried?.resumeAt;
    this.progress = carried?.progress;
    this.secrets = new Secrets(carried?.secrets);
    this.secrets.remember(def.input, input);
    this.search = new SearchAttributePublisher(
      () => ({ stage: this.stage, openTasks: this.tasks.open, deadlines: Object.values(this.deadlines.fixed) }),
      carried?.stage,
      patched(OVERDUE_SEARCH_ATTRIBUTE),
    );
    this.tasks = new TaskBoard(this.audit, () => this.search.changedNow());

    setHandler(decideUpdate, (decision) => {
      this.rememberSecrets(decision);
      const { outcome, at } = this.tasks.accept(decision);
      return { taskId: decision.taskId, outcome, at };
    }, {
      validator: (decision) => this.tasks.validate(decision),
      description: 'Decide an open task: outcome, comment and form, checked against the task before anything is recorded.',
    });
    setHandler(decideSignal, (decision) => {
      // Checked again on replay, so the checks must judge a recorded signal as they did when it came (the form
      // check's switch from Ajv needs no patch: workflows/form-validators.ts says why).
      try {
        this.tasks.validate(decision);
        this.rememberSecrets(decision);
        this.tasks.accept(decision);
      } catch (err) {
        // A signal cannot answer its sender; whatever is wrong with it, it is dropped, never failing the instance.
        log.warn('decision signal refused', { taskId: decision?.taskId, reason: err instanceof Error ? err.message : String(err) });
      }
    });
    setHandler(eventSignal, (event) => {
      if (typeof event?.name !== 'string') return log.warn('event signal without a name ignored');
      this.inbox.push({ name: event.name, payload: event.payload });
      this.audit.push({ at: now(), event: 'event', detail: event.name });
    });
    setHandler(cancelReasonUpdate, ({ reason, actor }) => {
      this.cancelRequest = { reason: reason.trim(), by: actor.id };
    }, {
      validator: (request) => {
        if (this.status !== 'running') throw new Error(`the instance has already ended (${this.status})`);
        if (typeof request?.reason !== 'string' || !request.reason.trim()) throw new Error('a cancel needs a reason');
        if (typeof request.actor?.id !== 'string') throw new Error('a cancel needs the person who asks');
      },
      description: 'Records why the instance is being cancelled and who asked, before the cancel request itself.',
    });
    setHandler(stateQuery, (options) => this.state(options?.at));
  }

  async run(): Promise<ProcessResult> {
    if (this.audit.length === 0) this.audit.push({ at: now(), event: 'started', detail: `${this.def.process} v${this.def.version} (${this.def.hash.slice(0, 12)})` });
    const fixing = this.eager ? this.deadlines.fixKnownEagerly() : this.deadlines.fixKnown();
    if (fixing instanceof Promise) await fixing;
    this.search.changedNow();
    const start = this.resumeAt === undefined ? 0 : this.def.steps.findIndex((s) => s.id === this.resumeAt);
    let ending: Ending | undefined;
    try {
      ending = await this.runSteps(this.def.steps, start, true);
    } catch (err) {
      // Instances cancelled before this change ended without a word in their own trail.
      if (!isCancellation(err) || !CancellationScope.current().consideredCancelled || !patched(CANCEL_IN_AUDIT)) throw err;
      const { reason, by } = this.cancelRequest ?? { reason: 'cancel requested in Temporal' };
      await CancellationScope.nonCancellable(() => this.end({ status: 'cancelled', reason }, { by }));
      throw err; // Temporal records the instance as cancelled.
    }
    await this.end(ending);
    return { status: this.status as EndStatus, reason: this.reason, variables: this.variables };
  }

  /** The instance's last entry: how it ended (and, when cancelled, who asked), once its e-mails are out. */
  private async end(ending: Ending | undefined, cancelled?: { by?: string }): Promise<void> {
    this.status = ending?.status ?? 'completed';
    this.reason = ending?.reason;
    if (cancelled) {
      this.tasks.open.length = 0; // nobody can decide them any more
      this.search.changedNow();
    }
    await notificationsSent(this);
    this.audit.push({ at: now(), event: 'ended', outcome: this.status, detail: ending?.reason, ...(cancelled?.by === undefined ? {} : { actor: cancelled.by }) });
    await this.block(() => condition(allHandlersFinished));
  }

  // ---- sequencing ---------------------------------------------------------------------------------

  runList(steps: Step[], within: StepContext = this): Promise<Ending | undefined> {
    return this.runSteps(steps, 0, false, within);
  }

  private async runSteps(steps: Step[], start: number, topLevel: boolean, ctx: StepContext = this): Promise<Ending | undefined> {
    let i = start;
    while (i < steps.length) {
      const step = steps[i];
      if (topLevel && this.progress === undefined && workflowInfo().continueAsNewSuggested) await this.continueAsNew(step.id);
      if (topLevel) this.current = step;
      const entered = this.eager ? this.enterEagerly(step, ctx) : this.enterAsBefore(step, ctx);
      const flow = entered instanceof Promise ? await entered : entered;
      if (flow.end) return flow.end;
      const next = flow.next ?? step.next;
      i = next === undefined ? i + 1 : steps.findIndex((s) => s.id === next);
    }
    return undefined;
  }

  /** Admits a step (visits, `max-visits`, `when`, its stage) and runs it, making a promise only where something waits. */
  private enterEagerly(step: Step, ctx: StepContext): Eventually<Flow> {
    const key = `${ctx.idPrefix}${step.id}`;
    // A step resumed after continuing as new from inside it is the same visit, already admitted.
    const resuming = this.progress !== undefined && step === this.current;
    if (resuming) return this.handle(step, ctx, `${key}#${this.visits[key]}`, handlers);
    const visit = (this.visits[key] = (this.visits[key] ?? 0) + 1);
    const cap = step['max-visits'];
    if (cap && visit > cap.count) return targetEagerly(ctx, cap.then, `step '${step.id}' was reached more than ${cap.count} times`);
    const id = `${key}#${visit}`;
    if (step.when === undefined) return this.intoStage(step, ctx, id);
    return andThen(testEagerly(step.when, ctx.scope()), (holds) => {
      if (holds) return this.intoStage(step, ctx, id);
      this.audit.push({ at: now(), event: 'skipped', stepId: step.id, detail: `when: ${step.when}` });
      return {};
    });
  }

  /** An admitted step enters its stage, if it names one it is not in, then runs. */
  private intoStage(step: Step, ctx: StepContext, id: string): Eventually<Flow> {
    if (step.stage === undefined || step.stage === this.stage) return this.handle(step, ctx, id, handlers);
    if (!mirrorsStage(this.def, step.stage)) {
      this.noteStage(step, step.stage);
      return this.handle(step, ctx, id, handlers);
    }
    return this.enterStage(step, step.stage, `${id}.stage`).then((moved) => (moved.end ? moved : this.handle(step, ctx, id, handlers)));
  }

  /** `enterEagerly` as instances started before `eager-steps` run it: one promise at least per step. */
  private async enterAsBefore(step: Step, ctx: StepContext): Promise<Flow> {
    const key = `${ctx.idPrefix}${step.id}`;
    // A step resumed after continuing as new from inside it is the same visit, already admitted.
    const resuming = this.progress !== undefined && step === this.current;
    if (resuming) return this.handle(step, ctx, `${key}#${this.visits[key]}`, handlersBeforeEager);
    const visit = (this.visits[key] = (this.visits[key] ?? 0) + 1);
    const cap = step['max-visits'];
    if (cap && visit > cap.count) return target(ctx, cap.then, `step '${step.id}' was reached more than ${cap.count} times`);
    if (step.when !== undefined && !(await test(step.when, ctx.scope()))) {
      this.audit.push({ at: now(), event: 'skipped', stepId: step.id, detail: `when: ${step.when}` });
      return {};
    }
    const id = `${key}#${visit}`;
    if (step.stage !== undefined && step.stage !== this.stage) {
      const moved = await this.enterStage(step, step.stage, `${id}.stage`);
      if (moved.end) return moved;
    }
    return this.handle(step, ctx, id, handlersBeforeEager);
  }

  private handle(step: Step, ctx: StepContext, id: string, table: typeof handlers): Eventually<Flow> {
    const handler = table.find(([kind]) => step[kind] !== undefined);
    if (!handler) throw ApplicationFailure.nonRetryable(`step '${step.id}' has no kind; the definition was not compiled`);
    return handler[1](ctx, step, id);
  }

  async checkpoint(step: Step, progress: unknown): Promise<void> {
    if (step === this.current && workflowInfo().continueAsNewSuggested) await this.continueAsNew(step.id, progress);
  }

  resumed(step: Step): unknown {
    if (step !== this.current) return undefined;
    const progress = this.progress;
    this.progress = undefined;
    return progress;
  }

  async enterStage(step: Step, stage: string, activityId: string): Promise<Flow> {
    this.noteStage(step, stage);
    return mirrorStage(this, step, stage, activityId);
  }

  private noteStage(step: Step, stage: string): void {
    this.stage = stage;
    this.audit.push({ at: now(), event: 'stage', stepId: step.id, detail: stage });
    this.search.changedNow();
  }

  // ---- state, search attributes, continue-as-new ------------------------------------------------------

  scope(): Scope {
    return { ...this.variables, input: this.input, deadlines: this.deadlines.fixed, now: now(), [TIME_CONTEXT]: timeContext(this.def, this.evaluatedHere) };
  }

  /** A decision that passed validation: its task is still open, with the form it was checked against. */
  private rememberSecrets(decision: Decision): void {
    this.secrets.remember(this.tasks.open.find((t) => t.id === decision.taskId)?.form, decision.form);
  }

  private state(asOf?: string): InstanceState {
    const given = asOf === undefined ? Number.NaN : Date.parse(asOf);
    const at = Number.isNaN(given) ? Date.now() : given;
    return {
      process: this.def.process,
      version: this.def.version,
      hash: this.def.hash,
      businessKey: workflowInfo().typedSearchAttributes.get(searchAttributes.businessKey),
      status: this.status,
      reason: this.secrets.masked(this.reason),
      stage: this.stage,
      openTasks: this.secrets.masked(this.tasks.open).map((task) => (task.dueAt ? { ...task, timeLeft: timeLeftInWords(this.def, new Date(at), new Date(task.dueAt)) } : task)),
      waiting: this.waiting,
      deadlines: Object.entries(this.deadlines.fixed).map(([name, iso]) => {
        const timeLeftMs = new Date(iso).getTime() - at;
        const timeLeft = timeLeftInWords(this.def, new Date(at), new Date(iso), this.def.deadlines?.[name]?.calendar);
        return { name, at: iso, timeLeftMs, timeLeft, breached: timeLeftMs <= 0 };
      }),
      variables: this.secrets.masked(this.variables),
      audit: this.secrets.masked(this.audit),
    };
  }

  block<T>(work: () => Promise<T>): Promise<T> {
    this.search.flush();
    return work();
  }

  private async continueAsNew(resumeAt: string, progress?: unknown): Promise<never> {
    await notificationsSent(this);
    await this.block(() => condition(allHandlersFinished));
    const carried: CarriedState = {
      resumeAt,
      variables: this.variables,
      audit: this.audit,
      visits: this.visits,
      inbox: this.inbox,
      deadlines: this.deadlines.fixed,
      stage: this.stage,
      progress,
      ...(this.secrets.list().length ? { secrets: this.secrets.list() } : {}),
    };
    return continueAsNew<typeof interpret>({ definition: this.def, input: this.input, ...(this.startedBy ? { startedBy: this.startedBy } : {}), carried });
  }
}
