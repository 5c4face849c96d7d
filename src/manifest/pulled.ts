import { stringify } from 'yaml';
import { interpolate } from './interpolate.ts';

/**
 * What `pull` uses to write manifests for every kind: secrets it must not write, strings written
 * so that interpolation gives them back exactly, keys made from titles, and the YAML itself.
 */

/** A secret `pull` must not write: the value of an environment variable, and its name. */
export interface PullSecret {
  readonly name: string;
  readonly value: string;
}

/** `${` as `$${`, so that interpolation gives the text back as it is. */
export function escapeInterpolation(text: string): string {
  return text.split('${').join('$${');
}

/** True when the text contains a secret value. */
export function holdsSecret(text: string, secrets: readonly PullSecret[]): boolean {
  return secrets.some((s) => text.includes(s.value));
}

/**
 * A pulled string as the manifest writes it: escaped, each secret value replaced by its reference,
 * checked by interpolating it back; `ok: false` when that does not give exactly the value.
 */
export function writeBack(
  value: string,
  secrets: readonly PullSecret[],
): { ok: true; text: string; refs: string[] } | { ok: false; names: string[] } {
  let text = escapeInterpolation(value);
  const refs: string[] = [];
  for (const s of [...secrets].sort((a, b) => b.value.length - a.value.length)) {
    const needle = escapeInterpolation(s.value);
    if (!text.includes(needle)) continue;
    text = text.split(needle).join(`\${env:${s.name}}`);
    refs.push(s.name);
  }
  if (refs.length === 0) return { ok: true, text, refs };
  const env = Object.fromEntries(secrets.map((s) => [s.name, s.value]));
  const back = interpolate(text, { variables: {}, env, requireEnv: true });
  const exact = back.issues.length === 0 && back.value === value && !holdsSecret(text, secrets);
  return exact ? { ok: true, text, refs } : { ok: false, names: refs };
}

/** The manifest as YAML, with the editor schema comment first. */
export function manifestYaml(manifest: object, schemaPath: string, header?: string): string {
  const body = stringify(manifest, { lineWidth: 0, blockQuote: 'literal' });
  return `# yaml-language-server: $schema=${schemaPath}\n${header ? `# ${header}\n` : ''}${body}`;
}

/** A manifest key from a title: lowercase letters, digits and dashes. */
export function keyFromTitle(title: string | null | undefined, id: number, noun = 'project'): string {
  const slug = (title ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug || `${noun}-${id}`;
}
