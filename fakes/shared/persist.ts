/**
 * A fake's data kept on disk, so the embedded default's fakes come back with what they held after a restart
 * or a crash (a PartnerStack reward still owed stays owed). The store object is written as JSON before the answer to every
 * request that may change it (anything but GET, vendor or control) and read back into a fresh store at
 * start. Maps, Sets, Buffers and Dates are tagged so they come back as themselves; functions are not data.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * Restores `store()` from `file` if it exists, then saves it there after each changing request. `store` is
 * read each time, since a reset replaces the store.
 */
export function persistStore(app: FastifyInstance, file: string | undefined, store: () => object): void {
  if (!file) return;
  const saved = readSaved(file);
  if (saved) Object.assign(store(), saved);
  // Saved before the answer leaves (onSend, not onResponse): whatever a caller saw acknowledged survives a
  // kill -9 that follows at once.
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') saveStore(file, store());
    return payload;
  });
}

/** What `saveStore` wrote to `file`, revived (Maps, Sets, Buffers, Dates), or undefined when there is none. */
export function readSaved(file: string): Record<string, unknown> | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8'), revive) as Record<string, unknown>) : undefined;
}

/** Writes the store's data (its fields that are not functions) to `file`, for a fake that is not served by Fastify alone (SMTP). */
export function saveStore(file: string, store: object): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const data = Object.fromEntries(Object.entries(store).filter(([, value]) => typeof value !== 'function'));
  // Written aside and renamed: a crash mid-write leaves the previous state, never half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(data, tag));
  renameSync(`${file}.tmp`, file);
}

function tag(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Map) return { $map: [...raw.entries()] };
  if (raw instanceof Set) return { $set: [...raw.values()] };
  if (Buffer.isBuffer(raw)) return { $buffer: raw.toString('base64') };
  if (raw instanceof Date) return { $date: raw.toISOString() };
  return value;
}

function revive(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const tagged = value as { $map?: [unknown, unknown][]; $set?: unknown[]; $buffer?: string; $date?: string };
  if (tagged.$map) return new Map(tagged.$map);
  if (tagged.$set) return new Set(tagged.$set);
  if (tagged.$buffer !== undefined) return Buffer.from(tagged.$buffer, 'base64');
  if (tagged.$date !== undefined) return new Date(tagged.$date);
  return value;
}
