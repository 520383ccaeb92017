import type { IncomingMessage, OutgoingHttpHeaders, RequestListener } from 'node:http';
import {
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SessionObserver, SessionStep } from '@baton/session';
import { serviceOfInstance } from './fleet-heartbeat.js';
import type { ReplicaIdentity } from './served-by.js';

/** Where an outgoing request's headers are set (a `ClientRequest`, or a plain object). */
export interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

const HEADERS: TextMapGetter<IncomingMessage['headers']> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/**
 * Traces of one replica, exported over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT`. Made only
 * when that variable is set ({@link Tracing.fromEnv}); otherwise there is no Tracing at all, and
 * nothing is wrapped, measured or propagated: tracing off costs nothing.
 *
 * - A SERVER span per request, continuing the W3C `traceparent` the request carries (the shop
 *   sends one with every request; nginx passes it on unchanged).
 * - `inject()` writes this request's context into an upstream request's `traceparent` (the
 *   gateway's proxy), so the service's span is a child of the gateway's.
 * - `session.load`, `session.update` and `session.commit` spans from the session package's steps,
 *   with `baton.session.round_trips`, `.bytes`, `.conflicts` and `.retries`.
 *
 * No OpenTelemetry global is set (no global provider, propagator or context manager): this
 * object owns its context manager, so two apps in one test process trace apart.
 */
export class Tracing {
  private readonly contexts = new AsyncLocalStorageContextManager().enable();
  private readonly propagator = new W3CTraceContextPropagator();
  private readonly provider: TracerProvider;
  private readonly tracer;

  constructor(endpoint: string, identity: ReplicaIdentity) {
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({
        'service.name': serviceOfInstance(identity.instance),
        'service.instance.id': identity.instance,
        'service.version': identity.version,
      }),
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: tracesUrl(endpoint) }),
          scheduledDelayMillis: 500,
        }),
      ],
    });
    this.tracer = this.provider.getTracer('@baton/service-kit');
  }

  /** A Tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, else undefined (tracing off). */
  static fromEnv(
    env: { OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined },
    identity: ReplicaIdentity,
  ): Tracing | undefined {
    const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
    return endpoint ? new Tracing(endpoint, identity) : undefined;
  }

  /** Wraps the app's handler: one SERVER span per request, active while the handler runs. */
  serverHandler(handler: RequestListener): RequestListener {
    return (req, res) => {
      const parent = this.propagator.extract(ROOT_CONTEXT, req.headers, HEADERS);
      const path = (req.url ?? '/').split('?')[0]!;
      const span = this.tracer.startSpan(
        `${req.method ?? 'GET'} ${path}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': path },
        },
        parent,
      );
      // 'close' comes after 'finish', and also for a response cut before it was sent.
      res.once('close', () => {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500 || !res.writableFinished) {
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      });
      this.contexts.with(trace.setSpan(parent, span), () => handler(req, res));
    };
  }

  /** Writes the running request's context as `traceparent` (and `tracestate`) on `headers`. */
  readonly inject = (headers: HeaderSink): void => {
    const carrier: OutgoingHttpHeaders = {};
    this.propagator.inject(this.contexts.active(), carrier, {
      set: (target, key, value) => void (target[key] = value),
    });
    for (const [name, value] of Object.entries(carrier)) headers.setHeader(name, String(value));
  };

  /** `inner` (the metrics) plus one span per session step, under the running request's span. */
  sessionObserver(inner: SessionObserver): SessionObserver {
    return {
      onStoreCall: (op, durationMs, outcome) => inner.onStoreCall(op, durationMs, outcome),
      onSessionStep: (step) => this.recordStep(step, this.contexts.active()),
    };
  }

  /** Exports what is still buffered; call it before the process exits. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }

  /** @private A span drawn after the fact from the step's own start and duration. */
  private recordStep(step: SessionStep, parent: Context): void {
    const span: Span = this.tracer.startSpan(
      `session.${step.name}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: step.startedAt,
        attributes: {
          'baton.session.round_trips': step.roundTrips,
          'baton.session.bytes': step.bytes,
          'baton.session.conflicts': step.conflicts,
          'baton.session.retries': step.retries,
        },
      },
      parent,
    );
    if (step.outcome === 'error') span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(step.startedAt + step.durationMs);
  }
}

/** @private The OTLP/HTTP spec: the traces path is appended to the base endpoint. */
function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}
