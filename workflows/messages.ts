/**
 * Everything that crosses the boundary of a running process, declared once and shared by the interpreter,
 * the API, the CLI and the tests: the decision update and signal, the event signal, the state query, the
 * search attributes, and the shapes they carry. Pure: no I/O.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CompiledDefinition } from '../dsl/compile';

/** A person's decision on an open task. */
export interface Decision {
  taskId: string;
  outcome: string;
  actor: { id: string; roles: string[] };
  form?: Record<string, unknown>;
  comment?: string;
}

export interface DecisionReceipt {
  taskId: string;
  outcome: string;
  at: string;
}

/** Something that happened outside (document signed, Jira issue done), for `wait-for:` steps. */
export interface ExternalEvent {
  name: string;
  payload?: unknown;
}

export type EndStatus = 'completed' | 'rejected' | 'cancelled';

export interface OpenTask {
  id: string;
  stepId: string;
  kind: 'task' | 'review' | 'rework' | 'checklist' | 'incident';
  /** The roles allowed to decide: the assignee role, plus any role it was escalated to. */
  roles: string[];
  title: string;
  instructions?: string;
  outcomes: string[];
  /** Outcomes that must carry a comment (a reason). */
  commentRequired: string[];
  /** Outcome → the form fields it needs filled (e.g. `reject` → `reason`), besides the form's own `required`. */
  requires?: Record<string, string[]>;
  /** Outcome → the words its button shows, where the definition gives them. */
  labels?: Record<string, string>;
  form?: Record<string, unknown>;
  openedAt: string;
  dueAt?: string;
  /** Filled in by the state query: "1 business day 4 hours left", "overdue by 2 hours". */
  timeLeft?: string;
  breached: boolean;
  reminders: number;
  escalatedTo?: string;
  /** Four eyes: people who hold the role but may not decide this task, each with the reason. */
  excluded?: { id: string; why: string }[];
}

/** Something an instance waits on that is not a person's task: a `poll:` asking a system every interval. */
export interface WaitView {
  stepId: string;
  kind: 'poll';
  /** The action called, e.g. `jira.getIssueStatus`. */
  call: string;
  checks: number;
  nextCheckAt?: string;
  timeoutAt?: string;
  /** The event that ends the wait early, if any. */
  event?: string;
}

export interface DeadlineView {
  name: string;
  at: string;
  timeLeftMs: number;
  /** The same in words: "2 business days 3 hours left", "overdue by 4 hours". */
  timeLeft: string;
  breached: boolean;
}

/** What an audit entry records; the API's schema of the audit trail is built from this list. */
export const AUDIT_EVENTS = [
  'started', 'stage', 'skipped', 'task-opened', 'decision', 'reminder', 'escalated', 'deadline-breached', 'event',
  'failed', 'item-failed', 'review-capped', 'notified', 'ended', 'polled', 'item', 'subprocess-ended',
] as const;

export interface AuditEntry {
  at: string;
  event: (typeof AUDIT_EVENTS)[number];
  stepId?: string;
  taskId?: string;
  actor?: string;
  outcome?: string;
  comment?: string;
  detail?: string;
}

export interface InstanceState {
  process: string;
  version: number;
  hash: string;
  businessKey?: string;
  status: 'running' | EndStatus;
  reason?: string;
  stage?: string;
  openTasks: OpenTask[];
  /** Polls in progress: what is asked, how often it was asked, when next and until when. */
  waiting: WaitView[];
  deadlines: DeadlineView[];
  variables: Record<string, unknown>;
  audit: AuditEntry[];
}

export interface ProcessResult {
  status: EndStatus;
  reason?: string;
  variables: Record<string, unknown>;
}

/** What an instance carries into its next run when it continues as new. */
export interface CarriedState {
  resumeAt: string;
  variables: Record<string, unknown>;
  audit: AuditEntry[];
  visits: Record<string, number>;
  inbox: ExternalEvent[];
  deadlines: Record<string, string>;
  stage?: string;
  /** Set when the instance continued as new in the middle of `resumeAt` (a long poll): where it was. */
  progress?: unknown;
  /** Values of `x-sensitive` fields seen so far, still masked after continuing as new (workflows/sensitive.ts). */
  secrets?: string[];
}

export interface ProcessArgs {
  definition: CompiledDefinition;
  input: Record<string, unknown>;
  /** The authenticated person who started the instance (set by the API, never by the caller's say-so). */
  startedBy?: { id: string };
  carried?: CarriedState;
}

export const decideUpdate = defineUpdate<DecisionReceipt, [Decision]>('decide');
/**
 * Why the instance is about to be cancelled, and who asked (authenticated by the API), sent just before
 * Temporal's own cancel request so that the instance's audit trail ends with them.
 */
export const cancelReasonUpdate = defineUpdate<void, [CancelRequest]>('cancel-reason');
export interface CancelRequest {
  reason: string;
  actor: { id: string };
}
/** Same meaning as the update, for senders that cannot wait for an answer; refused decisions are dropped. */
export const decideSignal = defineSignal<[Decision]>('decide');
export const eventSignal = defineSignal<[ExternalEvent]>('event');
/**
 * The instance's state. Inside a query the workflow clock stands at its last workflow task, which may be
 * days ago for an instance waiting on a person: callers pass their own clock as `at` so that time left is
 * counted from now (without it, from the workflow clock).
 */
export const stateQuery = defineQuery<InstanceState, [StateQueryOptions?]>('state');
export interface StateQueryOptions {
  /** ISO instant to count time left from, normally the caller's now. */
  at?: string;
}

/** Search attributes: what ops filter instances by. Nothing personal goes here (they are not encrypted). */
export const searchAttributes = {
  processName: defineSearchAttributeKey('ProcessName', SearchAttributeType.KEYWORD),
  processVersion: defineSearchAttributeKey('ProcessVersion', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD),
  openTaskRoles: defineSearchAttributeKey('OpenTaskRoles', SearchAttributeType.KEYWORD_LIST),
  nextDeadline: defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME),
  /** When the longest-overdue open task fell due: set while a task is past its due date, cleared when none is. */
  overdueSince: defineSearchAttributeKey('OverdueSince', SearchAttributeType.DATETIME),
  businessKey: defineSearchAttributeKey('BusinessKey', SearchAttributeType.KEYWORD),
} as const;
