/**
 * Starting and addressing process instances through a Temporal client: the start input is checked against
 * the definition's input schema first (a 4xx-worthy error naming the field), the workflow id is derived
 * from the business key, and the search attributes ops filter by are set at start.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import { loadDirectory } from '../directory/load';
import type { Directory } from '../directory/model';
import type { CompiledDefinition } from '../dsl/compile';
import { PERSON_WITH_ROLE } from '../dsl/model';
import { evaluate } from '../dsl/expressions';
import { searchAttributes, type ProcessArgs, type ProcessResult } from '../workflows/messages';
import { TASK_QUEUE } from '../worker';

/** Thrown by `startProcess` when the start input does not match the definition's input schema. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
  constructor(readonly process: string, readonly problems: { field: string; message: string }[]) {
    super(`invalid input for ${process}: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  }
}

const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true });
addFormats(ajv);
const inputValidators = new Map<string, ValidateFunction>();

/** Compiling a JSON Schema costs more than starting a workflow, so each definition's is compiled once. */
function inputValidator(definition: CompiledDefinition): ValidateFunction | undefined {
  if (!definition.input) return undefined;
  let validate = inputValidators.get(definition.hash);
  if (!validate) {
    validate = ajv.compile(definition.input);
    inputValidators.set(definition.hash, validate);
  }
  return validate;
}

let directory: Directory | undefined;

/**
 * An input field marked `x-person-with-role: <role>` names a person of the people directory who holds that
 * role (e.g. the CAM who manages the partner); anyone else is refused at start, naming the field.
 */
function peopleProblems(definition: CompiledDefinition, input: Record<string, unknown>): { field: string; message: string }[] {
  const properties = (definition.input?.properties ?? {}) as Record<string, Record<string, unknown>>;
  const problems: { field: string; message: string }[] = [];
  for (const [field, schema] of Object.entries(properties)) {
    const role = schema[PERSON_WITH_ROLE];
    if (typeof role !== 'string' || input[field] === undefined) continue;
    directory ??= loadDirectory();
    const person = directory.person(String(input[field]));
    if (!person) problems.push({ field, message: `'${input[field]}' is nobody in the people directory; use a person id such as ${directory.holders(role)[0]?.id ?? '(none holds the role)'}` });
    else if (!person.roles.includes(role)) problems.push({ field, message: `${person.id} does not hold the role '${role}' in the people directory (their roles: ${person.roles.join(', ')})` });
  }
  return problems;
}

export interface StartOptions {
  /**
   * For tests and tooling only: the front doors (API, CLI) never pass it, so an instance's id is always
   * derived from its business key and a second start cannot slip past the first.
   */
  workflowId?: string;
  taskQueue?: string;
  /** The authenticated person starting the instance; the workflow may refuse them a later decision (four eyes). */
  startedBy?: { id: string };
  /**
   * What to do when an instance with the same business key is running: `fail` (the default) throws
   * WorkflowExecutionAlreadyStartedError, `use-existing` returns the running one. Temporal decides
   * atomically (its workflow-id conflict policy), so two racing starts never make two instances.
   */
  onConflict?: 'fail' | 'use-existing';
  /** Kept in the instance's memo, so the caller can tell a fresh start from the running instance it got back. */
  requestId?: string;
}

export const START_REQUEST_MEMO = 'startRequestId';

export async function startProcess(
  client: Client,
  definition: CompiledDefinition,
  input: Record<string, unknown>,
  options: StartOptions = {},
): Promise<WorkflowHandle<(args: ProcessArgs) => Promise<ProcessResult>>> {
  const checked = structuredClone(input);
  const validate = inputValidator(definition);
  if (validate) {
    if (!validate(checked)) {
      throw new InvalidInputError(
        definition.process,
        (validate.errors ?? []).map((e) => {
          const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
          if (e.keyword === 'required') return { field: [at, e.params.missingProperty].filter(Boolean).join('.'), message: 'is required' };
          if (e.keyword === 'additionalProperties') {
            return { field: [at, e.params.additionalProperty].filter(Boolean).join('.'), message: `is not a field of this process's input` };
          }
          return { field: at || 'input', message: e.message ?? 'is invalid' };
        }),
      );
    }
  }
  const people = peopleProblems(definition, checked);
  if (people.length) throw new InvalidInputError(definition.process, people);
  const businessKey = definition['business-key'] ? await evaluate(definition['business-key'], { input: checked }) : undefined;
  const key = businessKey === undefined || businessKey === null ? undefined : String(businessKey);
  return client.workflow.start<(args: ProcessArgs) => Promise<ProcessResult>>(definition.process, {
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowId: options.workflowId ?? `${definition.process}/${key ?? randomUUID()}`,
    args: [{ definition, input: checked, ...(options.startedBy ? { startedBy: { id: options.startedBy.id } } : {}) }],
    workflowIdConflictPolicy: options.onConflict === 'use-existing' ? 'USE_EXISTING' : 'FAIL',
    ...(options.requestId ? { memo: { [START_REQUEST_MEMO]: options.requestId } } : {}),
    typedSearchAttributes: [
      { key: searchAttributes.processName, value: definition.process },
      { key: searchAttributes.processVersion, value: String(definition.version) },
      ...(key === undefined ? [] : [{ key: searchAttributes.businessKey, value: key }]),
    ],
  });
}
