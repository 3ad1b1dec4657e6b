/**
 * The upload store: files people attach to a task's form, kept outside workflow history. The API writes
 * them (`POST /instances/{id}/tasks/{taskId}/uploads`), a form field holds the upload's id, and the worker's
 * actions (`hubspot.attachFile` with `file: { uploadId }`) read them back. Each upload is two files in the
 * store's folder: `<id>` (the bytes) and `<id>.json` (what is known about it).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UPLOAD_ID } from '../dsl/forms';
import { dataDirFrom } from './data-dir';

export const Upload = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    taskId: z.string(),
    name: z.string(),
    contentType: z.string(),
    size: z.number(),
    sha256: z.string(),
    uploadedBy: z.string(),
    uploadedAt: z.string(),
    url: z.string().meta({ description: 'Where the file can be read back (signed in). Put `id` in the form field the file is for.' }),
  })
  .meta({ id: 'Upload' });
export type Upload = z.infer<typeof Upload>;

/** `OPS_UPLOADS_DIR`, default `.data/uploads` in the project: the API and the worker must agree on it. */
export function uploadsDirFrom(env: NodeJS.ProcessEnv): string {
  return env.OPS_UPLOADS_DIR || path.join(dataDirFrom(env), 'uploads');
}

export const uploadPath = (dir: string, id: string) => path.join(dir, id);

/** What the store knows about an upload, or undefined when there is no such upload. */
export async function uploadInfo(dir: string, id: string): Promise<Upload | undefined> {
  if (!UPLOAD_ID.test(id)) return undefined;
  try {
    return Upload.parse(JSON.parse(await readFile(`${uploadPath(dir, id)}.json`, 'utf8')));
  } catch {
    return undefined;
  }
}

/** An upload with its bytes, or undefined when there is no such upload. */
export async function readUpload(dir: string, id: string): Promise<{ upload: Upload; data: Buffer } | undefined> {
  const upload = await uploadInfo(dir, id);
  if (!upload) return undefined;
  return { upload, data: await readFile(uploadPath(dir, id)) };
}
