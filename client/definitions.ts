/**
 * Loads the YAML definitions from disk and compiles them with the connectors' action catalogue. The only
 * place definitions are read: the worker never needs them (each instance carries its compiled definition).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { catalogue } from '../activities';
import type { ActionCatalogue } from '../activities/shared/action';
import { compileAll, type CompileResult, type CompiledDefinition } from '../dsl/compile';
import { formatIssues } from '../dsl/issues';
import { PROJECT_ROOT } from './temporal-servers';

export const DEFINITIONS_DIR = path.join(PROJECT_ROOT, 'definitions');

/** Compiles the given files together (so subprocesses resolve), returning every file's problems. */
export async function compileFiles(files: readonly string[], actions: ActionCatalogue = catalogue): Promise<CompileResult[]> {
  const sources = await Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
  return compileAll(sources, actions);
}

export async function definitionFiles(dir = DEFINITIONS_DIR): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return names.map((name) => path.join(dir, name));
}

/**
 * Every definition in a folder, by process name. Throws one error listing every problem in every file,
 * since a registry with a broken definition should not start.
 */
export async function loadRegistry(dir = DEFINITIONS_DIR, actions: ActionCatalogue = catalogue): Promise<Map<string, CompiledDefinition>> {
  const results = await compileFiles(await definitionFiles(dir), actions);
  const problems = results.filter((r) => r.issues.length).map((r) => formatIssues(path.relative(process.cwd(), r.file), r.issues));
  if (problems.length) throw new Error(`definitions do not compile:\n${problems.join('\n')}`);
  return new Map(results.map((r) => [r.definition!.process, r.definition!]));
}
