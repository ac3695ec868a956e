// The type of undici's llhttp build: the WebAssembly module's bytes (h1-parser.ts compiles them).
// eslint-disable-next-line no-restricted-syntax -- an ambient declaration emits no code, so type stripping is unaffected
declare module 'undici/lib/llhttp/llhttp_simd-wasm.js' {
  const bytes: Buffer;
  export default bytes;
}
