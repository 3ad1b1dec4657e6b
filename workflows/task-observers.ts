/**
 * Who hears that a task opened, inside one instance. Empty unless the production worker's interceptor
 * (workflows/observability.ts) adds its metrics sink; the interpreter only tells, and adds no command.
 */
import type { OpenTask } from './messages';

export const taskObservers: Array<(task: OpenTask) => void> = [];
