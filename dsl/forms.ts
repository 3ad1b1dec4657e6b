/**
 * File fields of a form. A field `{ type: string, contentMediaType: application/pdf }` (any media type, or
 * `*\/*`) is a file: the person uploads it through the API (`POST .../uploads`) and the field holds the
 * upload's id, so the file's bytes stay in the upload store and never enter workflow history. Pure module.
 */

/** What an upload's id looks like (the API gives `upl_` and 16 random bytes in base64url). */
export const UPLOAD_ID = /^upl_[A-Za-z0-9_-]+$/;

/** The top-level fields of a form schema that are files. */
export function fileFields(form: Record<string, unknown> | undefined): string[] {
  const properties = form?.properties;
  if (!properties || typeof properties !== 'object') return [];
  return Object.entries(properties as Record<string, unknown>).flatMap(([name, field]) =>
    field && typeof field === 'object' && typeof (field as { contentMediaType?: unknown }).contentMediaType === 'string' ? [name] : [],
  );
}

/** The file fields of a form whose value is not an upload's id (a file's content pasted in, say). */
export function misfiledFields(form: Record<string, unknown> | undefined, values: Record<string, unknown> | undefined): string[] {
  return fileFields(form).filter((name) => {
    const value = values?.[name];
    return value !== undefined && value !== null && value !== '' && !(typeof value === 'string' && UPLOAD_ID.test(value));
  });
}
