/**
 * The parts of the API's answers the pages read. The API declares them once in zod (api/schemas.ts, the
 * routes, inbox/data.ts); they cannot be imported here even as types, since that would type-check the whole
 * server (Temporal client, connectors) as browser code. The browser test reads them from the real API.
 */
export interface OpenTask {
  id: string;
  stepId: string;
  kind: string;
  roles: string[];
  title: string;
  instructions?: string;
  outcomes: string[];
  commentRequired: string[];
  /** Outcome → the form fields it needs filled. */
  requires?: Record<string, string[]>;
  /** Outcome → the words its button shows. */
  labels?: Record<string, string>;
  form?: Record<string, unknown>;
  openedAt: string;
  dueAt?: string;
  breached: boolean;
}

export interface MyTask {
  workflowId: string;
  process: string;
  businessKey?: string;
  stage?: string;
  overdue: boolean;
  task: OpenTask;
}

export interface AuditEntry {
  at: string;
  event: string;
  stepId?: string;
  taskId?: string;
  actor?: string;
  outcome?: string;
  comment?: string;
  detail?: string;
}

export interface Instance {
  workflowId: string;
  process: string;
  version: number;
  businessKey?: string;
  status: string;
  outcome: string;
  reason?: string;
  stage?: string;
  openTasks: OpenTask[];
  deadlines: { name: string; at: string; breached: boolean }[];
  variables: Record<string, unknown>;
  audit: AuditEntry[];
}

export interface Picture {
  chart: string;
  current: string[];
  stages: { name: string; state: 'done' | 'current' | 'upcoming' }[];
  steps: Record<string, { title: string; outcomes: Record<string, string>; items: Record<string, string> }>;
  exactVersion: boolean;
}

export interface ProcessSummary {
  name: string;
  version: number;
  title: string;
  input?: Record<string, unknown>;
}

export interface Me {
  id: string;
  name: string;
  roles: string[];
}
