/**
 * The command line. `npm run cli -- <command>`:
 *
 *   run                      the embedded default: dev server (SQLite in .data/), worker, local fakes of the
 *                            external systems that have no credentials; with TEMPORAL_ADDRESS set, connects
 *                            to that server instead of starting one
 *   worker                   the worker and the local fakes only, against TEMPORAL_ADDRESS (default 127.0.0.1:7233)
 *   validate <files...>      checks definitions; every problem as file:line:col, exit status 1 on any
 *   diagram <file>           prints a Mermaid flowchart: one lane per role, deadlines on the arrows
 *   start <process> [--input JSON] [--id WORKFLOW_ID]
 *                            starts an instance of a definition in definitions/; prints its workflow id
 *   state <workflow-id>      prints an instance's stage, open tasks, deadlines, variables and audit trail
 *   decide <workflow-id> <task-id> <outcome> --as PERSON --role ROLE [--comment TEXT] [--form JSON]
 *                            decides an open task (refused, with the reason, when it does not fit)
 */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { catalogue } from '../activities';
import { compileAll, filesNeededBy } from '../dsl/compile';
import { toMermaid } from '../dsl/diagram';
import { formatIssues, suggest } from '../dsl/issues';
import { decideUpdate, stateQuery } from '../workflows/messages';
import { startFakes } from '../fakes';
import { runWorker } from '../worker';
import { compileFiles, definitionFiles, loadRegistry } from './definitions';
import { startProcess } from './processes';
import { startDevServer, type RunningDevServer } from './dev-server';

const USAGE = `usage:
  cli run
  cli worker
  cli validate <files...>
  cli diagram <file>
  cli start <process> [--input JSON] [--id WORKFLOW_ID]
  cli state <workflow-id>
  cli decide <workflow-id> <task-id> <outcome> --as PERSON --role ROLE [--comment TEXT] [--form JSON]`;

const OPTIONS = {
  input: { type: 'string' },
  id: { type: 'string' },
  as: { type: 'string' },
  role: { type: 'string', multiple: true },
  comment: { type: 'string' },
  form: { type: 'string' },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  switch (command) {
    case 'validate':
      return validate(rest);
    case 'diagram':
      return diagram(rest);
    case 'run':
      return run();
    case 'worker':
      return run({ devServer: false });
    case 'start':
      return start(rest, values);
    case 'state':
      return show(rest);
    case 'decide':
      return decide(rest, values);
    default:
      console.error(USAGE);
      return 2;
  }
}

async function validate(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error('validate: name at least one definition file');
    return 2;
  }
  const results = await compileFiles(files);
  let failed = 0;
  for (const result of results) {
    const name = path.relative(process.cwd(), result.file);
    if (result.warnings.length) console.error(formatIssues(name, result.warnings));
    if (result.issues.length) {
      failed++;
      console.error(formatIssues(name, result.issues));
    } else {
      console.log(`${name}: ok (${result.definition!.process} v${result.definition!.version}, ${result.definition!.hash.slice(0, 12)})`);
    }
  }
  return failed ? 1 : 0;
}

async function diagram(files: string[]): Promise<number> {
  if (files.length !== 1) {
    console.error('diagram: name one definition file');
    return 2;
  }
  const file = path.resolve(files[0]);
  // Compile it with the neighbours it starts as subprocesses, and nothing else.
  const siblings = await definitionFiles(path.dirname(file)).catch(() => [] as string[]);
  const read = async (name: string) => ({ file: name, text: await readFile(name, 'utf8') });
  const candidates = await Promise.all(siblings.filter((f) => f !== file).map(read));
  const [result] = await compileAll(filesNeededBy(await read(file), candidates), catalogue);
  if (result.issues.length) {
    console.error(formatIssues(files[0], result.issues));
    return 1;
  }
  process.stdout.write(toMermaid(result.definition!));
  return 0;
}

async function connect(): Promise<Client> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  return new Client({ connection: await Connection.connect({ address }), namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
}

function json(text: string | undefined, option: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`--${option} is not JSON: ${(err as Error).message}`);
  }
}

async function start([name, ...extra]: string[], options: Options): Promise<number> {
  if (!name || extra.length) {
    console.error('start: name one process, e.g. `start service-amendment --input \'{"ticketId":"1"}\'`');
    return 2;
  }
  const registry = await loadRegistry();
  const definition = registry.get(name);
  if (!definition) {
    console.error(`start: unknown process '${name}'; ${suggest(name, [...registry.keys()], 'processes')}`);
    return 2;
  }
  const handle = await startProcess(await connect(), definition, json(options.input, 'input') ?? {}, { workflowId: options.id });
  console.log(handle.workflowId);
  return 0;
}

async function show([workflowId]: string[]): Promise<number> {
  if (!workflowId) {
    console.error('state: name a workflow id');
    return 2;
  }
  const state = await (await connect()).workflow.getHandle(workflowId).query(stateQuery, { at: new Date().toISOString() });
  console.log(JSON.stringify(state, null, 2));
  return 0;
}

async function decide([workflowId, taskId, outcome]: string[], options: Options): Promise<number> {
  if (!workflowId || !taskId || !outcome || !options.as || !options.role?.length) {
    console.error('decide: usage: decide <workflow-id> <task-id> <outcome> --as PERSON --role ROLE [--comment TEXT] [--form JSON]');
    return 2;
  }
  const handle = (await connect()).workflow.getHandle(workflowId);
  try {
    const receipt = await handle.executeUpdate(decideUpdate, {
      args: [{ taskId, outcome, actor: { id: options.as, roles: options.role }, comment: options.comment, form: json(options.form, 'form') }],
    });
    console.log(`${receipt.taskId}: ${receipt.outcome} at ${receipt.at}`);
    return 0;
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    console.error(`refused: ${err.cause?.message ?? err.message}`);
    return 1;
  }
}

async function run(options: { devServer: boolean } = { devServer: true }): Promise<number> {
  let server: RunningDevServer | undefined;
  let address = process.env.TEMPORAL_ADDRESS;
  if (!address && options.devServer) {
    server = await startDevServer();
    address = server.address;
    console.log(`Temporal dev server on ${address} (data and log in .data/); web UI at ${server.uiUrl}`);
  }
  // Systems without credentials run against their local fakes (fakes/), started here, never by the worker.
  const sandbox = await startFakes(process.env);
  for (const fake of sandbox.fakes) console.log(`${fake.system}: no credentials configured, using the local fake at ${fake.url}`);
  await runWorker(address ?? '127.0.0.1:7233', sandbox.env);
  await sandbox.close();
  await server?.stop();
  console.log('stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
