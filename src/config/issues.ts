// A configuration problem as supervisors see it: `file:line path: message`.
export interface ConfigIssue {
  /** Path relative to the config directory, e.g. config/hours.yaml. */
  file: string;
  /** 1-based line of the offending key or value (0 when the file itself is the problem). */
  line: number;
  /** Dotted path inside the file, e.g. schedules.spa.weekly.fri[0].to ("" for the whole file). */
  path: string;
  message: string;
  /** 1-based column, when it helps (YAML syntax errors). */
  column?: number | undefined;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function formatIssue(issue: ConfigIssue): string {
  const where =
    issue.line > 0 ? `${issue.file}:${issue.line}${issue.column !== undefined && issue.column > 0 ? `:${issue.column}` : ''}` : issue.file;
  if (issue.path !== '') return `${where} ${issue.path}: ${issue.message}`;
  // A whole file refused unread (a named pipe, too large) reads `file: message`.
  return issue.line === 0 && !/^file\b/.test(issue.message) ? `${where}: ${issue.message}` : `${where} ${issue.message}`;
}

/** Stable order: by file, then line, then path. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.path.localeCompare(b.path));
}
