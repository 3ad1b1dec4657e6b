/**
 * Compiled form validators, shared by every instance a worker runs. The worker preloads this module
 * (worker.ts, the SDK's `preloadModules`), so its Ajv instance and cache are made once per worker rather
 * than once per cached workflow: each workflow otherwise evaluates its modules afresh, and an Ajv instance
 * with its formats and compiled meta-schema is the bulk of what a parked instance costs in memory.
 * Keyed by the schema's content, so every instance, and every replay, gets the validator of exactly the
 * schema its own definition carries. Holds no per-instance state: validators are pure functions of input.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

export function formValidator(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}
