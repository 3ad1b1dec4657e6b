/**
 * The command line. `npm run cli -- <command>`:
 *
 *   run                      the embedded default: dev server (SQLite in .data/), worker, local fakes of the
 *                            external systems that have no credentials; with TEMPORAL_ADDRESS set, connects
 *                            to that server instead of starting one
 *   validate <files...>      checks definitions; every problem as file:line:col, exit status 1 on any
 *   diagram <file>           prints a Mermaid flowchart: one lane per role, deadlines on the arrows
 */
import { NativeConnection } from '@temporalio/worker';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { toMermaid } from '../dsl/diagram';
import { formatIssues } from '../dsl/issues';
import { TASK_QUEUE, createWorker } from '../worker';
import { compileFiles, definitionFiles } from './definitions';
import { startDevServer, type RunningDevServer } from './dev-server';

const USAGE = `usage:
  cli run
  cli validate <files...>
  cli diagram <file>`;

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  switch (command) {
    case 'validate':
      return validate(rest);
    case 'diagram':
      return diagram(rest);
    case 'run':
      return run();
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
  // Compile with its neighbours so that subprocess steps resolve.
  const siblings = await definitionFiles(path.dirname(file)).catch(() => [] as string[]);
  const results = await compileFiles([file, ...siblings.filter((f) => f !== file)]);
  const result = results[0];
  if (result.issues.length) {
    console.error(formatIssues(files[0], result.issues));
    return 1;
  }
  process.stdout.write(toMermaid(result.definition!));
  return 0;
}

async function run(): Promise<number> {
  const { startActivities } = await import('../activities');
  let server: RunningDevServer | undefined;
  let address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    server = await startDevServer();
    address = server.address;
    console.log(`Temporal dev server on ${address}, data in .data/; web UI at ${server.uiUrl}`);
  }
  const connection = await NativeConnection.connect({ address });
  const { activities, fakes } = await startActivities(process.env);
  for (const fake of fakes) console.log(`${fake.system}: no credentials configured, using the local fake at ${fake.url}`);
  const worker = await createWorker({ connection, namespace: process.env.TEMPORAL_NAMESPACE, activities });
  console.log(`worker polling task queue '${TASK_QUEUE}'. Press Ctrl-C to stop.`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => worker.shutdown());
  await worker.run();
  await connection.close();
  await Promise.all(fakes.map((fake) => fake.close()));
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
