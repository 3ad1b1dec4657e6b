/** JotForm actions: re-reading a submission (the Channel Partner Form of seed 002) by id. */
import { z } from 'zod';
import { defineAction } from '../shared/action';
import type { JotFormClient } from './client';

export const getSubmission = defineAction({
  name: 'jotform.getSubmission',
  description: 'Reads a form submission by id; returns {submissionId, formId, createdAt, status, answers: {<field name>: {label, value, text}}}.',
  input: z.object({ submissionId: z.string().regex(/^\d+$/, 'a numeric JotForm submission id') }),
  mutates: false,
  async run(client: JotFormClient, input, { signal }) {
    const { limitLeft: _limitLeft, ...submission } = await client.getSubmission('jotform.getSubmission', input.submissionId, signal);
    return submission;
  },
});

export const jotformActions = [getSubmission] as const;
