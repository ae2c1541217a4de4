import { createInterface } from 'node:readline/promises';

/** What the tool does with the outside world besides the broker: passed in, so tests can play the operator. */
export interface Terminal {
  /** Results, to standard output. */
  out(line: string): void;
  /** Failures and questions, to standard error, so that `--json` output stays parseable. */
  err(line: string): void;
  /** Whether someone can answer a question: standard input is a terminal. */
  interactive: boolean;
  ask(question: string): Promise<string>;
  env: Readonly<Record<string, string | undefined>>;
}

export function processTerminal(): Terminal {
  // A reader that stops early (`npm run dlq -- show … | head`) closes the pipe: the command still
  // finishes what it does (a redrive or purge half done would be worse), and its output goes unread.
  let readerGone = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    readerGone = true;
  });
  return {
    out: (line) => void (readerGone || process.stdout.write(`${line}\n`)),
    err: (line) => void process.stderr.write(`${line}\n`),
    interactive: process.stdin.isTTY === true,
    async ask(question) {
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await new Promise<string>((resolve) => {
          // The end of input is no answer, which declines. Ctrl-D at a terminal rejects the question;
          // an input that is not a terminal only closes, and the question would wait forever.
          prompt.once('close', () => resolve(''));
          prompt.question(question).then(resolve, () => resolve(''));
        });
      } finally {
        prompt.close();
      }
    },
    env: process.env,
  };
}
