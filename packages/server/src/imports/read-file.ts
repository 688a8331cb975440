/** Reading an input file named on the command line, with a plain reason when it cannot be read. */
import { readFile } from 'node:fs/promises';
import { decodeText } from './decode.js';

export interface FileProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/**
 * The file's text, or undefined with a problem (`<file>:0: cannot read the file: …`) added. The
 * encoding is detected: UTF-8 (with or without a BOM), UTF-16 or Windows-1252 (imports/decode.ts).
 */
export async function readInputFile(
  path: string,
  problems: { push(problem: FileProblem): unknown },
): Promise<string | undefined> {
  const bytes = await readInputBytes(path, problems);
  return bytes === undefined ? undefined : decodeText(bytes);
}

/** The file's bytes, or undefined with a problem added (as {@link readInputFile}). */
export async function readInputBytes(
  path: string,
  problems: { push(problem: FileProblem): unknown },
): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'this is a folder, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : 'cannot be read';
    problems.push({ file: path, line: 0, message: `cannot read the file: ${why}` });
    return undefined;
  }
}
