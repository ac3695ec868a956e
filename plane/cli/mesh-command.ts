// `weft apply -f mesh.yaml` and `weft get routes|clusters|filters`: mesh config resources on the plane.
import { readFile } from 'node:fs/promises';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { usageError } from '../../core/cli/flags.ts';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import type { MeshRecord } from '../model.ts';
import { planeClient } from './client.ts';
import { runCommand } from './run.ts';
import type { Subcommand } from './run.ts';

const apply: Subcommand = {
  usage: 'weft apply -f mesh.yaml',
  summary: 'validate routes, clusters and filter chains with the proxy schemas and store them as the next revision (all or nothing)',
  flags: [{ name: 'file', value: 'FILE', help: 'YAML or JSON mesh config (-f works too)' }],
  async run(_positionals, values) {
    const file = values.file as string | undefined;
    if (!file) throw usageError('give the mesh config with -f FILE');
    let doc: unknown;
    try {
      doc = parseYaml(await readFile(file, 'utf8'), { prettyErrors: true });
    } catch (err) {
      throw new WeftError(ErrorCodes.CONFIG_INVALID, `invalid config ${file}: ${(err as Error).message.split('\n')[0]}`, 2);
    }
    const r = await planeClient(values).call<MeshRecord>('PUT', `/v1/mesh?source=${encodeURIComponent(file)}`, doc ?? {});
    console.log(`applied revision ${r.revision}: clusters@${r.revisions.clusters} routes@${r.revisions.routes} filters@${r.revisions.filters}`);
    return 0;
  },
};

const get: Subcommand = {
  usage: 'weft get routes|clusters|filters [--json]',
  summary: 'print one kind of mesh resource as applied, with the revision it last changed at',
  flags: [{ name: 'json', help: 'print JSON' }],
  async run([kind], values) {
    if (!kind) throw usageError('usage: weft get routes|clusters|filters');
    const r = await planeClient(values).call<{ kind: string; revision: number; items: unknown[] }>('GET', `/v1/mesh/${kind}`);
    if (values.json) console.log(JSON.stringify(r, null, 2));
    else process.stdout.write(`# ${r.kind} at revision ${r.revision}\n${toYaml({ [r.kind]: r.items })}`);
    return 0;
  },
};

export function applyMain(argv: string[]): Promise<number> {
  return runCommand(apply, argv.map((a) => (a === '-f' ? '--file' : a)));
}

export function getMain(argv: string[]): Promise<number> {
  return runCommand(get, argv);
}
