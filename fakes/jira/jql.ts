/**
 * The small JQL subset the Jira fake understands: clauses joined by AND, each `field = value`, `field != value`,
 * `field ~ value` (contains, case-insensitive) or `field in (a, b)`, with an optional trailing ORDER BY that
 * is ignored. Values are bare words or double-quoted strings with backslash escapes. Anything else is a 400,
 * as on a real site, so a query the fake cannot answer is never silently answered wrong.
 */

export interface JqlClause {
  field: string;
  op: '=' | '!=' | '~' | 'in';
  values: string[];
}

export class JqlError extends Error {}

const TOKEN = /\s*(?:"((?:[^"\\]|\\.)*)"|(\(|\)|,|!=|=|~)|([^\s()=,~!"]+))/y;

function tokenize(jql: string): Array<{ text: string; quoted: boolean }> {
  const tokens: Array<{ text: string; quoted: boolean }> = [];
  TOKEN.lastIndex = 0;
  let rest = jql.trim();
  while (rest.length > 0) {
    TOKEN.lastIndex = 0;
    const match = TOKEN.exec(rest);
    if (!match) throw new JqlError(`Error in the JQL Query: unexpected text "${rest.slice(0, 20)}"`);
    if (match[1] !== undefined) tokens.push({ text: match[1].replace(/\\(.)/g, '$1'), quoted: true });
    else tokens.push({ text: match[2] ?? match[3], quoted: false });
    rest = rest.slice(TOKEN.lastIndex).trimStart();
  }
  return tokens;
}

export function parseJql(jql: string): JqlClause[] {
  const tokens = tokenize(jql);
  const orderBy = tokens.findIndex((t, i) => !t.quoted && t.text.toLowerCase() === 'order' && tokens[i + 1]?.text.toLowerCase() === 'by');
  const body = orderBy === -1 ? tokens : tokens.slice(0, orderBy);
  const clauses: JqlClause[] = [];
  let i = 0;
  const next = () => {
    const token = body[i++];
    if (!token) throw new JqlError('Error in the JQL Query: the query ends too early.');
    return token;
  };
  while (i < body.length) {
    const field = next().text.toLowerCase();
    const op = next().text.toLowerCase();
    if (op === 'in') {
      if (next().text !== '(') throw new JqlError(`Error in the JQL Query: expected "(" after "${field} in".`);
      const values: string[] = [];
      for (let token = next(); token.text !== ')' || token.quoted; token = next()) if (token.text !== ',' || token.quoted) values.push(token.text);
      clauses.push({ field, op: 'in', values });
    } else if (op === '=' || op === '!=' || op === '~') {
      clauses.push({ field, op, values: [next().text] });
    } else {
      throw new JqlError(`Error in the JQL Query: the operator "${op}" is not supported by the fake.`);
    }
    if (i < body.length && next().text.toLowerCase() !== 'and') throw new JqlError('Error in the JQL Query: only AND is supported by the fake.');
  }
  return clauses;
}

/** True when a record's values for each clause's field satisfy it. `valuesOf` returns all values of a field. */
export function matchesJql(clauses: readonly JqlClause[], valuesOf: (field: string) => string[]): boolean {
  return clauses.every((clause) => {
    const actual = valuesOf(clause.field).map((v) => v.toLowerCase());
    const wanted = clause.values.map((v) => v.toLowerCase());
    switch (clause.op) {
      case '=':
      case 'in':
        return wanted.some((w) => actual.includes(w));
      case '!=':
        return !wanted.some((w) => actual.includes(w));
      case '~':
        return actual.some((a) => a.includes(wanted[0]));
    }
  });
}
