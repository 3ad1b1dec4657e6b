/**
 * The embedded default survives a crash: `npm start` (cli `run`) killed with SIGKILL leaves its dev server
 * running in a process group of its own; the next start stops that server (found through its pid file in
 * the data folder) and comes up cleanly, with the local fakes on the same fixed ports and holding the data
 * they held (a reward still owed). `cli fake pay-reward` then pays it. A start beside a run that is still
 * alive refuses, naming the pid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dataDir = mkdtempSync(path.join(tmpdir(), 'engine-restart-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A run of `count` free ports in a row (the fakes take ten from their base). */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const all = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (all.every(Boolean)) return base;
  }
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: NodeJS.ProcessEnv): Run {
  let output = '';
  const child = spawn('npx', ['tsx', 'cli/index.ts', 'run'], { cwd: path.join(__dirname, '..'), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': npx may exit on the signal before the product under it has finished stopping,
  // while the product holds the pipes until its own last line.
  return { child, output: () => output, exited: new Promise((resolve) => child.once('close', (code) => resolve(code))) };
}

async function ready(run: Run): Promise<void> {
  for (const end = Date.now() + 180_000; !run.output().includes('worker polling'); ) {
    if (Date.now() > end || run.child.exitCode !== null) throw new Error(`the product did not come up:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Running, and not a zombie waiting to be reaped (this machine's init may reap orphans late). */
function alive(pid: number): boolean {
  try {
    return !execFileSync('ps', ['-p', String(pid), '-o', 'stat='], { encoding: 'utf8' }).trim().startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

const devServerPid = () => (JSON.parse(readFileSync(path.join(dataDir, 'temporal-dev-server.pid'), 'utf8')) as { pid: number }).pid;
const fakeLines = (output: string) => output.split('\n').filter((line) => line.includes('using the local fake at')).sort();

it('starts cleanly after a kill -9, stopping the dev server the killed run left behind, with the fakes on the same ports holding their data', async () => {
  const [devPort, fakesPort, apiPort] = [await freePorts(2), await freePorts(10), await freePorts(1)];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    OPS_DATA_DIR: dataDir,
    TEMPORAL_DEV_SERVER_PORT: String(devPort),
    TEMPORAL_UI_PORT: String(devPort + 1),
    OPS_API_PORT: String(apiPort),
    FAKES_PORT: String(fakesPort),
  };

  const partnerstack = `http://127.0.0.1:${fakesPort + 1}/__control`;
  const post = async (url: string, body: unknown) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  const rewards = async () => ((await (await fetch(`${partnerstack}/state`)).json()) as { rewards: Array<{ key: string; amount: number; reward_status: string }> }).rewards;

  const first = start(env);
  await ready(first);
  const partner = (await post(`${partnerstack}/partners`, { email: 'ops@acme.example', firstName: 'Acme' })) as { key: string };
  const reward = (await post(`${partnerstack}/rewards`, { partnerKey: partner.key, amount: 125_000 })) as { key: string };
  const orphan = devServerPid();
  process.kill(-first.child.pid!, 'SIGKILL');
  await first.exited;
  expect(alive(orphan)).toBe(true); // the crash left it behind, holding its ports and the SQLite file

  const second = start(env);
  try {
    await ready(second);
    expect(second.output()).toContain(`stopped the Temporal dev server (pid ${orphan}) that a killed run had left on ${dataDir}`);
    expect(alive(orphan)).toBe(false);
    expect(fakeLines(second.output())).toEqual(fakeLines(first.output()));
    expect(fakeLines(second.output())).toContainEqual(`hubspot: no credentials configured, using the local fake at http://127.0.0.1:${fakesPort} (control: http://127.0.0.1:${fakesPort}/__control)`);
    // The 1,250 USD still owed came back with the fake, and the control command pays it.
    expect(await rewards()).toContainEqual(expect.objectContaining({ key: reward.key, amount: 125_000, reward_status: 'pending' }));
    // The demo data set was loaded once, on the first start: the second prints the same ids.
    const demoLines = (output: string) => output.split('\n').filter((line) => line.startsWith('demo '));
    expect(demoLines(first.output())).toHaveLength(7);
    expect(demoLines(second.output())).toEqual(demoLines(first.output()));
    const paid = execFileSync('npx', ['tsx', 'cli/index.ts', 'fake', 'pay-reward', reward.key], { cwd: path.join(__dirname, '..'), env, encoding: 'utf8' });
    expect(paid.trim()).toBe(`${reward.key}: marked paid in PartnerStack`);
    expect(await rewards()).toContainEqual(expect.objectContaining({ key: reward.key, reward_status: 'paid' }));

    const third = start(env);
    expect(await third.exited).toBe(1);
    expect(third.output()).toMatch(/already running as pid \d+ \(since .*\): stop it first/);
  } finally {
    process.kill(-second.child.pid!, 'SIGINT');
    await second.exited;
  }
  expect(existsSync(path.join(dataDir, 'temporal-dev-server.pid'))).toBe(false); // a clean stop removes it
}, 420_000);
