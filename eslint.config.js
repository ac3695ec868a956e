// Lint rules for the TypeScript run by Node's type stripping; each ban below says why.
import tseslint from 'typescript-eslint';

/**
 * Dependencies point downward: the data plane runs alone on a host, so it must not pull in the control plane or the
 * SDK's toolchain; what ties the parts together (the weft command, the demo) lives in cli/.
 */
const CORE_LAYERS = { group: ['**/plane/**', '**/sdk/**', '**/cli/weft.ts', '**/cli/demo/**', '**/test/**', '**/bench/**'], message: 'core/ imports nothing from plane/, sdk/, cli/, test/ or bench/' };

/** Importing node:http as a module builds its namespace from every export, and reading the lazy `WebSocket` one loads Node's own undici and node:http2 (+12 MiB in a bare process; ARCHITECTURE.md, "Memory budget"). */
const NODE_HTTP = { name: 'node:http', allowTypeImports: true, message: 'importing node:http reads its WebSocket getter, which loads Node\'s own undici and node:http2: take its values from core/http/node-http.ts' };

export default tseslint.config(
  // AssemblyScript (assembly/ folders, *.as.ts) is checked by asc, not by the TypeScript tooling.
  // dist/ is the built bundle and executable (npm run build:bin).
  { ignores: ['node_modules/**', '**/assembly/**', '**/*.as.ts', '**/build/**', 'bench/results/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Type stripping runs only erasable syntax: enums, namespaces and parameter properties need a compiler.
      'no-restricted-syntax': ['error',
        { selector: 'TSEnumDeclaration', message: 'enums are not erasable: use a const object' },
        { selector: 'TSModuleDeclaration[kind!="global"]', message: 'namespaces are not erasable' },
        { selector: 'TSParameterProperty', message: 'parameter properties are not erasable' },
      ],
      // Type-only imports must say so, or Node would try to load a type at run time.
      '@typescript-eslint/consistent-type-imports': 'error',
      // Unused code is dead code; a leading underscore marks a deliberately ignored argument.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A skipped test checks nothing.
      'no-restricted-properties': ['error',
        { object: 'test', property: 'skip', message: 'a skipped test checks nothing' },
        { object: 'it', property: 'skip', message: 'a skipped test checks nothing' },
        { object: 'test', property: 'only', message: 'test.only hides the rest of the suite' },
      ],
      'no-console': 'off',
    },
  },
  {
    // Node 24 runs a single executable's first code as CommonJS only; llhttp-wasm.cjs keeps a Buffer out of the bundler's ESM interop.
    files: ['release/sea-main.cjs', 'core/upstream/llhttp-wasm.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // ajv's standalone code (release/generate-validators.ts) names the context arguments every validator takes, used or not.
    files: ['**/*.generated.js'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // Everything that runs in a proxy's, a plane's or the demo's process; tests and the bench drive Weft from processes of their own.
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts', 'test/**', '**/test/**', 'bench/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [NODE_HTTP] }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [CORE_LAYERS] }],
    },
  },
  {
    // What serves loads node:http2 on first use only (8–9 MiB of a 2-worker proxy: ARCHITECTURE.md, "Memory budget"); types are free.
    // node:fs as an ES module reads its lazy exports too (its streams and promises, which bring readline's interface:
    // ~0.55 MiB a thread); node:tls (~1.6 MiB a thread) loads where TLS is used. The build scripts under testdata/ run apart.
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts', 'core/**/testdata/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [
        NODE_HTTP,
        { name: 'node:http2', allowTypeImports: true, message: 'a thread that never speaks HTTP/2 must not load node:http2: call loadHttp2() (core/http/http2-lazy.ts)' },
        { name: 'node:fs', allowTypeImports: true, message: 'importing node:fs reads its lazy ReadStream/promises exports, which load fs/promises and readline: take it with process.getBuiltinModule(\'node:fs\')' },
        { name: 'node:fs/promises', allowTypeImports: true, message: 'node:fs/promises loads readline\'s interface: call process.getBuiltinModule(\'node:fs/promises\') where it is used' },
        { name: 'node:tls', allowTypeImports: true, message: 'a thread that serves plain HTTP must not load node:tls: call process.getBuiltinModule(\'node:tls\') where TLS is set up' },
        { name: 'node:https', allowTypeImports: true, message: 'node:https loads node:tls: call process.getBuiltinModule(\'node:https\') where a TLS server is made' },
      ], patterns: [CORE_LAYERS] }],
    },
  },
);
