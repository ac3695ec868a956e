// llhttp's WebAssembly bytes as undici ships them, inside an object: a bundler's CommonJS interop copies each own
// property of an export onto a getter, and a Buffer's own properties are its ~55,000 bytes (~10 MiB of closures per thread).
'use strict';
module.exports = { bytes: require('undici/lib/llhttp/llhttp_simd-wasm.js') };
