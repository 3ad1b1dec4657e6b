/**
 * The people directory: the shipped one staffs every role of every shipped process, and every mistake in a
 * directory file is reported at its place with a hint, all at once, before anything starts.
 */
import { loadRegistry } from '../client/definitions';
import { DirectoryError, loadDirectory, parseDirectory, unheldRoles } from '../directory/load';

function problems(text: string): string {
  try {
    parseDirectory('people.yaml', text);
  } catch (error) {
    if (error instanceof DirectoryError) return error.message;
    throw error;
  }
  throw new Error('the directory was accepted');
}

it('the shipped directory staffs every role of every shipped process', async () => {
  const directory = loadDirectory();
  expect(unheldRoles(directory, (await loadRegistry()).values())).toEqual([]);
  expect(directory.holders('iod').map((p) => p.id)).toEqual(['ivy.chan', 'kenji.ito']);
  expect(directory.personByEmail('Ivy.Chan@Example.com')?.id).toBe('ivy.chan');
});

it('names a role that nobody holds, with the closest role people do hold', () => {
  const directory = parseDirectory('people.yaml', 'people:\n  - { id: ivy, name: Ivy, email: ivy@example.com, roles: [iod] }\n');
  expect(unheldRoles(directory, [{ process: 'service-amendment', roles: { iodd: 'IOD', sales: 'Sales' }, 'incident-role': 'iod' }])).toEqual([
    "role 'iodd' of process 'service-amendment' is held by nobody in the people directory (did you mean 'iod'?)",
    "role 'sales' of process 'service-amendment' is held by nobody in the people directory",
  ]);
});

it('reports every mistake at its line and column, with a hint', () => {
  const text = [
    'people:',
    '  - id: ivy.chan',
    '    name: Ivy Chan',
    '    emial: ivy@example.com',
    '    roles: [iod]',
    '  - id: Kenji',
    '    name: Kenji Ito',
    '    email: not-an-address',
    '    roles: []',
    '  - id: ivy.chan',
    '    name: Ivy Again',
    '    email: ivy2@example.com',
    '    roles: [iod]',
    '',
  ].join('\n');
  expect(problems(text)).toBe(
    [
      'the people directory has problems:',
      "people.yaml:2:5: missing required field 'email' in people.0",
      "people.yaml:4:5: unknown key 'emial' in people.0",
      "  hint: did you mean 'email'?",
      "people.yaml:6:9: 'id' is not valid: use lower-case letters, digits, dots and dashes, starting with a letter",
      "people.yaml:8:12: 'email' is not valid: Invalid email address",
      "people.yaml:9:12: 'roles' needs at least 1 item(s)",
    ].join('\n'),
  );
});

it('refuses two people with the same id or e-mail address', () => {
  const text = [
    'people:',
    '  - { id: ivy, name: Ivy Chan, email: ivy@example.com, roles: [iod] }',
    '  - { id: ivy, name: Ivy Lam, email: IVY@example.com, roles: [sales] }',
    '',
  ].join('\n');
  expect(problems(text)).toBe(
    [
      'the people directory has problems:',
      "people.yaml:3:11: id 'ivy' is already used by person 1 (Ivy Chan)",
      '  hint: each person needs their own id',
      "people.yaml:3:38: email 'IVY@example.com' is already used by person 1 (Ivy Chan)",
      '  hint: each person needs their own e-mail address',
    ].join('\n'),
  );
});

it('a YAML syntax error is positioned too', () => {
  expect(problems('people:\n  - id: ivy\n   name: [unclosed\n')).toMatch(/^the people directory has problems:\npeople\.yaml:\d+:\d+: YAML: /);
});
