// The type of llhttp-wasm.cjs: the bytes of llhttp's WebAssembly module, which h1-parser.ts compiles.
declare const llhttp: { bytes: Buffer };
export = llhttp;
