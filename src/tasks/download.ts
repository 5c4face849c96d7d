import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Streams a download into `path` through a file beside it, renamed into place only when the
 * last byte is written: a failure never leaves a half file under the final name.
 */
export async function downloadToFile(
  stream: Readable,
  path: string,
  onBytes?: (total: number) => void,
): Promise<number> {
  const part = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.part`);
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      onBytes?.(total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, counter, createWriteStream(part, { mode: 0o644 }));
    await rename(part, path);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
  return total;
}

/** The file name the server suggests (`Content-Disposition`), without any directory part. */
export function suggestedFileName(headers: Record<string, string>, fallback: string): string {
  const cd = headers['content-disposition'] ?? '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd) ?? /^(.+)$/.exec(headers.filename ?? '');
  const name = m?.[1] ? basename(decodeURIComponent(m[1].trim())) : '';
  return name && name !== '.' && name !== '..' ? name : fallback;
}
