import fs from 'node:fs';
import path from 'node:path';
import { type LoopRun } from '../load/load-loops';

/**
 * Appends a line per order the phase placed, its lead-in's too, for what the report's percentiles
 * cannot show: how a phase's latency moved over time, or which orders made its tail. Each line holds
 * when the POST was sent, whether that was inside the measured window, a refusal or an error, and
 * the final order's timeline steps (epoch ms, from the order's own timestamps; a step's first entry).
 */
export function appendTimelines(file: string, phase: string, run: LoopRun): void {
  const lines = run.outcomes.map((outcome) =>
    JSON.stringify({
      phase,
      postStartedAt: outcome.postStartedAt,
      inWindow: outcome.postStartedAt >= run.windowStart && outcome.postStartedAt < run.windowEnd,
      ...(outcome.refused && { refused: true }),
      ...(outcome.error && { error: outcome.error.kind }),
      ...(outcome.final && { status: outcome.final.status, reason: outcome.final.reason, steps: outcome.final.steps }),
    }),
  );
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, lines.map((line) => `${line}\n`).join(''));
}
