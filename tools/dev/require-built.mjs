#!/usr/bin/env node
// What a service's or tool's own `npm start` runs first (its prestart): started before it was
// built, the one line that says so and how to build it, instead of Node's MODULE_NOT_FOUND stack.
// Images run `node dist/main.js` themselves and never come here.
import fs from 'node:fs';

const { name } = JSON.parse(fs.readFileSync('package.json', 'utf8'));
if (!fs.existsSync('dist/main.js')) {
  console.error(
    `${name} is not built (no dist/main.js): run \`npm run build\` at the repository root, or \`npx nx build ${name}\`, then start it again`,
  );
  process.exit(1);
}
