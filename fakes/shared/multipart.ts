/** Splits a multipart/form-data body (file uploads) into text fields and files, as the fakes' contracts check them. */

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartForm {
  /** Parts without a file name, by field name. */
  fields: Record<string, string>;
  /** Parts with a file name, by field name (several files under one name keep their order). */
  files: Record<string, UploadedFile[]>;
}

export function parseMultipart(body: Buffer, contentType: string): MultipartForm {
  const form: MultipartForm = { fields: {}, files: {} };
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) return form;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const from = start + delimiter.length;
    if (body.subarray(from, from + 2).toString() === '--') break; // closing delimiter
    const end = body.indexOf(delimiter, from);
    if (end === -1) break;
    const part = body.subarray(from + 2, end - 2); // drop the CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const data = Buffer.from(part.subarray(split + 4));
    if (filename === undefined) form.fields[name] = data.toString('utf8');
    else (form.files[name] ??= []).push({ filename, contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream', data });
    start = end;
  }
  return form;
}
