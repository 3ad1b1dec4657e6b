/**
 * `npm run test:cluster`: the product on a real Temporal cluster, proven. On this machine it starts the
 * Temporal server (go.temporal.io/server, not the dev server) on PostgreSQL with SQL visibility and mutual
 * TLS on its frontend, then two workers and two API processes of the product connected with TLS, and walks
 * the shipped reseller off-boarding process through the API with one worker and one API process killed with
 * SIGKILL in the middle. The same walk runs first on the dev server; every list query of the README must
 * answer the same on both, and on the cluster nothing may be lost. Exits 1 on any difference.
 *
 * Binaries come from scripts/install-temporal-cluster.sh (run before this by the npm script); the database is
 * cached beside them (TEMPORAL_CLUSTER_CACHE, default .tools/cluster).
 */
import '../../client/node-version';
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ApiKeyStore } from '../../api/identity/api-keys';
import { startDevServer } from '../../client/dev-server';
import { dataConverterFor, parsePayloadKeys } from '../../client/payload-codec';
import { startFakes } from '../../fakes';
import { makeCertificates } from './certificates';
import { startPostgres } from './postgres';
import { startApiProcess, startWorkerProcess, type ProductProcess } from './product';
import { startTemporalServer, tlsConnect } from './temporal-server';
import { PEOPLE, PLAN, walk, type Deployment, type Label, type WalkRecord } from './walk';

const SERVER_VERSION = '1.32.2';
const ROOT = path.join(__dirname, '..', '..');
const CACHE = process.env.TEMPORAL_CLUSTER_CACHE || path.join(ROOT, '.tools', 'cluster');
const BIN = path.join(CACHE, `temporal-server-${SERVER_VERSION}`);
const NAMESPACE = 'partner-ops';

/** Whether nothing listens on the loopback port now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Free loopback ports below 32768: the server keeps its membership ports in a PostgreSQL smallint, and the
 * system hands out ephemeral ports above that.
 */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.has(port) && (await bindable(port))) ports.add(port);
  }
  return [...ports];
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (text: string) => console.log(`[test:cluster] ${text}`);

interface Shared {
  runDir: string;
  keys: Record<string, string>;
  /** What every product process gets, whichever server it runs against. */
  env: NodeJS.ProcessEnv;
}

/** The walk on the product's embedded default, the dev server: one worker, one API, no TLS. */
async function onDevServer(shared: Shared): Promise<WalkRecord> {
  const [port, uiPort] = await freePorts(2);
  const server = await startDevServer({ dbFile: path.join(shared.runDir, 'dev-server.sqlite'), port, uiPort });
  const sandbox = await startFakes({});
  const env: NodeJS.ProcessEnv = { ...shared.env, ...sandbox.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' };
  const processes: ProductProcess[] = [];
  const connection = await Connection.connect({ address: server.address });
  try {
    processes.push(...(await Promise.all([startWorkerProcess('dev-worker', env, shared.runDir), startApiProcess('dev-api', env, shared.runDir)])));
    const client = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(parsePayloadKeys(env.PAYLOAD_KEYS!)) });
    const deployment: Deployment = { apis: () => [processes[1].url!], keys: shared.keys, sandbox, client };
    return await walk(deployment, async () => undefined);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await connection.close();
    await sandbox.close();
    await server.stop();
  }
}

interface ClusterRun {
  record: WalkRecord;
  killed: string[];
  startup: string;
}

/** The walk on the real cluster: two workers and two API processes with mutual TLS; one of each killed. */
async function onCluster(shared: Shared): Promise<ClusterRun> {
  const began = Date.now();
  const [pgPort, frontend, frontendHttp, ...internal] = await freePorts(10);
  const postgres = await startPostgres({ cacheDir: CACHE, port: pgPort, sqlTool: path.join(BIN, 'temporal-sql-tool') });
  say(`PostgreSQL on 127.0.0.1:${pgPort}, empty databases from ${postgres.created ? 'schema templates made now with temporal-sql-tool' : 'the cached schema templates'} (${seconds(began)})`);
  const certs = makeCertificates(path.join(shared.runDir, 'certificates'));
  const processes: ProductProcess[] = [];
  let server: Awaited<ReturnType<typeof startTemporalServer>> | undefined;
  let connection: Connection | undefined;
  const sandbox = await startFakes({});
  try {
    server = await startTemporalServer({ binary: path.join(BIN, 'temporal-server'), runDir: shared.runDir, postgres, certs, namespace: NAMESPACE, ports: { frontend, frontendHttp, internal } });
    const startup = seconds(began);
    say(`Temporal server ${SERVER_VERSION} on ${server.address} (mutual TLS), namespace '${NAMESPACE}' and search attributes registered (${startup} from nothing)`);
    const env: NodeJS.ProcessEnv = {
      ...shared.env,
      ...sandbox.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
      TEMPORAL_TLS_SERVER_NAME: certs.serverName,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    };
    processes.push(
      ...(await Promise.all([
        startWorkerProcess('worker-1', env, shared.runDir),
        startWorkerProcess('worker-2', env, shared.runDir),
        startApiProcess('api-1', env, shared.runDir),
        startApiProcess('api-2', env, shared.runDir),
      ])),
    );
    const [worker1, , api1, api2] = processes;
    say(`2 workers and 2 API processes connected with TLS (${api1.url}, ${api2.url})`);
    connection = await tlsConnect(server.address, certs);
    const client = new Client({ connection, namespace: NAMESPACE, dataConverter: dataConverterFor(parsePayloadKeys(env.PAYLOAD_KEYS!)) });
    const alive = new Set([api1, api2]);
    const killed: string[] = [];
    const deployment: Deployment = { apis: () => [...alive].map((p) => p.url!), keys: shared.keys, sandbox, client };
    const record = await walk(deployment, async () => {
      // Both at once, while the instances just moved on run their Salesforce and PartnerStack calls.
      await Promise.all([worker1.kill(), api1.kill()]);
      alive.delete(api1);
      killed.push(worker1.name, api1.name);
      say(`killed ${killed.join(' and ')} with SIGKILL in the middle of the walk`);
    });
    return { record, killed, startup };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await connection?.close();
    await sandbox.close();
    await server?.stop();
    await postgres.stop();
  }
}

/** Every difference between the two walks, and everything the cluster lost or did twice. */
function problems(dev: WalkRecord, cluster: WalkRecord): string[] {
  const found: string[] = [];
  for (const [query, expected] of Object.entries(dev.answers)) {
    const got = cluster.answers[query];
    if (!isDeepStrictEqual(got, expected)) found.push(`${query}: the dev server answered [${expected.join('; ')}], the cluster [${(got ?? []).join('; ')}]`);
  }
  for (const label of Object.keys(PLAN) as Label[]) {
    if (cluster.endings[label] !== dev.endings[label]) found.push(`${label} ended "${cluster.endings[label]}" on the cluster, "${dev.endings[label]}" on the dev server`);
    if (!isDeepStrictEqual(cluster.decisions[label], dev.decisions[label])) found.push(`${label}'s decisions differ: cluster [${cluster.decisions[label].join('; ')}], dev server [${dev.decisions[label].join('; ')}]`);
    const expectedSuspensions = label === 'Cancelled Resell' ? 0 : 1;
    if (cluster.suspensions[label] !== expectedSuspensions) found.push(`${label}'s Salesforce licence was suspended ${cluster.suspensions[label]} times on the cluster, expected ${expectedSuspensions}`);
  }
  return found;
}

async function main(): Promise<number> {
  const began = Date.now();
  const runDir = mkdtempSync(path.join(tmpdir(), 'test-cluster-'));
  const store = new ApiKeyStore(path.join(runDir, 'api-keys.json'));
  const keys = Object.fromEntries([...new Set(Object.values(PEOPLE))].map((person) => [person, store.issue(person).key]));
  const shared: Shared = {
    runDir,
    keys,
    env: {
      ...process.env,
      PAYLOAD_KEYS: `cluster-test:${randomBytes(32).toString('base64')}`,
      OPS_API_KEYS_FILE: store.file,
      OPS_UPLOADS_DIR: path.join(runDir, 'uploads'),
      OPS_API_RATE_LIMIT: '100000',
    },
  };
  let failed = true;
  try {
    const devBegan = Date.now();
    const dev = await onDevServer(shared);
    say(`dev server: ${Object.keys(PLAN).length} instances walked, ${Object.keys(dev.answers).length} list queries read (${seconds(devBegan)})`);
    const clusterBegan = Date.now();
    const cluster = await onCluster(shared);
    say(`cluster: walk done (${seconds(clusterBegan)})`);
    const found = problems(dev, cluster.record);
    const lost = Object.values(cluster.record.endings).filter((ending) => ending.startsWith('running')).length;
    for (const problem of found) say(`DIFFERENCE: ${problem}`);
    say(
      `summary: servers started: 2 (dev server; Temporal server ${SERVER_VERSION} on PostgreSQL, mutual TLS); workers: 2, API processes: 2; ` +
        `kills: ${cluster.killed.length} (${cluster.killed.join(', ')}, SIGKILL); instances walked: ${Object.keys(PLAN).length}; ` +
        `list queries compared: ${Object.keys(dev.answers).length}, differing: ${found.length}; lost: ${lost}; total ${seconds(began)}`,
    );
    failed = found.length > 0 || lost > 0;
    if (failed) say(`FAILED; the processes' logs are in ${runDir}`);
  } catch (error) {
    say(`FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    say(`the processes' logs are in ${runDir}`);
  } finally {
    if (!failed) rmSync(runDir, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code));
