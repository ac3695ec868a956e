// Filter chain entries from a config file or `--filter` flags: module paths resolved, configs turned into the text filters read.
import { basename, isAbsolute, resolve } from 'node:path';
import type { FailPolicy, FilterSettings } from './settings.ts';
import { ErrorCodes, WeftError } from '../errors.ts';
import { buildStamp, builtinFilterFile, moduleFileExists } from '../runtime/assets.ts';

const { readFileSync } = process.getBuiltinModule('node:fs');

const SIZE_UNITS: Record<string, number> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** A bare name (no slash, no .wasm) means a built-in filter; anything else is a path relative to `base`. */
export function resolveModule(module: string, base: string): string {
  if (!module.includes('/') && !module.endsWith('.wasm')) return builtinFilterFile(module);
  return isAbsolute(module) ? module : resolve(base, module);
}

/** Config as filters receive it: a string as is, anything else as JSON text. */
export function configText(config: unknown): string {
  if (config === undefined) return '';
  return typeof config === 'string' ? config : JSON.stringify(config);
}

/** "64MiB" → 64 KiB pages. */
export function parseMemoryPages(text: string): number | undefined {
  const m = /^([0-9]+)(KiB|MiB|GiB)$/.exec(text.trim());
  if (!m) return undefined;
  return Math.ceil((Number(m[1]) * SIZE_UNITS[m[2]]) / 65536);
}

function usage(message: string): WeftError {
  return new WeftError(ErrorCodes.USAGE, message, 2);
}

/**
 * Parses one `--filter PATH.wasm|NAME[@CONFIG.json][,root=ID][,vm=ID][,fail=POLICY][,config=TEXT|@FILE]`.
 * `config=` takes the rest of the value, commas included, so JSON fits inline.
 */
export function parseFilterFlag(value: string, cwd: string): FilterSettings {
  const configAt = value.indexOf(',config=');
  const head = configAt < 0 ? value : value.slice(0, configAt);
  const [first, ...opts] = head.split(',');
  if (!first) throw usage(`--filter: expected PATH.wasm or a built-in name, got "${value}"`);
  // FILE.wasm@CONFIG.json (design.md's short form) is config=@CONFIG.json.
  const at = first.lastIndexOf('@');
  const module = at > 0 ? first.slice(0, at) : first;
  const configFile = at > 0 ? first.slice(at + 1) : undefined;
  const name = module.replace(/^.*\//, '').replace(/\.wasm$/, '');
  const out: FilterSettings = { name, module: resolveModule(module, cwd), rootId: name, vmId: name, config: '', fail: 'closed' };
  for (const opt of opts) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq);
    const v = eq < 0 ? '' : opt.slice(eq + 1);
    if (key === 'root') out.rootId = v;
    else if (key === 'vm') out.vmId = v;
    else if (key === 'name') out.name = v;
    else if (key === 'fail') {
      if (v !== 'closed' && v !== 'open' && v !== 'reload') throw usage(`--filter ${module}: fail must be closed, open or reload, got "${v}"`);
      out.fail = v as FailPolicy;
    } else throw usage(`--filter ${module}: unknown option "${key}" (root, vm, name, fail, config)`);
  }
  const configValue = configAt >= 0 ? value.slice(configAt + ',config='.length) : configFile === undefined ? undefined : `@${configFile}`;
  if (configValue !== undefined) {
    const text = configValue;
    if (text.startsWith('@')) {
      const file = resolve(cwd, text.slice(1));
      try {
        out.config = readFileSync(file, 'utf8');
      } catch (err) {
        throw usage(`--filter ${module}: cannot read config ${file}: ${(err as Error).message}`);
      }
    } else {
      out.config = text;
    }
  }
  return out;
}

/** Fails early, naming the filter, when its module file is missing (the usual cause: built-ins not built yet). */
export function checkModulesExist(filters: FilterSettings[]): void {
  for (const f of filters) {
    if (moduleFileExists(f.module)) continue;
    const hint = !buildStamp && f.module === builtinFilterFile(basename(f.module, '.wasm')) ? ' (built-in filters are built by `npm run build:filters`)' : '';
    throw new WeftError(ErrorCodes.CONFIG_INVALID, `filter ${f.name}: module ${f.module} not found${hint}`, 2);
  }
}
