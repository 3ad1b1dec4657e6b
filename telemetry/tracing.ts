/**
 * Traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, and none otherwise: one trace from an API
 * request through its workflow to each activity and the activity's HTTP calls to the vendor. The Temporal
 * SDK's OpenTelemetry interceptors carry the context through Temporal's headers (client → workflow →
 * activity); the http and undici instrumentations add the incoming request and the outgoing calls.
 *
 * Attributes never carry a secret: addresses are masked like log lines (webhook tokens, signatures), every
 * secret setting's value is replaced by `•••`, and no payload (inputs, form answers) is ever an attribute.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { maskSecrets, maskUrl, secretValues } from './logger';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

let installed: Tracing | null | undefined;

/** Starts tracing once per process (the first caller names the service); undefined when it is off. */
export function startTracing(env: NodeJS.ProcessEnv, serviceName: string): Tracing | undefined {
  if (installed !== undefined) return installed ?? undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) {
    installed = null;
    return undefined;
  }
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || serviceName });
  const exporter = new ScrubbingExporter(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }), secretValues(env));
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Probes and scrapes are not worth a trace each.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => /^\/(healthz|readyz|metrics|health)\b/.test(request.url ?? '') }),
      new UndiciInstrumentation(),
    ],
  });
  // Node's http was loaded before this ran (Fastify, the SDK): requiring it again applies the patch now,
  // not at the first later require, so that the very first request is traced too.
  require('http');
  require('https');
  let stopping: Promise<void> | undefined;
  installed = { resource, spanProcessor, shutdown: () => (stopping ??= provider.shutdown()) };
  return installed;
}

const ADDRESS_ATTRIBUTE = /url|target|path|query|route/i;

/** Masks addresses and secret values in every attribute before the spans leave the process. */
class ScrubbingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter, private readonly secrets: string[]) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) this.scrub(span.attributes as Attributes);
    this.inner.export(spans, done);
  }

  private scrub(attributes: Attributes): void {
    for (const [key, value] of Object.entries(attributes)) {
      if (typeof value !== 'string') continue;
      attributes[key] = maskSecrets(ADDRESS_ATTRIBUTE.test(key) ? maskUrl(value) : value, this.secrets);
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
