/**
 * The claim glob (domain/glob/parse.ts) that matches exactly one concrete path: every character
 * the dialect gives a meaning (`* ? [ ] { } \` and a leading `!`) escaped with `\`. Used when a
 * file path becomes a claim or a policy query, e.g. Next.js's `app/[id]/page.tsx`.
 */
export function literalGlob(path: string): string {
  return path.replace(/[*?[\]{}\\!]/g, (c) => `\\${c}`);
}
