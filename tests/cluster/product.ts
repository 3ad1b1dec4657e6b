/**
 * The product's own processes, started the way an operator starts them (`tsx worker.ts`, `tsx api/server.ts`:
 * what `npm run worker` and `npm run api` run, without the local fakes, which the test starts once for all),
 * each in its own process group so that a SIGKILL takes the process and its children at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export interface ProductProcess {
  name: string;
  child: ChildProcess;
  /** The API's address (for an API process). */
  url?: string;
  logFile: string;
  /** SIGKILL to the whole process group: no shutdown hook runs, in-flight work is simply gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Starts `entry` and resolves once its output matches `ready` (whose first group is the address, if any). */
function start(name: string, entry: string, env: NodeJS.ProcessEnv, ready: RegExp, logDir: string): Promise<ProductProcess> {
  const logFile = path.join(logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(TSX, [entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => void signal('SIGKILL');
  process.once('exit', killOnExit);
  const handle: ProductProcess = {
    name,
    child,
    logFile,
    async kill() {
      process.off('exit', killOnExit);
      await signal('SIGKILL');
      await exited;
    },
    async stop() {
      process.off('exit', killOnExit);
      await signal('SIGTERM');
      const timer = setTimeout(() => void signal('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 90 s; see ${logFile}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({ ...handle, url: match[1] });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready: ${output.slice(-2000)}`));
    });
  });
}

export function startWorkerProcess(name: string, env: NodeJS.ProcessEnv, logDir: string): Promise<ProductProcess> {
  return start(name, 'worker.ts', env, /worker polling task queue/, logDir);
}

export function startApiProcess(name: string, env: NodeJS.ProcessEnv, logDir: string): Promise<ProductProcess> {
  return start(name, 'api/server.ts', { ...env, OPS_API_PORT: '0' }, /ops API on (http:\/\/\S+) /, logDir);
}
