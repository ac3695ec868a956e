// `weft filter new|build|test|inspect`: scaffold, build, test and inspect proxy-wasm filters written with the SDK.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { CommandGroup } from '../../core/cli/command.ts';
import { fileError, readInputFile } from '../../core/cli/files.ts';
import { usageError } from '../../core/cli/flags.ts';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import { buildFilter, FilterBuildError } from './build.ts';
import { readFilterMetadata, validateFilterConfig } from './inspect.ts';
import { scaffoldFilter } from './scaffold.ts';

/** The SDK half of `weft filter` (the plane's registry commands are the other). */
export const filterTools: CommandGroup = {
  new: {
    usage: 'weft filter new NAME [--dir DIR]',
    summary: 'create DIR/NAME (default ./NAME): filter source, asconfig.json, a test and a README; NAME may be a path, such as filters/greeter',
    args: ['NAME'],
    flags: [{ name: 'dir', value: 'DIR', help: 'the folder to create the filter in', defaultText: 'the current folder' }],
    async run([given], values) {
      // A path names the folder and the filter at once: some/where/greeter is greeter, created in some/where.
      const inPath = path.dirname(given);
      if (inPath !== '.' && values.dir !== undefined) throw usageError(`give the folder once, in NAME ("${given}") or with --dir, not both`);
      const dir = await scaffoldFilter(path.basename(given), String(values.dir ?? inPath));
      const shown = path.relative('.', dir).startsWith('..') ? dir : path.relative('.', dir);
      console.log(`created ${dir}\nnext: weft filter build ${shown} && weft filter test ${shown}`);
      return 0;
    },
  },
  build: {
    usage: 'weft filter build DIR [-o FILE] [--target release|debug]',
    summary: 'compile DIR/assembly/index.ts to a proxy-wasm module (default DIR/build/<folder>.wasm)',
    args: ['DIR'],
    flags: [
      { name: 'out', short: 'o', value: 'FILE', help: 'where to write the module', defaultText: 'DIR/build/<folder>.wasm' },
      { name: 'target', value: 'TARGET', choices: ['release', 'debug'], help: "the asconfig.json target: debug is unoptimized, with the functions' names", defaultText: 'release' },
    ],
    async run([dir], values) {
      try {
        const result = await buildFilter(dir, { outFile: values.out as string | undefined, debug: values.target === 'debug' });
        if (result.warnings) process.stderr.write(result.warnings);
        console.log(`${result.outFile} (${result.bytes.length} bytes)`);
        return 0;
      } catch (err) {
        if (!(err instanceof FilterBuildError)) throw err;
        // The compiler's own report (each error with its file, line and column) comes before the failure line.
        process.stderr.write(err.diagnostics);
        throw new WeftError(ErrorCodes.FILTER_BUILD_FAILED, err.message);
      }
    },
  },
  test: {
    usage: 'weft filter test DIR',
    summary: "run the folder's *.test.ts files with node --test",
    args: ['DIR'],
    flags: [],
    async run([dir]) {
      const files = testFiles(path.resolve(dir));
      if (files.length === 0) throw usageError(`no *.test.ts under ${dir}`);
      const code = await runNodeTest(files);
      if (code !== 0) throw new WeftError(ErrorCodes.FILTER_TESTS_FAILED, `the tests of ${dir} failed (node --test exited with ${code}; its report is above)`);
      return 0;
    },
  },
  inspect: {
    usage: 'weft filter inspect FILE.wasm [--config CONFIG.json]',
    summary: "print a module's metadata (name, version, config schema); with --config, validate that config",
    args: ['FILE.wasm'],
    flags: [{ name: 'config', value: 'CONFIG.json', help: 'a configuration to check against the schema the module declares' }],
    async run([file], values) {
      const bytes = new Uint8Array(await readInputFile(file, 'module'));
      const metadata = await readFilterMetadata(bytes).catch((err: unknown) => {
        throw new WeftError(ErrorCodes.WASM_INVALID_MODULE, `${file} is not a module Weft can inspect: ${(err as Error).message}`);
      });
      if (metadata === null) {
        throw new WeftError(ErrorCodes.FILTER_NO_METADATA, `${file} has no Weft metadata (built by another SDK, or the filter never called describeFilter); it can still run, only its config goes unchecked`);
      }
      console.log(JSON.stringify(metadata, null, 2));
      if (typeof values.config !== 'string') return 0;
      const problems = validateFilterConfig(metadata, (await readInputFile(values.config, 'config')).toString('utf8'));
      if (problems.length) throw new WeftError(ErrorCodes.CONFIG_INVALID, `${values.config} does not fit the config schema of ${metadata.name} ${metadata.version}: ${problems.join('; ')}`, 2);
      console.error(`${values.config}: valid for ${metadata.name} ${metadata.version}`);
      return 0;
    },
  },
};

/** Test files of a filter folder, skipping build output and dependencies. */
function testFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch (err) {
    throw fileError('read folder', dir, err);
  }
  return entries
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
