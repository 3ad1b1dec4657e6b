/**
 * API keys for the embedded default: issued per person of the people directory, stored hashed in a JSON
 * file (`.data/api-keys.json`, or `OPS_API_KEYS_FILE`). A key reads `ops_<key id>_<secret>`; only the
 * SHA-256 of the secret is kept (the secret is 32 random bytes, so a fast hash is enough: there is nothing
 * to guess). The file is re-read when it changes, so a key issued or revoked by `cli keys` applies at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { constantTimeEqual } from '../../activities/shared/webhook';
import { DATA_DIR } from '../../client/data-dir';

export const DEFAULT_KEYS_FILE = path.join(DATA_DIR, 'api-keys.json');

const StoredKey = z.object({
  id: z.string(),
  person: z.string(),
  label: z.string().optional(),
  sha256: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
});
export type StoredKey = z.infer<typeof StoredKey>;
const KeyFile = z.object({ keys: z.array(StoredKey) });

/** What `list` shows: never the hash. */
export type KeySummary = Omit<StoredKey, 'sha256'>;

const KEY_PATTERN = /^ops_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('ops_');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class ApiKeyStore {
  private cache?: { mtimeMs: number; keys: StoredKey[] };

  constructor(readonly file: string = process.env.OPS_API_KEYS_FILE ?? DEFAULT_KEYS_FILE) {}

  private read(): StoredKey[] {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      return [];
    }
    if (this.cache?.mtimeMs === mtimeMs) return this.cache.keys;
    const parsed = KeyFile.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
    if (!parsed.success) throw new Error(`${this.file} is not an API key file: ${parsed.error.issues[0]?.message}`);
    this.cache = { mtimeMs, keys: parsed.data.keys };
    return parsed.data.keys;
  }

  private write(keys: StoredKey[]): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
    this.cache = undefined;
  }

  /** Issues a key for a person; the returned secret is shown once and never stored. */
  issue(person: string, label?: string): { key: string; summary: KeySummary } {
    const id = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const stored: StoredKey = { id, person, ...(label ? { label } : {}), sha256: sha256(secret), createdAt: new Date().toISOString() };
    this.write([...this.read(), stored]);
    const { sha256: _hash, ...summary } = stored;
    return { key: `ops_${id}_${secret}`, summary };
  }

  list(): KeySummary[] {
    return this.read().map(({ sha256: _hash, ...summary }) => summary);
  }

  /** Returns false when no such key exists; revoking twice is harmless. */
  revoke(id: string): boolean {
    const keys = this.read();
    const key = keys.find((k) => k.id === id);
    if (!key) return false;
    if (!key.revokedAt) this.write(keys.map((k) => (k.id === id ? { ...k, revokedAt: new Date().toISOString() } : k)));
    return true;
  }

  /** The key's record when the presented key is issued and not revoked. */
  verify(presented: string): StoredKey | undefined {
    const match = KEY_PATTERN.exec(presented);
    if (!match) return undefined;
    const key = this.read().find((k) => k.id === match[1]);
    if (!key || key.revokedAt) return undefined;
    return constantTimeEqual(sha256(match[2]), key.sha256) ? key : undefined;
  }
}
