/**
 * The people directory's shape and the questions asked of it. The directory is the one source for who
 * holds a role: task notifications go to the holders of the task's role, the API signs people in against
 * it (API keys issued per person, OpenID Connect claims mapped onto a person) and the inbox shows each
 * person their tasks. Pure: the file is read by `load.ts`.
 */
import { z } from 'zod';
import { Name } from '../dsl/model';

export const PersonId = z
  .string()
  .regex(/^[a-z][a-z0-9.-]*$/, 'use lower-case letters, digits, dots and dashes, starting with a letter')
  .meta({ description: 'How the person is named in audit trails and API keys, e.g. `ivy.chan`.' });

export const Person = z.strictObject({
  id: PersonId,
  name: z.string().min(1),
  email: z.email(),
  roles: z.array(Name).min(1).meta({ description: 'The roles this person may act in, e.g. `[iod, admin]`.' }),
});

export const PeopleFile = z.strictObject({
  people: z.array(Person).min(1),
});

export type Person = z.infer<typeof Person>;
export type PeopleFile = z.infer<typeof PeopleFile>;

export class Directory {
  private readonly byId: ReadonlyMap<string, Person>;
  private readonly byEmail: ReadonlyMap<string, Person>;

  constructor(readonly people: readonly Person[]) {
    this.byId = new Map(people.map((p) => [p.id, p]));
    this.byEmail = new Map(people.map((p) => [p.email.toLowerCase(), p]));
  }

  person(id: string): Person | undefined {
    return this.byId.get(id);
  }

  /** E-mail addresses compare case-insensitively, as mail systems and identity providers treat them. */
  personByEmail(email: string): Person | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  holders(role: string): Person[] {
    return this.people.filter((p) => p.roles.includes(role));
  }

  roles(): string[] {
    return [...new Set(this.people.flatMap((p) => p.roles))].sort();
  }
}
