/**
 * The codec server: Temporal's web UI (and `temporal --codec-endpoint`) sends the payloads it shows to
 * `POST /codec/decode` and those a person types to `POST /codec/encode`, and shows what comes back. The
 * contract is Temporal's remote codec: a JSON body `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`,
 * the same shape in the answer, with an `X-Namespace` header. Behind the API's sign-in like every route:
 * the UI sends the person's token ("Pass access token") or the inbox cookie ("Include cross-origin
 * credentials"); the UI's origin must be listed for CORS (`TEMPORAL_UI_ORIGINS`). Only holders of the
 * codec roles (`OPS_CODEC_ROLES`, default `admin`) may call them: a decoded history holds what the API's
 * views mask, such as sensitive form fields.
 */
import cors from '@fastify/cors';
import type { Payload } from '@temporalio/common';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AesGcmPayloadCodec, PayloadUnreadable, type PayloadKey } from '../../client/payload-codec';
import { ApiProblem, problemResponses } from '../problems';

export interface CodecSettings {
  /** The payload keys (client/payload-codec.ts); without them the endpoints answer 503 not-configured. */
  keys?: PayloadKey[];
  /** Origins of the Temporal web UI allowed to call the endpoints from a browser. */
  uiOrigins: string[];
  /** The roles whose holders may call the endpoints; default `admin`. */
  roles?: string[];
}

export const DEFAULT_CODEC_ROLES = ['admin'];

const commaList = (value: string | undefined): string[] => value?.split(',').map((item) => item.trim()).filter(Boolean) ?? [];

/** `OPS_CODEC_ROLES` (comma-separated), by default `admin`. */
export function codecRolesFromEnv(env: NodeJS.ProcessEnv): string[] {
  const listed = commaList(env.OPS_CODEC_ROLES);
  return listed.length ? listed : DEFAULT_CODEC_ROLES;
}

/** `TEMPORAL_UI_ORIGINS` (comma-separated), by default the embedded dev server's UI. */
export function codecOriginsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const listed = commaList(env.TEMPORAL_UI_ORIGINS).map((origin) => origin.replace(/\/+$/, ''));
  return listed.length ? listed : ['http://127.0.0.1:8233', 'http://localhost:8233'];
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

const WirePayload = z
  .object({
    metadata: z.record(z.string(), base64).default({}).meta({ description: 'Each metadata value base64-encoded, e.g. `encoding`, `encryption-key-id`.' }),
    data: base64.default('').meta({ description: 'The payload bytes, base64-encoded.' }),
  })
  .meta({ id: 'CodecPayload', description: 'A Temporal Payload as the remote codec contract writes it (protobuf JSON).' });

const Payloads = z.object({ payloads: z.array(WirePayload).max(10_000) }).meta({ id: 'CodecPayloads' });

type WirePayload = z.infer<typeof WirePayload>;

function fromWire(payload: WirePayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data, 'base64'),
  };
}

function toWire(payload: Payload): WirePayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? []).toString('base64')])),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

/** Registered with the prefix `/codec`, so that CORS (and its catch-all OPTIONS route) covers these endpoints only. */
export function codecRoutes(settings: CodecSettings): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    // Encapsulated here: only the codec endpoints answer cross-origin requests.
    await app.register(cors, {
      origin: settings.uiOrigins,
      methods: ['POST'],
      allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
      credentials: true,
      maxAge: 600,
    });
    const codec = settings.keys?.length ? new AesGcmPayloadCodec(settings.keys) : undefined;
    const roles = settings.roles ?? DEFAULT_CODEC_ROLES;

    const route = (direction: 'encode' | 'decode', summary: string) =>
      app.post(`/${direction}`, {
        config: { fromUiOrigins: true },
        schema: {
          operationId: `codec${direction[0].toUpperCase()}${direction.slice(1)}`,
          summary,
          tags: ['codec'],
          headers: z.object({ 'x-namespace': z.string().optional().meta({ description: 'The namespace the UI shows (sent by the UI; every namespace uses the same keys).' }) }),
          body: Payloads,
          response: { 200: Payloads, ...problemResponses(400, 401, 403, 503) },
        },
      }, async (request) => {
        if (!request.person.roles.some((role) => roles.includes(role))) {
          throw new ApiProblem('forbidden', `reading history through the codec needs the role ${roles.join(' or ')}; you hold ${request.person.roles.join(', ') || 'no role'}`);
        }
        if (!codec) throw new ApiProblem('not-configured', 'payload encryption is not configured on this server: set PAYLOAD_KEYS (see the README)');
        const payloads = request.body.payloads.map(fromWire);
        try {
          const answer = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
          return { payloads: answer.map(toWire) };
        } catch (error) {
          if (error instanceof PayloadUnreadable) throw new ApiProblem('invalid-request', error.message, [{ field: 'body.payloads', message: error.message }]);
          throw error;
        }
      });

    route('decode', 'Decrypts payloads for Temporal\'s web UI and CLI (the remote codec contract)');
    route('encode', 'Encrypts payloads typed into Temporal\'s web UI (the remote codec contract)');
  };
}
