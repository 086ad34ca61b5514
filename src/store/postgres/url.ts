/** `--db` names PostgreSQL when it is a postgres:// or postgresql:// URL; anything else is a SQLite path. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** The URL without its password, for logs and `doctor`; a SQLite path is returned as it is. */
export function redactUrl(url: string): string {
  if (!isPostgresUrl(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
