/**
 * Hand-built desired and live states for the pure planner, renderer and saved-plan suites:
 * manifests without files (a stub SourceDocument that knows a few line numbers), live projects
 * shaped the way `readLiveState` makes them, and a `plan()` with fixed clock and stats.
 */
import type { Plan } from '../../../src/generated/schema-types.ts';
import { parseLabelConfigXml } from '../../../src/labelconfig/parse-xml.ts';
import { reviewLabelConfig } from '../../../src/labelconfig/review.ts';
import { summarizeLabelConfig } from '../../../src/labelconfig/summarize.ts';
import { withMarker } from '../../../src/kinds/project/marker.ts';
import type { DeclaredTaskFile, ProjectResource } from '../../../src/kinds/project/types.ts';
import type { DeclaredMigration } from '../../../src/kinds/project/migrate/types.ts';
import type { Repository } from '../../../src/kinds/kind.ts';
import type { XmlSource } from '../../../src/manifest/types.ts';
import type { SourceDocument } from '../../../src/manifest/yaml-source.ts';
import { planChanges, type PlanInput } from '../../../src/reconcile/plan.ts';
import { toLiveProject, type LiveProject } from '../../../src/kinds/project/live.ts';
import type { ImpactFacts } from '../../../src/kinds/project/read-impact.ts';
import type { LiveState } from '../../../src/state/live-state.ts';
import type { TaskImport } from '../../../src/generated/schema-types.ts';

export const NS = 'test';
export const SERVER = { url: 'http://ls.example:8080', environment: 'default' };

/** Where the stub document says each pointer is (line; the column is always 3). */
export const LINES: Readonly<Record<string, number>> = {
  '/metadata/name': 4,
  '/spec/label_config': 9,
  '/import/id': 20,
};

export function stubDoc(file: string): SourceDocument {
  return {
    file,
    index: 0,
    value: null,
    locate: (pointer) => ({ line: LINES[pointer] ?? 1, col: 3 }),
    scalarInfo: () => undefined,
  };
}

/** A label config as the loader resolves it (XML, summary, position mapping). */
export function xmlSource(xml: string, file = 'projects/config.xml'): XmlSource {
  const parsed = parseLabelConfigXml(xml);
  if (!parsed.ok) throw new Error(`fixture XML does not parse: ${parsed.problem.message}`);
  return {
    xml,
    file,
    at: (line, col) => ({ line, col }),
    summary: summarizeLabelConfig(parsed.root),
    review: reviewLabelConfig(parsed.root),
  };
}

export interface ProjectOptions {
  readonly sensitive?: readonly string[];
  readonly importId?: number;
  readonly file?: string;
  readonly tasks?: readonly DeclaredTaskFile[];
  readonly migrations?: readonly DeclaredMigration[];
}

/** A Project manifest as loaded; a string `label_config` becomes a resolved XmlSource. */
export function manifest(name: string, spec: Record<string, unknown>, opts: ProjectOptions = {}): ProjectResource {
  const file = opts.file ?? `projects/${name}.yaml`;
  const lc = spec.label_config;
  return {
    kind: 'Project',
    name,
    file,
    doc: stubDoc(file),
    spec,
    ...(typeof lc === 'string' ? { labelConfig: xmlSource(lc) } : {}),
    sensitive: new Set(opts.sensitive ?? []),
    tasks: opts.tasks ?? [],
    migrations: opts.migrations ?? [],
    ...(opts.importId !== undefined ? { importId: opts.importId } : {}),
  };
}

export function repository(projects: readonly ProjectResource[], namespace = NS): Repository {
  return {
    root: '/repo',
    config: {
      file: 'labelform.yaml',
      doc: stubDoc('labelform.yaml'),
      namespace,
      environments: { default: {} },
      implicitEnvironment: true,
      defaultEnvironment: 'default',
    },
    environment: 'default',
    resources: { Project: [...projects].sort((a, b) => a.name.localeCompare(b.name)) },
  };
}

export interface LiveOptions {
  /** Manifest key of the marker; with `namespace`, whose. Omit for an unmanaged project. */
  readonly key?: string;
  readonly namespace?: string;
  /** The person-written part of the description. */
  readonly text?: string;
  readonly annotations?: number;
  readonly tasks?: number;
  /** Other raw fields, as the server answers them. */
  readonly fields?: Record<string, unknown>;
}

/** A project as `readLiveState` returns it (through the same `toLiveProject`). */
export function live(id: number, title: string, opts: LiveOptions = {}): LiveProject {
  const text = opts.text ?? '';
  const description = opts.key ? withMarker(text, { namespace: opts.namespace ?? NS, key: opts.key }) : text;
  return toLiveProject({
    id,
    title,
    description,
    task_number: opts.tasks ?? 0,
    total_annotations_number: opts.annotations ?? 0,
    ...opts.fields,
  } as Parameters<typeof toLiveProject>[0]);
}

/** A live state holding these projects (also under `projects`, for building the next one). */
export function liveState(projects: readonly LiveProject[]): LiveState & { readonly projects: readonly LiveProject[] } {
  return { serverVersion: '1.23.2', resources: { Project: projects }, projects };
}

/** Project's facts, as its `readFacts` returns them, given by manifest key. */
export interface ProjectFactsInput {
  readonly impact?: ReadonlyMap<string, ImpactFacts>;
  readonly taskImports?: ReadonlyMap<string, readonly TaskImport[]>;
}

/** planChanges with a fixed clock, version and stats; `impact` and `taskImports` become Project's facts. */
export function plan(repo: Repository, state: LiveState, extra: Partial<PlanInput> & ProjectFactsInput = {}): Plan {
  const { impact, taskImports, ...rest } = extra;
  return planChanges({
    repo,
    live: state,
    server: SERVER,
    stats: { requests: 3, durationMs: 250 },
    createdAt: '2025-01-02T03:04:05.000Z',
    labelformVersion: '0.1.0',
    ...(impact || taskImports
      ? { facts: { Project: { impact: impact ?? new Map(), taskImports: taskImports ?? new Map() } } }
      : {}),
    ...rest,
  });
}

/** A label config with one Text and one Choices control named `sentiment`. */
export function choicesXml(choices: readonly string[], control = 'sentiment'): string {
  return `<View>\n  <Text name="text" value="$text"/>\n  <Choices name="${control}" toName="text">\n${choices.map((c) => `    <Choice value="${c}"/>`).join('\n')}\n  </Choices>\n</View>`;
}
