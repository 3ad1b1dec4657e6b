/** `diagram <file>`: a Mermaid flowchart of a definition, one lane per role. Local. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { catalogue } from '../../activities';
import { definitionFiles } from '../../client/definitions';
import { compileAll, filesNeededBy } from '../../dsl/compile';
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
    // Compiled with the neighbours it starts as subprocesses, and nothing else.
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
  },
};
