/**
 * Calls to the ops API from the pages. The browser sends the session cookie; nothing here sees the key.
 * Errors arrive as RFC 9457 problems and are thrown as `Problem`, keeping the fields at fault.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class Problem extends Error {
  constructor(readonly status: number, readonly detail: string, readonly errors: FieldError[] = []) {
    super(detail);
  }
}

async function answer<T>(response: Response): Promise<T> {
  if (response.status === 401) {
    // The session ended (key revoked, cookie expired): sign in again and come back here.
    location.assign(`/inbox/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new Problem(401, 'Your session has ended; sign in again.');
  }
  const body = response.headers.get('content-type')?.includes('json') ? await response.json() : undefined;
  if (!response.ok) throw new Problem(response.status, body?.detail ?? `the server answered ${response.status}`, body?.errors);
  return body as T;
}

export async function get<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(await fetch(path, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  }));
}

export async function upload<T>(path: string, file: File): Promise<T> {
  const form = new FormData();
  form.append('file', file, file.name);
  return answer<T>(await fetch(path, { method: 'POST', body: form, credentials: 'same-origin', headers: { accept: 'application/json' } }));
}

/** Where each page lives; workflow ids hold a slash, kept in one path segment as %2F. */
export const paths = {
  home: '/inbox',
  task: (workflowId: string, taskId: string) => `/tasks/${encodeURIComponent(workflowId)}/${encodeURIComponent(taskId)}`,
  instance: (workflowId: string) => `/inbox/instances/${encodeURIComponent(workflowId)}`,
  start: (process: string) => `/inbox/start/${encodeURIComponent(process)}`,
  processes: '/inbox/start',
};

/** API addresses. */
export const api = {
  me: '/inbox/data/me',
  tasks: '/tasks',
  processes: '/processes',
  instance: (workflowId: string) => `/instances/${encodeURIComponent(workflowId)}`,
  picture: (workflowId: string) => `/inbox/data/instances/${encodeURIComponent(workflowId)}`,
  decide: (workflowId: string, taskId: string) => `/instances/${encodeURIComponent(workflowId)}/tasks/${encodeURIComponent(taskId)}/decision`,
  upload: (workflowId: string, taskId: string) => `/instances/${encodeURIComponent(workflowId)}/tasks/${encodeURIComponent(taskId)}/uploads`,
  start: (process: string) => `/processes/${encodeURIComponent(process)}/instances`,
};

/**
 * The workflow id and task id of `/tasks/<workflowId>/<taskId>`: the task id is the last segment, the
 * workflow id everything before it, whether its slash came encoded (%2F) or not (as e-mails may send it).
 */
export function taskAddress(pathname: string): { workflowId: string; taskId: string } {
  const rest = pathname.replace(/^\/tasks\//, '');
  const last = rest.lastIndexOf('/');
  return { workflowId: decodeURIComponent(rest.slice(0, last)), taskId: decodeURIComponent(rest.slice(last + 1)) };
}

export function instanceAddress(pathname: string): string {
  return decodeURIComponent(pathname.replace(/^\/inbox\/instances\//, ''));
}
