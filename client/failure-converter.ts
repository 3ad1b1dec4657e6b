/**
 * The failure converter of every client, worker and workflow bundle of the project. A failure's message and
 * stack trace travel as a payload (the history then says "Encoded failure"), so the payload codec seals them
 * with everything else: a vendor's refusal often quotes what was sent, such as an e-mail address. Every
 * reader that holds the keys (the API, the worker, the codec endpoint behind the web UI) gets the message
 * back; without payload keys the payload is plain JSON.
 *
 * Loaded by path (`failureConverterPath`): the workflow bundle includes it, so it holds only the converter.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
