import { spawn } from 'node:child_process';
import path from 'node:path';
import { createEvent, PaymentSucceededV1 } from '@shopflow/events';
import { consumerNames, consumerTopology, declareTopology, FAILURE_HEADERS } from '@shopflow/messaging';
import { createLogger } from '@shopflow/observability';
import { queueInspector } from '@shopflow/testing';
import { run } from '../src/cli';

const ROOT = path.resolve(__dirname, '../../..');

/** Quick retries, so that a real consumer parks a poison message within a second. */
export const RETRY_POLICY = { maxAttempts: 2, initialDelayMs: 50, multiplier: 2 };
export const ORDER = consumerNames('order-service', 'events');
/** Also handles payment.succeeded: what a redrive through the topic exchange would reach as well. */
export const INVENTORY = consumerNames('inventory-service', 'events');

/** Set LOG_LEVEL=debug to see the consumer's logs while a test runs. */
export const testLogger = () => createLogger({ service: 'dlq-test', level: process.env['LOG_LEVEL'] ?? 'silent' });

export interface Ran {
  code: number;
  out: string[];
  err: string[];
  /** The questions the tool asked. */
  asked: string[];
}

/** Runs the tool in this process, as an operator at a terminal (`interactive`) answering `answers` in turn. */
export async function dlq(
  url: string,
  argv: string[],
  { interactive = false, answers = [] as string[] } = {},
): Promise<Ran> {
  const ran: Ran = { code: -1, out: [], err: [], asked: [] };
  ran.code = await run(argv, {
    out: (line) => void ran.out.push(line),
    err: (line) => void ran.err.push(line),
    interactive,
    ask: async (question) => {
      ran.asked.push(question);
      return answers.shift() ?? '';
    },
    env: { AMQP_URL: url },
  });
  return ran;
}

/** Runs `npm run dlq -- …` as a person would, with standard input a pipe (no terminal). */
export function dlqProcess(
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', 'dlq', '--', ...argv], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs `npm run dlq -- …` on a pseudo-terminal (util-linux's `script`), typing `input`: what an
 * operator at a terminal sees and answers. Its output is the terminal's: prompts and echoed input included.
 */
export function dlqOnTerminal(
  argv: string[],
  env: Record<string, string>,
  input: string,
): Promise<{ code: number | null; screen: string }> {
  const command = ['npm', 'run', 'dlq', '--', ...argv].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(input);
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen: screen.replace(/\r\n/g, '\n') }));
  });
}

/** A plain amqplib channel for setting up and looking at queues from outside the tool. */
export async function broker(url: string) {
  const inspector = await queueInspector(url);
  const { channel } = inspector;
  return {
    ...inspector,
    /** order-service's and inventory-service's queues, retry paths and dead-letter queues, as their consumers declare them. */
    async declareServices() {
      for (const names of [ORDER, INVENTORY]) {
        await declareTopology(channel, consumerTopology(names, [PaymentSucceededV1], RETRY_POLICY));
      }
    },
    /** Parks a message in order-service's dead-letter queue as its consumer would, with these headers. */
    async park(options: { type?: string; headers?: Record<string, unknown>; body?: string; messageId?: string }) {
      const messageId = options.messageId ?? crypto.randomUUID();
      channel.publish(ORDER.deadLetterExchange, ORDER.queue, Buffer.from(options.body ?? `{"id":"${messageId}"}`), {
        persistent: true,
        messageId,
        type: options.type,
        headers: {
          [FAILURE_HEADERS.queue]: ORDER.queue,
          [FAILURE_HEADERS.originalExchange]: 'payments',
          [FAILURE_HEADERS.originalRoutingKey]: 'payment.succeeded.v1',
          ...options.headers,
        },
      });
      await channel.waitForConfirms();
      return messageId;
    },
  };
}

/** The headers of a dead letter that failed `attempts` times with `error` of `kind`. */
export function failedWith(kind: string, error: string, attempts = 5): Record<string, unknown> {
  return {
    [FAILURE_HEADERS.attempts]: attempts,
    [FAILURE_HEADERS.errorKind]: kind,
    [FAILURE_HEADERS.lastError]: error,
    [FAILURE_HEADERS.failedAt]: '2030-01-02T03:04:05.000Z',
    [FAILURE_HEADERS.deadLetterReason]:
      kind === 'invalid_message' ? 'invalid message' : `failed after ${attempts} attempts`,
  };
}

export function paymentSucceeded(orderId: string = crypto.randomUUID()) {
  return createEvent(
    PaymentSucceededV1,
    { orderId, paymentId: crypto.randomUUID(), amount: { amount: 1000, currency: 'EUR' } },
    { source: 'dlq-test' },
  );
}
