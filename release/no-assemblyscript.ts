// What the bundle has in place of the AssemblyScript compiler (release/build.ts aliases `assemblyscript/asc` here): building filters is the SDK's work, done in a checkout.
import type { CommandGroup } from '../core/cli/command.ts';
import { usageError } from '../core/cli/flags.ts';

/** Why a built `weft filter new|build|test` refuses (ARCHITECTURE.md, "One executable, one bundle", says why the compiler is left out). */
function sdkMissing(): Error {
  return usageError('writing and building filters needs the SDK and its AssemblyScript compiler, which this build leaves out: run it from a Weft checkout (`npm ci`; the compiler is `npm i -D assemblyscript`)');
}

/** The SDK's commands as a build offers them: their help as ever, but new, build and test refuse in one line; inspect needs no compiler. */
export function withoutCompiler(tools: CommandGroup): CommandGroup {
  const refuse = async (): Promise<number> => {
    throw sdkMissing();
  };
  return { ...tools, new: { ...tools.new, run: refuse }, build: { ...tools.build, run: refuse }, test: { ...tools.test, run: refuse } };
}

export default new Proxy({}, {
  get() {
    throw sdkMissing();
  },
});
