import type { LabelMigrationSpec, ProjectManifest } from '../../generated/schema-types.ts';
import { holdsUnresolvedEnv } from '../../manifest/interpolate.ts';
import { resolveRepoPath } from '../../manifest/repo-path.ts';
import type { XmlSource } from '../../manifest/types.ts';
import { diag } from '../../util/diagnostics.ts';
import type { LoadContext, ManifestDocument } from '../kind.ts';
import { isLabelConfig } from '../label-config/types.ts';
import { writtenSpecValue } from '../shared/load-child.ts';
import { urlCredentialErrors } from '../shared/url-credentials.ts';
import { labelConfigCredentialErrors, textCredentialErrors, valuePosition } from '../shared/text-credentials.ts';
import { checkMigrations, type MigrationConfig } from './migrate/check.ts';
import type { DeclaredMigration } from './migrate/types.ts';
import { checkProjectRules } from './rules.ts';
import type { SourceDocument } from '../../manifest/yaml-source.ts';
import { SECRET_FIELDS, type DeclaredTaskFile, type DesiredProjectSpec, type ProjectResource } from './types.ts';

/**
 * Project manifests as resources: `label_config` resolved (inline, `{file}` or `{ref}` to a
 * LabelConfig), the cross-field rules checked, secrets (`task_data_password`) taken from
 * `${env:...}` and never written in git, no URL credential written in git (user info, a token
 * parameter in a text field, a link in it or the label config: an error at the credential),
 * declared task files resolved inside the repository, and one `import.id` per existing project.
 */
export async function loadProjects(
  docs: readonly ManifestDocument<ProjectManifest>[],
  ctx: LoadContext,
): Promise<ProjectResource[]> {
  const { diagnostics } = ctx;
  const labelConfigByName = new Map(
    ctx
      .loaded('LabelConfig')
      .filter(isLabelConfig)
      .map((l) => [l.name, l]),
  );
  const out: ProjectResource[] = [];
  for (const { raw, value, sensitive, envPointers } of docs) {
    const name = String(value.metadata.name);
    const rawSpec = value.spec;
    let labelConfig: XmlSource | undefined;
    const lc = rawSpec.label_config;
    if (lc !== undefined) {
      if (typeof lc === 'object' && lc !== null && 'ref' in lc) {
        const refName = String(lc.ref);
        const target = labelConfigByName.get(refName);
        if (!target) {
          const known = [...labelConfigByName.keys()];
          diagnostics.push(
            diag(
              'missing-label-config',
              `no LabelConfig named "${refName}"${known.length ? ` (defined: ${known.join(', ')})` : ' (no LabelConfig manifests are defined)'}`,
              {
                file: raw.doc.file,
                ...raw.doc.locate('/spec/label_config/ref'),
                pointer: '/spec/label_config/ref',
              },
            ),
          );
        } else if (target.source) {
          labelConfig = { ...target.source, ref: refName };
          if (target.sensitive) sensitive.add('label_config');
        }
      } else {
        labelConfig = await ctx.loadXml(raw, '/spec/label_config', lc);
        // A label config linking a URL with a credential (an <Image value>, a <HyperText>) is under the one credential rule.
        diagnostics.push(...labelConfigCredentialErrors(raw.doc, '/spec/label_config', lc, labelConfig));
      }
    }
    // A text field holding a URL with a credential, or linking one (a description, an instruction), is under the one credential rule.
    for (const [field, v] of Object.entries(rawSpec)) {
      if (typeof v !== 'string' || field === 'label_config' || SECRET_FIELDS.has(field)) continue;
      const pointer = `/spec/${field}`;
      const asUrl = urlCredentialErrors(raw.doc, pointer, field, { value: v, envPointers });
      const written = writtenSpecValue(raw, field);
      diagnostics.push(
        ...(asUrl.length || typeof written !== 'string'
          ? asUrl
          : textCredentialErrors(written, field, raw.doc.file, pointer, valuePosition(raw.doc, pointer))),
      );
    }
    // A value from an unset ${env:...} (offline validate) is unknown: no rule judges it.
    const known = Object.fromEntries(
      Object.entries(rawSpec).filter(
        ([field, v]) => !(envPointers.includes(`/spec/${field}`) && holdsUnresolvedEnv(v)),
      ),
    );
    for (const issue of checkProjectRules(known, labelConfig?.summary)) {
      diagnostics.push(
        diag('rule', issue.message, { file: raw.doc.file, ...raw.doc.locate(issue.pointer), pointer: issue.pointer }),
      );
    }
    for (const [field, v] of Object.entries(rawSpec)) {
      if (!SECRET_FIELDS.has(field)) continue;
      sensitive.add(field);
      // Decided from the text (a `${env:...}` reference), never from whether the variable is set.
      const pointer = `/spec/${field}`;
      if (typeof v === 'string' && v !== '' && !envPointers.includes(pointer)) {
        diagnostics.push(
          diag(
            'secret-literal',
            `${field} is a secret written in git; take it from \${env:NAME} (it is then kept out of plans and logs)`,
            { file: raw.doc.file, ...raw.doc.locate(pointer), pointer },
          ),
        );
      }
    }
    const migrations = declaredMigrations(rawSpec.migrations, raw.doc);
    const config: MigrationConfig = labelConfig
      ? { state: 'known', summary: labelConfig.summary }
      : { state: lc === undefined ? 'absent' : 'unreadable' };
    for (const issue of checkMigrations(migrations, config, (pointer) => raw.doc.locate(pointer))) {
      diagnostics.push(
        diag('migration', issue.message, {
          file: raw.doc.file,
          ...raw.doc.locate(issue.pointer),
          pointer: issue.pointer,
        }),
      );
    }
    const tasks: DeclaredTaskFile[] = [];
    const declared = value.tasks ?? [];
    for (const [i, t] of declared.entries()) {
      const pointer = `/tasks/${i}/file`;
      const resolved = await resolveRepoPath(ctx.root, raw.path, t.file);
      if (!resolved.ok) {
        diagnostics.push(
          diag('file-reference', resolved.message, { file: raw.doc.file, ...raw.doc.locate(pointer), pointer }),
        );
        continue;
      }
      tasks.push({ ...t, path: resolved.path, display: ctx.show(resolved.path), pointer });
    }
    // `migrations` moves data and is kept apart (ProjectResource.migrations), never compared or sent.
    const { migrations: _migrations, ...fields } = rawSpec;
    const spec: DesiredProjectSpec = { ...fields, label_config: labelConfig?.xml };
    if (!labelConfig) delete spec.label_config;
    out.push({
      kind: 'Project',
      name,
      file: raw.doc.file,
      doc: raw.doc,
      spec,
      ...(labelConfig ? { labelConfig } : {}),
      sensitive,
      tasks,
      migrations,
      ...(typeof value.import?.id === 'number' ? { importId: value.import.id } : {}),
    });
  }

  // One existing project can be adopted by one manifest only.
  const importIds = new Map<number, ProjectResource>();
  for (const p of out) {
    if (p.importId === undefined) continue;
    const first = importIds.get(p.importId);
    if (first) {
      const at = first.doc.locate('/import/id');
      diagnostics.push(
        diag(
          'duplicate-import',
          `import.id ${p.importId} is already adopted by "${first.name}" (${first.file}:${at.line}:${at.col}); one project can be managed by one manifest`,
          { file: p.file, ...p.doc.locate('/import/id'), pointer: '/import/id' },
        ),
      );
    } else {
      importIds.set(p.importId, p);
    }
  }
  return out;
}

/**
 * `spec.migrations` as written (the schema has checked its shape: an id, a control, exactly one of
 * `renamed` / `merged`), `predictions` defaulted to `rewrite`, each with where it was written.
 */
function declaredMigrations(value: unknown, doc: SourceDocument): DeclaredMigration[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry: LabelMigrationSpec, i) => {
    const pointer = `/spec/migrations/${i}`;
    return {
      id: entry.id,
      control: entry.control,
      ...(entry.renamed ? { renamed: { from: entry.renamed.from, to: entry.renamed.to } } : {}),
      ...(entry.merged && !entry.renamed ? { merged: { from: [...entry.merged.from], into: entry.merged.into } } : {}),
      predictions: entry.predictions ?? 'rewrite',
      at: { file: doc.file, ...doc.locate(pointer), pointer },
    };
  });
}
