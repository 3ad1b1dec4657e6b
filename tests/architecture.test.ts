/**
 * The sandbox boundary, enforced: workflow code and the definition language import no I/O. Temporal's
 * bundler already refuses Node built-ins in workflows; this also keeps connectors, clients and
 * compile-time-only modules out, and checks dsl/, which the bundler never sees whole.
 */
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');

/** Modules imported for their values (`import type` is free: it leaves nothing at run time). */
function valueImports(folder: string): { file: string; module: string }[] {
  return readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => {
      const text = readFileSync(path.join(root, folder, name), 'utf8');
      return [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => ({ file: `${folder}/${name}`, module: m[1] }));
    });
}

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const io = /^(@temporalio\/(client|worker|activity|testing)|fastify|nodemailer|smtp-server|jira\.js|@hubspot\/|date-holidays)/;

it.each(['workflows', 'dsl'])('%s/ imports no Node built-in, connector, client or I/O library', (folder) => {
  const offending = valueImports(folder).filter(
    ({ file, module }) =>
      builtins.has(module) ||
      /(^|\/)(activities|client)(\/|$)/.test(module) ||
      // date-holidays is compile-time only, and only calendar-data.ts may load it.
      (io.test(module) && !(file === 'dsl/calendar-data.ts' && module === 'date-holidays')),
  );
  expect(offending).toEqual([]);
});

it('workflows/ imports only the pure, run-time parts of the definition language', () => {
  const compileTimeOnly = /dsl\/(compile|calendar-data|checks|source|shape|diagram|json-schema)$/;
  expect(valueImports('workflows').filter(({ module }) => compileTimeOnly.test(module))).toEqual([]);
});

it('workflow code reaches no Ajv, not even through dsl/: forms are checked there with @cfworker/json-schema (workflows/form-validators.ts)', () => {
  // Ajv is most of a bundle otherwise; it stays at the API door and in the compiler. Only ajv-formats' format
  // table (plain regular expressions and functions, no Ajv) may come along. Followed through relative imports.
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, module] of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
      if (!module.startsWith('.')) packages.add(module);
      else visit(require.resolve(path.resolve(path.dirname(file), module)));
    }
  };
  visit(require.resolve(path.join(root, 'workflows')));
  expect(seen.size).toBeGreaterThan(20);
  expect([...packages].filter((module) => /^ajv(-formats)?(\/|$)/.test(module) && module !== 'ajv-formats/dist/formats')).toEqual([]);
  expect(packages).toContain('@cfworker/json-schema');
});

it('the connectors and the worker never import the vendor fakes (fakes/ is a program of its own)', () => {
  const files = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
    );
  const offending = [...files('activities'), 'worker.ts'].filter((file) => /from\s+'[^']*\/fakes(\/[^']*)?'/.test(readFileSync(path.join(root, file), 'utf8')));
  expect(offending).toEqual([]);
});
