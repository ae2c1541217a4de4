import { isSpanContextValid, trace } from '@opentelemetry/api';

/** `traceId` and `spanId` of the active span, for log lines; nothing when tracing is off. */
export function traceFields(): { traceId?: string; spanId?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}
