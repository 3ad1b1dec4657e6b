/**
 * Tasks: the signed-in person's open tasks, deciding one, and uploading a file for a task's form. The
 * person and roles on a decision are the authenticated ones, never the body's. The API checks the decision
 * against the open task first (a clear 4xx naming the field); the workflow's validator checks it again,
 * and its refusal (for instance four eyes: the starter or an earlier decider may not decide) becomes a 403.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import multipart from '@fastify/multipart';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { listInstances } from '../../client/instances';
import { Upload, uploadInfo } from '../../client/uploads';
import { fileFields, misfiledFields } from '../../dsl/forms';
import { decideUpdate, stateQuery, type InstanceState, type OpenTask } from '../../workflows/messages';
import { isEmpty } from '../../workflows/tasks';
import { WRITE, type ApiContext } from '../context';
import { ApiProblem, problemResponses, type FieldError } from '../problems';
import type { SignedIn } from '../sign-in';
import { OpenTaskSchema, WorkflowIdParams } from '../schemas';
import { readInstance } from './instances';

const MyTask = z
  .object({
    workflowId: z.string(),
    process: z.string(),
    businessKey: z.string().optional(),
    stage: z.string().optional(),
    overdue: z.boolean().meta({ description: 'Due before now, or past a deadline.' }),
    task: OpenTaskSchema,
  })
  .meta({ id: 'MyTask' });

const TaskParams = WorkflowIdParams.extend({ taskId: z.string().min(1).meta({ description: 'e.g. `review#1` (URL-encode # as %23).' }) });


const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const formValidators = new Map<string, ValidateFunction>();

function formProblems(schema: Record<string, unknown>, form: unknown): FieldError[] {
  const key = JSON.stringify(schema);
  let validate = formValidators.get(key);
  if (!validate) formValidators.set(key, (validate = ajv.compile(schema)));
  if (validate(form ?? {})) return [];
  return (validate.errors ?? []).map((e) => {
    const at = ['body', 'form', ...e.instancePath.split('/').filter(Boolean)];
    if (e.keyword === 'required') at.push(String(e.params.missingProperty));
    return { field: at.join('.'), message: e.keyword === 'required' ? 'is required' : e.message ?? 'is invalid' };
  });
}

/** The task, open and decidable by this person, or the 4xx that says why not. */
function decidableTask(state: InstanceState, status: string, workflowId: string, taskId: string, person: SignedIn): OpenTask {
  if (status !== 'running') throw new ApiProblem('conflict', `instance '${workflowId}' is ${status}; its tasks are closed`);
  const task = state.openTasks.find((t) => t.id === taskId);
  if (!task) {
    const decided = state.audit.find((a) => a.event === 'decision' && a.taskId === taskId);
    if (decided) throw new ApiProblem('conflict', `task '${taskId}' was already decided (${decided.outcome}) at ${decided.at}`);
    throw new ApiProblem('not-found', `no open task '${taskId}' in '${workflowId}'; open tasks: ${state.openTasks.map((t) => t.id).join(', ') || 'none'}`);
  }
  if (!task.roles.some((role) => person.roles.includes(role))) {
    throw new ApiProblem('forbidden', `task '${taskId}' is for ${task.roles.join(' or ')}; you hold ${person.roles.join(', ') || 'no role'}`);
  }
  return task;
}

/** Four-eyes refusals from the workflow's validator; everything else it refuses means the task moved on. */
const SEPARATION_OF_DUTIES = /four.eyes|may not decide|started (this|the) instance|decided an earlier/i;

export function taskRoutes(context: ApiContext): FastifyPluginAsync {
  return async (plain) => {
    await plain.register(multipart, { limits: { fileSize: context.maxUploadBytes, files: 1, fields: 0 } });
    const app = plain.withTypeProvider<ZodTypeProvider>();

    app.get('/tasks', {
      schema: {
        operationId: 'myTasks',
        summary: 'My open tasks (for the roles I hold), soonest due first',
        tags: ['tasks'],
        response: { 200: z.object({ tasks: z.array(MyTask) }), ...problemResponses(401) },
      },
    }, async (request) => ({ tasks: await openTasksFor(context.client, request.person) }));

    app.post('/instances/:workflowId/tasks/:taskId/decision', {
      config: WRITE,
      schema: {
        operationId: 'decideTask',
        summary: 'Decides an open task as the signed-in person',
        tags: ['tasks'],
        params: TaskParams,
        body: z.object({
          outcome: z.string().min(1),
          comment: z.string().optional(),
          form: z.record(z.string(), z.unknown()).optional(),
        }),
        response: { 200: z.object({ taskId: z.string(), outcome: z.string(), at: z.string() }), ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    }, async (request) => {
      const { workflowId, taskId } = request.params;
      const { handle, described, state } = await readInstance(context.client, workflowId);
      const task = decidableTask(state, described.status.name === 'RUNNING' ? 'running' : described.status.name.toLowerCase(), workflowId, taskId, request.person);
      const { outcome, comment, form } = request.body;
      if (!task.outcomes.includes(outcome)) {
        throw new ApiProblem('invalid-decision', `unknown outcome '${outcome}' for task '${taskId}'; choose one of: ${task.outcomes.join(', ')}`, [{ field: 'body.outcome', message: `must be one of ${task.outcomes.join(', ')}` }]);
      }
      if (task.commentRequired.includes(outcome) && !comment?.trim()) {
        throw new ApiProblem('invalid-decision', `outcome '${outcome}' needs a comment giving the reason`, [{ field: 'body.comment', message: 'is required for this outcome' }]);
      }
      const unfilled = (task.requires?.[outcome] ?? []).filter((field) => isEmpty(form?.[field]));
      if (unfilled.length) {
        throw new ApiProblem(
          'invalid-decision',
          `outcome '${outcome}' needs the form field${unfilled.length > 1 ? 's' : ''} ${unfilled.map((f) => `'${f}'`).join(', ')} filled in`,
          unfilled.map((field) => ({ field: `body.form.${field}`, message: `is required for outcome '${outcome}'` })),
        );
      }
      const misfiled = misfiledFields(task.form, form);
      if (misfiled.length) {
        throw new ApiProblem('invalid-decision', `${misfiled.map((f) => `'${f}'`).join(', ')} ${misfiled.length > 1 ? 'are file fields' : 'is a file field'}: upload the file first (POST .../uploads) and give its id`, misfiled.map((field) => ({ field: `body.form.${field}`, message: 'must be the id of an upload (upl_...), not the file itself' })));
      }
      for (const field of fileFields(task.form)) {
        const id = form?.[field];
        if (typeof id !== 'string') continue;
        const upload = await uploadInfo(context.uploadsDir, id);
        if (!upload || upload.workflowId !== workflowId) {
          throw new ApiProblem('invalid-decision', `no upload '${id}' for this instance: upload the file for '${field}' first`, [{ field: `body.form.${field}`, message: `names no upload of instance '${workflowId}'` }]);
        }
      }
      if (task.form) {
        const problems = formProblems(task.form, form);
        if (problems.length) throw new ApiProblem('invalid-decision', `the form does not match: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
      }
      try {
        const receipt = await handle.executeUpdate(decideUpdate, {
          args: [{ taskId, outcome, comment, form, actor: { id: request.person.id, roles: request.person.roles } }],
        });
        request.log.info({ workflowId, runId: described.runId, taskId, outcome, by: request.person.id }, 'task decided');
        // The assigned role (the first; later ones are escalations) and the kind: bounded labels, no ids.
        const labels = { process: described.type, role: task.roles[0] ?? 'none' };
        request.server.metrics.tasksDecided.inc({ ...labels, kind: task.kind });
        request.server.metrics.taskDecisionSeconds.observe(labels, Math.max(0, (Date.now() - Date.parse(task.openedAt)) / 1000));
        return receipt;
      } catch (error) {
        if (!(error instanceof WorkflowUpdateFailedError)) throw error;
        const reason = error.cause?.message ?? error.message;
        throw new ApiProblem(SEPARATION_OF_DUTIES.test(reason) ? 'forbidden' : 'conflict', reason);
      }
    });

    app.post('/instances/:workflowId/tasks/:taskId/uploads', {
      config: WRITE,
      schema: {
        operationId: 'uploadFile',
        summary: "Uploads one file (multipart/form-data, field `file`) for an open task's form",
        tags: ['tasks'],
        consumes: ['multipart/form-data'],
        params: TaskParams,
        response: { 201: Upload, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    }, async (request, reply) => {
      const { workflowId, taskId } = request.params;
      if (!request.isMultipart()) throw new ApiProblem('unsupported-media-type', 'send the file as multipart/form-data in a part named `file`');
      const { described, state } = await readInstance(context.client, workflowId);
      decidableTask(state, described.status.name === 'RUNNING' ? 'running' : described.status.name.toLowerCase(), workflowId, taskId, request.person);
      const part = await request.file();
      if (!part) throw new ApiProblem('invalid-request', 'the request has no file part', [{ field: 'file', message: 'is required' }]);
      const id = `upl_${randomBytes(12).toString('base64url')}`;
      await mkdir(context.uploadsDir, { recursive: true });
      const target = path.join(context.uploadsDir, id);
      const hash = createHash('sha256');
      let size = 0;
      try {
        await pipeline(part.file, new Transform({ transform(chunk, _enc, done) { hash.update(chunk); size += chunk.length; done(null, chunk); } }), createWriteStream(target));
      } catch (error) {
        await rm(target, { force: true });
        throw error;
      }
      if (part.file.truncated) {
        await rm(target, { force: true });
        throw new ApiProblem('too-large', `the file is larger than ${context.maxUploadBytes} bytes`);
      }
      const upload: Upload = {
        id, workflowId, taskId,
        name: path.basename(part.filename || 'upload'),
        contentType: part.mimetype || 'application/octet-stream',
        size, sha256: hash.digest('hex'),
        uploadedBy: request.person.id, uploadedAt: new Date().toISOString(),
        url: `/uploads/${id}`,
      };
      await writeFile(`${target}.json`, JSON.stringify(upload));
      request.log.info({ workflowId, taskId, upload: id, size, by: request.person.id }, 'file uploaded');
      return reply.code(201).send(upload);
    });

    app.get('/uploads/:uploadId', {
      schema: {
        operationId: 'downloadFile',
        summary: 'Reads back an uploaded file',
        tags: ['tasks'],
        params: z.object({ uploadId: z.string().regex(/^upl_[A-Za-z0-9_-]+$/) }),
        response: { 200: z.any().meta({ description: 'The file, with the content type it was uploaded with.' }), ...problemResponses(401, 404) },
      },
    }, async (request, reply) => {
      const file = path.join(context.uploadsDir, request.params.uploadId);
      const upload = await uploadInfo(context.uploadsDir, request.params.uploadId);
      if (!upload) throw new ApiProblem('not-found', `no upload '${request.params.uploadId}'`);
      return reply
        .type(upload.contentType)
        .header('content-disposition', `attachment; filename="${upload.name.replace(/["\\\r\n]/g, '_')}"`)
        .send(createReadStream(file));
    });
  };
}

/** Running instances with an open task for one of the person's roles, each queried for its tasks. */
async function openTasksFor(client: Client, person: SignedIn): Promise<z.infer<typeof MyTask>[]> {
  const found: z.infer<typeof MyTask>[] = [];
  const now = Date.now();
  for (const role of person.roles) {
    let nextPageToken: string | undefined;
    do {
      const page = await listInstances(client, { role, status: 'running' }, { pageSize: 100, nextPageToken });
      nextPageToken = page.nextPageToken;
      const states = await Promise.all(page.instances.map(async (i) => ({ i, state: await client.workflow.getHandle(i.workflowId).query(stateQuery, { at: new Date().toISOString() }).catch(() => undefined) })));
      for (const { i, state } of states) {
        for (const task of state?.openTasks ?? []) {
          if (!task.roles.some((r) => person.roles.includes(r))) continue;
          if (found.some((f) => f.workflowId === i.workflowId && f.task.id === task.id)) continue;
          const overdue = task.breached || (task.dueAt !== undefined && Date.parse(task.dueAt) < now);
          found.push({ workflowId: i.workflowId, process: i.process, businessKey: i.businessKey, stage: state!.stage, overdue, task });
        }
      }
    } while (nextPageToken);
  }
  return found.sort((a, b) => (a.task.dueAt ?? '9999').localeCompare(b.task.dueAt ?? '9999') || a.task.openedAt.localeCompare(b.task.openedAt));
}
