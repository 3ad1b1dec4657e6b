/**
 * Finds the two Temporal servers the project runs on, in this order: an environment variable naming the
 * binary, one on PATH, the project's cache (`.tools/`), building it with `scripts/install-temporal.sh`, and
 * last the SDK's own download (which needs the internet).
 *
 *   dev server (Temporal CLI 1.5.1)    TEMPORAL_CLI_PATH            `temporal` on PATH   .tools/bin/temporal
 *   time-skipping test server (Java)   TEMPORAL_TEST_SERVER_PATH    `temporal-test-server`  .tools/test-server/run
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing/lib/ephemeral-server';

export const PROJECT_ROOT = path.resolve(__dirname, '..');

interface ServerKind {
  envVar: string;
  onPath: string;
  cached: string;
  installTarget: 'cli' | 'test-server';
}

const DEV_SERVER: ServerKind = { envVar: 'TEMPORAL_CLI_PATH', onPath: 'temporal', cached: '.tools/bin/temporal', installTarget: 'cli' };
const TEST_SERVER: ServerKind = {
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  onPath: 'temporal-test-server',
  cached: '.tools/test-server/run',
  installTarget: 'test-server',
};

/** The Temporal CLI binary, as an absolute path, or the SDK download when none can be found or built. */
export function devServerExecutable(): EphemeralServerExecutable {
  return resolve(DEV_SERVER);
}

export function testServerExecutable(): EphemeralServerExecutable {
  return resolve(TEST_SERVER);
}

/** The CLI's absolute path; throws with a fix when it cannot be had. */
export function devServerPath(): string {
  const executable = devServerExecutable();
  if (executable.type !== 'existing-path') {
    throw new Error('No Temporal CLI found or built. Install Go (1.25+) and run `npm run setup`, or set TEMPORAL_CLI_PATH.');
  }
  return executable.path;
}

function resolve(kind: ServerKind): EphemeralServerExecutable {
  const fromEnv = process.env[kind.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${kind.envVar}=${fromEnv} is not an executable file`);
    return { type: 'existing-path', path: path.resolve(fromEnv) };
  }
  const onPath = findOnPath(kind.onPath);
  if (onPath) return { type: 'existing-path', path: onPath };
  const cached = path.join(PROJECT_ROOT, kind.cached);
  if (isExecutable(cached)) return { type: 'existing-path', path: cached };
  try {
    execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts/install-temporal.sh'), kind.installTarget], { stdio: 'inherit' });
  } catch {
    // Fall through to the SDK's download below.
  }
  if (isExecutable(cached)) return { type: 'existing-path', path: cached };
  return { type: 'cached-download' };
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
