/**
 * JotForm webhook checks for the ingress (the API's webhook route calls these). JotForm signs nothing: it
 * POSTs multipart/form-data with `formID`, `submissionID`, `rawRequest` (the answers as a JSON string) and
 * `pretty` ("Webhooks" guide, "How to Integrate Form Webhooks"). So a delivery is trusted only through
 * (1) an unguessable token in the webhook URL, (2) a form on the allow-list and (3) reading the submission
 * back through the API and acting on that, never on the posted answers.
 */
import { ConnectorError } from '../shared/errors';
import { constantTimeEqual } from '../shared/webhook';
import type { JotFormClient, ReadSubmission } from './client';

export type JotFormRefusal = 'secret-mismatch' | 'malformed' | 'unknown-form' | 'unknown-submission' | 'form-mismatch';

export type JotFormConfirmation = { ok: true; submission: ReadSubmission } | { ok: false; reason: JotFormRefusal };

/** Checks the secret token of the webhook URL path in constant time. */
export function verifyJotFormToken(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && constantTimeEqual(presented, expected);
}

/**
 * Confirms a delivery: its form is allowed, and the submission it names exists in that form according to
 * JotForm's API. Returns the submission as JotForm has it. Failures of the API itself (timeouts, 5xx,
 * 429) are thrown as ConnectorErrors so the ingress can answer 503 and let JotForm deliver again.
 */
export async function confirmJotFormSubmission(
  client: JotFormClient,
  fields: Record<string, string | undefined>,
  allowedFormIds: readonly string[],
): Promise<JotFormConfirmation> {
  const formId = fields.formID?.trim();
  const submissionId = fields.submissionID?.trim();
  if (!formId || !submissionId || !/^\d+$/.test(formId) || !/^\d+$/.test(submissionId)) return { ok: false, reason: 'malformed' };
  if (!allowedFormIds.includes(formId)) return { ok: false, reason: 'unknown-form' };
  try {
    const submission = await client.getSubmission('jotform.confirmSubmission', submissionId);
    // A submission of another form posted with this form's id is a forgery, whatever it says.
    return submission.formId === formId ? { ok: true, submission } : { ok: false, reason: 'form-mismatch' };
  } catch (err) {
    if (err instanceof ConnectorError && err.details.status === 404) return { ok: false, reason: 'unknown-submission' };
    throw err;
  }
}
