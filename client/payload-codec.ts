/**
 * Payload encryption: every payload the client, the API and the worker send to Temporal (inputs, results,
 * signals, updates, query answers, memo) is sealed with AES-256-GCM before it leaves the process, so the
 * server's history holds ciphertext only. The key id travels in the payload's metadata: a worker or client
 * holding several keys opens any payload sealed with one of them, and seals new ones with the first.
 * Rotation is adding a key in front of `PAYLOAD_KEYS`; a key leaves the list only when nothing sealed with
 * it is still read (running instances, retained history).
 *
 * A payload of COMPRESS_FROM bytes or more is compressed (deflate) before it is sealed, when that makes it
 * smaller: an instance's start input carries its whole compiled definition, JSON that shrinks to a fraction.
 * `encryption-compressed: deflate` in the metadata says so; payloads sealed without it (before this, or
 * small ones) open as they always did.
 *
 * Codecs run in the worker's main thread and the client, never inside the workflow sandbox: node:crypto and
 * node:zlib are fine here.
 */
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DATA_DIR } from './data-dir';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const COMPRESSED_METADATA = 'encryption-compressed';
/** Smaller payloads (a decision, an activity's answer) gain too little from compression to be worth it. */
const COMPRESS_FROM = 512;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** A misconfigured key list, said without ever showing key material. */
export class PayloadKeysInvalid extends Error {
  override name = 'PayloadKeysInvalid';
}

/** A payload sealed with a key this process does not hold (or altered since it was sealed). */
export class PayloadUnreadable extends Error {
  override name = 'PayloadUnreadable';
}

/**
 * `k2:<base64 of 32 bytes>,k1:<...>`: the first key seals, every key opens. Ids are what history records,
 * so they must be unique and stable.
 */
export function parsePayloadKeys(text: string, source = 'PAYLOAD_KEYS'): PayloadKey[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (!entries.length) throw new PayloadKeysInvalid(`${source} is empty: give it as "id:<base64 of 32 random bytes>", e.g. from \`openssl rand -base64 32\``);
  const keys = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
      throw new PayloadKeysInvalid(`${source}: entry ${index + 1} needs an id before ':' (letters, digits, '.', '_', '-'), as in "k1:<base64 key>"`);
    }
    const key = Buffer.from(entry.slice(colon + 1).trim(), 'base64');
    if (key.length !== KEY_BYTES) {
      throw new PayloadKeysInvalid(`${source}: key '${id}' is ${key.length} bytes once base64-decoded; AES-256 needs exactly ${KEY_BYTES} (\`openssl rand -base64 32\`)`);
    }
    return { id, key };
  });
  const seen = new Set<string>();
  for (const { id } of keys) {
    if (seen.has(id)) throw new PayloadKeysInvalid(`${source}: key id '${id}' is listed twice; every key needs its own id`);
    seen.add(id);
  }
  return keys;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: PayloadKey[]) {
    if (!keys.length) throw new PayloadKeysInvalid('a payload codec needs at least one key');
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The id of the key new payloads are sealed with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // The whole payload (its own metadata included, e.g. `encoding: json/plain`) is sealed.
      const encoded = temporal.api.common.v1.Payload.encode(payload).finish();
      const deflated = encoded.length >= COMPRESS_FROM ? deflateRawSync(encoded) : undefined;
      const compressed = deflated !== undefined && deflated.length < encoded.length;
      const plain = compressed ? deflated : encoded;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          encoding: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from(this.current.id),
          ...(compressed ? { [COMPRESSED_METADATA]: Buffer.from('deflate') } : {}),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before encryption was turned on stay readable.
      if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
      const key = this.byId.get(keyId);
      if (!key) throw new PayloadUnreadable(`a payload is sealed with key '${keyId}', which is not among this process's keys (${[...this.byId.keys()].join(', ')}): add it to PAYLOAD_KEYS`);
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadUnreadable(`a payload sealed with key '${keyId}' is too short to be one this codec wrote`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadUnreadable(`a payload sealed with key '${keyId}' does not open with that key: the key was changed, or the payload altered`);
      }
      const compression = Buffer.from(payload.metadata?.[COMPRESSED_METADATA] ?? []).toString();
      if (compression && compression !== 'deflate') throw new PayloadUnreadable(`a payload is compressed with '${compression}', which this codec does not know (only 'deflate'): a newer version of the product wrote it`);
      return temporal.api.common.v1.Payload.decode(compression ? inflateRawSync(plain) : plain) as Payload;
    });
  }
}

/** The embedded default's data folder (ignored by git), where `npm start` keeps its generated key. */
export const EMBEDDED_DATA_DIR = DATA_DIR;

/** Where the embedded default keeps the key it generated (ignored `.data/`, readable by its owner only). */
export function defaultKeyFile(dataDir: string): string {
  return path.join(dataDir, 'payload-keys');
}

export interface KeySettings {
  keys: PayloadKey[];
  /** Where they came from, for the start-up line (never the keys themselves). */
  source: string;
  /** True when this call generated the key file. */
  generated: boolean;
}

/**
 * The keys this process uses: `PAYLOAD_KEYS` when set; otherwise the embedded default's key file in
 * `dataDir` when it exists; otherwise, with `generate` (only `npm start` asks for it), a key generated once
 * into that file. Without any of these, payloads go in clear (a client against a cluster that has no keys).
 */
export function payloadKeysFromEnv(env: NodeJS.ProcessEnv, options: { dataDir?: string; generate?: boolean } = {}): KeySettings | undefined {
  if (env.PAYLOAD_KEYS?.trim()) return { keys: parsePayloadKeys(env.PAYLOAD_KEYS), source: 'PAYLOAD_KEYS', generated: false };
  if (!options.dataDir) return undefined;
  const file = defaultKeyFile(options.dataDir);
  if (existsSync(file)) return { keys: parsePayloadKeys(readFileSync(file, 'utf8'), file), source: file, generated: false };
  if (!options.generate) return undefined;
  mkdirSync(options.dataDir, { recursive: true });
  writeFileSync(file, `local-1:${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { keys: parsePayloadKeys(readFileSync(file, 'utf8'), file), source: file, generated: true };
}

/** Where the failure converter is: the workflow bundle must be built with the one the worker uses. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter every client and worker of this project uses: encryption when keys are given, and
 * failures' messages sealed with the payloads (client/failure-converter.ts).
 */
export function dataConverterFor(keys: PayloadKey[] | undefined): DataConverter {
  return { failureConverterPath: FAILURE_CONVERTER_PATH, ...(keys?.length ? { payloadCodecs: [new AesGcmPayloadCodec(keys)] } : {}) };
}
