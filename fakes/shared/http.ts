/** A JSON call from one side of the embedded default to a fake (the demo data, an integration between fakes). */
export class CallError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** POST unless told otherwise; a JSON body when one is given. Anything but 2xx throws a CallError with the answer. */
export async function callJson<T>(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const method = init.method ?? 'POST';
  const response = await fetch(url, {
    method,
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new CallError(response.status, `${method} ${url} answered ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
