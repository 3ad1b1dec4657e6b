/**
 * The JotForm operation the connector uses, from JotForm's API documentation (each fact with its source):
 * - [api]      jotform.com/apidocs-v1, "GET /submission/{id}": answer `{responseCode: 200, message:
 *              "success", content: {id, form_id, ip, created_at, status, new, flag, notes, updated_at,
 *              answers: {<qid>: {name, order, text, type, answer?, prettyFormat?}}}, duration, "limit-left"}`.
 * - [auth]     "Authentication": the key in an `APIKEY` header or an `apiKey` query parameter.
 * - [errors]   error answers keep the envelope: `{responseCode, message, content: "", duration, info?}`
 *              with the same HTTP status (e.g. 401 "You're not authorized to use (...)", 404 "Requested
 *              URL (...) is not available!").
 * - [limits]   "limit-left" counts down the plan's daily calls (1,000 on Starter). What JotForm answers once
 *              it reaches 0 is not documented: the fake answers 429 in the error envelope [unverified].
 * - [webhooks] "How to Integrate Form Webhooks": multipart/form-data POST with formID, submissionID,
 *              rawRequest (JSON string of answers keyed `q<qid>_<name>`), pretty, formTitle, ip, type.
 */
import { z } from 'zod';
import { defineContract } from '../shared/contract';

export const DAILY_LIMIT = 1_000;

export const jotformContract = defineContract({
  system: 'jotform',
  // [auth] APIKEY header: neither Bearer nor Basic, so the fake checks it itself (index.ts).
  auth: { scheme: 'none', source: '[auth] APIKEY header or apiKey query parameter, checked by the JotForm fake' },
  error: (status, message) => ({ responseCode: status, message, content: '', duration: '1ms' }),
  errorShape: z.object({ responseCode: z.number().int(), message: z.string(), content: z.literal(''), duration: z.string(), info: z.string().optional() }),
  errorSource: '[errors]',
  operations: [
    {
      id: 'submission.get',
      method: 'GET',
      path: '/submission/{id}',
      params: z.object({ id: z.string().regex(/^\d+$/, 'a numeric submission id') }),
      query: z.object({ apiKey: z.string().optional() }),
      response: z.object({
        responseCode: z.literal(200),
        message: z.literal('success'),
        content: z.looseObject({
          id: z.string(),
          form_id: z.string(),
          created_at: z.string(),
          status: z.string(),
          answers: z.record(z.string(), z.looseObject({ name: z.string(), type: z.string(), text: z.string(), order: z.string() })),
        }),
        duration: z.string(),
        'limit-left': z.number().int(),
      }),
      source: '[api] GET /submission/{id}',
    },
  ],
});
