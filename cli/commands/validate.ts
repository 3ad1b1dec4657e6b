/** `validate <files...>`: every problem in every definition file, as file:line:col with a hint. Local. */
import path from 'node:path';
import { compileFiles } from '../../client/definitions';
import { formatIssues } from '../../dsl/issues';
import { UsageError, type Command } from '../command';
import { readable } from './files';

export const validate: Command = {
  name: 'validate',
  summary: 'check definition files; every problem as file:line:col with a hint',
  usage: 'validate <files...>',
  help: 'Exit status 1 when any file has a problem. Runs locally; needs no server.',
  async run(files) {
    if (files.length === 0) throw new UsageError('name at least one definition file');
    await readable(files);
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
  },
};

