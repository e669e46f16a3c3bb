import pc from 'picocolors';
import { formatIssue, type ValidationIssue } from '../domain/validation-issue.js';

export function formatIssues(projectDir: string, issues: ValidationIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = issues.map((issue, i) => `  ${pc.dim(`${i + 1}.`)} ${formatIssue(issue)}`);
  return [`${pc.red('✗')} ${projectDir}: ${count}; nothing was started or written.`, ...lines].join('\n');
}
