// Reads the config examples out of a filter README, so that tests use them exactly as users read them.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { FilterHarness } from '../sdk/tools/harness.ts';
import type { HarnessOptions } from '../sdk/tools/harness.ts';
import { readFilterMetadata, validateFilterConfig } from '../sdk/tools/inspect.ts';

/**
 * The JSON code block that follows `<!-- example: NAME -->` in the README, parsed. Throws when
 * the marker or the block is missing, so a renamed example fails its test instead of skipping it.
 */
export function readmeExample(readmePath: string, name: string): Record<string, unknown> {
  const text = readFileSync(readmePath, 'utf8');
  const marker = `<!-- example: ${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${readmePath} has no example named ${name}`);
  const block = /```json\n([\s\S]*?)\n```/.exec(text.slice(at + marker.length));
  if (!block) throw new Error(`${readmePath}: example ${name} has no json code block after its marker`);
  return JSON.parse(block[1]) as Record<string, unknown>;
}

/** The names of every example in the README, in order. */
export function readmeExampleNames(readmePath: string): string[] {
  return [...readFileSync(readmePath, 'utf8').matchAll(/<!-- example: ([\w-]+) -->/g)].map((m) => m[1]);
}

/** Every README example must fit the filter's published schema and be accepted by its on_configure. */
export async function assertReadmeExamplesConfigure(readmePath: string, bytes: Uint8Array, clusters: HarnessOptions['clusters'] = {}): Promise<void> {
  const metadata = await readFilterMetadata(bytes);
  const names = readmeExampleNames(readmePath);
  assert.ok(names.length >= 3, names.join());
  for (const name of names) {
    const example = readmeExample(readmePath, name);
    assert.deepEqual(validateFilterConfig(metadata!, JSON.stringify(example)), [], name);
    (await FilterHarness.fromBytes(bytes, { config: example, clusters })).close();
  }
}
