/**
 * Who hears that a task opened, inside an instance. Empty unless the production worker's interceptor
 * (workflows/observability.ts) adds its metrics sink; the interpreter only tells, and adds no command.
 *
 * The worker shares this module across instances (worker.ts, `preloadModules`): observers are kept by name,
 * so the interceptor of each new instance registers the same one again instead of adding one more, and an
 * observer reads what it needs of the instance (`workflowInfo()`) when it is called.
 */
import type { OpenTask } from './messages';

const observers = new Map<string, (task: OpenTask) => void>();

export function observeTasks(name: string, observer: (task: OpenTask) => void): void {
  observers.set(name, observer);
}

export function taskOpened(task: OpenTask): void {
  for (const observe of observers.values()) observe(task);
}
