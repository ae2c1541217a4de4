#!/usr/bin/env node
// What `npm start`, `npm test` and `npm run bench` run first: on a Node.js older than the project
// supports, the one line that says which is needed and how to get it, rather than a crash later.
// 22.12: the first 22.x that loads ES-module-only packages (jose, uuid) from the services' bundles.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `shopflow needs Node.js 22.12 or newer (a maintained line: 22, 24 or 26), and this is ${process.version}: ` +
      'install one (e.g. `nvm install 26`), or on Linux x64 `source tools/dev/use-node.sh`, which fetches Node 26 from the npm registry',
  );
  process.exit(1);
}
