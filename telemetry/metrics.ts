/**
 * The product's own metrics (prom-client), served at `/metrics` by the API and by the worker's port; the
 * Temporal SDK's metrics are the worker's other endpoint (OPS_SDK_METRICS_PORT, the SDK's own exporter).
 *
 * Labels are bounded: process names, roles, systems, actions, vendors, outcomes and reasons from fixed
 * lists. No id, business key, person or free text ever becomes a label.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry } from 'prom-client';

/** What the API counts: starts, decisions and webhook deliveries, and overdue work as visibility has it. */
export interface ApiMetrics {
  registry: Registry;
  instancesStarted: Counter<'process' | 'via'>;
  tasksDecided: Counter<'process' | 'role' | 'kind'>;
  taskDecisionSeconds: Histogram<'process' | 'role'>;
  webhookDeliveries: Counter<'vendor' | 'result' | 'reason'>;
}

/**
 * `overdue` is asked at each scrape: per process, how many running instances have an open task past its
 * due date (the OverdueSince search attribute).
 */
export function apiMetrics(overdue?: () => Promise<Record<string, number>>): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics: ApiMetrics = {
    registry,
    instancesStarted: new Counter({ name: 'ops_instances_started_total', help: 'Instances started, by process and front door (api, webhook)', labelNames: ['process', 'via'], registers: [registry] }),
    tasksDecided: new Counter({ name: 'ops_tasks_decided_total', help: 'Tasks decided through the API, by process, assigned role and kind of task', labelNames: ['process', 'role', 'kind'], registers: [registry] }),
    taskDecisionSeconds: new Histogram({
      name: 'ops_task_decision_seconds',
      help: 'Time from a task opening to its decision, by process and assigned role',
      labelNames: ['process', 'role'],
      // From a minute to a month: tasks wait for people.
      buckets: [60, 600, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({ name: 'ops_webhook_deliveries_total', help: 'Webhook deliveries by vendor, result (accepted, refused, ignored, deferred: asked to deliver again) and reason', labelNames: ['vendor', 'result', 'reason'], registers: [registry] }),
  };
  if (overdue) {
    new Gauge({
      name: 'ops_instances_overdue',
      help: 'Running instances with an open task past its due date, by process',
      labelNames: ['process'],
      registers: [registry],
      async collect() {
        const counts = await overdue().catch(() => undefined);
        this.reset();
        for (const [process, count] of Object.entries(counts ?? {})) this.set({ process }, count);
      },
    });
  }
  return metrics;
}

/** What the worker counts: connector calls (with their latency), notifications, and instances ending. */
export interface WorkerMetrics {
  registry: Registry;
  connectorCalls: Counter<'system' | 'action' | 'outcome'>;
  connectorCallSeconds: Histogram<'system' | 'action' | 'outcome'>;
  notificationsSent: Counter<'process'>;
  instancesEnded: Counter<'process' | 'status'>;
  tasksOpened: Counter<'process' | 'role'>;
}

export function workerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    connectorCalls: new Counter({ name: 'ops_connector_calls_total', help: 'Connector calls (activity attempts) by system, action and outcome (ok, retryable, failed, cancelled)', labelNames: ['system', 'action', 'outcome'], registers: [registry] }),
    connectorCallSeconds: new Histogram({
      name: 'ops_connector_call_seconds',
      help: 'How long a connector call took, by system, action and outcome',
      labelNames: ['system', 'action', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    notificationsSent: new Counter({ name: 'ops_notifications_sent_total', help: "Task e-mails sent to a role's holders, by process", labelNames: ['process'], registers: [registry] }),
    instancesEnded: new Counter({ name: 'ops_instances_ended_total', help: 'Instances that ended, by process and end state (completed, rejected, cancelled, failed)', labelNames: ['process', 'status'], registers: [registry] }),
    tasksOpened: new Counter({ name: 'ops_tasks_opened_total', help: 'Tasks opened (human tasks, reviews, checklists, incidents), by process and each role they are assigned to', labelNames: ['process', 'role'], registers: [registry] }),
  };
}

/**
 * Counts each run's end once. The workflow reports its end through a sink, and a workflow task that ends the
 * run can be refused by the server (an activity's result arrived meanwhile) and run again: the second report
 * of the same run is not a second end. The latest runs are remembered, a bounded number.
 */
export function endOnce(metrics: WorkerMetrics, remembered = 10_000): (runId: string, process: string, status: string) => void {
  const seen = new Set<string>();
  return (runId, process, status) => {
    if (seen.has(runId)) return;
    seen.add(runId);
    if (seen.size > remembered) seen.delete(seen.values().next().value!);
    metrics.instancesEnded.inc({ process, status });
  };
}

/** A webhook's reason, reduced to a fixed word: the texts carry ids and vendors' event names. */
export function reasonLabel(reason: string): string {
  const known: Array<[RegExp, string]> = [
    [/not deployed/, 'process-not-deployed'],
    [/^no route/, 'no-route'],
    [/allow-list/, 'form-not-allowed'],
    [/not created by an instance/, 'unknown-document'],
    [/stale|timestamp|window/, 'stale'],
    [/signature|secret|token|hmac/i, 'bad-signature'],
    [/unsigned|missing/i, 'unsigned'],
    [/unknown|not know|unconfirmed|does not exist/i, 'not-confirmed'],
  ];
  return known.find(([pattern]) => pattern.test(reason))?.[1] ?? 'other';
}
