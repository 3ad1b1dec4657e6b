/**
 * The workflow bundle's entry point. Everything under workflows/ runs in Temporal's deterministic sandbox:
 * it may import dsl/ (pure) and @temporalio/workflow, and activities only as types; never Node built-ins,
 * I/O libraries, activities/ or client/.
 *
 * The interpreter is the default export, so the worker runs it for every workflow type: each process
 * definition appears in Temporal under its own name.
 */
export { default } from './interpreter';
