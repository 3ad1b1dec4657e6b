/**
 * Preloaded by the worker (worker.ts) unless OPS_WORKFLOW_STACK_TRACES=true: workflow code captures no
 * JavaScript stack traces.
 *
 * Why: inside a workflow the SDK's promise hook captures and source-maps a stack trace for every promise
 * (for its `__stack_trace` query), which was about 45% of the time an interpreter's replay took (README, "What an
 * instance costs"). The interpreter's stack only says where it is in its own code; where an instance is in its
 * definition is what the `state` query, `show` and the audit trail say. Errors keep their messages, which
 * name the step. Set while the bundle's shared modules load, before the SDK freezes the context's globals, so
 * no workflow can change it.
 */
Error.stackTraceLimit = 0;

export {};
