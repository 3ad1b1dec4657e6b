/**
 * Every recorded history (tests/fixtures/histories/<interpreter version>/) replays against the current
 * workflow bundle: an interpreter change that would alter the commands of running instances fails here.
 * Record new histories with `npx tsx scripts/record-histories.ts`.
 */
import { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataConverterFor, parsePayloadKeys } from '../client/payload-codec';
import { bundleWorkflows } from '../worker';

const root = path.join(__dirname, 'fixtures', 'histories');
const histories = readdirSync(root).flatMap((version) =>
  readdirSync(path.join(root, version)).map((file) => ({ name: `${version}/${file}`, file: path.join(root, version, file) })),
);

let bundle: WorkflowBundle;
beforeAll(async () => {
  bundle = await bundleWorkflows();
}, 120_000);

it('has recorded histories of every interpreter version to replay', () => {
  expect(histories.length).toBeGreaterThanOrEqual(6);
  expect([...new Set(histories.map((h) => h.name.split('/')[0]))].sort()).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
});

// With encryption on: histories written before it (in clear) still replay. Encrypted histories replay in
// tests/payload-encryption.test.ts.
const encryption = dataConverterFor(parsePayloadKeys(`replay:${randomBytes(32).toString('base64')}`));

it.each(histories)('replays $name without a determinism error, with and without payload encryption', async ({ file }) => {
  const history = temporal.api.history.v1.History.decode(readFileSync(file));
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, path.basename(file, '.binpb'))).resolves.toBeUndefined();
  await expect(Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: encryption }, history, path.basename(file, '.binpb'))).resolves.toBeUndefined();
});
