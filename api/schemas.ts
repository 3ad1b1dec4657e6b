/**
 * The response shapes the API shares between route groups. Instance state is declared by the workflow's
 * messages (workflows/messages.ts, plain interfaces the sandbox can load); the zod mirrors here describe it
 * in the OpenAPI document, and the assignments at the bottom make `tsc` fail if the two ever drift.
 */
import { z } from 'zod';
import { AUDIT_EVENTS, type AuditEntry, type DeadlineView, type OpenTask } from '../workflows/messages';
import { STATUSES } from '../client/instances';

export const WorkflowIdParams = z.object({
  workflowId: z.string().min(1).meta({ description: 'The instance id, e.g. `service-amendment/T-100` (URL-encode the slash as %2F).' }),
});

export const OpenTaskSchema = z
  .object({
    id: z.string(),
    stepId: z.string(),
    kind: z.enum(['task', 'review', 'rework', 'checklist', 'incident']),
    roles: z.array(z.string()),
    title: z.string(),
    instructions: z.string().optional(),
    outcomes: z.array(z.string()),
    commentRequired: z.array(z.string()),
    requires: z.record(z.string(), z.array(z.string())).optional().meta({ description: 'Outcome → the form fields it needs filled, e.g. `{ reject: [reason] }`.' }),
    labels: z.record(z.string(), z.string()).optional().meta({ description: 'Outcome → the words its button shows.' }),
    form: z.record(z.string(), z.unknown()).optional().meta({ description: 'JSON Schema of the form the decision carries.' }),
    openedAt: z.string(),
    dueAt: z.string().optional(),
    breached: z.boolean(),
    reminders: z.number(),
    escalatedTo: z.string().optional(),
  })
  .meta({ id: 'OpenTask' });

export const DeadlineSchema = z.object({ name: z.string(), at: z.string(), timeLeftMs: z.number(), breached: z.boolean() }).meta({ id: 'Deadline' });

export const AuditEntrySchema = z
  .object({
    at: z.string(),
    event: z.enum(AUDIT_EVENTS),
    stepId: z.string().optional(),
    taskId: z.string().optional(),
    actor: z.string().optional(),
    outcome: z.string().optional(),
    comment: z.string().optional(),
    detail: z.string().optional(),
  })
  .meta({ id: 'AuditEntry' });

export const StatusSchema = z.enum(Object.keys(STATUSES) as [keyof typeof STATUSES, ...(keyof typeof STATUSES)[]]);

export const InstanceSummarySchema = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    process: z.string(),
    version: z.string().optional(),
    businessKey: z.string().optional(),
    stage: z.string().optional(),
    openTaskRoles: z.array(z.string()),
    nextDeadline: z.string().optional(),
    overdueSince: z.string().optional().meta({ description: 'When the longest-overdue open task fell due; absent when none is overdue.' }),
    status: StatusSchema,
    startedAt: z.string(),
    closedAt: z.string().optional(),
  })
  .meta({ id: 'InstanceSummary' });

export const InstanceViewSchema = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    process: z.string(),
    version: z.number(),
    businessKey: z.string().optional(),
    status: StatusSchema,
    outcome: z.enum(['running', 'completed', 'rejected', 'cancelled']).meta({ description: "The process's own ending (a rejected request completes its workflow)." }),
    reason: z.string().optional(),
    stage: z.string().optional(),
    openTasks: z.array(OpenTaskSchema),
    deadlines: z.array(DeadlineSchema),
    variables: z.record(z.string(), z.unknown()),
    audit: z.array(AuditEntrySchema),
  })
  .meta({ id: 'Instance' });

// Drift guards: each mirror must accept what the workflow produces.
export const openTaskMatches = (task: OpenTask): z.infer<typeof OpenTaskSchema> => task;
export const deadlineMatches = (deadline: DeadlineView): z.infer<typeof DeadlineSchema> => deadline;
export const auditMatches = (entry: AuditEntry): z.infer<typeof AuditEntrySchema> => entry;
