// The docs run as written: every ```sh block of the READMEs a user follows, in order, one bash session per document, against real processes.
import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { globSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FENCE_LANGUAGES, readFences, readShellBlock } from './support/doc-blocks.ts';
import type { ShellBlock, Step } from './support/doc-blocks.ts';
import { DocSession, serverKind, withoutNpmWarnings } from './support/doc-session.ts';
import { CHECKOUT, prepareWorkspace } from './support/doc-workspace.ts';
import type { Workspace } from './support/doc-workspace.ts';

const DOCUMENTS = [...new Set(globSync(['README.md', 'plane/README.md', 'filters/**/README.md', 'sdk/**/README.md'], {
  cwd: CHECKOUT, exclude: (name) => name === 'node_modules' || name === 'build',
}))].sort();
// Generous for a loaded two-core machine: a filter build is ~20 s there when idle.
const COMMAND_TIMEOUT_MS = 300_000;
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

test('the documents a user follows are all found', () => {
  for (const doc of ['README.md', 'plane/README.md', 'filters/README.md', 'filters/auth/README.md', 'sdk/README.md', 'sdk/examples/add-header/README.md']) {
    assert.ok(DOCUMENTS.includes(doc), doc);
  }
});

/** Where each fragment shows, in order, in what the command printed. */
function assertShows(output: string, fragments: string[], where: string): void {
  let from = 0;
  for (const fragment of fragments) {
    const at = output.indexOf(fragment, from);
    assert.ok(at >= 0, `${where}: the output does not show "${fragment}"${from ? ' after the fragments before it' : ''}:\n${output}`);
    from = at + fragment.length;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] + (text.includes('\n') ? ' …' : '');
}

/**
 * One step as the user takes it: Ctrl-C a server, start one and wait for it, or run a command and read what it
 * shows. Returns what a command printed on stderr, which a later failure in the block quotes (`before`):
 * `export X=$(cmd)` succeeds whatever cmd did, and the command that fails next is not the one to blame.
 */
async function runStep(session: DocSession, workspace: Workspace, doc: string, step: Step, before: string[]): Promise<string> {
  const where = `${doc}:${step.line}`;
  if (step.kind === 'stop') {
    await session.interrupt(step.server, STOP_TIMEOUT_MS);
    return '';
  }
  const text = workspace.localize(step.text);
  const context = () => [...before, session.serverLogs()].filter(Boolean).join('\n');
  const server = serverKind(text);
  if (server) {
    await session.serve(text, server, READY_TIMEOUT_MS).catch((err: Error) => {
      throw new Error(`${where}: ${firstLine(text)}: ${err.message}\n${before.join('\n')}`);
    });
    return '';
  }
  const out = await session.run(text, COMMAND_TIMEOUT_MS).catch((err: Error) => {
    throw new Error(`${where}: ${firstLine(text)}: ${err.message}\n${context()}`);
  });
  assert.equal(out.code, 0, `${where}: ${firstLine(text)} exited with ${out.code}:\n${out.stdout}${out.stderr}\n${context()}`);
  assertShows(`${out.stdout}\n${out.stderr}`, step.expect.map(workspace.localize), `${where}: ${firstLine(text)}`);
  const said = withoutNpmWarnings(out.stderr).trim();
  return said && `--- ${firstLine(text)} (line ${step.line}) exited 0 and printed:\n${said}`;
}

// Two documents at a time: most of a document's time is waiting for servers and npx, and each has its own ports and copy.
suite('every document runs as written', { concurrency: 2 }, () => {
  for (const doc of DOCUMENTS) test(doc, { timeout: 15 * 60_000 }, async (t) => {
    const fences = readFences(readFileSync(join(CHECKOUT, doc), 'utf8'));
    for (const fence of fences) {
      assert.ok(FENCE_LANGUAGES.includes(fence.lang), `${doc}:${fence.line}: fence language "${fence.lang}": use one of ${FENCE_LANGUAGES.join(', ')} (commands are sh, output text)`);
      if (fence.file) assert.equal(`${fence.text.trimEnd()}\n`, readFileSync(join(CHECKOUT, fence.file), 'utf8'), `${doc}:${fence.line}: the block is not ${fence.file} as shipped`);
    }
    const blocks: ShellBlock[] = fences.filter((f) => f.lang === 'sh').map((f) => {
      try {
        return readShellBlock(f.text, f.line);
      } catch (err) {
        throw new Error(`${doc}: ${(err as Error).message}`);
      }
    });
    for (const block of blocks) if (block.skip) t.diagnostic(`line ${block.line} not run: ${block.skip}`);
    const runnable = blocks.filter((b) => !b.skip);
    if (!runnable.length) return;

    const commands = runnable.flatMap((b) => b.steps.flatMap((s) => (s.kind === 'command' ? [s.text] : [])));
    const workspace = await prepareWorkspace(commands);
    const session = new DocSession(workspace.repo, workspace.env, workspace.session);
    t.after(async () => {
      try {
        await session.close();
      } finally {
        rmSync(workspace.root, { recursive: true, force: true });
      }
    });
    // A block builds on the ones before it: after a failure the rest would only fail for the same reason.
    let failed = false;
    for (const block of runnable) {
      if (failed) break;
      await t.test(`line ${block.line}: ${firstLine(block.steps.find((s) => s.kind === 'command')!.text)}`, async () => {
        try {
          const before: string[] = [];
          for (const step of block.steps) before.push(await runStep(session, workspace, doc, step, before));
        } catch (err) {
          failed = true;
          throw err;
        }
      });
    }
  });
});
