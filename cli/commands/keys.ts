/**
 * `keys issue <person> | list | revoke <key-id>`: API keys, on this machine's key file (the API reads the
 * same file, so a change applies at once). Run by whoever administers the server, so it needs no key.
 */
import { ApiKeyStore } from '../../api/identity/api-keys';
import { loadDirectory } from '../../directory/load';
import { suggest } from '../../dsl/issues';
import { PlainError, UsageError, type Command } from '../command';
import { printJson, printTable } from '../output';

export const keys: Command = {
  name: 'keys',
  summary: 'issue, list and revoke API keys for people of the directory (on this machine)',
  usage: 'keys issue <person> [--label TEXT] | keys list [--json] | keys revoke <key-id>',
  help: 'Keys are stored hashed in .data/api-keys.json (or OPS_API_KEYS_FILE); a new key is shown once.',
  options: { label: { type: 'string' }, json: { type: 'boolean' } },
  async run([action, target, ...extra], values) {
    const store = new ApiKeyStore();
    if (extra.length) throw new UsageError('too many arguments');
    switch (action) {
      case 'issue': {
        if (!target) throw new UsageError('name the person, e.g. keys issue ivy.chan');
        const directory = loadDirectory();
        const person = directory.person(target);
        if (!person) throw new PlainError(`no person '${target}' in the people directory; ${suggest(target, directory.people.map((p) => p.id), 'people')}`);
        const { key, summary } = store.issue(person.id, values.label as string | undefined);
        if (values.json) return printJson({ ...summary, key }), 0;
        console.log(`key ${summary.id} for ${person.name} (${person.roles.join(', ')}); shown once, keep it safe:\n${key}`);
        return 0;
      }
      case 'list': {
        const all = store.list();
        if (values.json) return printJson(all), 0;
        printTable(['KEY', 'PERSON', 'LABEL', 'CREATED', 'REVOKED'], all.map((k) => [k.id, k.person, k.label, k.createdAt, k.revokedAt]));
        return 0;
      }
      case 'revoke': {
        if (!target) throw new UsageError('name the key id (see keys list)');
        if (!store.revoke(target)) throw new PlainError(`no key '${target}' (see keys list)`);
        console.log(`key ${target} revoked`);
        return 0;
      }
      default:
        throw new UsageError('say issue, list or revoke');
    }
  },
};
