// Files only their owner may read (mode 0600): keys, tokens, snapshots holding filter configs; written atomically.
const { chmodSync, renameSync, writeFileSync } = process.getBuiltinModule('node:fs');

/**
 * Write-then-rename, the temporary file already 0600 (set, not left to the umask): a secret is never readable by
 * others, even for a moment, and a crash mid-write leaves the old file, never half a new one.
 */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Makes a file an older Weft (or a library's default) left 0644 private; nothing when it does not exist. */
export function tightenFile(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
