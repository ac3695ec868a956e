// `weft apply -f mesh.yaml|policy.yaml` and `weft get routes|clusters|filters|policies`: mesh config and policies on the plane.
import type { Command } from '../../core/cli/command.ts';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { readInputFile } from '../../core/cli/files.ts';
import { usageError } from '../../core/cli/flags.ts';
import { closestName } from '../../core/closest.ts';
import { ErrorCodes, WeftError } from '../../core/errors.ts';
import { POLICY_KIND } from '../../core/authz/policy-schema.ts';
import type { MeshRecord, PolicyRecord } from '../model.ts';
import { planeClient } from './client.ts';
import { printPolicies } from './policy-command.ts';
import { planeCommand } from './run.ts';

export const applyCommand: Command = planeCommand({
  usage: 'weft apply -f mesh.yaml|policy.yaml',
  summary: 'validate routes, clusters and filter chains with the proxy schemas and store them as the next revision (all or nothing); a document of kind AuthorizationPolicy replaces its service\'s policy',
  args: [],
  flags: [{ name: 'file', short: 'f', value: 'FILE', help: 'YAML or JSON mesh config or authorization policy' }],
  async run(_positionals, values) {
    const file = values.file as string | undefined;
    if (!file) throw usageError('give the mesh config or policy with -f FILE');
    const text = (await readInputFile(file, 'config')).toString('utf8');
    let doc: unknown;
    try {
      doc = parseYaml(text, { prettyErrors: true });
    } catch (err) {
      throw new WeftError(ErrorCodes.CONFIG_INVALID, `invalid config ${file}: ${(err as Error).message.split('\n')[0]}`, 2);
    }
    const kind = doc && typeof doc === 'object' && 'kind' in doc ? (doc as { kind: unknown }).kind : undefined;
    if (kind === POLICY_KIND) {
      const p = await planeClient(values).call<PolicyRecord & { changed: boolean }>('PUT', `/v1/policies?source=${encodeURIComponent(file)}`, doc);
      const { service, mode, rules } = p.policy;
      console.log(`${p.changed ? 'applied' : 'unchanged:'} policy for ${service} revision ${p.revision}: ${rules.length} rule${rules.length === 1 ? '' : 's'}, ${mode}, default ${p.policy.default}`);
      return 0;
    }
    // Mesh config has no kind; any other kind is a document for something else (or a typo), never mesh config.
    if (kind !== undefined) throw new WeftError(ErrorCodes.CONFIG_INVALID, `invalid config ${file}: kind: unknown kind ${JSON.stringify(kind)} (${POLICY_KIND}, or none for mesh config)`, 2);
    const r = await planeClient(values).call<MeshRecord>('PUT', `/v1/mesh?source=${encodeURIComponent(file)}`, doc ?? {});
    console.log(`applied revision ${r.revision}: clusters@${r.revisions.clusters} routes@${r.revisions.routes} filters@${r.revisions.filters}`);
    return 0;
  },
});

const KINDS = ['routes', 'clusters', 'filters', 'policies'];

export const getCommand: Command = planeCommand({
  usage: 'weft get routes|clusters|filters|policies [SERVICE] [--json]',
  summary: 'print one kind of mesh resource as applied, with the revision it last changed at; policies: every service\'s, or one',
  args: ['KIND', '[SERVICE]'],
  flags: [{ name: 'json', help: 'print JSON' }],
  async run([kind, name], values) {
    if (kind === 'policies' || kind === 'policy') return printPolicies(planeClient(values), name, Boolean(values.json));
    if (!KINDS.includes(kind)) {
      const guess = closestName(kind, KINDS);
      throw usageError(`unknown kind "${kind}"; ${guess ? `did you mean "${guess}"?` : `give one of ${KINDS.join(', ')}`}`);
    }
    if (name !== undefined) throw usageError(`unexpected argument "${name}": only policies are listed by service`);
    const r = await planeClient(values).call<{ kind: string; revision: number; items: unknown[] }>('GET', `/v1/mesh/${kind}`);
    if (values.json) console.log(JSON.stringify(r, null, 2));
    else process.stdout.write(`# ${r.kind} at revision ${r.revision}\n${toYaml({ [r.kind]: r.items })}`);
    return 0;
  },
});
