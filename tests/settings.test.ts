/**
 * Settings are checked before anything starts: every wrong or missing one at once, naming the variable and
 * what it expects, never its value; `config` prints the effective ones with secrets masked; the README's
 * settings reference is the schema's, and every variable the product reads is a declared setting.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { withSettingsReference } from '../settings/describe';
import { loadSettings, SettingsError } from '../settings/load';
import { SETTING_PREFIXES, SETTINGS } from '../settings/schema';

const root = path.join(__dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);

/** Runs the CLI with exactly `env` (plus PATH), answering its exit status and output. */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ['cli/index.ts', ...args], { cwd: root, env: { PATH: process.env.PATH!, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadSettings(env);
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
}

describe('the settings check', () => {
  it('reports every wrong or missing setting at once, naming the variable and what it expects', () => {
    expect(problemsOf({
      OPS_API_PORT: 'eighty',
      OIDC_ISSUER: 'login.example.com',
      JIRA_HOST: 'https://everbright.atlassian.net',
      LOG_LEVEL: 'verbose',
      PAYLOAD_KEYS: 'k1:c2hvcnQ=',
      JOTFORM_FORM_IDS: '2401,abc',
    })).toEqual([
      'OPS_API_PORT: expects a number (the port the API listens on (0: any free port))',
      'OIDC_ISSUER: expects a URL such as https://example.com (accept OpenID Connect tokens from this issuer (needs OIDC_AUDIENCE))',
      "PAYLOAD_KEYS: key 'k1' is 5 bytes once base64-decoded; AES-256 needs exactly 32 (`openssl rand -base64 32`)",
      'LOG_LEVEL: expects one of fatal, error, warn, info, debug, trace, silent (how much the API, the worker and the Temporal SDK log, as JSON lines (readable ones on a terminal))',
      expect.stringMatching(/^JOTFORM_FORM_IDS: expects a numeric JotForm form id/),
      'OIDC_AUDIENCE: required when OIDC_ISSUER is set (tokens are checked for their audience)',
      'JIRA_EMAIL: required when JIRA_HOST is set (Jira signs in with an account and its API token)',
      'JIRA_API_TOKEN: required when JIRA_HOST is set (Jira signs in with an account and its API token)',
    ]);
  });

  it('never quotes a value, which may be a credential', () => {
    const problems = problemsOf({ JOTFORM_WEBHOOK_TOKEN: 'short-secret', JOTFORM_API_KEY: 'jf-key-123', PARTNERSTACK_API_KEY: 'pk_live_abcdef' });
    expect(problems).toEqual([
      expect.stringMatching(/^JOTFORM_WEBHOOK_TOKEN: expects at least 16 characters/),
      'PARTNERSTACK_API_SECRET: required when PARTNERSTACK_API_KEY is set (PartnerStack signs in with both keys)',
    ]);
    expect(problems.join('\n')).not.toMatch(/short-secret|jf-key-123|pk_live_abcdef/);
  });

  it('reads SETTINGS_FILE under the environment, and places its mistakes at file:line:col', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
    const file = path.join(dir, 'settings.yaml');
    writeFileSync(file, 'OPS_API_PORT: 4200\nTEMPORAL_NAMESPACE: partner-ops\nOPS_API_RATE_LIMT: 10\nSMTP_PORT: many\n');
    expect(problemsOf({ SETTINGS_FILE: file })).toEqual([
      `${file}:3:1: OPS_API_RATE_LIMT is not a setting (did you mean 'OPS_API_RATE_LIMIT'?)`,
      `${file}:4:1: SMTP_PORT: expects a number (its port)`,
    ]);
    writeFileSync(file, 'OPS_API_PORT: 4200\nTEMPORAL_NAMESPACE: partner-ops\n');
    const loaded = loadSettings({ SETTINGS_FILE: file, OPS_API_PORT: '4300' });
    expect(loaded.values.OPS_API_PORT).toBe(4300);
    expect(loaded.values.TEMPORAL_NAMESPACE).toBe('partner-ops');
    expect(loaded.given.get('TEMPORAL_NAMESPACE')?.source).toBe('file');
  });

  it('stops `npm run worker` before it starts anything', async () => {
    const answer = await cli(['worker'], { OPS_WORKER_PORT: '70000', SMTP_HOST: 'mail.example.com' });
    expect(answer.code).toBe(1);
    expect(answer.stderr).toContain('worker: the settings have 2 problems; nothing was started:');
    expect(answer.stderr).toContain('OPS_WORKER_PORT: expects a number of at most 65535');
    expect(answer.stderr).toContain('EMAIL_FROM: required when SMTP_HOST is set');
    // No fake, no connection: the first line a start prints is never reached.
    expect(answer.stdout).toBe('');
  });
});

describe('npm run cli -- config', () => {
  it('prints the effective settings with every secret masked, and where each came from', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
    const file = path.join(dir, 'settings.yaml');
    writeFileSync(file, 'TEMPORAL_NAMESPACE: partner-ops\nJIRA_API_TOKEN: ATATT3xFfGF0-jira-token\n');
    const answer = await cli(['config'], {
      SETTINGS_FILE: file,
      HUBSPOT_ACCESS_TOKEN: 'pat-na1-11111111-2222',
      JIRA_HOST: 'https://everbright.atlassian.net',
      JIRA_EMAIL: 'ops@everbright.example',
      OPS_API_PORT: '4200',
    });
    expect(answer.code).toBe(0);
    const line = (name: string) => answer.stdout.split('\n').find((l) => l.trim().startsWith(`${name} `))?.trim().replace(/\s+/g, ' ');
    expect(line('HUBSPOT_ACCESS_TOKEN')).toBe('HUBSPOT_ACCESS_TOKEN •••');
    expect(line('JIRA_API_TOKEN')).toBe('JIRA_API_TOKEN ••• (file)');
    expect(line('TEMPORAL_NAMESPACE')).toBe('TEMPORAL_NAMESPACE partner-ops (file)');
    expect(line('OPS_API_PORT')).toBe('OPS_API_PORT 4200');
    expect(line('OPS_API_HOST')).toBe('OPS_API_HOST 127.0.0.1 (default)');
    expect(answer.stdout).not.toMatch(/pat-na1|ATATT3x/);
  });

  it('refuses with every problem and exit status 1', async () => {
    const answer = await cli(['config'], { TEMPORAL_ADDRESS: 'temporal.example.com', OPS_API_PROT: '4200' });
    expect(answer.code).toBe(1);
    expect(answer.stderr).toBe(
      'config: the settings have a problem; nothing was started:\n' +
        '  TEMPORAL_ADDRESS: expects host:port, e.g. temporal.example.com:7233 (the Temporal frontend to use; `npm start` runs the embedded dev server when it is not set)\n' +
        "  warning: OPS_API_PROT is not a setting (did you mean 'OPS_API_PORT'?)\n",
    );
  });
});

describe('one schema for every setting', () => {
  it("the README's settings reference is generated from the schema", () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    // On failure: `npx tsx scripts/write-settings-table.ts` rewrites it.
    expect(withSettingsReference(readme)).toBe(readme);
  });

  it('every variable of the product that the README names is a setting', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const named = new Set(readme.match(new RegExp(`\\b(?:${SETTING_PREFIXES.join('|')})[A-Z0-9_]*[A-Z0-9]\\b`, 'g')));
    expect([...named].filter((name) => !(name in SETTINGS))).toEqual([]);
  });

  it('every variable the product reads is a setting', () => {
    const folders = ['activities', 'api', 'client', 'cli', 'directory', 'inbox', 'settings', 'scripts'];
    const files = [path.join(root, 'worker.ts'), ...folders.flatMap((folder) =>
      readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, folder, f)))];
    const read = new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\benv(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\])/g)].map((m) => m[1] ?? m[2])));
    // Not the product's: the shell's search path, and the bundler's React mode.
    const notSettings = new Set(['PATH', 'NODE_ENV']);
    expect([...read].filter((name) => !notSettings.has(name) && !(name in SETTINGS)).sort()).toEqual([]);
  });
});
