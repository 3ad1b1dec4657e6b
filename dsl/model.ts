/**
 * The definition language's shape, declared once. TypeScript types (`z.infer`) and the published JSON
 * Schema (`definitions/schema.json`, written by `npm run schema`) are both derived from these objects.
 *
 * Shape rules that a schema cannot express (jump targets exist, roles are declared, expressions parse,
 * loops terminate, ...) live in `checks.ts`. Pure module: safe to import from workflow code.
 */
import { z } from 'zod';

const describe = <T extends z.ZodType>(schema: T, description: string): T => schema.meta({ description });

export const StepId = describe(
  z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, starting with a letter'),
  'A step id: lower-case letters, digits and dashes, e.g. `legal-review`.',
);
export const Name = z.string().regex(/^[a-z][a-zA-Z0-9_-]*$/, 'use letters, digits, dashes and underscores, starting with a lower-case letter');

/** A JSONata expression evaluated against the instance's variables (`input`, step results, ...). */
export const Expression = describe(z.string().min(1), 'A JSONata expression, e.g. `input.requestedBy = "company"`.');

/**
 * Who does a task: a declared role (`iod`), an expression choosing one (`=input.type = "reseller" ?
 * "partner-manager" : "virtual-sales"`, its literal results checked against `roles:`), or an expression
 * with the roles it may give listed (`{ expression, one-of }`). Names and expressions are told apart in
 * `checks.ts`, so a misspelt role gets a did-you-mean rather than a schema error.
 */
export const RoleChoice = z.strictObject({
  expression: describe(Expression, 'Gives the role at run time, e.g. `input.partner.managerRole`.'),
  'one-of': describe(z.array(Name).min(1), 'Every role the expression may give; all must be declared under `roles:`.'),
});
export const RoleRef = describe(
  z.union([z.string().min(1), RoleChoice]),
  'A declared role, `=expression` choosing among declared roles, or `{ expression, one-of: [roles] }`.',
);

/**
 * A value given to an action or a subprocess: a string starting with `=` is an expression
 * (`=input.partnerEmail`); `{{ expr }}` inside a string is replaced by the expression's value;
 * anything else is taken literally.
 */
export const ArgumentValue: z.ZodType<unknown> = describe(
  z.unknown(),
  'A literal, an expression starting with `=`, or a text with `{{ expression }}` placeholders.',
);
export const Arguments = z.record(z.string(), ArgumentValue);

/** Durations as people write them: `5 minutes`, `30 calendar days`, `3 business days`, `same business day`. */
export const Duration = describe(
  z.string(),
  'A duration: `N milliseconds|seconds|minutes|hours|days|weeks`, `N calendar days`, `N business days`, `same business day` or `next business day`.',
);

export const EndStatus = z.enum(['completed', 'rejected', 'cancelled']);

/** Where control goes after an outcome: another step, or the end of the process. */
export const Target = z.strictObject({
  next: StepId.optional(),
  end: EndStatus.optional(),
  reason: describe(z.string().optional(), 'Why the process ends here; may use {{ expression }} placeholders.'),
});

export const Outcome = z.strictObject({
  label: z.string().optional(),
  next: StepId.optional(),
  end: EndStatus.optional(),
  reason: z.string().optional(),
  comment: describe(z.enum(['required', 'optional']).optional(), 'Whether the decision must carry a comment.'),
  requires: describe(
    z.array(z.string().min(1)).min(1).optional(),
    'Form fields that must be filled for this outcome only, e.g. `[reason]` on `reject`; each must be declared in the form.',
  ),
});

/**
 * A start-input field marked with this keyword names a person of the people directory holding the given
 * role (`cam: { type: string, x-person-with-role: cam }`); the start is refused otherwise.
 */
export const PERSON_WITH_ROLE = 'x-person-with-role';

/** A JSON Schema object, checked as such by the compiler. */
export const JsonSchema = describe(z.record(z.string(), z.unknown()), 'A JSON Schema (draft 2020-12).');

export const RetryPolicy = z.strictObject({
  'max-attempts': z.number().int().positive().optional(),
  'initial-interval': Duration.optional(),
  'maximum-interval': Duration.optional(),
  backoff: z.number().min(1).optional(),
});

export const Task = z.strictObject({
  role: RoleRef,
  title: z.string(),
  instructions: z.string().optional(),
  form: JsonSchema.optional(),
  outcomes: describe(z.record(Name, Outcome), 'The decisions a person may take, each with where it leads.'),
  due: Duration.optional(),
  'four-eyes': describe(
    z.strictObject({
      starter: describe(z.boolean().optional(), 'The person who started the instance may not decide this task.'),
      steps: describe(z.array(StepId).optional(), 'Nobody who decided one of these earlier steps may decide this task.'),
    }).optional(),
    'Four eyes: who may not decide this task, though they hold its role.',
  ),
});

export const ChecklistItem = z.strictObject({
  id: Name,
  label: z.string(),
  verifier: describe(RoleRef, 'The role that confirms this item.'),
  evidence: describe(z.enum(['required', 'optional']).optional(), 'Whether confirming needs evidence (a link, a note).'),
  when: describe(Expression.optional(), 'The item applies only when this is true, e.g. `input.termsChanged`; otherwise it is left out.'),
  'not-applicable': describe(
    z.enum(['allowed']).optional(),
    'The verifier may mark this item "not applicable" (with a reason); without it, every item must be done.',
  ),
  check: describe(
    z.strictObject({ call: z.string(), with: Arguments.optional(), expect: Expression }).optional(),
    'An automatic check: the action is called and the item passes when `expect` is true of its `result`.',
  ),
});

export const Checklist = z.strictObject({
  title: z.string(),
  items: z.array(ChecklistItem).min(1),
  due: Duration.optional(),
  'on-fail': describe(
    Target.optional(),
    'Where the process goes when an item is answered "not done"; omitted, the checklist stays open for the failed items.',
  ),
  'on-check-fail': describe(
    z.enum(['ask-verifier', 'fail']).optional(),
    'When an automatic check fails: `ask-verifier` (default) hands the item to its verifier; `fail` fails the item.',
  ),
});

/** Who decides when the work has been returned `max-rounds` times: never an automatic rejection. */
export const OnCap = z.strictObject({
  escalate: describe(Name.optional(), 'A role brought in to decide alongside the reviewer: approve or reject.'),
  next: describe(StepId.optional(), 'A step to go to instead of another round.'),
});

/**
 * One of a review's three verdicts as the definition words it: the outcome name a decision sends (`name`),
 * the button's `label`, whether a comment is needed, the form fields it requires, and (approve, reject)
 * where it leads.
 */
export const ReviewOutcome = z.strictObject({
  name: describe(Name.optional(), 'The outcome name decisions send, e.g. `rejected-returned`; default the verdict (`approve`, `return`, `reject`).'),
  label: describe(z.string().optional(), 'What the inbox button and the diagram arrow say, e.g. `Rejected - returned to Partnerships`.'),
  comment: describe(z.enum(['required', 'optional']).optional(), 'Whether the decision must carry a comment; default required for return and reject.'),
  requires: describe(z.array(z.string().min(1)).min(1).optional(), 'Form fields that must be filled for this verdict, e.g. `[reason]`.'),
  next: StepId.optional(),
  end: EndStatus.optional(),
  reason: z.string().optional(),
});

/** The verdicts a reviewer may give, worded by the definition. Listed, only those listed are offered (approve and return always). */
export const ReviewOutcomes = z.strictObject({
  approve: describe(ReviewOutcome.optional(), 'The work is accepted; `next`/`end` say where to go (default: the next step).'),
  return: describe(ReviewOutcome.optional(), 'The work goes back to its owner for rework, then to review again; no `next`/`end`.'),
  reject: describe(ReviewOutcome.optional(), 'The work is refused; default: the process ends rejected. Leave it out when a reviewer may only return the work.'),
});

/** A reviewer of a review with several: the role, and the stage the instance enters while it is theirs. */
export const ReviewStage = z.strictObject({
  reviewer: RoleRef,
  stage: describe(Name.optional(), 'The stage the instance enters when this reviewer\'s turn comes (its ticket moves there).'),
});

const ReviewWithoutSteps = z.strictObject({
  owner: describe(RoleRef, 'The role that prepares the work and fixes it when it is returned.'),
  reviewer: describe(RoleRef.optional(), 'The role that reviews; or `reviewers:` for several in order.'),
  reviewers: describe(
    z.array(z.union([RoleRef, ReviewStage])).min(1).optional(),
    'Several reviewers in order (`[iod, provisioning]`, or `{ reviewer, stage }` entries); each may return the work, and review then starts again from the first.',
  ),
  title: z.string(),
  instructions: z.string().optional(),
  form: JsonSchema.optional(),
  outcomes: describe(ReviewOutcomes.optional(), 'The verdicts\' names, labels and targets: `{ approve: { label: Approved }, return: { name: rejected-returned, label: ... }, reject: ... }`.'),
  'max-rounds': describe(
    z.number().int().positive().optional(),
    'How many times the reviewer may return the work; then the reviewer (or `on-cap.escalate`) must approve or reject. Omitted, no cap.',
  ),
  approved: Target.optional(),
  rejected: Target.optional(),
  'on-cap': describe(OnCap.optional(), 'What happens at the round cap; omitted, the reviewer decides without the return option.'),
  'returned-stage': describe(Name.optional(), 'The stage the instance is in while the owner reworks returned work (its ticket moves there); it comes back to the step\'s stage on resubmission.'),
  due: Duration.optional(),
});
export type ReviewSpec = z.infer<typeof ReviewWithoutSteps> & { 'on-return'?: Step[]; 'on-resubmit'?: Step[] };

export const Wait = z.strictObject({
  for: Duration.optional(),
  until: describe(Expression.optional(), 'An expression giving an instant (ISO date or date-time).'),
});

export const WaitForEvent = z.strictObject({
  event: Name,
  match: describe(Expression.optional(), 'The event is taken only when this is true of it (`event.payload...`).'),
  timeout: Duration.optional(),
  'on-timeout': Target.optional(),
});

/** Waits until an external system reaches a state: the action is called every interval until `until` holds. */
export const Poll = z.strictObject({
  call: describe(z.string(), 'A read action, e.g. `jira.getIssueStatus`; called again every interval.'),
  with: Arguments.optional(),
  until: describe(Expression, 'The wait ends when this is true of `result` (the latest answer).'),
  every: describe(Duration, 'How long to wait between two calls, e.g. `1 hour`.'),
  timeout: describe(Duration.optional(), 'Give up this long after the step started.'),
  'on-timeout': describe(Target.optional(), 'Where to go when the timeout passes; default: end cancelled.'),
  event: describe(Name.optional(), 'An event of this name ends the wait early, once the first check has been made (sent as for `wait-for`).'),
  match: describe(Expression.optional(), 'The event is taken only when this is true of it (`event.payload...`).'),
});

/** A definition's own message: to the holders of a role (from the people directory) or to an address. */
export const Notify = z.strictObject({
  role: describe(Name.optional(), 'E-mail everyone holding this role in the people directory.'),
  address: describe(z.string().optional(), 'E-mail this address; may use {{ expression }} placeholders.'),
  subject: describe(z.string().min(1), 'The subject; may use {{ expression }} placeholders.'),
  text: describe(z.string(), 'The message; may use {{ expression }} placeholders.'),
});

export const BranchCase = z.strictObject({
  title: describe(z.string().optional(), 'When this case is taken, in words; written on the diagram\'s arrow, e.g. `High-risk customer`.'),
  when: describe(Expression.optional(), 'Omit on the last case to make it the default.'),
  next: StepId.optional(),
  end: EndStatus.optional(),
  reason: z.string().optional(),
});

export const Escalation = z.strictObject({
  to: Name,
  after: describe(Duration.optional(), 'Escalate this long after the task opened.'),
  before: describe(Duration.optional(), 'Escalate this long before the step\'s deadline.'),
});

export const Reminder = z.strictObject({ every: Duration });

export const MaxVisits = z.strictObject({ count: z.number().int().positive(), then: Target });

/** Fields every step may carry, whatever it does. */
const commonStepFields = {
  id: StepId,
  title: z.string().optional(),
  stage: describe(Name.optional(), 'The stage the instance enters when this step starts.'),
  when: describe(Expression.optional(), 'The step runs only when this is true; otherwise it is skipped.'),
  next: describe(StepId.optional(), 'The step to go to afterwards, instead of the following one.'),
  calendar: describe(Name.optional(), 'The business calendar for this step\'s business days.'),
  deadline: describe(Name.optional(), 'A deadline declared under `deadlines:` that this step is held to.'),
  remind: Reminder.optional(),
  escalate: Escalation.optional(),
  'max-visits': describe(MaxVisits.optional(), 'Caps how often a loop may come back to this step.'),
  result: describe(Name.optional(), 'The variable that receives the step\'s result.'),
};

/**
 * One step. Exactly one of the kind keys (`call`, `task`, `checklist`, `review`, `wait`, `wait-for`, `poll`,
 * `notify`, `branch`, `parallel`, `for-each`, `subprocess`, `set`, `end`) says what it does; `checks.ts` enforces that.
 */
const StepWithoutBranches = z.strictObject({
  ...commonStepFields,
  call: describe(z.string().optional(), 'The action to call, e.g. `hubspot.moveTicket`.'),
  with: describe(Arguments.optional(), 'Arguments of the action or subprocess.'),
  retry: RetryPolicy.optional(),
  timeout: describe(Duration.optional(), 'How long one attempt of the action may take.'),
  expect: describe(Expression.optional(), 'The step fails unless this is true of `result`.'),
  task: Task.optional(),
  checklist: Checklist.optional(),
  wait: Wait.optional(),
  'wait-for': WaitForEvent.optional(),
  notify: describe(Notify.optional(), 'Send an e-mail: `{ role | address, subject, text }`.'),
  branch: z.array(BranchCase).min(1).optional(),
  subprocess: describe(Name.optional(), 'Another process to run as a child instance.'),
  'on-rejected': describe(Target.optional(), 'Where to go when the subprocess ends rejected; default: the process ends rejected too.'),
  'on-cancelled': describe(Target.optional(), 'Where to go when the subprocess ends cancelled; default: the process ends cancelled too.'),
  poll: describe(Poll.optional(), 'Waits until an action\'s answer satisfies `until`, asking every interval.'),
  set: describe(Arguments.optional(), 'Variables to assign.'),
  end: EndStatus.optional(),
  reason: z.string().optional(),
});

/** Runs its steps once per item of a list; `steps` closes the recursion below. */
const ForEachWithoutSteps = z.strictObject({
  items: describe(Expression, 'The list to go through, e.g. `input.countries`.'),
  as: describe(Name.optional(), 'The variable holding the current item; default `item` (`index` holds its position, from 0).'),
  'max-parallel': describe(z.number().int().positive().optional(), 'Run up to this many items at once; default 1, one after another.'),
});
export type ForEachSpec = z.infer<typeof ForEachWithoutSteps> & { steps: Step[] };

/** Parallel branches and for-each bodies hold steps, so these fields are declared by hand to close the recursion. */
export type Step = z.infer<typeof StepWithoutBranches> & { parallel?: Record<string, Step[]>; 'for-each'?: ForEachSpec; review?: ReviewSpec };

export const Step: z.ZodType<Step> = StepWithoutBranches.extend({
  parallel: z
    .lazy(() => z.record(Name, z.array(Step).min(1)))
    .optional()
    .meta({ description: 'Branches that run at once; the step ends when all have ended.' }),
  'for-each': z
    .lazy(() => ForEachWithoutSteps.extend({ steps: z.array(Step).min(1).meta({ description: 'The steps run for each item.' }) }))
    .optional()
    .meta({ description: 'Runs its steps once per item; `result` receives one entry per item, in the list\'s order.' }),
  review: z
    .lazy(() =>
      ReviewWithoutSteps.extend({
        'on-return': z.array(Step).min(1).optional().meta({ description: 'Steps run each time the work is returned, before the owner\'s rework task opens (move the ticket back, re-run a checklist).' }),
        'on-resubmit': z.array(Step).min(1).optional().meta({ description: 'Steps run each time the owner resubmits the work, before it is reviewed again (put the record back in the review queue, tell the reviewers).' }),
      }),
    )
    .optional()
    .meta({ description: 'A review loop: the reviewer approves, rejects, or returns the work to its owner.' }),
});

/** The kind keys; exactly one per step. */
export const STEP_KINDS = [
  'call', 'task', 'checklist', 'review', 'wait', 'wait-for', 'poll', 'notify', 'branch', 'parallel', 'for-each', 'subprocess', 'set', 'end',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const Deadline = z.strictObject({
  from: describe(Expression, 'The business fact the deadline is anchored to, e.g. `input.noticeDate`.'),
  after: describe(Duration.optional(), 'How long after `from` it falls; omit for the instant itself.'),
  calendar: Name.optional(),
});

/** The process's stages mirrored onto a HubSpot ticket pipeline: entering a stage moves the ticket there. */
export const HubSpotPipeline = z.strictObject({
  pipeline: describe(z.string().min(1), 'The ticket pipeline, by label, e.g. `CINNOX service addition / amendment / termination`.'),
  ticket: describe(Expression, 'The ticket id, e.g. `input.ticketId`.'),
  stages: describe(z.record(Name, z.string().min(1)), 'Process stage → pipeline stage label; stages not listed leave the ticket where it is.'),
});

export const Definition = z.strictObject({
  $schema: z.string().optional(),
  process: describe(
    z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, starting with a letter'),
    'The process name; also the Temporal workflow type.',
  ),
  version: z.number().int().positive(),
  title: z.string(),
  summary: z.string().optional(),
  calendar: describe(Name.optional(), 'The default business calendar: `hk` or `us`.'),
  'business-key': describe(Expression.optional(), 'Identifies the business object (deal, partner); shown in search.'),
  roles: describe(z.record(Name, z.string()), 'The roles that take part, each with a description.'),
  'incident-role': describe(Name.optional(), 'The role asked to retry, skip or cancel a step that failed for good; default `admin`.'),
  input: describe(JsonSchema.optional(), 'JSON Schema of the start input.'),
  variables: describe(z.record(Name, z.unknown()).optional(), 'Initial values of variables.'),
  stages: describe(z.array(Name).optional(), 'Named stages, in order, e.g. the HubSpot pipeline statuses.'),
  deadlines: describe(z.record(Name, Deadline).optional(), 'Deadlines anchored to business facts, shared by steps.'),
  'hubspot-pipeline': describe(HubSpotPipeline.optional(), 'Mirror the stages onto a HubSpot ticket pipeline, instead of a `hubspot.moveTicket` step per stage.'),
  steps: z.array(Step).min(1),
});

export type Definition = z.infer<typeof Definition>;
export type Target = z.infer<typeof Target>;
export type Outcome = z.infer<typeof Outcome>;
export type TaskSpec = z.infer<typeof Task>;
export type ReviewOutcomeSpec = z.infer<typeof ReviewOutcome>;
export type ReviewStageSpec = z.infer<typeof ReviewStage>;
export type ChecklistSpec = z.infer<typeof Checklist>;
export type DeadlineSpec = z.infer<typeof Deadline>;
export type RoleRef = z.infer<typeof RoleRef>;
export type PollSpec = z.infer<typeof Poll>;
export type ChecklistItemSpec = z.infer<typeof ChecklistItem>;
