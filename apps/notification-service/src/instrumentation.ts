// Imported first by main.ts: OpenTelemetry can only patch http, express and pg if it starts
// before they are loaded. Nothing else may be imported here (the name is spelled out for that).
import { startTracingFromEnv } from '@shopflow/observability/tracing';

startTracingFromEnv('notification-service');
