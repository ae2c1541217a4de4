// Prints the total of every Jest run of `npm test` as one closing line.
import fs from 'node:fs';
import path from 'node:path';

const dir = path.join(import.meta.dirname, '../../tmp/test-results');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
const total = { passed: 0, failed: 0, skipped: 0 };
for (const file of files) {
  const counts = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  for (const key of Object.keys(total)) total[key] += counts[key];
}
console.log(`\n${files.length} projects tested`);
console.log(`Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
