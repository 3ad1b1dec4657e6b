/**
 * A `subprocess:` step's `with:` checked against the child process's `input:` schema before anything runs:
 * required fields that are missing, fields the child does not declare, and literal values of the wrong
 * type. Values computed by expressions are checked when the child starts.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { isLiteral } from './expressions';
import { didYouMean, type DefinitionIssue, type Path } from './issues';

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

interface ObjectSchema {
  properties?: Record<string, unknown>;
  required?: string[];
  additionalProperties?: unknown;
}

export function subprocessInputIssues(
  child: string,
  schema: Record<string, unknown>,
  args: Record<string, unknown> | undefined,
  withPath: Path,
  stepPath: Path,
): DefinitionIssue[] {
  const { properties = {}, required = [], additionalProperties } = schema as ObjectSchema;
  const given = args ?? {};
  const declared = Object.keys(properties);
  const issues: DefinitionIssue[] = [];
  for (const field of required) {
    if (!(field in given)) {
      issues.push({ code: 'bad-arguments', message: `${child}: missing input '${field}'`, path: args ? withPath : stepPath, hint: `add '${field}' under 'with'` });
    }
  }
  // A child that declares its fields refuses others, unless its schema lets them through.
  const open = additionalProperties === true || (typeof additionalProperties === 'object' && additionalProperties !== null);
  for (const [field, value] of Object.entries(given)) {
    const property = properties[field];
    if (property === undefined) {
      if (!open && declared.length) {
        issues.push({ code: 'bad-arguments', message: `${child}: unknown input '${field}'`, path: [...withPath, field], atKey: true, hint: didYouMean(field, declared) ?? `inputs: ${declared.join(', ')}` });
      }
      continue;
    }
    if (!isLiteral(value) || typeof property !== 'object' || property === null) continue;
    const validate = compiled(property as Record<string, unknown>);
    if (validate && !validate(value)) {
      const problem = validate.errors?.[0];
      issues.push({ code: 'bad-arguments', message: `${child}: input '${field}' ${problem?.instancePath ? `${problem.instancePath} ` : ''}${problem?.message ?? 'does not match its schema'}`, path: [...withPath, field] });
    }
  }
  return issues;
}

/** A validator for one property's schema; undefined when the schema itself is broken (reported on the child). */
function compiled(schema: Record<string, unknown>) {
  try {
    return ajv.compile(schema);
  } catch {
    return undefined;
  }
}
