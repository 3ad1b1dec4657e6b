/**
 * The embedded default: a Temporal dev server (the CLI's `server start-dev`) persisting to a SQLite file
 * in the ignored `.data/` folder, with its web UI and the project's search attributes registered. Restarting
 * it on the same file keeps every instance. Its pid is kept beside the file: a server left behind by a run
 * that was killed (kill -9 of `npm start`) is stopped by the next start instead of blocking it.
 */
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { searchAttributes } from '../workflows/messages';
import { DATA_DIR } from './data-dir';
import { livingProcess, removePidFile, stopProcess, writePidFile } from './pid-file';
import { devServerPath } from './temporal-servers';

const CLI_TYPE: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
};

/** `--search-attribute Name=Type` flags for every search attribute the interpreter sets. */
export function searchAttributeFlags(): string[] {
  return Object.values(searchAttributes).flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]);
}

export interface DevServerOptions {
  dbFile?: string;
  port?: number;
  uiPort?: number;
  /** The codec server the web UI decodes payloads with (the API's `/codec`). */
  codecEndpoint?: string;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  /** The server's own log (it reports shutdown noise as errors, so it stays out of the console). */
  logFile: string;
  process: ChildProcess;
  /** The pid of a dev server an earlier, killed run left on this data folder, stopped before this one started. */
  stoppedLeftover?: number;
  stop(): Promise<void>;
}

/**
 * The SQLite file in write-ahead-log mode: readers no longer block the writer, so thousands of instances
 * started or woken together no longer time the server's own shard lease out ("shard status unknown"), which
 * in the default rollback-journal mode happened at about 1,800 starts in a burst on a 2-core machine.
 */
export const SQLITE_FLAGS = ['--sqlite-pragma', 'journal_mode=wal'];

/** Marks the dev server's command line in its pid file. */
const DEV_SERVER_MARKER = 'start-dev';

export async function startDevServer(options: DevServerOptions = {}): Promise<RunningDevServer> {
  const dbFile = options.dbFile ?? path.join(DATA_DIR, 'temporal.sqlite');
  mkdirSync(path.dirname(dbFile), { recursive: true });
  // A server on this file whose run was killed still holds it (and its ports): stop it, it is ours.
  const pidFile = path.join(path.dirname(dbFile), 'temporal-dev-server.pid');
  const leftover = livingProcess(pidFile);
  if (leftover) await stopProcess(leftover.pid);
  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? 8233;
  for (const taken of [port, uiPort]) {
    if (await isListening(taken)) {
      throw new Error(`port ${taken} is already in use (another Temporal server?): stop it, or set TEMPORAL_ADDRESS to use it`);
    }
  }
  const logFile = path.join(path.dirname(dbFile), 'temporal-server.log');
  const log = openSync(logFile, 'a');
  const child = spawn(
    devServerPath(),
    [
      'server', 'start-dev',
      '--db-filename', dbFile,
      ...SQLITE_FLAGS,
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--ui-port', String(uiPort),
      '--log-level', 'warn',
      // Offline machines cannot reach the version-check service.
      '--dynamic-config-value', 'frontend.enableServerVersionCheck=false',
      ...searchAttributeFlags(),
      ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
    ],
    // Its own process group: Ctrl-C reaches this process only, which stops the worker before the server.
    { stdio: ['ignore', log, log], detached: true },
  );
  writePidFile(pidFile, child.pid!, DEV_SERVER_MARKER);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${port}`;
  await waitUntilReady(address, exited, logFile);
  return {
    address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    logFile,
    process: child,
    stoppedLeftover: leftover?.pid,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      removePidFile(pidFile, child.pid!);
    },
  };
}

async function waitUntilReady(address: string, exited: Promise<number | null>, logFile: string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 300; attempt++) {
    if (gone) throw new Error(`the Temporal dev server exited during start-up (is port ${address} already in use?); see ${logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`the Temporal dev server at ${address} did not answer within 60 s`);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
