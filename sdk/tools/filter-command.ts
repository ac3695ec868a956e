// `weft filter …`: scaffold, build, test and inspect proxy-wasm filters written with the SDK.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { buildFilter, FilterBuildError } from './build.ts';
import { readFilterMetadata, validateFilterConfig } from './inspect.ts';
import { scaffoldFilter } from './scaffold.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

interface Subcommand {
  usage: string;
  summary: string;
  options: Options;
  run: (positionals: string[], values: Record<string, string | boolean | undefined>) => Promise<number>;
}

const help: Options = { help: { type: 'boolean', short: 'h' } };

const subcommands: Record<string, Subcommand> = {
  new: {
    usage: 'weft filter new NAME [--dir DIR]',
    summary: 'create DIR/NAME (default ./NAME): filter source, asconfig.json, a test and a README',
    options: { ...help, dir: { type: 'string', default: '.' } },
    async run([name], values) {
      if (!name) return usageError('new', 'missing NAME');
      const dir = await scaffoldFilter(name, String(values.dir));
      const shown = path.relative('.', dir).startsWith('..') ? dir : path.relative('.', dir);
      console.log(`created ${dir}\nnext: weft filter build ${shown} && weft filter test ${shown}`);
      return 0;
    },
  },
  build: {
    usage: 'weft filter build DIR [-o FILE] [--debug]',
    summary: 'compile DIR/assembly/index.ts to a proxy-wasm module (default DIR/build/<folder>.wasm)',
    options: { ...help, out: { type: 'string', short: 'o' }, debug: { type: 'boolean', default: false } },
    async run([dir], values) {
      if (!dir) return usageError('build', 'missing DIR');
      try {
        const result = await buildFilter(dir, { outFile: values.out as string | undefined, debug: values.debug === true });
        if (result.warnings) process.stderr.write(result.warnings);
        console.log(`${result.outFile} (${result.bytes.length} bytes)`);
        return 0;
      } catch (err) {
        if (!(err instanceof FilterBuildError)) throw err;
        process.stderr.write(err.diagnostics);
        console.error(`weft filter build: ${err.message}`);
        return 1;
      }
    },
  },
  test: {
    usage: 'weft filter test DIR',
    summary: "run the folder's *.test.ts files with node --test",
    options: { ...help },
    async run([dir]) {
      if (!dir) return usageError('test', 'missing DIR');
      const files = testFiles(path.resolve(dir));
      if (files.length === 0) {
        console.error(`weft filter test: no *.test.ts under ${dir}`);
        return 1;
      }
      return runNodeTest(files);
    },
  },
  inspect: {
    usage: 'weft filter inspect FILE.wasm [--config CONFIG.json]',
    summary: "print a module's metadata (name, version, config schema); with --config, validate that config",
    options: { ...help, config: { type: 'string' } },
    async run([file], values) {
      if (!file) return usageError('inspect', 'missing FILE.wasm');
      const metadata = await readFilterMetadata(new Uint8Array(await readFile(file)));
      if (metadata === null) {
        console.error(`${file}: no Weft metadata (built by another SDK, or the filter never called describeFilter)`);
        return 1;
      }
      console.log(JSON.stringify(metadata, null, 2));
      if (typeof values.config !== 'string') return 0;
      const problems = validateFilterConfig(metadata, await readFile(values.config, 'utf8'));
      for (const problem of problems) console.error(`${values.config}: ${problem}`);
      if (problems.length === 0) console.error(`${values.config}: valid for ${metadata.name} ${metadata.version}`);
      return problems.length === 0 ? 0 : 1;
    },
  },
};

/** Test files of a filter folder, skipping build output and dependencies. */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts') && !f.split(path.sep).some((part) => part === 'node_modules' || part === 'build'))
    .map((f) => path.join(dir, f));
}

function runNodeTest(files: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    // Inside a test run (e.g. this command's own tests) node:test marks the environment; a child
    // that inherits the mark skips its files instead of running them.
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, ['--test', ...files], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function usage(): string {
  const lines = ['usage: weft filter <subcommand> [options]', '', 'subcommands:'];
  for (const s of Object.values(subcommands)) lines.push(`  ${s.usage}`, `      ${s.summary}`);
  lines.push('', 'Run `weft filter <subcommand> --help` for one subcommand.');
  return lines.join('\n');
}

function usageError(name: string, problem: string): number {
  console.error(`weft filter ${name}: ${problem}\nusage: ${subcommands[name].usage}`);
  return 2;
}

/** Entry point of `weft filter`; returns the process exit code (2 for usage errors). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const subcommand = subcommands[name];
  if (!subcommand) {
    console.error(`weft filter: unknown subcommand "${name}"\n\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: subcommand.options, allowPositionals: true, strict: true });
  } catch (err) {
    return usageError(name, (err as Error).message);
  }
  if (parsed.values.help) {
    console.log(`usage: ${subcommand.usage}\n\n${subcommand.summary}`);
    return 0;
  }
  if (parsed.positionals.length > 1) return usageError(name, `unexpected argument "${parsed.positionals[1]}"`);
  return subcommand.run(parsed.positionals, parsed.values as Record<string, string | boolean | undefined>);
}
