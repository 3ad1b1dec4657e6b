/**
 * The settings in words: the effective settings with every secret masked (`npm run cli -- config`), and the
 * README's settings reference, generated from settings/schema.ts so that the two cannot drift.
 */
import type { LoadedSettings } from './load';
import { GROUPS, SETTINGS, type Group, type SettingName } from './schema';

const NAMES = Object.keys(SETTINGS) as SettingName[];
export const MASK = '•••';

export interface EffectiveSetting {
  name: SettingName;
  group: Group;
  /** The value, `•••` for a secret that is set, or what holds when it is not set. */
  value: string;
  source: 'environment' | 'file' | 'default' | 'unset';
  secret: boolean;
}

export function effectiveSettings(loaded: LoadedSettings): EffectiveSetting[] {
  return NAMES.map((name) => {
    const setting = SETTINGS[name];
    const secret = 'secret' in setting && setting.secret === true;
    const given = loaded.given.get(name);
    if (given) return { name, group: setting.group, value: secret ? MASK : given.text, source: given.source, secret };
    const fallback = 'fallback' in setting ? setting.fallback : undefined;
    return { name, group: setting.group, value: fallback ?? '', source: fallback ? 'default' : 'unset', secret };
  });
}

/** One block per group: `NAME  value  (where it came from)`; unset settings only with `all`. */
export function formatEffective(settings: readonly EffectiveSetting[], options: { all?: boolean } = {}): string {
  const shown = settings.filter((s) => options.all || s.source !== 'unset');
  const width = Math.max(...shown.map((s) => s.name.length));
  const lines: string[] = [];
  for (const group of Object.keys(GROUPS) as Group[]) {
    const inGroup = shown.filter((s) => s.group === group);
    if (!inGroup.length) continue;
    lines.push(`${GROUPS[group]}:`);
    for (const s of inGroup) lines.push(`  ${s.name.padEnd(width)}  ${s.value || '(not set)'}${s.source === 'environment' || s.source === 'unset' ? '' : `  (${s.source})`}`);
  }
  return lines.join('\n');
}

export const README_BEGIN = '<!-- settings reference: generated from settings/schema.ts by `npx tsx scripts/write-settings-table.ts`; do not edit by hand -->';
export const README_END = '<!-- end of settings reference -->';

/** The README's settings reference: one table per group, every setting, secrets marked. */
export function settingsReference(): string {
  const blocks = (Object.keys(GROUPS) as Group[]).map((group) => {
    const rows = NAMES.filter((name) => SETTINGS[name].group === group).map((name) => {
      const setting = SETTINGS[name];
      const fallback = 'fallback' in setting && setting.fallback ? `\`${setting.fallback}\`` : '';
      const secret = 'secret' in setting && setting.secret ? ' (secret)' : '';
      return `| \`${name}\`${secret} | ${setting.description.replace(/\|/g, '\\|')} | ${fallback} |`;
    });
    return [`**${GROUPS[group]}**`, '', '| setting | meaning | default |', '|---|---|---|', ...rows].join('\n');
  });
  return [README_BEGIN, '', blocks.join('\n\n'), '', README_END].join('\n');
}

/** The README with its settings reference replaced by the generated one. */
export function withSettingsReference(readme: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error('the README has no settings reference markers');
  return readme.slice(0, begin) + settingsReference() + readme.slice(end + README_END.length);
}
