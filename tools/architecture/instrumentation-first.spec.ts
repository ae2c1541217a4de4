import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const services = fs.readdirSync(path.join(root, 'apps')).filter((name) => name.endsWith('-service'));

// OpenTelemetry patches http, express and pg only if it starts before they are loaded.
describe('tracing starts before anything else in every service', () => {
  it.each(services)('%s: main.ts imports ./instrumentation first, which names the service', (service) => {
    const main = fs.readFileSync(path.join(root, 'apps', service, 'src/main.ts'), 'utf8');
    const firstImport = main.split('\n').find((line) => line.startsWith('import '));
    expect(firstImport).toBe("import './instrumentation';");
    const instrumentation = fs.readFileSync(path.join(root, 'apps', service, 'src/instrumentation.ts'), 'utf8');
    const imports = instrumentation.split('\n').filter((line) => line.startsWith('import '));
    expect(imports).toEqual(["import { startTracingFromEnv } from '@shopflow/observability/tracing';"]);
    expect(instrumentation).toContain(`startTracingFromEnv('${service}');`);
  });
});
