/**
 * The embedded default's data folder: `.data/` in the project (ignored by git), or `OPS_DATA_DIR`. The dev
 * server's SQLite file and log, the generated payload key, API keys, uploads and the pid files of `npm start`
 * live there, so a restart finds everything where it was.
 */
import path from 'node:path';
import { PROJECT_ROOT } from './temporal-servers';

export function dataDirFrom(env: NodeJS.ProcessEnv): string {
  return env.OPS_DATA_DIR || path.join(PROJECT_ROOT, '.data');
}

export const DATA_DIR = dataDirFrom(process.env);
