import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { type Envelope } from '@shopflow/events';

// Spans through the OpenTelemetry API only: with no SDK registered (tracing off) every call
// below is a no-op, so the messaging runtime never depends on tracing being set up.
const tracer = trace.getTracer('@shopflow/messaging');

type Headers = Record<string, unknown>;

/** The active trace context as W3C headers (`traceparent`), to store with an outbox row. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The trace a message belongs to, from its headers; the active context if it carries none. */
function contextOf(headers: Headers | undefined, fallback: Context): Context {
  if (typeof headers?.traceparent !== 'string') return fallback;
  return propagation.extract(ROOT_CONTEXT, headers);
}

function eventAttributes(event: Pick<Envelope, 'id' | 'type' | 'correlationId'>): Attributes {
  return {
    'messaging.system': 'rabbitmq',
    'messaging.message.id': event.id,
    'messaging.message.conversation_id': event.correlationId,
    'shopflow.event.type': event.type,
  };
}

/** Marks a span failed, with the error recorded on it. */
export function markFailed(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

async function inSpan<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A producer span, child of the trace the headers carry (an outbox row's stored context) or of
 * the active one; `publish` gets the headers to send, which now point at this span.
 */
export function tracePublish<T>(
  message: { exchange: string; routingKey: string; event: Envelope; headers?: Headers },
  publish: (headers: Headers) => Promise<T>,
): Promise<T> {
  const parent = contextOf(message.headers, context.active());
  const span = tracer.startSpan(
    `publish ${message.exchange}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...eventAttributes(message.event),
        'messaging.operation.type': 'send',
        'messaging.destination.name': message.exchange,
        'messaging.rabbitmq.destination.routing_key': message.routingKey,
      },
    },
    parent,
  );
  const spanContext = trace.setSpan(parent, span);
  const headers: Headers = { ...message.headers };
  propagation.inject(spanContext, headers);
  return inSpan(span, () => context.with(spanContext, () => publish(headers)));
}

/**
 * A consumer span for one delivery, continuing the producer's trace; the handler runs inside
 * it, so its queries, logs and the events it emits belong to the same trace.
 */
export function traceDelivery<T>(
  delivery: { queue: string; routingKey: string; headers?: Headers; attempt: number },
  handle: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = contextOf(delivery.headers, ROOT_CONTEXT);
  const span = tracer.startSpan(
    `process ${delivery.queue}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': delivery.queue,
        'messaging.rabbitmq.destination.routing_key': delivery.routingKey,
        'shopflow.delivery.attempt': delivery.attempt,
      },
    },
    parent,
  );
  const spanContext = trace.setSpan(parent, span);
  return inSpan(span, () => context.with(spanContext, () => handle(span)));
}

/** Adds what is known once a delivery is parsed. */
export function describeEvent(span: Span, event: Pick<Envelope, 'id' | 'type' | 'correlationId'>): void {
  span.setAttributes(eventAttributes(event));
}
