import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config';
import { DEFAULT_NAMESPACE, searchAttributeCliPairs } from '../../temporal-config';

/** docker-compose.yml and the Dockerfile cannot be run here; these checks keep them in step with the code. */

const root = path.resolve(__dirname, '../..');
const readRootFile = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target: number; published?: string | number }>;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  container_name?: string;
}

// Compose honours YAML merge keys (`<<: *anchor`); the yaml package needs them switched on.
const compose = parse(readRootFile('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function env(name: string): Record<string, string> {
  const raw = service(name).environment ?? {};
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, String(value ?? '')]));
}

/** Published → container port pairs, from the short (`"8080:8080"`) or long syntax. */
function ports(name: string): Array<{ published: number; target: number }> {
  return (service(name).ports ?? []).map((port) => {
    if (typeof port === 'object') return { published: Number(port.published ?? port.target), target: Number(port.target) };
    const parts = String(port).split('/')[0]!.split(':');
    const target = Number(parts[parts.length - 1]);
    return { published: parts.length > 1 ? Number(parts[parts.length - 2]) : target, target };
  });
}

function words(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : value.split(/\s+/).filter(Boolean);
}

function dependencies(name: string): Record<string, string> {
  const raw = service(name).depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((dep) => [dep, 'service_started']));
  return Object.fromEntries(Object.entries(raw).map(([dep, options]) => [dep, options.condition ?? 'service_started']));
}

const appServices = ['api', 'worker'];

describe('docker-compose.yml', () => {
  it('has the production topology of SPEC §3', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'api', 'worker']) {
      expect(services[name]).toBeDefined();
    }
  });

  it('pins every image to a tag other than latest', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.image === undefined) {
        expect(svc.build).toBeDefined();
        continue;
      }
      const tag = /:([^/:@]+)$/.exec(svc.image)?.[1];
      expect({ service: name, tag }).toEqual({ service: name, tag: expect.stringMatching(/^(?!latest$).+/) });
    }
  });

  it('publishes the Temporal Web UI on 8080 and the API on its default port', () => {
    expect(ports('temporal-ui')).toContainEqual({ published: 8080, target: 8080 });
    const apiPort = loadConfig({}).port;
    expect(ports('api')).toContainEqual({ published: apiPort, target: apiPort });
    expect(env('api').PORT ?? String(apiPort)).toBe(String(apiPort));
    expect(env('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('points the API and the worker at Postgres and at the temporal service', () => {
    for (const name of appServices) {
      const vars = env(name);
      expect(vars.DATABASE_URL).toMatch(/^postgres(ql)?:\/\/[^@]+@postgresql:5432\/\w+$/);
      expect(vars.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(vars.TEMPORAL_NAMESPACE).toBe(DEFAULT_NAMESPACE);
      expect(vars.APP_SECRETS_KEY).toBeTruthy();
    }
    expect(env('api').SEED_DEMO).toBe('true');
    expect(env('worker').PORT).toBeUndefined();
  });

  it('runs the API and the worker from the same image with their own entry points', () => {
    expect(service('api').build).toBeDefined();
    expect(service('worker').image).toBe(service('api').image);
    expect(words(service('api').command)).toEqual(['node', '--import', 'tsx', 'api/main.ts']);
    expect(words(service('worker').command)).toEqual(['node', '--import', 'tsx', 'workers/main.ts']);
    expect(service('api').healthcheck?.test?.toString()).toContain('/readyz');
  });

  it('keeps the worker scalable', () => {
    expect(service('worker').container_name).toBeUndefined();
    expect(service('worker').ports).toBeUndefined();
  });

  it('registers exactly the search attributes of temporal-config', () => {
    const admin = service('temporal-admin-tools');
    expect(admin.image).toMatch(/^temporalio\/admin-tools:/);
    expect(words(admin.command)).toEqual(searchAttributeCliPairs());
    expect(env('temporal-admin-tools').TEMPORAL_NAMESPACE).toBe(DEFAULT_NAMESPACE);
    const script = words(admin.entrypoint).find((word) => word.startsWith('/scripts/'));
    expect(script).toBeDefined();
    const source = readRootFile(path.join('temporal-config/compose', path.basename(script!)));
    expect(source).toContain('temporal operator search-attribute create');
    expect(source).toContain('temporal operator namespace create');
  });

  it('starts the API and the worker only after the search attributes are registered', () => {
    for (const name of appServices) {
      expect(dependencies(name)['temporal-admin-tools']).toBe('service_completed_successfully');
    }
    expect(dependencies('temporal-admin-tools').temporal).toBe('service_healthy');
  });

  it('mounts only files that exist in the repository', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const volume of svc.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (!source.startsWith('.')) continue;
        expect({ service: name, source, exists: existsSync(path.join(root, source)) }).toEqual({ service: name, source, exists: true });
      }
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readRootFile('Dockerfile');

  it('builds the workflow bundle into the image', () => {
    expect(dockerfile).toMatch(/^RUN npm install --omit=dev\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build:workflows$/m);
    expect(dockerfile).toMatch(/dist\/workflow-bundle\.js/);
  });

  it('runs the API as the non-root node user by default', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "api\/main\.ts"\]$/m);
  });
});
