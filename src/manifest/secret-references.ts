import { MIN_SECRET_LENGTH } from '../util/redact.ts';
import type { EnvReference } from './interpolate.ts';

export interface SecretReferenceIssue {
  readonly pointer: string;
  readonly code: 'secret-too-short' | 'secret-outside-spec';
  readonly message: string;
}

/**
 * Where `${env:NAME}` may be used and what it may hold. Its values are secrets: masked as whole
 * values wherever labelform prints the field, so they belong in spec values only, never in what
 * names or locates things (a key, a file path, a LabelConfig reference), which every plan and
 * message prints. A value shorter than `MIN_SECRET_LENGTH` is refused: labelform looks for secret
 * values in text it did not write (server messages, files `pull` writes) and withholds that text
 * as a whole, and a short value ("prod", "hunt2") would be found in ordinary words everywhere.
 * Messages name the variable, never its value.
 */
export function checkSecretReferences(refs: readonly EnvReference[]): SecretReferenceIssue[] {
  const issues: SecretReferenceIssue[] = [];
  for (const ref of refs) {
    if (!isSecretPlace(ref.pointer)) {
      issues.push({
        pointer: ref.pointer,
        code: 'secret-outside-spec',
        message: `\${env:${ref.name}} can only be used in a spec value: values from \${env:...} are secrets, and ${fieldName(ref.pointer)} is shown in every plan and message. Use \${var.NAME} for a value that differs per environment`,
      });
    } else if ([...ref.value].length < MIN_SECRET_LENGTH) {
      issues.push({
        pointer: ref.pointer,
        code: 'secret-too-short',
        message: `the environment variable ${ref.name} (\${env:${ref.name}}) holds a value shorter than ${MIN_SECRET_LENGTH} characters. Values from \${env:...} are secrets, and labelform needs at least ${MIN_SECRET_LENGTH} characters to tell one apart from ordinary words when it keeps it out of messages and pulled files. Use a longer secret, or \${var.NAME} for a value that is not secret`,
      });
    }
  }
  // One message per place and variable, however often the variable occurs in the value.
  return issues.filter(
    (issue, i) =>
      issues.findIndex((o) => o.pointer === issue.pointer && o.code === issue.code && o.message === issue.message) ===
      i,
  );
}

function isSecretPlace(pointer: string): boolean {
  return pointer.startsWith('/spec/') && pointer !== '/spec/label_config/file' && pointer !== '/spec/label_config/ref';
}

function fieldName(pointer: string): string {
  return (
    pointer
      .replace(/^\//, '')
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .join('.') || 'the document'
  );
}
