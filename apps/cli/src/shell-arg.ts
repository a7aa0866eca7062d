/**
 * One word of a command caid prints for the user to paste: as it is when the shell leaves it
 * alone, else single-quoted. A repository at `~/src/my project` printed bare pasted as two
 * arguments (`--repo ~/src/my` and a stray `project`).
 */
export function shellArg(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
