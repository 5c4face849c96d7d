import { readFile, stat } from 'node:fs/promises';
import { diag, type Diagnostic } from '../util/diagnostics.ts';

/** Manifests and label configs are small text files; anything bigger is a mistake, not data. */
export const MAX_MANIFEST_BYTES = 2 * 1024 * 1024;

export type TextResult =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly diagnostic: Diagnostic };

/**
 * Reads a manifest or label-config file as strict UTF-8, refusing oversized, empty and
 * non-UTF-8 files with a located diagnostic (`file` is the display path used in messages).
 */
export async function readTextFile(
  path: string,
  file: string,
  what = 'manifest',
  maxBytes = MAX_MANIFEST_BYTES,
): Promise<TextResult> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    return fail(diag('file-unreadable', `cannot read ${what}: ${describeFsError(err)}`, { file }));
  }
  if (size > maxBytes) {
    return fail(
      diag(
        'file-too-large',
        `${what} is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit for ${what} files`,
        { file, line: 1, col: 1 },
      ),
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return fail(diag('file-unreadable', `cannot read ${what}: ${describeFsError(err)}`, { file }));
  }
  return decodeUtf8(bytes, file, what);
}

export function decodeUtf8(bytes: Uint8Array, file: string, what: string): TextResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const { line, col } = lineColAtByte(bytes, at);
    const hex = (bytes[at] ?? 0).toString(16).padStart(2, '0');
    return fail(
      diag('not-utf8', `${what} is not valid UTF-8 (byte 0x${hex} at offset ${at}); save it as UTF-8`, {
        file,
        line,
        col,
      }),
    );
  }
  if (text.trim() === '') {
    return fail(diag('empty-file', `${what} is empty`, { file, line: 1, col: 1 }));
  }
  return { ok: true, text };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += len;
  }
  return Math.max(0, bytes.length - 1);
}

function lineColAtByte(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // Column in characters of the valid prefix of this line (continuation bytes do not count).
  let col = 1;
  for (let i = lineStart; i < offset; i++) if (((bytes[i] ?? 0) & 0xc0) !== 0x80) col++;
  return { line, col };
}

function fail(diagnostic: Diagnostic): TextResult {
  return { ok: false, diagnostic };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case undefined:
    default:
      return code ?? String((err as Error | undefined)?.message ?? err);
  }
}
