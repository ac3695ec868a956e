// The one place a command's failure becomes what a person reads: `weft <command>: <what went wrong> (<WEFT_ERR_CODE>)`.
import { ErrorCodes, WeftError } from '../errors.ts';

/** --debug anywhere before a `--`, or WEFT_DEBUG=1: failures then show their stack too. */
export function debugRequested(argv: string[], env: NodeJS.ProcessEnv): boolean {
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).includes('--debug')) return true;
  const v = env.WEFT_DEBUG?.toLowerCase();
  return v === '1' || v === 'true';
}

/**
 * One line, whatever was thrown (`context` says what was being done, for a failure a command outlives): a WeftError says its code; anything else is a failure Weft did not foresee and
 * says WEFT_ERR_INTERNAL, with its own message (Node's errors name the call and the file) rather than a stack.
 */
export function failureLine(command: string, err: unknown, context?: string): string {
  const code = err instanceof WeftError ? err.code : ErrorCodes.INTERNAL;
  const text = err instanceof Error ? err.message : String(err);
  const what = text.replace(/\s*\n\s*/g, ' ').trim() || (err instanceof Error ? err.name : 'failed');
  return `weft${command ? ` ${command}` : ''}: ${context ? `${context}: ` : ''}${what} (${code})`;
}

/** The exit status a failure ends the process with: 2 for a usage error, 1 for the rest. */
export function exitCodeOf(err: unknown): number {
  return err instanceof WeftError ? err.exitCode : 1;
}

/** The stack of a failure and of each cause under it, for --debug. */
export function stackOf(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && parts.length < 8; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? e.stack ?? `${e.name}: ${e.message}` : String(e));
  }
  return parts.join('\ncaused by: ');
}

/** Writes the failure to stderr (its one line, then with `debug` its stack) and returns the exit status. */
export function reportFailure(command: string, err: unknown, debug: boolean): number {
  process.stderr.write(`${failureLine(command, err)}\n${debug ? `${stackOf(err)}\n` : ''}`);
  return exitCodeOf(err);
}
