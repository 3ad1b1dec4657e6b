/**
 * Reads the settings from the environment and, when SETTINGS_FILE names one, a YAML file of `NAME: value`
 * (the environment wins), checks them all against the one schema of settings/schema.ts and reports every
 * problem at once, each naming its variable and what it expects, before anything starts. A value is never
 * part of a message: it may be a credential.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { didYouMean } from '../dsl/issues';
import { readSource } from '../dsl/source';
import { REQUIRED_TOGETHER, SETTING_PREFIXES, SETTINGS, type SettingName } from './schema';

const NAMES = Object.keys(SETTINGS) as SettingName[];

/** The settings as one zod object: each variable optional (what "configured" means is REQUIRED_TOGETHER's). */
export const SettingsSchema = z
  .object(Object.fromEntries(NAMES.map((name) => [name, SETTINGS[name].schema.optional()])) as { [N in SettingName]: z.ZodOptional<(typeof SETTINGS)[N]['schema']> })
  .superRefine((values, ctx) => {
    const has = (name: SettingName) => (values as Record<string, unknown>)[name] !== undefined;
    for (const rule of REQUIRED_TOGETHER) {
      const set = rule.when.filter(has);
      if (!set.length) continue;
      for (const name of rule.needs.filter((n) => !has(n))) {
        ctx.addIssue({ code: 'custom', path: [name], message: `required when ${set.join(' or ')} is set (${rule.why})` });
      }
    }
    // Also when some value is malformed: every problem is reported at once.
  }, { when: () => true });
export type Settings = z.output<typeof SettingsSchema>;

export type Source = 'environment' | 'file';

export interface LoadedSettings {
  values: Settings;
  /** The raw text of every setting given, and where it came from (for `config`; secrets are masked there). */
  given: Map<SettingName, { text: string; source: Source }>;
  /** Not fatal: variables with one of the product's prefixes that are not settings (probably typos). */
  warnings: string[];
}

/** Thrown by `loadSettings` listing every problem, one per line: `NAME: what it expects`. */
export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(readonly problems: string[], readonly warnings: string[] = []) {
    super(
      `the settings have ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was started:\n` +
        [...problems, ...warnings.map((w) => `warning: ${w}`)].map((p) => `  ${p}`).join('\n'),
    );
  }
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): LoadedSettings {
  const problems: string[] = [];
  const warnings: string[] = [];
  const given = new Map<SettingName, { text: string; source: Source }>();
  const where = new Map<SettingName, string>();

  if (env.SETTINGS_FILE) {
    const file = readSettingsFile(env.SETTINGS_FILE, problems);
    for (const entry of file) {
      if (!(entry.name in SETTINGS)) {
        const guess = didYouMean(entry.name, NAMES);
        problems.push(`${entry.at}: ${entry.name} is not a setting${guess ? ` (${guess})` : ''}`);
        continue;
      }
      given.set(entry.name as SettingName, { text: entry.text, source: 'file' });
      where.set(entry.name as SettingName, entry.at);
    }
  }
  for (const [name, text] of Object.entries(env)) {
    // An empty variable counts as unset, as everywhere in the product (`FOO= npm start`).
    if (text === undefined || text === '') continue;
    if (name in SETTINGS) {
      given.set(name as SettingName, { text, source: 'environment' });
      where.delete(name as SettingName);
    } else if (SETTING_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      const guess = didYouMean(name, NAMES);
      if (guess) warnings.push(`${name} is not a setting (${guess})`);
    }
  }

  const raw = Object.fromEntries([...given].map(([name, { text }]) => [name, text]));
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]) as SettingName;
      const at = where.get(name);
      problems.push(`${at ? `${at}: ` : ''}${name}: ${expectation(name, issue)}`);
    }
  }
  if (problems.length) throw new SettingsError(problems, warnings);
  return { values: parsed.data as Settings, given, warnings };
}

/**
 * Reads the settings into `process.env` (file values under the environment's), so that every part of the
 * product reading its variables sees the checked ones, and returns them. Throws a `SettingsError`.
 */
export function applySettings(env: NodeJS.ProcessEnv = process.env): LoadedSettings {
  const loaded = loadSettings(env);
  for (const [name, { text, source }] of loaded.given) if (source === 'file') env[name] = text;
  return loaded;
}

/** What the variable expects, in words, from the zod issue (never quoting the value). */
function expectation(name: SettingName, issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom') return issue.message.replace(new RegExp(`^${name}: `), '');
  const described = SETTINGS[name].description;
  const detail = issue.code === 'invalid_format' && issue.format === 'url' ? 'expects a URL such as https://example.com'
    : issue.code === 'invalid_value' ? `expects one of ${issue.values.map(String).join(', ')}`
    : issue.code === 'too_small' && issue.origin === 'string' ? `expects at least ${issue.minimum} characters`
    : issue.code === 'too_small' || issue.code === 'too_big' ? `expects a number ${issue.code === 'too_small' ? `of at least ${issue.minimum}` : `of at most ${issue.maximum}`}`
    : issue.code === 'invalid_type' && issue.expected === 'number' ? 'expects a number'
    : `expects ${issue.message.replace(/^Invalid (input|string): /i, '').replace(/^must /, '')}`;
  return `${detail} (${described})`;
}

interface FileEntry {
  name: string;
  text: string;
  /** `file:line:col` of the entry. */
  at: string;
}

function readSettingsFile(file: string, problems: string[]): FileEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`SETTINGS_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return [];
  }
  const source = readSource(file, text);
  for (const issue of source.issues) problems.push(`${file}:${issue.line}:${issue.col}: ${issue.message}`);
  if (source.data === undefined || source.data === null) return [];
  if (typeof source.data !== 'object' || Array.isArray(source.data)) {
    problems.push(`${file}:1:1: expects a mapping of settings, one \`NAME: value\` a line`);
    return [];
  }
  const entries: FileEntry[] = [];
  for (const [name, value] of Object.entries(source.data as Record<string, unknown>)) {
    const { line, col } = source.position({ code: 'invalid-value', message: '', path: [name], atKey: true });
    const at = `${file}:${line}:${col}`;
    if (value === null || typeof value === 'object') {
      problems.push(`${at}: ${name} expects a single value (text, number or true/false)`);
      continue;
    }
    entries.push({ name, text: String(value), at });
  }
  return entries;
}
