// Creates a new filter folder: source, asconfig, a test on the harness, a README, all wired to this SDK.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileError } from '../../core/cli/files.ts';
import { usageError } from '../../core/cli/flags.ts';
import { sdkAssemblyDir } from './build.ts';

const harnessFile = fileURLToPath(new URL('./harness.ts', import.meta.url));

/** Filter names become folder, module and metric names: keep them to what all three accept. */
const namePattern = /^[a-z][a-z0-9-]{0,62}$/;

/** A relative import specifier from `fromDir` to `target`, always starting with ./ or ../ and using forward slashes. */
function importPath(fromDir: string, target: string): string {
  const relative = path.relative(fromDir, target).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

function sourceTemplate(name: string, sdk: string): string {
  return `// The ${name} filter: sets the response header x-${name} to the configured greeting.
import {
  Action, HttpContext, RootContext, describeFilter, parseJson, responseHeaders, setRootContext,
} from "${sdk}/index";
export * from "${sdk}/abi/exports";

describeFilter("${name}", "0.1.0", \`{
  "type": "object",
  "properties": { "greeting": { "type": "string", "default": "hello" } },
  "additionalProperties": false
}\`);

class Root extends RootContext {
  greeting: string = "hello";

  onConfigure(configuration: string): bool {
    const config = parseJson(configuration.length > 0 ? configuration : "{}");
    if (config === null) return false;
    this.greeting = config.getString("greeting", "hello");
    return true;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new Stream(contextId, this);
  }
}

class Stream extends HttpContext {
  constructor(contextId: u32, public readonly config: Root) {
    super(contextId, config);
  }

  onResponseHeaders(_headerCount: u32, _endOfStream: bool): Action {
    responseHeaders.set("x-${name}", this.config.greeting);
    return Action.Continue;
  }
}

setRootContext((contextId: u32): RootContext => new Root(contextId));
`;
}

function testTemplate(name: string, harness: string): string {
  return `// Tests of the ${name} filter, run in the real proxy-wasm host with no network.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FilterHarness } from '${harness}';

let filter: FilterHarness;
before(async () => {
  filter = await FilterHarness.fromFolder(import.meta.dirname, { config: { greeting: 'hi' } });
});
after(() => filter.close());

test('the response carries the configured greeting', async () => {
  const exchange = await filter.exchange({ path: '/' }, { status: 200, body: 'ok' });
  assert.equal(exchange.response.status, 200);
  assert.equal(exchange.response.header('x-${name}'), 'hi');
});

test('a configuration that is not JSON is rejected', async () => {
  await assert.rejects(FilterHarness.fromBytes(filter.bytes, { config: 'not json' }));
});
`;
}

function readmeTemplate(name: string): string {
  return `# ${name}

A proxy-wasm filter for Weft, written with the Weft AssemblyScript SDK.

What it does: sets the response header \`x-${name}\` to the configured greeting.

Configuration (JSON, checked against the schema in \`assembly/index.ts\`):

\`\`\`json
{ "greeting": "hello" }
\`\`\`

\`\`\`
weft filter build .          # → build/${name}.wasm
weft filter test .           # runs ${name}.test.ts in the real host, no network
weft filter inspect build/${name}.wasm
\`\`\`
`;
}

const asconfig = `{
  "targets": {
    "release": { "optimizeLevel": 3, "shrinkLevel": 0, "converge": false, "noAssert": false },
    "debug": { "debug": true }
  },
  "options": {}
}
`;

/** Creates `parentDir/name` with a working filter; returns the folder. Refuses a bad name or a non-empty folder. */
export async function scaffoldFilter(name: string, parentDir: string): Promise<string> {
  if (!namePattern.test(name)) throw usageError(`filter name "${name}" must be lower-case letters, digits and dashes, starting with a letter`);
  const dir = path.resolve(parentDir, name);
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) throw usageError(`${dir} already exists and is not an empty folder`);
  const assemblyDir = path.join(dir, 'assembly');
  try {
    await mkdir(assemblyDir, { recursive: true });
  } catch (err) {
    throw fileError('create folder', dir, err);
  }
  const sdk = importPath(assemblyDir, sdkAssemblyDir.replace(/[/\\]$/, ''));
  await Promise.all([
    writeFile(path.join(assemblyDir, 'index.ts'), sourceTemplate(name, sdk)),
    writeFile(path.join(dir, `${name}.test.ts`), testTemplate(name, importPath(dir, harnessFile))),
    writeFile(path.join(dir, 'README.md'), readmeTemplate(name)),
    writeFile(path.join(dir, 'asconfig.json'), asconfig),
    writeFile(path.join(dir, '.gitignore'), 'build/\n'),
  ]);
  return dir;
}
