/**
 * The rules a schema cannot express: each step does one thing, jumps land on existing steps of the same
 * list, every step can be reached, every loop can end, actions, roles, stages, deadlines, calendars and
 * subprocesses exist, arguments fit the action, expressions parse, durations read, forms are JSON Schemas.
 * Returns every problem found; never throws on a well-shaped definition.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { z } from 'zod';
import type { ActionCatalogue, TemplateSignature } from '../activities/shared/action';
import { needsCalendar, parseDuration, DURATION_HINT } from './durations';
import { unknownNames, KNOWN_FUNCTIONS } from './expression-names';
import { expressionError, isLiteral, placeholders, valueExpression } from './expressions';
import { suggest, didYouMean, type DefinitionIssue, type Path } from './issues';
import { PERSON_WITH_ROLE, STEP_KINDS, type Definition, type RoleRef, type Step, type Target } from './model';
import { reviewVerdicts } from './review';
import { roleRefIssues } from './roles';
import { subprocessInputIssues } from './subprocess-input';

export interface CheckContext {
  actions: ActionCatalogue;
  /** Process names a `subprocess:` may start. */
  processes: ReadonlySet<string>;
  /** Each such process's input schema, to check a `subprocess:` step's `with:` against. */
  processInputs?: ReadonlyMap<string, Record<string, unknown> | undefined>;
  calendars: readonly string[];
  /** Events some trigger or action is known to send; a `wait-for` on any other is warned about. */
  events?: ReadonlySet<string>;
}

/**
 * The step kinds that open a task, and so can honour `deadline`, `remind` and `escalate`: people's tasks,
 * and the automatic steps whose failure opens an incident task held to the step's timing.
 */
const TIMED_KINDS = ['task', 'review', 'checklist', 'call', 'subprocess', 'notify'] as const;

interface PlacedStep {
  step: Step;
  path: Path;
  /** The list the step belongs to: jumps stay inside it. */
  list: PlacedStep[];
  index: number;
}

const END = '(end)';

export function checkDefinition(def: Definition, context: CheckContext): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const report = (issue: DefinitionIssue) => issues.push(issue);
  const roles = Object.keys(def.roles);
  const stages = def.stages ?? [];
  const deadlines = Object.keys(def.deadlines ?? {});

  const checkRole = (role: string | undefined, path: Path) => {
    if (role !== undefined && !roles.includes(role)) {
      report({ code: 'unknown-role', message: `unknown role '${role}'`, path, hint: suggest(role, roles, 'roles') });
    }
  };
  const checkRoleRef = (ref: RoleRef, path: Path) => roleRefIssues(ref, roles, path).forEach(report);
  const variables = variablesOf(def);
  const events = new Set([...(context.events ?? []), ...eventsSentToCallers(def, context.actions)]);
  const checkExpression = (source: string | undefined, path: Path, offset = 0, extra: readonly string[] = []) => {
    if (source === undefined) return;
    const error = expressionError(source);
    if (error) return report({ code: 'bad-expression', message: `bad expression: ${error.message}`, path, offset: offset + error.position });
    const known = new Set([...variables, ...extra]);
    for (const name of unknownNames(source, known)) {
      if (name.kind === 'function') {
        report({ code: 'unknown-function', message: `unknown function '$${name.name}'`, path, offset: offset + name.offset, hint: suggest(name.name, KNOWN_FUNCTIONS, 'functions').replace(/'(\w+)'/g, "'$$$1'") });
      } else {
        report({
          code: 'unknown-variable',
          message: `unknown variable '${name.name}'`,
          path,
          offset: offset + name.offset,
          hint: didYouMean(name.name, known) ?? `known here: ${[...known].sort().join(', ')} (a step's 'result:', a 'set:' or 'variables:' entry defines one)`,
        });
      }
    }
  };
  const checkText = (text: string | undefined, path: Path, extra: readonly string[] = []) => {
    for (const { source, offset } of placeholders(text ?? '')) checkExpression(source, path, offset, extra);
  };
  const checkTarget = (target: { next?: string; end?: string } | undefined, path: Path) => {
    if (target?.next !== undefined && target.end !== undefined) {
      report({ code: 'conflicting-target', message: `both 'next' and 'end': it cannot go to step '${target.next}' and end the process`, path: [...path, 'end'], atKey: true, hint: `keep 'next: ${target.next}' to go on, or 'end: ${target.end}' to stop` });
    }
  };
  const checkValue = (value: unknown, path: Path) => {
    const expression = valueExpression(value);
    if (expression !== undefined) checkExpression(expression, path, 1);
    else if (typeof value === 'string') checkText(value, path);
    else if (Array.isArray(value)) value.forEach((item, i) => checkValue(item, [...path, i]));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) checkValue(v, [...path, k]);
  };
  const checkCalendar = (name: string | undefined, path: Path) => {
    if (name !== undefined && !context.calendars.includes(name)) {
      report({ code: 'unknown-calendar', message: `unknown calendar '${name}'`, path, hint: suggest(name, context.calendars, 'calendars') });
    }
  };
  const checkDuration = (text: string | undefined, path: Path, calendar: string | undefined, fixedOnly = false) => {
    if (text === undefined) return;
    const parsed = parseDuration(text);
    if ('error' in parsed) return report({ code: 'bad-duration', message: parsed.error, path, hint: DURATION_HINT });
    if (parsed.kind !== 'fixed' && fixedOnly) {
      report({ code: 'bad-duration', message: `'${text}': ${parsed.kind === 'calendar' ? 'calendar' : 'business'} days are not allowed here`, path, hint: "use a fixed length such as '30 seconds' or '2 days'" });
    } else if (needsCalendar(parsed) && calendar === undefined) {
      report({ code: 'unknown-calendar', message: `'${text}' counts business days, but no calendar is set`, path, hint: `add 'calendar: ${context.calendars[0] ?? 'hk'}' to the process or the step` });
    }
  };
  const checkForm = (schema: Record<string, unknown> | undefined, path: Path) => {
    if (schema === undefined) return;
    for (const error of jsonSchemaErrors(schema)) report({ code: 'bad-form', ...error, path: [...path, ...error.path], atKey: error.path.length > 0 });
  };
  const checkCall = (action: string, args: Record<string, unknown> | undefined, callPath: Path, withPath: Path) => {
    const signature = context.actions.get(action);
    if (!signature) {
      return report({ code: 'unknown-action', message: `unknown action '${action}'`, path: callPath, hint: suggest(action, [...context.actions.keys()].sort(), 'actions') });
    }
    for (const problem of argumentProblems(signature.input, args ?? {})) {
      report({ code: 'bad-arguments', message: `${action}: ${problem.message}`, path: problem.key ? [...withPath, ...problem.key] : callPath, atKey: problem.atKey, hint: problem.hint });
    }
    if (signature.templates) {
      for (const problem of templateProblems(signature.templates, args ?? {})) {
        report({ code: 'unknown-template', message: `${action}: ${problem.message}`, path: [...withPath, ...(problem.key ?? [])], atKey: problem.atKey, hint: problem.hint });
      }
    }
    checkValue(args, withPath);
  };

  /** `requires:` names form fields: each must be declared under the form's `properties`. */
  const checkRequiredFields = (fields: string[] | undefined, form: Record<string, unknown> | undefined, path: Path, owner: Path) => {
    if (!fields) return;
    const properties = form?.properties && typeof form.properties === 'object' ? Object.keys(form.properties) : [];
    fields.forEach((field, i) => {
      if (properties.includes(field)) return;
      report({
        code: 'unknown-field',
        message: form === undefined ? `'requires' names the form field '${field}', but there is no form` : `'requires' names the form field '${field}', which the form does not declare`,
        path: [...path, i],
        hint: form === undefined ? `add 'form:' under '${owner.at(-1)}' with '${field}' under its 'properties'` : didYouMean(field, properties) ?? `declare '${field}' under the form's 'properties'${properties.length ? `; it has: ${properties.join(', ')}` : ''}`,
      });
    });
  };
  const checkReviewOutcomes = (review: NonNullable<Step['review']>, at: (...rest: Path) => Path) => {
    const listed = review.outcomes ?? {};
    const names = new Map<string, string>();
    for (const verdict of ['approve', 'reject', 'return'] as const) {
      const outcome = listed[verdict];
      if (!outcome) continue;
      const path = at('review', 'outcomes', verdict);
      checkTarget(outcome, path);
      checkText(outcome.reason, [...path, 'reason']);
      checkRequiredFields(outcome.requires, review.form, [...path, 'requires'], at('review'));
      const name = outcome.name ?? verdict;
      const clash = names.get(name);
      if (clash) report({ code: 'invalid-value', message: `outcomes '${clash}' and '${verdict}' are both named '${name}'`, path: [...path, outcome.name === undefined ? 'label' : 'name'], hint: 'give each verdict its own name: a decision must say which it is' });
      names.set(name, verdict);
      if (verdict === 'return' && (outcome.next !== undefined || outcome.end !== undefined)) {
        report({ code: 'invalid-value', message: `a return sends the work back to its owner; it cannot have '${outcome.next !== undefined ? 'next' : 'end'}'`, path: [...path, outcome.next !== undefined ? 'next' : 'end'], atKey: true, hint: "to leave the review on a return, use 'on-cap' with 'max-rounds', or steps under 'on-return'" });
      }
      const older = verdict === 'approve' ? 'approved' : verdict === 'reject' ? 'rejected' : undefined;
      if (older && review[older] !== undefined && (outcome.next !== undefined || outcome.end !== undefined)) {
        report({ code: 'conflicting-target', message: `where '${verdict}' leads is given twice: in 'outcomes.${verdict}' and in '${older}'`, path: at('review', older), atKey: true, hint: `keep one: 'outcomes.${verdict}.next/end' or '${older}:'` });
      }
    }
    if (review.outcomes && !review.outcomes.reject && review['max-rounds'] !== undefined && review['on-cap']?.next === undefined) {
      report({
        code: 'missing-field',
        message: `at the round cap the reviewer may no longer return the work, and this review offers no 'reject': only approve would be left`,
        path: at('review', 'max-rounds'),
        atKey: true,
        hint: "add 'reject:' under 'outcomes', or 'on-cap: { next: <step> }', or drop 'max-rounds'",
      });
    }
  };

  checkRole(def['incident-role'], ['incident-role']);
  checkCalendar(def.calendar, ['calendar']);
  checkExpression(def['business-key'], ['business-key']);
  checkForm(def.input, ['input']);
  for (const [name, deadline] of Object.entries(def.deadlines ?? {})) {
    checkExpression(deadline.from, ['deadlines', name, 'from']);
    checkCalendar(deadline.calendar, ['deadlines', name, 'calendar']);
    checkDuration(deadline.after, ['deadlines', name, 'after'], deadline.calendar ?? def.calendar);
  }

  const mirror = def['hubspot-pipeline'];
  if (mirror) {
    checkExpression(mirror.ticket, ['hubspot-pipeline', 'ticket']);
    for (const stage of Object.keys(mirror.stages)) {
      if (!stages.includes(stage)) {
        report({ code: 'unknown-stage', message: `unknown stage '${stage}'`, path: ['hubspot-pipeline', 'stages', stage], atKey: true, hint: suggest(stage, stages, 'stages') });
      }
    }
    if (!context.actions.has('hubspot.moveTicket')) report({ code: 'unknown-action', message: `'hubspot-pipeline' needs the hubspot.moveTicket action`, path: ['hubspot-pipeline'] });
  }

  const all = placeSteps(def.steps, ['steps']);
  const seen = new Map<string, PlacedStep>();
  for (const placed of all) {
    const { step, path } = placed;
    const first = seen.get(step.id);
    if (first) {
      report({ code: 'duplicate-step', message: `duplicate step id '${step.id}'`, path: [...path, 'id'], hint: `'${step.id}' is already the id of ${describeStep(first.path)}; step ids must be unique` });
    } else seen.set(step.id, placed);
  }

  for (const placed of all) {
    const { step, path } = placed;
    const at = (...rest: Path) => [...path, ...rest];
    const calendar = step.calendar ?? def.calendar;
    const kinds = STEP_KINDS.filter((kind) => step[kind] !== undefined);
    if (kinds.length !== 1) {
      report({
        code: 'step-kind',
        message: kinds.length ? `step '${step.id}' does ${kinds.length} things (${kinds.join(', ')}); a step does exactly one` : `step '${step.id}' does nothing`,
        path: at('id'),
        hint: `give it exactly one of: ${STEP_KINDS.join(', ')}`,
      });
    }
    const misplaced = (key: keyof Step, allowed: readonly (keyof Step)[]) => {
      if (step[key] !== undefined && !allowed.some((kind) => step[kind] !== undefined)) {
        report({ code: 'unknown-key', message: `'${key}' applies only to a step with ${allowed.join(' or ')}`, path: at(key), atKey: true });
      }
    };
    misplaced('with', ['call', 'subprocess']);
    misplaced('on-rejected', ['subprocess']);
    misplaced('on-cancelled', ['subprocess']);
    misplaced('retry', ['call']);
    misplaced('timeout', ['call']);
    misplaced('expect', ['call']);
    misplaced('reason', ['end']);
    for (const key of ['deadline', 'remind', 'escalate'] as const) {
      if (step[key] !== undefined && !TIMED_KINDS.some((kind) => step[kind] !== undefined)) {
        const kind = kinds[0] ?? 'step';
        report({
          code: 'misplaced-timing',
          message: `'${key}' has no effect on a '${kind}' step: only a step that opens a task (task, review, checklist; call, subprocess or notify through its incident task) is held to it`,
          path: at(key),
          atKey: true,
          hint: 'move it to the task, review or checklist that people must finish in time',
        });
      }
    }
    checkTarget(step['max-visits']?.then, at('max-visits', 'then'));

    if (step.stage !== undefined && !stages.includes(step.stage)) {
      report({ code: 'unknown-stage', message: `unknown stage '${step.stage}'`, path: at('stage'), hint: suggest(step.stage, stages, 'stages') });
    }
    if (step.deadline !== undefined && !deadlines.includes(step.deadline)) {
      report({ code: 'unknown-deadline', message: `unknown deadline '${step.deadline}'`, path: at('deadline'), hint: suggest(step.deadline, deadlines, 'deadlines') });
    }
    checkCalendar(step.calendar, at('calendar'));
    checkExpression(step.when, at('when'));
    checkExpression(step.expect, at('expect'), 0, ['result']);
    checkText(step.title, at('title'));
    checkText(step.reason, at('reason'));
    checkDuration(step.timeout, at('timeout'), calendar, true);
    checkDuration(step.remind?.every, at('remind', 'every'), calendar);
    if (step.escalate) {
      checkRole(step.escalate.to, at('escalate', 'to'));
      checkDuration(step.escalate.after, at('escalate', 'after'), calendar);
      checkDuration(step.escalate.before, at('escalate', 'before'), calendar);
      if (step.escalate.before !== undefined && step.deadline === undefined) {
        report({ code: 'unknown-deadline', message: `'escalate.before' needs the step to have a 'deadline'`, path: at('escalate', 'before') });
      }
      if ((step.escalate.after === undefined) === (step.escalate.before === undefined)) {
        report({ code: 'missing-field', message: `'escalate' needs exactly one of 'after' or 'before'`, path: at('escalate') });
      }
    }
    for (const key of ['initial-interval', 'maximum-interval'] as const) checkDuration(step.retry?.[key], at('retry', key), calendar, true);
    if (step.call !== undefined) checkCall(step.call, step.with, at('call'), at('with'));
    if (step.set) checkValue(step.set, at('set'));
    if (step.subprocess !== undefined) {
      if (!context.processes.has(step.subprocess)) {
        report({ code: 'unknown-process', message: `unknown process '${step.subprocess}'`, path: at('subprocess'), hint: suggest(step.subprocess, [...context.processes].sort(), 'processes') });
      }
      checkValue(step.with, at('with'));
      const childInput = context.processInputs?.get(step.subprocess);
      if (childInput) subprocessInputIssues(step.subprocess, childInput, step.with, at('with'), at('subprocess')).forEach(report);
    }
    if (step.task) {
      const task = step.task;
      checkRoleRef(task.role, at('task', 'role'));
      checkText(task.title, at('task', 'title'));
      checkText(task.instructions, at('task', 'instructions'));
      checkForm(task.form, at('task', 'form'));
      checkDuration(task.due, at('task', 'due'), calendar);
      task['four-eyes']?.steps?.forEach((id, i) => {
        const decider = seen.get(id);
        if (!decider) {
          report({ code: 'unknown-step', message: `four-eyes names step '${id}', which does not exist`, path: at('task', 'four-eyes', 'steps', i), hint: suggest(id, [...seen.keys()], 'steps') });
        } else if (!(decider.step.task || decider.step.review || decider.step.checklist)) {
          report({ code: 'invalid-value', message: `four-eyes names step '${id}', which nobody decides`, path: at('task', 'four-eyes', 'steps', i), hint: 'name a task, review or checklist step' });
        }
      });
      for (const [name, outcome] of Object.entries(task.outcomes)) {
        checkTarget(outcome, at('task', 'outcomes', name));
        checkRequiredFields(outcome.requires, task.form, at('task', 'outcomes', name, 'requires'), at('task'));
      }
      if (Object.keys(task.outcomes).length === 0) {
        report({ code: 'no-outcomes', message: `human task '${step.id}' has no outcomes`, path: at('task', 'outcomes'), hint: 'list the decisions a person can take, e.g. approve: {} and reject: { end: rejected }' });
      }
    }
    if (step.review) {
      const review = step.review;
      checkRoleRef(review.owner, at('review', 'owner'));
      if (review.reviewer !== undefined) checkRoleRef(review.reviewer, at('review', 'reviewer'));
      review.reviewers?.forEach((entry, i) => {
        if (typeof entry === 'object' && 'reviewer' in entry) {
          checkRoleRef(entry.reviewer, at('review', 'reviewers', i, 'reviewer'));
          if (entry.stage !== undefined && !stages.includes(entry.stage)) {
            report({ code: 'unknown-stage', message: `unknown stage '${entry.stage}'`, path: at('review', 'reviewers', i, 'stage'), hint: suggest(entry.stage, stages, 'stages') });
          }
        } else checkRoleRef(entry, at('review', 'reviewers', i));
      });
      if ((review.reviewer === undefined) === (review.reviewers === undefined)) {
        report({
          code: 'missing-field',
          message: review.reviewer === undefined ? `a review needs 'reviewer' (one role) or 'reviewers' (several, in order)` : `a review has either 'reviewer' or 'reviewers', not both`,
          path: review.reviewer === undefined ? at('review') : at('review', 'reviewers'),
          atKey: review.reviewer !== undefined,
          hint: review.reviewer === undefined ? "add 'reviewer: <role>', or 'reviewers: [<role>, <role>]'" : `put '${typeof review.reviewer === 'string' ? review.reviewer : 'the reviewer'}' into the 'reviewers' list`,
        });
      }
      checkText(review.title, at('review', 'title'));
      checkText(review.instructions, at('review', 'instructions'));
      checkForm(review.form, at('review', 'form'));
      checkDuration(review.due, at('review', 'due'), calendar);
      checkRole(review['on-cap']?.escalate, at('review', 'on-cap', 'escalate'));
      if (review['returned-stage'] !== undefined && !stages.includes(review['returned-stage'])) {
        report({ code: 'unknown-stage', message: `unknown stage '${review['returned-stage']}'`, path: at('review', 'returned-stage'), hint: suggest(review['returned-stage'], stages, 'stages') });
      }
      if (review['on-cap'] && (review['on-cap'].escalate === undefined) === (review['on-cap'].next === undefined)) {
        report({ code: 'missing-field', message: `'on-cap' needs exactly one of 'escalate' (a role that decides with the reviewer) or 'next' (a step)`, path: at('review', 'on-cap') });
      }
      if (review['on-cap'] && review['max-rounds'] === undefined) {
        report({ code: 'missing-field', message: `'on-cap' applies only with 'max-rounds'`, path: at('review', 'on-cap'), hint: "add 'max-rounds: N', or remove 'on-cap'" });
      }
      checkReviewOutcomes(review, at);
      for (const key of ['approved', 'rejected', 'on-cap'] as const) checkTarget(review[key], at('review', key));
    }
    if (step.checklist) {
      checkDuration(step.checklist.due, at('checklist', 'due'), calendar);
      checkTarget(step.checklist['on-fail'], at('checklist', 'on-fail'));
      if (step.checklist['on-check-fail'] === 'fail' && step.checklist['on-fail'] === undefined) {
        report({ code: 'missing-field', message: `'on-check-fail: fail' needs 'on-fail', the place a failed checklist goes`, path: at('checklist', 'on-check-fail'), hint: "add 'on-fail: { next: <step> }', or use 'on-check-fail: ask-verifier'" });
      }
      checkText(step.checklist.title, at('checklist', 'title'));
      step.checklist.items.forEach((item, i) => {
        checkText(item.label, at('checklist', 'items', i, 'label'));
        checkRoleRef(item.verifier, at('checklist', 'items', i, 'verifier'));
        checkExpression(item.when, at('checklist', 'items', i, 'when'));
        if (item.check) {
          checkCall(item.check.call, item.check.with, at('checklist', 'items', i, 'check', 'call'), at('checklist', 'items', i, 'check', 'with'));
          checkExpression(item.check.expect, at('checklist', 'items', i, 'check', 'expect'), 0, ['result']);
        }
      });
    }
    if (step.wait) {
      checkDuration(step.wait.for, at('wait', 'for'), calendar);
      checkExpression(step.wait.until, at('wait', 'until'));
      if ((step.wait.for === undefined) === (step.wait.until === undefined)) {
        report({ code: 'missing-field', message: `'wait' needs exactly one of 'for' (a duration) or 'until' (an instant)`, path: at('wait') });
      }
    }
    if (step['wait-for']) {
      checkExpression(step['wait-for'].match, at('wait-for', 'match'), 0, ['event']);
      checkDuration(step['wait-for'].timeout, at('wait-for', 'timeout'), calendar);
      checkTarget(step['wait-for']['on-timeout'], at('wait-for', 'on-timeout'));
      const event = step['wait-for'].event;
      if (!events.has(event)) {
        report({
          code: 'unknown-event',
          severity: 'warning',
          message: `no trigger or action is known to send the event '${event}'`,
          path: at('wait-for', 'event'),
          hint: "it can still arrive through the CLI's `event` command; check the name against the system that sends it",
        });
      }
    }
    if (step.poll) {
      const poll = step.poll;
      checkCall(poll.call, poll.with, at('poll', 'call'), at('poll', 'with'));
      const read = context.actions.get(poll.call);
      if (read?.mutates) {
        report({ code: 'bad-arguments', message: `'${poll.call}' changes data, so it cannot be called again and again by 'poll'`, path: at('poll', 'call'), hint: 'poll with an action that only reads, e.g. jira.getIssueStatus' });
      }
      checkExpression(poll.until, at('poll', 'until'), 0, ['result']);
      checkExpression(poll.match, at('poll', 'match'), 0, ['event']);
      checkDuration(poll.every, at('poll', 'every'), calendar);
      checkDuration(poll.timeout, at('poll', 'timeout'), calendar);
      if (poll.match !== undefined && poll.event === undefined) {
        report({ code: 'missing-field', message: `'poll.match' needs 'poll.event', the event it matches`, path: at('poll', 'match') });
      }
    }
    if (step['for-each']) checkExpression(step['for-each'].items, at('for-each', 'items'));
    if (step.notify) {
      const notify = step.notify;
      checkRole(notify.role, at('notify', 'role'));
      for (const key of ['address', 'subject', 'text'] as const) checkText(notify[key], at('notify', key));
      if ((notify.role === undefined) === (notify.address === undefined)) {
        report({ code: 'missing-field', message: `'notify' needs exactly one of 'role' (its holders are e-mailed) or 'address'`, path: at('notify') });
      }
    }
    step.branch?.forEach((branchCase, i) => {
      checkExpression(branchCase.when, at('branch', i, 'when'));
      if (branchCase.when === undefined && i !== step.branch!.length - 1) {
        report({ code: 'unreachable-step', message: 'only the last branch case may omit \'when\'; the cases after it can never be taken', path: at('branch', i) });
      }
      checkTarget(branchCase, at('branch', i));
      if (branchCase.next === undefined && branchCase.end === undefined) {
        report({ code: 'missing-field', message: `branch case needs 'next' or 'end'`, path: at('branch', i) });
      }
    });
    for (const { target, path: targetPath } of jumps(step, path)) checkJump(placed, target, targetPath, seen, report);
  }

  for (const list of lists(all)) checkFlow(list, report);
  return issues;
}

/** "step 3", "step 1 of parallel branch 'numbers'" or "step 2 of the for-each steps". */
function describeStep(path: Path): string {
  const [, index, ...rest] = path;
  const here = `step ${Number(rest.length ? rest[rest.length - 1] : index) + 1}`;
  if (!rest.length) return here;
  if (rest[rest.length - 2] === 'steps') return `${here} of the for-each steps`;
  if (rest[rest.length - 2] === 'on-return') return `${here} of the review's on-return steps`;
  if (rest[rest.length - 2] === 'on-resubmit') return `${here} of the review's on-resubmit steps`;
  return `${here} of parallel branch '${rest[rest.length - 2]}'`;
}

/** Every step with its path and list, depth first, parallel branches and for-each steps included. */
function placeSteps(steps: Step[], path: Path): PlacedStep[] {
  const list: PlacedStep[] = [];
  const nested: PlacedStep[] = [];
  steps.forEach((step, index) => {
    list.push({ step, path: [...path, index], list, index });
    for (const [branch, branchSteps] of Object.entries(step.parallel ?? {})) {
      nested.push(...placeSteps(branchSteps, [...path, index, 'parallel', branch]));
    }
    if (step['for-each']) nested.push(...placeSteps(step['for-each'].steps, [...path, index, 'for-each', 'steps']));
    if (step.review?.['on-return']) nested.push(...placeSteps(step.review['on-return'], [...path, index, 'review', 'on-return']));
    if (step.review?.['on-resubmit']) nested.push(...placeSteps(step.review['on-resubmit'], [...path, index, 'review', 'on-resubmit']));
  });
  return [...list, ...nested];
}

function lists(all: PlacedStep[]): PlacedStep[][] {
  return [...new Set(all.map((p) => p.list))];
}

/** The explicit jumps a step can make, each with where it is written. */
export function jumps(step: Step, path: Path): { target: string; path: Path }[] {
  const out: { target: string; path: Path }[] = [];
  const add = (target: Target | undefined, at: Path) => {
    if (target?.next !== undefined) out.push({ target: target.next, path: [...at, 'next'] });
    if (target?.end !== undefined) out.push({ target: END, path: at });
  };
  add({ next: step.next }, path);
  for (const [name, outcome] of Object.entries(step.task?.outcomes ?? {})) add(outcome, [...path, 'task', 'outcomes', name]);
  if (step.review) {
    const listed = step.review.outcomes;
    const where = (verdict: 'approve' | 'reject', older: 'approved' | 'rejected') => {
      const outcome = listed?.[verdict];
      return outcome && (outcome.next !== undefined || outcome.end !== undefined) ? [...path, 'review', 'outcomes', verdict] : [...path, 'review', older];
    };
    for (const v of reviewVerdicts(step.review)) {
      if (v.verdict === 'approve') add(v.target, where('approve', 'approved'));
      if (v.verdict === 'reject') add(v.target, where('reject', 'rejected'));
    }
    add(step.review['on-cap'], [...path, 'review', 'on-cap']);
  }
  add(step.checklist?.['on-fail'], [...path, 'checklist', 'on-fail']);
  step.branch?.forEach((branchCase, i) => add(branchCase, [...path, 'branch', i]));
  add(step['wait-for']?.['on-timeout'], [...path, 'wait-for', 'on-timeout']);
  add(step.poll?.['on-timeout'], [...path, 'poll', 'on-timeout']);
  add(step['on-rejected'], [...path, 'on-rejected']);
  add(step['on-cancelled'], [...path, 'on-cancelled']);
  add(step['max-visits']?.then, [...path, 'max-visits', 'then']);
  if (step.end !== undefined) out.push({ target: END, path });
  return out;
}

function checkJump(from: PlacedStep, target: string, path: Path, seen: Map<string, PlacedStep>, report: (i: DefinitionIssue) => void) {
  if (target === END) return;
  const to = seen.get(target);
  const sameList = from.list.map((p) => p.step.id);
  if (!to) {
    report({ code: 'unknown-step', message: `step '${from.step.id}' jumps to '${target}', which does not exist`, path, hint: suggest(target, sameList, 'steps here') });
  } else if (to.list !== from.list) {
    report({ code: 'unknown-step', message: `step '${from.step.id}' jumps to '${target}', which is in another list of steps`, path, hint: 'a jump stays within its own list: the main steps, one parallel branch or a for-each\'s steps' });
  }
}

/** Whether control can continue to the following step after this one. */
export function fallsThrough(step: Step): boolean {
  if (step.when !== undefined) return true; // a skipped step continues with the next
  if (step.end !== undefined || step.next !== undefined) return false;
  if (step.branch?.some((c) => c.when === undefined)) return false;
  if (step.task) return Object.values(step.task.outcomes).some((o) => o.next === undefined && o.end === undefined);
  if (step.review) return reviewVerdicts(step.review)[0].target === undefined;
  return true;
}

/** Unreachable steps, and loops that neither exit nor are capped, in one list of steps. */
function checkFlow(list: PlacedStep[], report: (i: DefinitionIssue) => void) {
  const index = new Map(list.map((p) => [p.step.id, p.index]));
  const successors = list.map((p) => {
    const out = new Set<number>();
    for (const { target } of jumps(p.step, p.path)) out.add(target === END ? list.length : index.get(target) ?? list.length);
    if (fallsThrough(p.step)) out.add(p.index + 1);
    return [...out];
  });

  // A jump to a misspelt step is reported already; guessing what it would have reached only adds noise.
  const unknownJump = list.some((p) => jumps(p.step, p.path).some(({ target }) => target !== END && !index.has(target)));
  const reached = new Set<number>([0]);
  const queue = [0];
  while (queue.length) for (const next of successors[queue.shift()!] ?? []) if (next < list.length && !reached.has(next)) reached.add(next), queue.push(next);
  for (const p of list) {
    if (!reached.has(p.index) && !unknownJump) {
      report({ code: 'unreachable-step', message: `step '${p.step.id}' can never be reached`, path: [...p.path, 'id'], hint: 'no step jumps to it, and the step before it never continues to it' });
    }
  }

  for (const component of cycles(successors, list.length)) {
    const exits = component.some((i) => successors[i].some((j) => !component.includes(j)));
    const capped = component.some((i) => list[i].step['max-visits'] !== undefined || list[i].step.review !== undefined);
    if (!exits && !capped) {
      const first = list[Math.min(...component)];
      report({
        code: 'endless-loop',
        message: `the loop through ${component.sort((a, b) => a - b).map((i) => `'${list[i].step.id}'`).join(', ')} can never end`,
        path: [...first.path, 'id'],
        hint: "give one of its steps a way out (an outcome or branch case leading elsewhere) or a cap ('max-visits')",
      });
    }
  }
}

/** Strongly connected components that contain a cycle (Tarjan). Index `size` is the end and is never in one. */
function cycles(successors: number[][], size: number): number[][] {
  const order: number[] = new Array(size).fill(-1);
  const low: number[] = new Array(size).fill(0);
  const stack: number[] = [];
  const onStack = new Set<number>();
  const found: number[][] = [];
  let counter = 0;
  const visit = (v: number) => {
    order[v] = low[v] = counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of successors[v]) {
      if (w >= size) continue;
      if (order[w] === -1) {
        visit(w);
        low[v] = Math.min(low[v], low[w]);
      } else if (onStack.has(w)) low[v] = Math.min(low[v], order[w]);
    }
    if (low[v] === order[v]) {
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || successors[v].includes(v)) found.push(component);
    }
  };
  for (let v = 0; v < size; v++) if (order[v] === -1) visit(v);
  return found;
}

/** The names an expression may read at the top of its scope: the engine's, the definition's variables and every step result. */
function variablesOf(def: Definition): Set<string> {
  const names = new Set<string>(['input', 'deadlines', 'now', ...Object.keys(def.variables ?? {})]);
  const visit = (steps: Step[]) =>
    steps.forEach((step) => {
      if (step.result) names.add(step.result);
      for (const key of Object.keys(step.set ?? {})) names.add(key);
      Object.values(step.parallel ?? {}).forEach(visit);
      // A for-each's item and its position are variables of its steps (checked here as anywhere, like the others).
      if (step['for-each']) names.add(step['for-each'].as ?? 'item').add('index'), visit(step['for-each'].steps);
      if (step.review?.['on-return']) visit(step.review['on-return']);
      if (step.review?.['on-resubmit']) visit(step.review['on-resubmit']);
    });
  visit(def.steps);
  return names;
}

/** Events the webhooks of the systems this definition calls deliver back to it (the actions' `sendsEvents`). */
function eventsSentToCallers(def: Definition, actions: ActionCatalogue): string[] {
  const found: string[] = [];
  const visit = (steps: Step[]) =>
    steps.forEach((step) => {
      if (step.call) found.push(...(actions.get(step.call)?.sendsEvents ?? []));
      Object.values(step.parallel ?? {}).forEach(visit);
      if (step['for-each']) visit(step['for-each'].steps);
      if (step.review?.['on-return']) visit(step.review['on-return']);
    });
  visit(def.steps);
  return found;
}

type ArgumentProblem = { key?: Path; atKey?: boolean; message: string; hint?: string };

/**
 * Problems with a step's arguments against the action's input schema, found without running anything:
 * unknown and missing arguments at every level of nested objects, and literal values of the wrong type.
 */
function argumentProblems(schema: z.ZodType, args: Record<string, unknown>, at: Path = []): ArgumentProblem[] {
  const shape = objectShape(schema);
  if (!shape) return [];
  const problems: ArgumentProblem[] = [];
  const where = (key: string) => (at.length ? `${[...at, key].join('.')}` : key);
  for (const key of Object.keys(args)) {
    if (!(key in shape)) problems.push({ key: [...at, key], atKey: true, message: `unknown argument '${where(key)}'`, hint: didYouMean(key, Object.keys(shape)) ?? `arguments${at.length ? ` of '${at.join('.')}'` : ''}: ${Object.keys(shape).join(', ')}` });
  }
  for (const [key, field] of Object.entries(shape)) {
    const value = args[key];
    if (value === undefined) {
      if (!field.safeParse(undefined).success) problems.push({ key: at.length ? at : undefined, message: `missing argument '${where(key)}'`, hint: `add '${key}' under '${at.length ? at.join('.') : 'with'}'` });
      continue;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && objectShape(field)) {
      // A nested object: its keys are checked one by one (zod would drop a misspelt one without a word).
      problems.push(...argumentProblems(field, value as Record<string, unknown>, [...at, key]));
    } else if (isLiteral(value)) {
      const result = field.safeParse(value);
      if (!result.success) problems.push({ key: [...at, key], message: `argument '${where(key)}': ${result.error.issues[0].message.replace(/^Invalid input: /, '')}` });
    }
  }
  return problems;
}

/** The fields of an object schema, looking through optional, default and refinement wrappers. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: z.core.$ZodType | undefined = schema;
  for (let depth = 0; current && depth < 10; depth++) {
    const def = current._zod.def as { type: string; shape?: Record<string, z.ZodType>; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (def.type === 'object') return def.shape;
    current = def.innerType ?? def.in;
  }
  return undefined;
}

/** An unknown template, or a literal `variables:` mapping that misses one the template needs or has one it does not. */
function templateProblems(templates: readonly TemplateSignature[], args: Record<string, unknown>): ArgumentProblem[] {
  const given = args.template;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) return [];
  const { name, variables } = given as { name?: unknown; variables?: unknown };
  if (typeof name !== 'string' || !isLiteral(name)) return [];
  const normal = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();
  const template = templates.find((t) => t.id === name || normal(t.label) === normal(name));
  if (!template) {
    const names = templates.map((t) => t.label);
    return [{ key: ['template', 'name'], message: `unknown template '${name}'`, hint: suggest(name, names, 'templates') }];
  }
  if (variables !== undefined && (variables === null || typeof variables !== 'object' || Array.isArray(variables))) return [];
  const keys = Object.keys((variables ?? {}) as Record<string, unknown>);
  const problems: ArgumentProblem[] = [];
  const missing = template.variables.filter((v) => !keys.includes(v));
  if (missing.length) {
    problems.push({ key: variables === undefined ? ['template'] : ['template', 'variables'], atKey: true, message: `template '${template.label}' needs ${missing.map((v) => `'${v}'`).join(', ')}`, hint: `add ${missing.map((v) => `${v}: ...`).join(', ')} under 'template.variables'` });
  }
  for (const key of keys.filter((k) => !template.variables.includes(k))) {
    problems.push({ key: ['template', 'variables', key], atKey: true, message: `template '${template.label}' has no variable '${key}'`, hint: didYouMean(key, template.variables) ?? `its variables: ${template.variables.join(', ')}` });
  }
  return problems;
}


// Strict mode refuses what JSON Schema would silently ignore: a misspelt keyword (`propertes`), a `required`
// field no `properties` declares, `properties` without `type: object`.
const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
ajv.addKeyword({ keyword: PERSON_WITH_ROLE, schemaType: 'string' });
// The one extension keyword: a field whose value the state query and audit show as "•••" (workflows/sensitive.ts).
// Any other `x-` keyword stays an unknown keyword, like a misspelt one.
ajv.addKeyword({ keyword: 'x-sensitive', schemaType: 'boolean' });

/**
 * Why a form or input schema is not a usable JSON Schema, and where in it. Ajv stops at the first strict-mode
 * problem, so each misspelt keyword found is taken out and the schema compiled again, to report them all.
 */
function jsonSchemaErrors(schema: Record<string, unknown>): { message: string; path: Path; hint?: string }[] {
  const problems: { message: string; path: Path; hint?: string }[] = [];
  const current: unknown = structuredClone(schema);
  // Keywords read as what they most likely mean, by where they are: paths are reported as the author wrote them.
  const renamed = new Map<string, string>();
  const asWritten = (path: Path) => path.map((key, i) => renamed.get(JSON.stringify([...path.slice(0, i), key])) ?? key);
  // Said here at its place rather than by Ajv, which names only the schema, then left out so the rest is checked.
  for (const found of keyPaths(current, 'x-sensitive')) {
    const parent = found.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key as string], current) as Record<string, unknown>;
    if (typeof parent['x-sensitive'] === 'boolean') continue;
    problems.push({ message: `'x-sensitive' must be true or false, not ${JSON.stringify(parent['x-sensitive'])}`, path: found, hint: 'write x-sensitive: true on a field whose value (a password, a credential) the state query and audit must show as •••' });
    delete parent['x-sensitive'];
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      ajv.compile(current as Record<string, unknown>);
      return problems;
    } catch (err) {
      const message = (err as Error).message;
      const unknown = /unknown keyword: "([^"]+)"/.exec(message)?.[1];
      const found = unknown === undefined ? undefined : keyPath(current, unknown);
      const path = found && asWritten(found);
      if (unknown === undefined || !found || !path) {
        const required = /required property "([^"]+)" is not defined/.exec(message)?.[1];
        if (required !== undefined) {
          problems.push({ message: `'${required}' is required but not declared under 'properties'`, path: asWritten(keyPath(current, 'required') ?? []), hint: `declare '${required}' under 'properties', or check its spelling` });
        } else problems.push({ message: `not a valid JSON Schema: ${message.replace(/^strict mode: /, '')}`, path: [] });
        return problems;
      }
      const meant = closest(unknown, SCHEMA_KEYWORDS);
      problems.push({ message: `unknown JSON Schema keyword '${unknown}'`, path, hint: meant ? `did you mean '${meant}'?` : 'JSON Schema ignores unknown keywords, so a misspelt one checks nothing' });
      // Read it as the keyword it most likely means, so that what is inside it is checked too.
      const parent = found!.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key as string], current) as Record<string, unknown>;
      if (meant && !(meant in parent)) {
        parent[meant] = parent[unknown];
        renamed.set(JSON.stringify([...found!.slice(0, -1), meant]), unknown);
      }
      delete parent[unknown];
    }
  }
  return problems;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  return /'([^']+)'/.exec(didYouMean(word, candidates) ?? '')?.[1];
}

const SCHEMA_KEYWORDS = [
  'type', 'properties', 'required', 'items', 'enum', 'const', 'format', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum',
  'exclusiveMaximum', 'multipleOf', 'pattern', 'default', 'title', 'description', 'examples', 'additionalProperties', 'minItems', 'maxItems',
  'uniqueItems', 'oneOf', 'anyOf', 'allOf', 'not', 'if', 'then', 'else', 'dependentRequired', 'readOnly', 'writeOnly',
  'x-sensitive',
];

/** The paths to every key with this name in a JSON value. */
function keyPaths(value: unknown, key: string, at: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const here = !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, key) ? [[...at, key]] : [];
  return [...here, ...Object.entries(value).flatMap(([k, v]) => keyPaths(v, key, [...at, Array.isArray(value) ? Number(k) : k]))];
}

/** The path to the first key with this name in a JSON value, depth first. */
function keyPath(value: unknown, key: string, at: Path = []): Path | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, key)) return [...at, key];
  for (const [k, v] of Object.entries(value)) {
    const found = keyPath(v, key, [...at, Array.isArray(value) ? Number(k) : k]);
    if (found) return found;
  }
  return undefined;
}
