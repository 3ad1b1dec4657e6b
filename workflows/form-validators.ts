/**
 * Checks a decision's form against its task's JSON Schema inside the workflow, and says what is wrong field
 * by field. The validator is @cfworker/json-schema (draft-07, as `new Ajv()` reads a schema): an interpreter
 * that needs no `eval`, so Ajv (0.7 MiB of the bundle with its source maps) stays at the API door
 * (api/routes/tasks.ts) and in the definition compiler (dsl/checks.ts), both outside the workflow.
 *
 * Both sides must agree on every form: the API sends a decision only once Ajv has passed its form, and a
 * decision signal is validated again on replay, so a form one side accepts and the other refuses would be a
 * misleading 409 live, and a signal recorded under Ajv could be judged otherwise on replay. cfworker's own
 * e-mail rule differs from Ajv's (it takes `ops@localhost`, refuses a 65-character local part), hence the
 * formats below are ajv-formats' own checks, the very functions the door and the compiler use. With them the
 * two agree on every field of the shipped definitions' forms (tests/definitions.test.ts compares them with
 * valid, edge-case and wrong values), so no `patched()` marker guards the switch from Ajv: a recorded history
 * replays to the same decisions. (They differ on keywords beside a `$ref`, which draft-07 ignores and Ajv
 * applies; no shipped form has a `$ref`.)
 *
 * The worker preloads this module (worker.ts, the SDK's `preloadModules`), so the validators, cached by the
 * schema's content, are made once per worker rather than once per cached workflow. Holds no per-instance
 * state: a validator is a pure function of its input.
 */
import { format, Validator, type OutputUnit } from '@cfworker/json-schema';
import type { Format } from 'ajv';
// The formats alone (plain regular expressions and functions): ajv-formats' index would bring Ajv along.
import { fullFormats } from 'ajv-formats/dist/formats';

// cfworker checks `format` on strings through its exported table, filled here at load, before the SDK freezes
// the preloaded modules; number formats (int32, float...) stay unchecked, as no form uses them. (cfworker also
// makes a `URL` at load, its base for `$id`s: the SDK's sandbox provides Node's.)
for (const [name, definition] of Object.entries(fullFormats)) {
  const check = stringCheck(definition);
  if (check) format[name] = check;
}

function stringCheck(definition: Format): ((value: string) => boolean) | undefined {
  if (definition instanceof RegExp) return (value) => definition.test(value);
  if (typeof definition === 'function') return definition;
  if (typeof definition !== 'object' || definition.type === 'number' || definition.async) return undefined;
  const { validate } = definition;
  return validate instanceof RegExp ? (value) => validate.test(value) : (validate as (value: string) => boolean);
}

const validators = new Map<string, Validator>();

function validatorFor(schema: Record<string, unknown>): Validator {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    // From the key, a copy: cfworker marks the schema it is given, which is the instance's own (or frozen) task.
    validator = new Validator(JSON.parse(key), '7', false);
    validators.set(key, validator);
  }
  return validator;
}

/**
 * What is wrong with a form, one line per failing field (`/limit must be >= 1`, `/legal/ok is required`);
 * empty when it matches. Names no value the person typed: a refused signal's reason goes to the log.
 */
export function formProblems(schema: Record<string, unknown>, form: unknown): string[] {
  const { valid, errors } = validatorFor(schema).validate(form);
  if (valid) return [];
  return errors.filter((unit) => !SUMMARIES.has(unit.keyword)).map((unit) => problem(schema, unit));
}

// Units that only say a subschema failed; the units after each say where and why.
const SUMMARIES = new Set(['properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties', 'items', 'prefixItems',
  'additionalItems', 'unevaluatedItems', 'propertyNames', 'dependentSchemas', '$ref', '$recursiveRef', 'allOf', 'if']);

// What a value should look like, for the formats the shipped definitions use.
const FORMAT_EXAMPLES: Record<string, string> = { date: '2025-01-31', 'date-time': '2025-01-31T09:30:00Z', email: 'name@example.com', uri: 'https://example.com/page' };

const count = (n: unknown, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
/** What a failing keyword asks for, from its value in the schema. */
const ASKS: Record<string, (value: unknown) => string> = {
  type: (v) => `must be ${[v].flat().join(' or ')}`,
  minimum: (v) => `must be >= ${v}`,
  maximum: (v) => `must be <= ${v}`,
  exclusiveMinimum: (v) => `must be > ${v}`,
  exclusiveMaximum: (v) => `must be < ${v}`,
  multipleOf: (v) => `must be a multiple of ${v}`,
  minLength: (v) => `must have at least ${count(v, 'character')}`,
  maxLength: (v) => `must have at most ${count(v, 'character')}`,
  minItems: (v) => `must have at least ${count(v, 'item')}`,
  maxItems: (v) => `must have at most ${count(v, 'item')}`,
  uniqueItems: () => 'must not hold the same item twice',
  pattern: (v) => `must match the pattern ${v}`,
  format: (v) => `must be a valid ${v}${FORMAT_EXAMPLES[String(v)] ? `, e.g. ${FORMAT_EXAMPLES[String(v)]}` : ''}`,
  enum: (v) => `must be one of ${[v].flat().map((item) => JSON.stringify(item)).join(', ')}`,
  const: (v) => `must be ${JSON.stringify(v)}`,
  not: () => 'must not match its "not" schema',
  anyOf: () => 'must match at least one of its "anyOf" schemas',
  oneOf: () => 'must match exactly one of its "oneOf" schemas',
  contains: () => 'must contain an item that matches its "contains" schema',
};

function problem(schema: Record<string, unknown>, unit: OutputUnit): string {
  const path = decodeURIComponent(unit.instanceLocation.slice(1)); // '' for the form itself
  const missing = unit.keyword === 'required' ? /property "(.*)"\.$/.exec(unit.error)?.[1] : undefined;
  if (missing !== undefined) return `${path}/${missing} is required`;
  const field = path || 'form';
  if (unit.keyword === 'false') return `${field} is not allowed`;
  const value = keywordValue(schema, unit.keywordLocation);
  const asks = ASKS[unit.keyword];
  if (asks && value !== undefined) return `${field} ${asks(value)}`;
  // Any other keyword (or one under a `$ref`) in cfworker's words, less the number typed where it leads them.
  return `${field}: ${unit.error.replace(/^-?[\d.e+]+ (?=is )/, '').replace(/\.$/, '')}`;
}

/**
 * The keyword's value in the schema, by cfworker's keyword location (`#/properties/limit/minimum`), which
 * goes through a `$ref` as if it were a keyword (`#/properties/a/$ref/minimum`); a ref within the form is followed.
 */
function keywordValue(schema: Record<string, unknown>, location: string): unknown {
  let node: unknown = schema;
  for (const segment of location.split('/').slice(1)) {
    const key = decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
    if (key === '$ref') node = typeof node === 'string' && node.startsWith('#') ? keywordValue(schema, node) : undefined;
  }
  return node;
}
