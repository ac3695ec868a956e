// Reads a markdown document's fenced blocks and turns its ```sh blocks into the steps the docs test runs.

/** Fence languages the docs may use; `sh` blocks are run, the others are read (or compared with a shipped file). */
export const FENCE_LANGUAGES = ['sh', 'yaml', 'json', 'ts', 'text'];
const SKIP_MARKER = /^#\s*not run by the docs test:\s*(.*)$/;
const STOP_MARKER = /^#\s*Ctrl-C the (.+?) started above\b/;
const FILE_MARKER = /^<!--\s*file:\s*(\S+)\s*-->$/;

export interface Fence {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  /** `<!-- file: PATH -->` before the block: the block is that file of the repository, word for word. */
  file?: string;
}

/** One command as a user would paste it, with the output its `# → …` comment says it shows. */
export interface Command { kind: 'command'; line: number; text: string; expect: string[] }
/** `# Ctrl-C the NAME started above`: the user stops a server of the document before going on. */
export interface Stop { kind: 'stop'; line: number; server: string }
export type Step = Command | Stop;

export interface ShellBlock { line: number; steps: Step[]; skip?: string }

/** Every fenced block of `markdown`, with the file marker that precedes it, if any. */
export function readFences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const fences: Fence[] = [];
  let marker: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const fileMark = FILE_MARKER.exec(lines[i].trim());
    if (fileMark) marker = fileMark[1];
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(open[1].length));
    if (j === lines.length) throw new Error(`line ${i + 1}: a fenced block that never closes`);
    fences.push({ line: i + 1, lang: open[2], text: body.join('\n'), file: marker });
    marker = undefined;
    i = j;
  }
  return fences;
}

/**
 * Splits `line` at its comment, as bash would: a `#` that starts a word outside quotes. Good enough for the
 * docs' commands (no `$'…'`, no nested command substitutions holding quotes of another kind).
 */
export function splitComment(line: string): { code: string; comment?: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === '\\') i++;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return { code: line.slice(0, i).trimEnd(), comment: line.slice(i + 1).trim() };
  }
  return { code: line };
}

/** `what it does → A … B` → ['A', 'B']: fragments the output shows, in order. A comment without → expects nothing. */
function expectations(comment: string | undefined, line: number): string[] {
  const m = /→\s*(.*)$/.exec(comment ?? '');
  if (!m) return [];
  const fragments = m[1].split(/\s+…\s+/).map((f) => f.trim()).filter(Boolean);
  if (!fragments.length) throw new Error(`line ${line}: "# →" names no output`);
  return fragments;
}

/** The steps of one ```sh block starting at `fenceLine`; throws (naming the line) on what the runner cannot run faithfully. */
export function readShellBlock(text: string, fenceLine: number): ShellBlock {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  const skip = first < 0 ? undefined : SKIP_MARKER.exec(lines[first].trim());
  if (skip) {
    if (!skip[1].trim()) throw new Error(`line ${fenceLine + 1 + first}: "not run by the docs test" needs a reason`);
    return { line: fenceLine, steps: [], skip: skip[1].trim() };
  }
  const steps: Step[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = fenceLine + 1 + i;
    const trimmed = lines[i].trim();
    if (!trimmed) continue;
    if (trimmed.startsWith('#')) {
      const stop = STOP_MARKER.exec(trimmed);
      if (stop) steps.push({ kind: 'stop', line, server: stop[1] });
      continue;
    }
    const parts: string[] = [];
    let last = lines[i];
    while (/\\$/.test(splitComment(last).code) && i + 1 < lines.length) {
      parts.push(last);
      last = lines[++i];
    }
    const { code, comment } = splitComment(last);
    parts.push(code);
    const command = parts.join('\n');
    if (/<<|(^|[^&])&\s*$/.test(command)) {
      throw new Error(`line ${line}: heredocs and trailing "&" are not run by the docs test (servers are recognised and started in the background by it)`);
    }
    steps.push({ kind: 'command', line, text: command, expect: expectations(comment, line) });
  }
  if (!steps.some((s) => s.kind === 'command')) throw new Error(`line ${fenceLine}: a sh block with no command (mark it "# not run by the docs test: REASON" or make it text)`);
  return { line: fenceLine, steps };
}
