/** A missing or unreadable file is a plain sentence, not an ENOENT stack. */
import { access } from 'node:fs/promises';
import { PlainError } from '../command';

export async function readable(files: string[]): Promise<void> {
  for (const file of files) {
    try {
      await access(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new PlainError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code}`);
    }
  }
}
