/** What an e-mail says, in blocks, so one description renders to both its text and its HTML part. */
export type Block = { kind: 'paragraph'; text: string } | { kind: 'table'; rows: string[][] };

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export const paragraph = (text: string): Block => ({ kind: 'paragraph', text });
export const table = (rows: string[][]): Block => ({ kind: 'table', rows });

export function renderEmail(subject: string, blocks: readonly Block[]): EmailContent {
  return {
    subject,
    text: `${blocks.map(blockAsText).join('\n\n')}\n`,
    html: `<!doctype html>\n<html><body>\n${blocks.map(blockAsHtml).join('\n')}\n</body></html>\n`,
  };
}

function blockAsText(block: Block): string {
  if (block.kind === 'paragraph') return block.text;
  const widths = block.rows.reduce<number[]>(
    (max, row) => row.map((cell, i) => Math.max(max[i] ?? 0, cell.length)),
    [],
  );
  return block.rows
    .map(
      (row) =>
        `  ${row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('   ')
          .trimEnd()}`,
    )
    .join('\n');
}

function blockAsHtml(block: Block): string {
  if (block.kind === 'paragraph') return `<p>${escapeHtml(block.text)}</p>`;
  const rows = block.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
  return `<table>\n${rows.join('\n')}\n</table>`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Event fields end up in the HTML part: none of them may add markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
