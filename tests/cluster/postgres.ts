/**
 * A PostgreSQL cluster of the test's own (Debian's server binaries, scripts/install-temporal-cluster.sh), on
 * a free loopback port, never the system's. Its data folder is cached: the first run creates it and loads
 * Temporal's schemas into template databases with the server's own SQL tool; every run then gets empty
 * `temporal` and `temporal_visibility` databases copied from the templates, which takes milliseconds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RunningPostgres {
  port: number;
  user: string;
  /** Whether this start created the data folder and the schema templates (the first run on a machine). */
  created: boolean;
  /** The databases the server runs on, empty (schema only) at every start. */
  databases: { persistence: string; visibility: string };
  stop(): Promise<void>;
}

const SCHEMAS = { persistence: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' } as const;
const TEMPLATE = { persistence: 'temporal_template', visibility: 'temporal_visibility_template' } as const;

/** The newest Debian PostgreSQL on the machine. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (!majors.length) throw new Error('PostgreSQL is not installed: run `bash scripts/install-temporal-cluster.sh` (apt-get install postgresql)');
  return path.join(root, majors.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user the package created. */
function asPostgres(command: string, args: string[]): void {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${path.basename(command)} failed (${result.status}): ${result.stderr || result.stdout}`);
}

function ownedByPostgres(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (!isRoot) return;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, id('-u'), id('-g'));
}

export async function startPostgres(options: { cacheDir: string; port: number; sqlTool: string }): Promise<RunningPostgres> {
  const bin = postgresBin();
  const data = path.join(options.cacheDir, `postgres-${path.basename(path.dirname(bin))}`);
  let created = false;
  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    ownedByPostgres(data);
    // Trust on loopback only: a test cluster on this machine, no password to keep anywhere.
    asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  }
  // Its own folder, owned by the server's user: the run's folder is private to this user.
  const sockets = mkdtempSync(path.join(tmpdir(), 'test-cluster-postgres-'));
  ownedByPostgres(sockets);
  const logFile = path.join(sockets, 'postgres.log');
  // fsync off: a test database that is recreated at every run does not need to survive a power cut.
  const settings = `-p ${options.port} -k ${sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`;
  asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-o', settings, '-l', logFile, '-w', '-t', '60', 'start']);
  const stop = async () => {
    asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    rmSync(sockets, { recursive: true, force: true });
  };
  try {
    const psql = (sql: string, database = 'postgres') =>
      execFileSync(path.join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(options.port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], { encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } }).trim();
    for (const kind of ['persistence', 'visibility'] as const) {
      if (!psql(`SELECT 1 FROM pg_database WHERE datname = '${TEMPLATE[kind]}'`)) {
        // Built under another name and renamed when complete, so a run stopped half-way leaves no template.
        const building = `${TEMPLATE[kind]}_building`;
        psql(`DROP DATABASE IF EXISTS ${building}`);
        psql(`CREATE DATABASE ${building}`);
        const sqlTool = (...args: string[]) =>
          execFileSync(options.sqlTool, ['--plugin', 'postgres12', '--ep', '127.0.0.1', '--port', String(options.port), '--user', 'postgres', '--db', building, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        sqlTool('setup-schema', '-v', '0.0');
        sqlTool('update-schema', '--schema-name', SCHEMAS[kind]);
        psql(`ALTER DATABASE ${building} RENAME TO ${TEMPLATE[kind]}`);
        created = true;
      }
    }
    const databases = { persistence: 'temporal', visibility: 'temporal_visibility' };
    for (const kind of ['persistence', 'visibility'] as const) {
      psql(`DROP DATABASE IF EXISTS ${databases[kind]} WITH (FORCE)`);
      psql(`CREATE DATABASE ${databases[kind]} TEMPLATE ${TEMPLATE[kind]}`);
      // The server checks the schema version recorded under its database's own name.
      psql(`UPDATE schema_version SET db_name = '${databases[kind]}'`, databases[kind]);
    }
    return { port: options.port, user: 'postgres', created, databases, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
