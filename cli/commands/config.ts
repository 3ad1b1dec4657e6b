/**
 * `config`: checks the settings (environment and SETTINGS_FILE) as `npm start` would and prints the effective
 * ones, every secret masked; exit status 1 with every problem when one is wrong.
 */
import { effectiveSettings, formatEffective } from '../../settings/describe';
import { loadSettings, SettingsError } from '../../settings/load';
import { PlainError, type Command } from '../command';
import { printJson } from '../output';

export const config: Command = {
  name: 'config',
  summary: 'check the settings and print the effective ones, secrets masked',
  usage: 'config [--all] [--json]',
  help: '--all also lists the settings that are not set. Reads the environment and, when SETTINGS_FILE names one, that YAML file (the environment wins).',
  options: { all: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(_args, values) {
    let loaded;
    try {
      loaded = loadSettings(process.env);
    } catch (error) {
      if (error instanceof SettingsError) throw new PlainError(error.message);
      throw error;
    }
    for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
    const settings = effectiveSettings(loaded);
    if (values.json) return printJson(settings.filter((s) => values.all || s.source !== 'unset')), 0;
    console.log(formatEffective(settings, { all: values.all === true }));
    return 0;
  },
};
