// `npx tsx tools/bench/src/profile-summary.ts <file.cpuprofile> [top]`: the hottest functions and
// areas of a V8 CPU profile (e.g. one written by `npm run bench -- --profile order-service`).
import { renderProfile, summariseProfile } from './profile/cpu-profile';

const [file, top] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx tools/bench/src/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
console.log(renderProfile(summariseProfile(file, Number(top ?? 30)), file));
