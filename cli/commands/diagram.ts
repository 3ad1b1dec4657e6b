/** `diagram <file>`: a Mermaid flowchart of a definition, one lane per role. Local. */
import path from 'node:path';
import { compileFiles, definitionFiles } from '../../client/definitions';
import { toMermaid } from '../../dsl/diagram';
import { formatIssues } from '../../dsl/issues';
import { UsageError, type Command } from '../command';
import { readable } from './files';

export const diagram: Command = {
  name: 'diagram',
  summary: 'print a Mermaid flowchart of a definition: one lane per role, deadlines on the arrows',
  usage: 'diagram <file>',
  async run(files) {
    if (files.length !== 1) throw new UsageError('name one definition file');
    await readable(files);
    const file = path.resolve(files[0]);
    // Compiled with its neighbours so that subprocess steps resolve.
    const siblings = await definitionFiles(path.dirname(file)).catch(() => [] as string[]);
    const [result] = await compileFiles([file, ...siblings.filter((f) => f !== file)]);
    if (result.issues.length) {
      console.error(formatIssues(files[0], result.issues));
      return 1;
    }
    process.stdout.write(toMermaid(result.definition!));
    return 0;
  },
};
