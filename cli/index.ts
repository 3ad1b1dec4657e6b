/**
 * The command line, `npm run cli -- <command>` (and `npm start`, which is `run`). One file per command in
 * cli/commands/. `validate`, `diagram` and `keys` work on this machine's files; the others talk to the
 * API at OPS_API_URL with the key in OPS_API_KEY. Problems are one plain sentence, never a stack trace.
 */
import '../client/node-version'; // first: refuses an unsupported Node.js before other modules load
import { parseArgs } from 'node:util';
import { PlainError, UsageError, type Command } from './command';
import { cancel } from './commands/cancel';
import { config } from './commands/config';
import { decide } from './commands/decide';
import { diagram } from './commands/diagram';
import { event } from './commands/event';
import { fake } from './commands/fake';
import { keys } from './commands/keys';
import { list } from './commands/list';
import { processes } from './commands/processes';
import { run, worker } from './commands/run';
import { show } from './commands/show';
import { start } from './commands/start';
import { tasks } from './commands/tasks';
import { validate } from './commands/validate';

export const COMMANDS: readonly Command[] = [run, worker, validate, diagram, processes, start, list, show, tasks, decide, event, cancel, keys, fake, config];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: npm run cli -- <command> [options]   (--help after a command for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'environment: OPS_API_URL (default http://127.0.0.1:4100), OPS_API_KEY (your API key)',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [`usage: npm run cli -- ${command.usage}`, '', command.summary, ...(command.help ? ['', command.help] : [])].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
  try {
    const { positionals, values } = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (values.help) {
      console.log(commandHelp(command));
      return 0;
    }
    return await command.run(positionals, values);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${name}: ${(error as Error).message}\nusage: npm run cli -- ${command.usage}`);
      return 2;
    }
    if (error instanceof PlainError) {
      console.error(`${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
