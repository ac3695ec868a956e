// `npm run generate:validators`: the config and policy schemas' validators as ajv standalone code, checked in, so a proxy validates its config and the plane's snapshots without loading ajv (ARCHITECTURE.md, "Memory budget").
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { Options } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { configSchema } from '../core/config/schema.ts';
import { policySchema } from '../core/authz/policy-schema.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const COMMAND = 'npm run generate:validators (release/generate-validators.ts)';

interface Target {
  /** The generated module's path from the root; its types go beside it as `.d.ts`. */
  file: string;
  /** The schema's own file, named in the generated one's purpose line. */
  schemaFile: string;
  exportName: string;
  schema: object;
  /**
   * allErrors: one run names every problem. verbose: each error carries its schema and parent schema, whose
   * descriptions make the sentences of core/config/schema-errors.ts ("must be a duration such as 5s").
   */
  options: Options;
}

export const targets: Target[] = [
  {
    file: 'core/config/schema-validator.generated.js', schemaFile: 'core/config/schema.ts', exportName: 'validateConfigSchema', schema: configSchema,
    options: { allErrors: true, strict: true, allowUnionTypes: true, verbose: true },
  },
  {
    file: 'core/authz/policy-validator.generated.js', schemaFile: 'core/authz/policy-schema.ts', exportName: 'validatePolicySchema', schema: policySchema,
    options: { allErrors: true, strict: true, verbose: true },
  },
];

/**
 * ajv's standalone code reaches its runtime helpers (ucs2length for minLength) with `require()`, which an ES
 * module has not: each becomes an import of that one small file (ajv's core stays out). A helper is CommonJS whose
 * function is its `default` property; Node, and esbuild in a `type: module` package, import module.exports.
 */
function asEsm(code: string): string {
  const imports: string[] = [];
  const body = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9_]+)"\)/g, (_, path: string) => {
    const name = `runtime${imports.length}`;
    imports.push(`import ${name} from '${path}.js';`);
    return name;
  });
  if (/\brequire\(/.test(body)) throw new Error('ajv standalone code requires a module other than its runtime helpers');
  // An ES module is strict already, and a directive after the imports would be a stray string.
  return [...imports, body.replace(/^"use strict";\n/, '')].join('\n');
}

/** Each generated file's text, by path from the root: the module and its types. */
export function generatedValidators(): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of targets) {
    // lines: one statement a line, so a schema edit shows as a readable diff of the generated file.
    const ajv = new Ajv({ ...t.options, code: { source: true, esm: true, lines: true } });
    ajv.addSchema(t.schema, t.exportName);
    // A CommonJS module seen from ESM: its function is the `default` of module.exports.
    const code = standalone.default(ajv, { [t.exportName]: t.exportName });
    const purpose = `// Generated from ${t.schemaFile} by \`${COMMAND}\`: do not edit; run that command after changing the schema.`;
    out.set(t.file, `${purpose}\n${asEsm(code)}\n`);
    out.set(t.file.replace(/\.js$/, '.d.ts'), [
      purpose,
      "import type { ErrorObject } from 'ajv';",
      '',
      '/** true when `data` fits the schema; otherwise false, with every problem in `errors`. */',
      `export declare const ${t.exportName}: { (data: unknown): boolean; errors?: ErrorObject[] | null };`,
      '',
    ].join('\n'));
  }
  return out;
}

if (import.meta.main) {
  for (const [file, text] of generatedValidators()) {
    writeFileSync(`${root}${file}`, text);
    console.log(`wrote ${file}`);
  }
}
