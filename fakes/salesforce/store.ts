/**
 * The Salesforce fake's records and the rules it applies to them, per contract.ts: field-level checks on
 * create and update, External ID upsert, the SOQL subset the connector's queries use, and the record feed.
 */
import { FakeError } from '../shared/fake-kit';
import { FEED_ITEM_PREFIX, OBJECTS, type FieldContract, type ObjectContract } from './contract';

export type SfRecord = Record<string, unknown> & { Id: string };

/** A refusal in Salesforce's error shape `[{message, errorCode, fields}]` [errors]. */
const fail = (status: number, errorCode: string, message: string, fields?: string[]): never => {
  throw new FakeError(status, message, fields?.[0], [{ message, errorCode, ...(fields ? { fields } : {}) }]);
};

export interface FeedElement {
  id: string;
  feedElementType: 'FeedItem';
  createdDate: string;
  parent: { id: string };
  body: { text: string; messageSegments: Array<Record<string, unknown>> };
}

const ID_PATTERN = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

export class SalesforceFakeStore {
  readonly records = new Map<string, SfRecord & { attributes: { type: string } }>();
  readonly feeds = new Map<string, FeedElement[]>();
  private counter = 0;
  private caseNumber = 1000;

  objectOf(type: string): ObjectContract {
    return OBJECTS[type] ?? fail(404, 'NOT_FOUND', `The requested resource does not exist`);
  }

  newId(prefix: string): string {
    this.counter += 1;
    return `${prefix}5g00000${String(this.counter).padStart(5, '0')}AAA`;
  }

  /** Seeds a record without the API's checks (fixtures such as users and read-only fields). */
  seed(type: string, fields: Record<string, unknown>): SfRecord {
    const contract = this.objectOf(type);
    const record = { ...fields, Id: this.newId(contract.keyPrefix), attributes: { type } } as SfRecord & { attributes: { type: string } };
    if (type === 'Contact') record.Name = [fields.FirstName, fields.LastName].filter(Boolean).join(' ');
    this.records.set(record.Id, record);
    return record;
  }

  get(type: string, id: string): SfRecord & { attributes: { type: string } } {
    this.objectOf(type);
    const record = this.find(id);
    if (!record || record.attributes.type !== type) fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    return record as SfRecord & { attributes: { type: string } };
  }

  create(type: string, body: unknown): SfRecord {
    const contract = this.objectOf(type);
    const fields = this.checkFields(type, contract, body, 'create');
    for (const [name, field] of Object.entries(contract.fields)) {
      if (field.default !== undefined && fields[name] === undefined) fields[name] = field.default;
    }
    const missing = Object.entries(contract.fields).filter(([name, f]) => f.required && (fields[name] === undefined || fields[name] === null || fields[name] === '')).map(([n]) => n);
    if (missing.length) fail(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    this.checkUnique(type, contract, fields);
    const record = this.seed(type, fields);
    if (type === 'Case') record.CaseNumber = String(++this.caseNumber).padStart(8, '0');
    return record;
  }

  update(type: string, id: string, body: unknown): SfRecord {
    const record = this.get(type, id);
    const contract = this.objectOf(type);
    const fields = this.checkFields(type, contract, body, 'update');
    this.checkUnique(type, contract, fields, id);
    Object.assign(record, fields);
    return record;
  }

  /** [upsert]: 201 created, 200 matched one, 300 matched several. */
  upsert(type: string, externalIdField: string, value: string, body: unknown): { status: 200 | 201; record: SfRecord } {
    const contract = this.objectOf(type);
    if (!contract.fields[externalIdField]?.externalId) {
      fail(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${externalIdField}`);
    }
    if (body && typeof body === 'object' && externalIdField in (body as object)) {
      fail(400, 'INVALID_FIELD', `The external ID field ${externalIdField} may not be set in the body of an upsert by that field`, [externalIdField]);
    }
    const matches = [...this.records.values()].filter((r) => r.attributes.type === type && r[externalIdField] === value);
    if (matches.length > 1) fail(300, 'MULTIPLE_CHOICES', `More than one record found for external id field ${externalIdField} with value ${value}`);
    if (matches.length === 1) return { status: 200, record: this.update(type, matches[0].Id, body) };
    return { status: 201, record: this.create(type, { ...(body as object), [externalIdField]: value }) };
  }

  /** [query]: SELECT a, b FROM T [WHERE f = 'v' [AND g = 'w']...] [LIMIT n] */
  query(soql: string): { totalSize: number; done: true; records: Array<Record<string, unknown>> } {
    const match = /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+LIMIT\s+(\d+))?\s*$/is.exec(soql);
    if (!match) return fail(400, 'MALFORMED_QUERY', `unexpected token in query: ${soql.slice(0, 80)}`);
    const [, selectList, type, where, limit] = match;
    const contract = OBJECTS[type] ?? fail(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
    const selected = selectList.split(',').map((f) => f.trim());
    for (const field of selected) {
      if (!contract.fields[field]) fail(400, 'INVALID_FIELD', `No such column '${field}' on entity '${type}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`);
    }
    const conditions: Array<[string, string]> = [];
    if (where) {
      let rest = where.trim();
      for (;;) {
        const condition = /^(\w+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*/s.exec(rest);
        if (!condition) return fail(400, 'MALFORMED_QUERY', `unexpected token in WHERE clause: ${rest.slice(0, 60)}`);
        if (!contract.fields[condition[1]]) fail(400, 'INVALID_FIELD', `No such column '${condition[1]}' on entity '${type}'.`);
        conditions.push([condition[1], condition[2].replace(/\\(.)/g, '$1')]);
        rest = rest.slice(condition[0].length);
        if (rest === '') break;
        const and = /^AND\s+/i.exec(rest);
        if (!and) return fail(400, 'MALFORMED_QUERY', `unexpected token in WHERE clause: ${rest.slice(0, 60)}`);
        rest = rest.slice(and[0].length);
      }
    }
    const rows = [...this.records.values()]
      .filter((r) => r.attributes.type === type && conditions.every(([f, v]) => String(r[f] ?? '').toLowerCase() === v.toLowerCase()))
      .slice(0, limit === undefined ? undefined : Number(limit))
      .map((r) => ({ attributes: { type, url: `/services/data/v62.0/sobjects/${type}/${r.Id}` }, ...Object.fromEntries(selected.map((f) => [f, r[f] ?? null])) }));
    return { totalSize: rows.length, done: true, records: rows };
  }

  /** [chatter]: a feed item on a record, with Text and Mention segments. */
  postFeedElement(body: unknown): FeedElement {
    const input = (body ?? {}) as { feedElementType?: unknown; subjectId?: unknown; body?: { messageSegments?: unknown } };
    if (input.feedElementType !== 'FeedItem') fail(400, 'INVALID_API_INPUT', 'feedElementType: the only supported value is FeedItem');
    if (typeof input.subjectId !== 'string' || !this.find(input.subjectId)) fail(404, 'NOT_FOUND', 'subjectId: the requested resource does not exist');
    const segments = input.body?.messageSegments;
    if (!Array.isArray(segments) || segments.length === 0) fail(400, 'INVALID_API_INPUT', 'body.messageSegments: a feed item needs at least one message segment');
    const output = (segments as Array<Record<string, unknown>>).map((segment, i) => {
      if (segment.type === 'Text') {
        if (typeof segment.text !== 'string') fail(400, 'INVALID_API_INPUT', `body.messageSegments[${i}].text: required for a Text segment`);
        return { type: 'Text', text: segment.text };
      }
      if (segment.type === 'Mention') {
        const user = typeof segment.id === 'string' ? this.find(segment.id) : undefined;
        if (!user || user.attributes.type !== 'User') fail(400, 'INVALID_API_INPUT', `body.messageSegments[${i}].id: a Mention needs the id of a user or group`);
        return { type: 'Mention', text: `@${user!.Name}`, name: user!.Name, record: { id: user!.Id, type: 'User' } };
      }
      return fail(400, 'INVALID_API_INPUT', `body.messageSegments[${i}].type: unsupported segment type ${String(segment.type)}`);
    });
    const element: FeedElement = {
      id: this.newId(FEED_ITEM_PREFIX),
      feedElementType: 'FeedItem',
      createdDate: new Date().toISOString(),
      parent: { id: input.subjectId as string },
      body: { text: output.map((s) => s.text).join(''), messageSegments: output },
    };
    const feed = this.feeds.get(element.parent.id) ?? [];
    feed.unshift(element);
    this.feeds.set(element.parent.id, feed);
    return element;
  }

  feedOf(recordId: string): FeedElement[] {
    if (!this.find(recordId)) fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    return this.feeds.get(recordId) ?? [];
  }

  private find(id: string) {
    // 15-character ids are the case-sensitive prefix of the 18-character form.
    return this.records.get(id) ?? [...this.records.values()].find((r) => r.Id.slice(0, 15) === id);
  }

  private checkFields(type: string, contract: ObjectContract, body: unknown, mode: 'create' | 'update'): Record<string, unknown> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) fail(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values');
    const fields: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      if (name === 'attributes' || (mode === 'update' && name === 'Id')) continue;
      const field = contract.fields[name];
      if (!field) fail(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${type}`, [name]);
      if (!(mode === 'create' ? field!.createable : field!.updateable)) {
        fail(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to ${mode} fields: ${name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, [name]);
      }
      if (value !== null) this.checkValue(name, field!, value);
      fields[name] = value;
    }
    return fields;
  }

  private checkValue(name: string, field: FieldContract, value: unknown): void {
    const wrongType = (expected: string) => fail(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of ${expected} from ${typeof value} value for field ${name}`, [name]);
    switch (field.type) {
      case 'currency':
      case 'double':
        if (typeof value !== 'number') wrongType(field.type);
        return;
      case 'reference': {
        if (typeof value !== 'string') return wrongType('reference');
        if (!ID_PATTERN.test(value)) fail(400, 'MALFORMED_ID', `${name}: id value of incorrect type: ${value}`, [name]);
        const target = this.find(value);
        if (!target || !field.referenceTo?.includes(target.attributes.type)) {
          fail(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [name]);
        }
        return;
      }
      case 'date':
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) fail(400, 'INVALID_TYPE_ON_FIELD_IN_RECORD', `${name}: value not of required type: ${String(value)}`, [name]);
        return;
      case 'email':
        if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(value)) fail(400, 'INVALID_EMAIL_ADDRESS', `${name}: invalid email address: ${String(value)}`, [name]);
        return;
      case 'picklist':
        if (typeof value !== 'string') return wrongType('picklist');
        if (field.restricted && !field.values?.includes(value)) fail(400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${name}: bad value for restricted picklist field: ${value}`, [name]);
        return;
      default:
        if (typeof value !== 'string') return wrongType('string');
        if (field.maxLength !== undefined && value.length > field.maxLength) fail(400, 'STRING_TOO_LONG', `${name}: data value too large: ${value.slice(0, 40)}... (max length=${field.maxLength})`, [name]);
    }
  }

  private checkUnique(type: string, contract: ObjectContract, fields: Record<string, unknown>, selfId?: string): void {
    for (const [name, field] of Object.entries(contract.fields)) {
      if (!field.externalId || fields[name] === undefined || fields[name] === null) continue;
      const clash = [...this.records.values()].find((r) => r.attributes.type === type && r.Id !== selfId && r[name] === fields[name]);
      if (clash) fail(400, 'DUPLICATE_VALUE', `duplicate value found: ${name} duplicates value on record with id: ${clash.Id}`, [name]);
    }
  }
}
