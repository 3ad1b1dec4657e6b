/**
 * Workflow interceptor of the production worker (worker.ts bundles it): tells the worker's metrics how each
 * instance ended, and each task it opened, through a sink. Sinks run outside the sandbox, are not called on replay and add no
 * command to history, so this changes nothing an instance does.
 */
import { observeTasks } from './task-observers';
import { ContinueAsNew, isCancellation, proxySinks, workflowInfo, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface ObservabilitySinks extends Sinks {
  instances: {
    /** `status`: the result's end state (completed, rejected, cancelled), or `failed` when the workflow threw. */
    ended(process: string, status: string): void;
    /** `roles`: the roles the task was assigned to (the definition's role names). */
    taskOpened(process: string, roles: string[]): void;
  };
}

const { instances } = proxySinks<ObservabilitySinks>();

export const interceptors: WorkflowInterceptorsFactory = () => {
  // Called once per instance; the observer is the same for all (the worker shares task-observers across them).
  observeTasks('metrics', (task) => instances.taskOpened(workflowInfo().workflowType, task.roles));
  return {
    inbound: [
      {
        async execute(input, next) {
          try {
            const result = await next(input);
            const status = (result as { status?: unknown } | undefined)?.status;
            instances.ended(workflowInfo().workflowType, typeof status === 'string' ? status : 'completed');
            return result;
          } catch (error) {
            // Continuing as new is not an end: the instance goes on in its next run.
            if (!(error instanceof ContinueAsNew)) instances.ended(workflowInfo().workflowType, isCancellation(error) ? 'cancelled' : 'failed');
            throw error;
          }
        },
      },
    ],
  };
};
