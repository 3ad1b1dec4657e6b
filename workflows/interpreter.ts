/**
 * The interpreter: runs one compiled process definition as a durable workflow. It is registered as the
 * bundle's default workflow, so every process runs under its own workflow type (`reseller-offboarding`),
 * and reads the definition from its input, so an instance keeps the version it started with.
 *
 * Deterministic by construction: no I/O, no YAML; time comes from the workflow clock, expressions from
 * JSONata, business days from the calendar snapshots inside the definition.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { CompiledDefinition } from '../dsl/compile';
import { duration } from '../dsl/durations';
import { evaluate, render, resolveValue, test, TIME_CONTEXT, type Scope } from '../dsl/expressions';
import type { Step, Target } from '../dsl/model';
import {
  decideSignal,
  decideUpdate,
  eventSignal,
  searchAttributes,
  stateQuery,
  type AuditEntry,
  type CarriedState,
  type EndStatus,
  type ExternalEvent,
  type InstanceState,
  type OpenTask,
  type ProcessArgs,
  type ProcessResult,
} from './messages';
import { SearchAttributePublisher } from './search-attributes';
import { TaskBoard, type Decided } from './tasks';
import { addDuration, instantOf, subtractDuration, timeContext, timeLeftInWords } from './time';

/** Where control goes after a step: nowhere special, another step, or the end of the process. */
type Flow = { next?: string; end?: { status: EndStatus; reason?: string } };

/** The role that handles failed steps when a definition names none (`incident-role`). */
const DEFAULT_INCIDENT_ROLE = 'admin';

const EXPECTATION_FAILED = 'ExpectationFailed';

/** What the incident role decided about a failed step. */
type Recovery = { skipped: true } | { cancelled: string };

export default async function interpret({ definition, input, carried }: ProcessArgs): Promise<ProcessResult> {
  return new Instance(definition, input, carried).run();
}

class Instance {
  private readonly variables: Record<string, unknown>;
  private readonly audit: AuditEntry[];
  private readonly visits: Record<string, number>;
  private readonly inbox: ExternalEvent[];
  private readonly deadlines: Record<string, string>;
  private readonly tasks: TaskBoard;
  private stage?: string;
  private status: InstanceState['status'] = 'running';
  private reason?: string;
  private readonly resumeAt?: string;
  private readonly search: SearchAttributePublisher;

  constructor(private readonly def: CompiledDefinition, private readonly input: Record<string, unknown>, carried?: CarriedState) {
    this.variables = carried?.variables ?? { ...(def.variables ?? {}) };
    this.audit = carried?.audit ?? [];
    this.visits = carried?.visits ?? {};
    this.inbox = carried?.inbox ?? [];
    this.deadlines = carried?.deadlines ?? {};
    this.stage = carried?.stage;
    this.resumeAt = carried?.resumeAt;
    this.search = new SearchAttributePublisher(
      () => ({ stage: this.stage, openTasks: this.tasks.open, deadlines: Object.values(this.deadlines) }),
      carried?.stage,
    );
    this.tasks = new TaskBoard(this.audit, () => this.search.changedNow());

    setHandler(decideUpdate, (decision) => {
      const { outcome, at } = this.tasks.accept(decision);
      return { taskId: decision.taskId, outcome, at };
    }, {
      validator: (decision) => this.tasks.validate(decision),
      description: 'Decide an open task: outcome, comment and form, checked against the task before anything is recorded.',
    });
    setHandler(decideSignal, (decision) => {
      try {
        this.tasks.validate(decision);
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
    setHandler(stateQuery, (options) => this.state(options?.at));
  }

  async run(): Promise<ProcessResult> {
    if (this.audit.length === 0) this.audit.push({ at: now(), event: 'started', detail: `${this.def.process} v${this.def.version} (${this.def.hash.slice(0, 12)})` });
    await this.computeDeadlines();
    const start = this.resumeAt === undefined ? 0 : this.def.steps.findIndex((s) => s.id === this.resumeAt);
    const ending = await this.runList(this.def.steps, start, true);
    const status = ending?.status ?? 'completed';
    this.status = status;
    this.reason = ending?.reason;
    this.audit.push({ at: now(), event: 'ended', outcome: status, detail: ending?.reason });
    await this.block(() => condition(allHandlersFinished));
    return { status, reason: ending?.reason, variables: this.variables };
  }

  // ---- sequencing ---------------------------------------------------------------------------------

  private async runList(steps: Step[], start: number, topLevel: boolean): Promise<Flow['end'] | undefined> {
    let i = start;
    while (i < steps.length) {
      const step = steps[i];
      if (topLevel && workflowInfo().continueAsNewSuggested) await this.continueAsNew(step.id);
      const flow = await this.enter(step);
      if (flow.end) return flow.end;
      const next = flow.next ?? step.next;
      i = next === undefined ? i + 1 : steps.findIndex((s) => s.id === next);
    }
    return undefined;
  }

  private async enter(step: Step): Promise<Flow> {
    const visit = (this.visits[step.id] = (this.visits[step.id] ?? 0) + 1);
    const cap = step['max-visits'];
    if (cap && visit > cap.count) return this.target(cap.then, `step '${step.id}' was reached more than ${cap.count} times`);
    if (step.when !== undefined && !(await test(step.when, this.scope()))) {
      this.audit.push({ at: now(), event: 'skipped', stepId: step.id, detail: `when: ${step.when}` });
      return {};
    }
    if (step.stage !== undefined && step.stage !== this.stage) {
      this.stage = step.stage;
      this.audit.push({ at: now(), event: 'stage', stepId: step.id, detail: step.stage });
      this.search.changedNow();
    }
    const id = `${step.id}#${visit}`;
    if (step.call !== undefined) return this.call(step, id);
    if (step.task) return this.humanTask(step, id);
    if (step.review) return this.review(step, id);
    if (step.checklist) return this.checklist(step, id);
    if (step.wait) return this.wait(step);
    if (step['wait-for']) return this.waitForEvent(step);
    if (step.branch) return this.branch(step);
    if (step.parallel) return this.parallel(step);
    if (step.subprocess !== undefined) return this.subprocess(step, id);
    if (step.set) {
      for (const [name, value] of Object.entries(step.set)) this.variables[name] = await resolveValue(value, this.scope());
      // A deadline anchored to a variable (e.g. the day a notice went out) is fixed, and shown, once it is set.
      await this.computeDeadlines();
      return {};
    }
    if (step.end) return { end: { status: step.end, reason: step.reason === undefined ? undefined : await render(step.reason, this.scope()) } };
    throw ApplicationFailure.nonRetryable(`step '${step.id}' has no kind; the definition was not compiled`);
  }

  private async target(target: Target | undefined, fallbackReason?: string): Promise<Flow> {
    if (!target) return {};
    if (target.end) {
      const reason = target.reason === undefined ? fallbackReason : await render(target.reason, this.scope());
      return { end: { status: target.end, reason } };
    }
    return { next: target.next };
  }

  // ---- step kinds ---------------------------------------------------------------------------------

  private async call(step: Step, activityId: string): Promise<Flow> {
    const retry = step.retry;
    const activities = proxyActivities<Record<string, (input: unknown) => Promise<unknown>>>({
      activityId,
      startToCloseTimeout: step.timeout ? fixedMs(step.timeout) : '1 minute',
      retry: {
        maximumAttempts: retry?.['max-attempts'] ?? 10,
        initialInterval: retry?.['initial-interval'] ? fixedMs(retry['initial-interval']) : '1 second',
        maximumInterval: retry?.['maximum-interval'] ? fixedMs(retry['maximum-interval']) : '1 minute',
        backoffCoefficient: retry?.backoff ?? 2,
      },
    });
    const args = await resolveValue(step.with ?? {}, this.scope());
    const result = await this.recoverable(step, activityId, async () => {
      const value = await activities[step.call!](args);
      if (step.expect !== undefined && !(await test(step.expect, { ...this.scope(), result: value }))) {
        throw ApplicationFailure.nonRetryable(`expected ${step.expect}, but the result was ${JSON.stringify(value)}`, EXPECTATION_FAILED);
      }
      return value;
    });
    if (isRecovery(result)) return 'cancelled' in result ? { end: { status: 'cancelled', reason: result.cancelled } } : {};
    if (step.result) this.variables[step.result] = result;
    return {};
  }

  private async humanTask(step: Step, taskId: string): Promise<Flow> {
    const task = step.task!;
    const decided = await this.decide(step, {
      id: taskId,
      stepId: step.id,
      kind: 'task',
      roles: [task.role],
      title: await render(task.title, this.scope()),
      instructions: task.instructions === undefined ? undefined : await render(task.instructions, this.scope()),
      outcomes: Object.keys(task.outcomes),
      commentRequired: Object.entries(task.outcomes).filter(([, o]) => o.comment === 'required').map(([name]) => name),
      form: task.form,
    }, task.due);
    if (step.result) this.variables[step.result] = decided;
    return this.target(task.outcomes[decided.outcome]);
  }

  /** Reviewer approves, rejects, or returns the work with a reason to its owner, at most `max-rounds` times. */
  private async review(step: Step, id: string): Promise<Flow> {
    const review = step.review!;
    const rounds: Decided[] = [];
    for (let round = 1; ; round++) {
      const decided = await this.decide(step, {
        id: `${id}.review-${round}`,
        stepId: step.id,
        kind: 'review',
        roles: [review.reviewer],
        title: await render(review.title, this.scope()),
        instructions: review.instructions,
        outcomes: ['approve', 'reject', 'return'],
        commentRequired: ['reject', 'return'],
        form: review.form,
      }, review.due);
      rounds.push(decided);
      if (step.result) this.variables[step.result] = { ...decided, rounds: round, history: rounds };
      if (decided.outcome === 'approve') return this.target(review.approved);
      if (decided.outcome === 'reject') return this.target(review.rejected ?? { end: 'rejected', reason: decided.comment });
      if (round >= review['max-rounds']) return this.target(review['on-cap'], `returned ${round} times`);
      await this.decide(step, {
        id: `${id}.rework-${round}`,
        stepId: step.id,
        kind: 'rework',
        roles: [review.owner],
        title: `Rework: ${await render(review.title, this.scope())}`,
        instructions: `Returned by the reviewer: ${decided.comment}`,
        outcomes: ['resubmit'],
        commentRequired: [],
      }, review.due);
    }
  }

  /** Automatic checks first; then each verifier role confirms its items, with evidence where required. */
  private async checklist(step: Step, id: string): Promise<Flow> {
    const checklist = step.checklist!;
    const items: Record<string, { ok: boolean; evidence?: string; by: string; automatic: boolean }> = {};
    for (const item of checklist.items) {
      if (!item.check) continue;
      const activities = proxyActivities<Record<string, (input: unknown) => Promise<unknown>>>({ activityId: `${id}.${item.id}`, startToCloseTimeout: '1 minute' });
      const args = await resolveValue(item.check.with ?? {}, this.scope());
      const result = await this.recoverable(step, `${id}.${item.id}`, () => activities[item.check!.call](args));
      if (isRecovery(result)) {
        if ('cancelled' in result) return { end: { status: 'cancelled', reason: result.cancelled } };
        continue; // skipped: the verifier checks this item by hand
      }
      const ok = await test(item.check.expect, { ...this.scope(), result });
      items[item.id] = { ok, evidence: JSON.stringify(result), by: item.check.call, automatic: true };
    }
    const byRole = new Map<string, typeof checklist.items>();
    for (const item of checklist.items) if (!items[item.id]?.ok) byRole.set(item.verifier, [...(byRole.get(item.verifier) ?? []), item]);
    const title = await render(checklist.title, this.scope());
    await Promise.all(
      [...byRole].map(async ([role, roleItems]) => {
        const decided = await this.decide(step, {
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
    if (step.result) this.variables[step.result] = { passed: Object.values(items).every((i) => i.ok), items };
    return {};
  }

  private async wait(step: Step): Promise<Flow> {
    const spec = step.wait!;
    const until = spec.for !== undefined
      ? addDuration(this.def, new Date(), spec.for, step.calendar)
      : instantOf(await evaluate(spec.until!, this.scope()), this.def, step.calendar);
    await this.block(() => sleepUntil(until));
    return {};
  }

  /** Takes the first matching event, including one that arrived before the step started waiting. */
  private async waitForEvent(step: Step): Promise<Flow> {
    const spec = step['wait-for']!;
    const deadline = spec.timeout === undefined ? undefined : addDuration(this.def, new Date(), spec.timeout, step.calendar);
    let checked = 0;
    for (;;) {
      for (; checked < this.inbox.length; checked++) {
        const event = this.inbox[checked];
        if (event.name !== spec.event) continue;
        if (spec.match !== undefined && !(await test(spec.match, { ...this.scope(), event }))) continue;
        this.inbox.splice(checked, 1);
        if (step.result) this.variables[step.result] = event.payload ?? null;
        return {};
      }
      const known = this.inbox.length;
      const arrived = await this.block(() => conditionUntil(() => this.inbox.length > known, deadline));
      if (!arrived) {
        this.audit.push({ at: now(), event: 'deadline-breached', stepId: step.id, detail: `no '${spec.event}' event within ${spec.timeout}` });
        return this.target(spec['on-timeout'] ?? { end: 'cancelled', reason: `no '${spec.event}' event within ${spec.timeout}` });
      }
    }
  }

  private async branch(step: Step): Promise<Flow> {
    for (const branchCase of step.branch!) {
      if (branchCase.when === undefined || (await test(branchCase.when, this.scope()))) return this.target(branchCase);
    }
    return {};
  }

  /** Runs every branch at once; a branch that ends the process as rejected or cancelled stops the others. */
  private async parallel(step: Step): Promise<Flow> {
    let stopped: Flow['end'];
    const scope = new CancellationScope();
    try {
      await scope.run(() =>
        Promise.all(
          Object.values(step.parallel!).map(async (steps) => {
            const ending = await this.runList(steps, 0, false);
            this.search.flush(); // this branch is done; the others may wait a long time
            if (ending && ending.status !== 'completed' && !stopped) {
              stopped = ending;
              scope.cancel();
            }
          }),
        ),
      );
    } catch (err) {
      if (!(stopped && isCancellation(err))) throw err;
    }
    return stopped ? { end: stopped } : {};
  }

  private async subprocess(step: Step, id: string): Promise<Flow> {
    const child = this.def.subprocesses[step.subprocess!];
    const input = (await resolveValue(step.with ?? {}, this.scope())) as Record<string, unknown>;
    const result = await this.recoverable(step, id, () => executeChild(child.process, {
      args: [{ definition: child, input }],
      workflowId: `${workflowInfo().workflowId}/${id}`,
      typedSearchAttributes: [
        { key: searchAttributes.processName, value: child.process },
        { key: searchAttributes.processVersion, value: String(child.version) },
      ],
    }));
    if (isRecovery(result)) return 'cancelled' in result ? { end: { status: 'cancelled', reason: result.cancelled } } : {};
    if (step.result) this.variables[step.result] = result;
    return {};
  }

  /**
   * Runs an activity or child workflow. When it fails for good (retries exhausted, or an error no retry can
   * cure), the instance is not lost: an incident task asks the incident role to retry, skip or cancel.
   */
  private async recoverable<T>(step: Step, id: string, work: () => Promise<T>): Promise<T | Recovery> {
    for (let incident = 1; ; incident++) {
      try {
        return await this.block(work);
      } catch (err) {
        const expectationFailed = err instanceof ApplicationFailure && err.type === EXPECTATION_FAILED;
        if (!(err instanceof ActivityFailure || err instanceof ChildWorkflowFailure || expectationFailed)) throw err;
        const message = rootCause(err);
        this.audit.push({ at: now(), event: 'failed', stepId: step.id, detail: message });
        const decided = await this.decide({ id: step.id }, {
          id: `${id}.incident-${incident}`,
          stepId: step.id,
          kind: 'incident',
          roles: [this.def['incident-role'] ?? DEFAULT_INCIDENT_ROLE],
          title: `Step '${step.id}' failed: ${message}`,
          instructions: 'retry once the cause is fixed, skip the step, or cancel the process (give the reason)',
          outcomes: ['retry', 'skip', 'cancel'],
          commentRequired: ['skip', 'cancel'],
        });
        if (decided.outcome === 'skip') return { skipped: true };
        if (decided.outcome === 'cancel') return { cancelled: decided.comment ?? `step '${step.id}' failed` };
      }
    }
  }

  // ---- human tasks with deadlines, reminders and escalation -----------------------------------------

  /**
   * Opens a task and waits for its decision. Reminders, escalation and a breached due date or deadline are
   * recorded while the task stays open: nothing here cancels it.
   */
  private async decide(step: Step, spec: Omit<OpenTask, 'openedAt' | 'breached' | 'reminders' | 'dueAt'>, due?: string): Promise<Decided> {
    const opened = new Date();
    const dueAt = earliest(
      due === undefined ? undefined : addDuration(this.def, opened, due, step.calendar),
      step.deadline === undefined ? undefined : await this.deadline(step.deadline),
    );
    const task = this.tasks.openTask({ ...spec, dueAt: dueAt?.toISOString() });
    let nextReminder = step.remind ? addDuration(this.def, opened, step.remind.every, step.calendar) : undefined;
    let escalateAt = await this.escalationTime(step, opened);
    for (;;) {
      const next = earliest(nextReminder, escalateAt, task.breached ? undefined : dueAt);
      const decided = await this.block(() => conditionUntil(() => this.tasks.decision(task.id) !== undefined, next));
      if (decided) return this.tasks.decision(task.id)!;
      const at = Date.now();
      if (nextReminder && nextReminder.getTime() <= at) {
        task.reminders++;
        this.audit.push({ at: now(), event: 'reminder', stepId: step.id, taskId: task.id, detail: `reminder ${task.reminders} to ${task.roles.join(', ')}` });
        nextReminder = addDuration(this.def, nextReminder, step.remind!.every, step.calendar);
      }
      if (escalateAt && escalateAt.getTime() <= at) {
        const to = step.escalate!.to;
        if (!task.roles.includes(to)) task.roles.push(to);
        task.escalatedTo = to;
        this.audit.push({ at: now(), event: 'escalated', stepId: step.id, taskId: task.id, detail: `escalated to ${to}` });
        escalateAt = undefined;
        this.search.changedNow();
      }
      if (dueAt && !task.breached && dueAt.getTime() <= at) {
        task.breached = true;
        this.audit.push({ at: now(), event: 'deadline-breached', stepId: step.id, taskId: task.id, detail: `due ${dueAt.toISOString()}` });
      }
    }
  }

  private async escalationTime(step: Step, opened: Date): Promise<Date | undefined> {
    const escalate = step.escalate;
    if (!escalate) return undefined;
    if (escalate.after !== undefined) return addDuration(this.def, opened, escalate.after, step.calendar);
    const deadline = step.deadline === undefined ? undefined : await this.deadline(step.deadline);
    return deadline && subtractDuration(this.def, deadline, escalate.before!, step.calendar);
  }

  // ---- deadlines -------------------------------------------------------------------------------------

  /** Deadlines whose anchor is already known (e.g. from the input) are fixed at start. */
  private async computeDeadlines(): Promise<void> {
    for (const name of Object.keys(this.def.deadlines ?? {})) if (!this.deadlines[name]) await this.deadline(name).catch(() => undefined);
    this.search.changedNow();
  }

  private async deadline(name: string): Promise<Date | undefined> {
    if (this.deadlines[name]) return new Date(this.deadlines[name]);
    const spec = this.def.deadlines![name];
    const anchor = await evaluate(spec.from, this.scope());
    if (anchor === undefined || anchor === null) return undefined;
    const base = instantOf(anchor, this.def, spec.calendar);
    const at = spec.after === undefined ? base : addDuration(this.def, base, spec.after, spec.calendar);
    this.deadlines[name] = at.toISOString();
    return at;
  }

  // ---- state, search attributes, continue-as-new ------------------------------------------------------

  private scope(): Scope {
    return { ...this.variables, input: this.input, deadlines: this.deadlines, now: now(), [TIME_CONTEXT]: timeContext(this.def) };
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
      reason: this.reason,
      stage: this.stage,
      openTasks: this.tasks.open.map((task) => (task.dueAt ? { ...task, timeLeft: timeLeftInWords(this.def, new Date(at), new Date(task.dueAt)) } : task)),
      deadlines: Object.entries(this.deadlines).map(([name, iso]) => {
        const timeLeftMs = new Date(iso).getTime() - at;
        const timeLeft = timeLeftInWords(this.def, new Date(at), new Date(iso), this.def.deadlines?.[name]?.calendar);
        return { name, at: iso, timeLeftMs, timeLeft, breached: timeLeftMs <= 0 };
      }),
      variables: this.variables,
      audit: this.audit,
    };
  }

  /** Waits on `work` after bringing the search attributes up to date. */
  private block<T>(work: () => Promise<T>): Promise<T> {
    this.search.flush();
    return work();
  }

  private async continueAsNew(resumeAt: string): Promise<never> {
    await this.block(() => condition(allHandlersFinished));
    const carried: CarriedState = {
      resumeAt,
      variables: this.variables,
      audit: this.audit,
      visits: this.visits,
      inbox: this.inbox,
      deadlines: this.deadlines,
      stage: this.stage,
    };
    return continueAsNew<typeof interpret>({ definition: this.def, input: this.input, carried });
  }

}

function now(): string {
  return new Date().toISOString();
}

function isRecovery(value: unknown): value is Recovery {
  return typeof value === 'object' && value !== null && ('skipped' in value || 'cancelled' in value) && Object.keys(value).length === 1;
}

/** The innermost message of a failure chain: what actually went wrong, without Temporal's wrapping. */
function rootCause(err: Error): string {
  let current: Error = err;
  while ((current as { cause?: Error }).cause) current = (current as { cause: Error }).cause;
  return current.message;
}

function fixedMs(text: string): number {
  const parsed = duration(text);
  if (parsed.kind !== 'fixed') throw ApplicationFailure.nonRetryable(`'${text}' must be a fixed duration`);
  return parsed.ms;
}

function earliest(...dates: (Date | undefined)[]): Date | undefined {
  return dates.filter((d): d is Date => d !== undefined).sort((a, b) => a.getTime() - b.getTime())[0];
}

/** Waits until `fn` holds (true) or the instant passes (false); with no instant, waits for `fn` only. */
async function conditionUntil(fn: () => boolean, until: Date | undefined): Promise<boolean> {
  if (until === undefined) {
    await condition(fn);
    return true;
  }
  return condition(fn, Math.max(1, until.getTime() - Date.now()));
}

async function sleepUntil(at: Date): Promise<void> {
  const ms = at.getTime() - Date.now();
  if (ms > 0) await sleep(ms);
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
