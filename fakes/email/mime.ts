/**
 * Just enough MIME reading for the SMTP fake to record what a person would see in a mail client: headers
 * (unfolded, encoded-words decoded), the text and HTML bodies (quoted-printable or base64) and the names of
 * attachments. It reads what nodemailer writes; it is not a general-purpose parser.
 */

export interface ParsedMail {
  headers: Record<string, string>;
  text?: string;
  html?: string;
  attachments: Array<{ filename: string; contentType: string; size: number }>;
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end === -1 ? raw : raw.slice(0, end);
  const body = end === -1 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** RFC 2047 encoded-words: `=?UTF-8?Q?...?=` and `=?UTF-8?B?...?=`. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function decodeBody(body: string, encoding: string | undefined): Buffer {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64');
    case 'quoted-printable':
      return Buffer.from(decodeQuotedPrintable(body), 'utf8');
    default:
      return Buffer.from(body, 'utf8');
  }
}

const param = (header: string | undefined, name: string) => new RegExp(`${name}="?([^";]+)"?`, 'i').exec(header ?? '')?.[1];

export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHeaders(raw);
  const mail: ParsedMail = { headers, attachments: [] };
  const walk = (partHeaders: Record<string, string>, partBody: string) => {
    const type = partHeaders['content-type'] ?? 'text/plain';
    const boundary = param(type, 'boundary');
    if (type.toLowerCase().startsWith('multipart/') && boundary) {
      const sections = partBody.split(`--${boundary}`).slice(1);
      for (const section of sections) {
        if (section.startsWith('--')) break;
        const inner = splitHeaders(section.replace(/^\r?\n/, ''));
        walk(inner.headers, inner.body.replace(/\r?\n$/, ''));
      }
      return;
    }
    const content = decodeBody(partBody, partHeaders['content-transfer-encoding']);
    const disposition = partHeaders['content-disposition'];
    const filename = param(disposition, 'filename') ?? param(type, 'name');
    if (filename || disposition?.toLowerCase().startsWith('attachment')) {
      mail.attachments.push({ filename: filename ?? 'unnamed', contentType: type.split(';')[0].trim(), size: content.length });
    } else if (type.toLowerCase().startsWith('text/html')) {
      mail.html = content.toString('utf8');
    } else if (type.toLowerCase().startsWith('text/plain')) {
      mail.text = content.toString('utf8');
    }
  };
  walk(headers, body);
  return mail;
}
