/**
 * A small typed JotForm client: the one call the engine needs, re-reading a submission by id.
 *
 * JotForm's own Node SDK (`jotform` 1.0.1, github.com/jotform/jotform-api-nodejs) was checked and not
 * taken: it sends the API key as a query parameter on every request (so it lands in URLs and in the axios
 * errors it rethrows), sets no timeout, and turns a refusal into an error without the HTTP status. For one
 * GET the shared typed HTTP client does better, with the key in the `APIKEY` header.
 *
 * JotForm answers `{responseCode, message, content, duration, "limit-left"}` ("API docs, Overview");
 * `limit-left` is the plan's daily call allowance still left.
 */
import { z } from 'zod';
import { createHttpClient, type HttpClient } from '../shared/http';
import type { JotFormConfig } from './config';

export const SYSTEM = 'jotform';

/** One answer of a submission, keyed by question id ("GET /submission/{id}"). */
const Answer = z.looseObject({
  name: z.string(),
  text: z.string().optional(),
  type: z.string(),
  order: z.string().optional(),
  answer: z.unknown().optional(),
  prettyFormat: z.string().optional(),
});

export const Submission = z.looseObject({
  id: z.string(),
  form_id: z.string(),
  created_at: z.string(),
  status: z.string(),
  answers: z.record(z.string(), Answer).default({}),
});
export type Submission = z.infer<typeof Submission>;

const Envelope = z.looseObject({ responseCode: z.number(), message: z.string(), content: Submission, 'limit-left': z.union([z.number(), z.string()]).optional() });

export interface SubmissionAnswer {
  /** The question's label as the form shows it. */
  label: string;
  /** The field's unique name, e.g. `companyName`. */
  name: string;
  type: string;
  value: unknown;
  /** JotForm's text rendering (full names, addresses, dates). */
  text: string | null;
}

export interface ReadSubmission {
  submissionId: string;
  formId: string;
  createdAt: string;
  status: string;
  /** Keyed by field name, in the form's order. */
  answers: Record<string, SubmissionAnswer>;
  /** Calls left today on the account's plan, when JotForm says. */
  limitLeft: number | null;
}

export class JotFormClient {
  private readonly http: HttpClient;

  constructor(config: JotFormConfig) {
    this.http = createHttpClient({ system: SYSTEM, baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, headers: () => ({ apikey: config.apiKey }) });
  }

  async getSubmission(action: string, submissionId: string, signal?: AbortSignal): Promise<ReadSubmission> {
    const body = await this.http.request(action, 'GET', `/submission/${encodeURIComponent(submissionId)}`, { schema: Envelope, signal });
    const { content } = body;
    const answers = Object.values(content.answers)
      .filter((a) => a.type !== 'control_head' && a.type !== 'control_button')
      .sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0));
    return {
      submissionId: content.id,
      formId: content.form_id,
      createdAt: content.created_at,
      status: content.status,
      answers: Object.fromEntries(answers.map((a) => [a.name, { label: a.text ?? a.name, name: a.name, type: a.type, value: a.answer ?? null, text: a.prettyFormat ?? (typeof a.answer === 'string' ? a.answer : null) }])),
      limitLeft: body['limit-left'] === undefined ? null : Number(body['limit-left']),
    };
  }
}
