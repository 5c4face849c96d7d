import { mkdir, writeFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { join } from 'node:path';
import { parseLabelConfigXml, type XmlElement } from '../labelconfig/parse-xml.ts';
import type { ReviewFinding } from '../labelconfig/review.ts';
import { diffLabelConfigs, summarizeLabelConfig, type ControlChange } from '../labelconfig/summarize.ts';
import { resourcesOf, type Repository } from '../kinds/kind.ts';
import { kindsInMessageOrder } from '../kinds/registry.ts';
import { targetName } from '../model/resource-name.ts';
import { readTaskRecords } from '../tasks/read-records.ts';
import { toTask } from '../tasks/check-task.ts';
import type { PreviewRenderer } from './renderer.ts';
import { boundTask } from './bound-task.ts';
import { SAMPLE_IMAGE_URL, sampleTaskData } from './sample-task.ts';

/** One label config to show: a project's, or a LabelConfig manifest's. */
export interface PreviewSubject {
  /** `ner-news` for a project, `LabelConfig/shared-ner` for a LabelConfig. */
  readonly name: string;
  /** File-name stem of its images, the same on every run. */
  readonly slug: string;
  /** The file holding the XML. */
  readonly file: string;
  readonly xml: string;
  readonly review: readonly ReviewFinding[];
  /** Declared task files of the project: the first task is shown when there is one. */
  readonly taskFile?: {
    readonly path: string;
    readonly display: string;
    readonly format: 'json' | 'jsonl' | 'csv' | 'tsv';
  };
}

/** Every resource with a label config (a project, a LabelConfig), in the repository; or the named ones. */
export function subjectsOf(
  repo: Repository,
  names: readonly string[],
): { subjects: PreviewSubject[]; unknown: string[]; withheld: string[] } {
  const all: Array<PreviewSubject & { readonly kind: string; readonly key: string }> = [];
  const withheld: string[] = [];
  // Resource kinds first (parents first), then the kinds that live only in git.
  for (const kind of kindsInMessageOrder()) {
    for (const c of kind.previewConfigs?.(resourcesOf(repo, kind)) ?? []) {
      const name = targetName({ kind: kind.kind, key: c.key });
      // A config from `${env:...}` is a secret: never drawn into an image that gets uploaded.
      if (c.withheld) {
        withheld.push(name);
        continue;
      }
      all.push({
        kind: kind.kind,
        key: c.key,
        name,
        // A resource named by its key alone gets its key as the slug; others the kind's name before it.
        slug: name === c.key ? slugOf(c.key) : `${kind.kind.toLowerCase()}-${slugOf(c.key)}`,
        file: c.file,
        xml: c.xml,
        review: c.review,
        ...(c.taskFile ? { taskFile: c.taskFile } : {}),
      });
    }
  }
  // A name is a key, or `Kind/key`.
  const wanted = (s: { kind: string; key: string }, n: string) => n === s.key || n === `${s.kind}/${s.key}`;
  const subject = ({ kind: _kind, key: _key, ...s }: (typeof all)[number]): PreviewSubject => s;
  if (names.length === 0) return { subjects: all.map(subject), unknown: [], withheld };
  const unknown = names.filter((n) => !all.some((s) => wanted(s, n)));
  return {
    subjects: all.filter((s) => names.some((n) => wanted(s, n))).map(subject),
    unknown: unknown.filter((n) => !withheld.includes(n)),
    withheld: withheld.filter((w) => names.includes(w)),
  };
}

function slugOf(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-');
}

export type PreviewStatus = 'current' | 'new' | 'changed' | 'unchanged' | 'error';

/** What a preview found for one config: the JSON summary's entry, and the report's. */
export interface PreviewResult {
  readonly name: string;
  readonly file: string;
  /**
   * `current`: no base was given, the config as it is; `new`: not in the base; `changed` /
   * `unchanged`: its XML differs from the base's or not; `error`: the editor could not draw it.
   */
  readonly status: PreviewStatus;
  /** Image files written, relative to the output directory. */
  readonly images: { readonly after?: string; readonly before?: string; readonly sideBySide?: string };
  /** For `changed`: whether the drawn interface differs, and where (pixels of the "after" image). */
  readonly visual?: {
    readonly changed: boolean;
    readonly regions: ReadonlyArray<{ x: number; y: number; width: number; height: number }>;
  };
  /** Controls and labels added and removed since the base. */
  readonly controls: readonly ControlChange[];
  /** Label names of the config that the drawn page does not show as text. */
  readonly labelsNotShown: readonly string[];
  readonly findings: readonly ReviewFinding[];
  /** The task shown: `sample` (built from the config) or the task file it came from. */
  readonly task: string;
  /** Why the editor could not draw the config (status `error`). */
  readonly error?: string;
}

export interface PreviewOptions {
  readonly outDir: string;
  /** The config each subject had at the base (git revision, saved plan, the server): `null` when it did not exist. */
  readonly base?: ReadonlyMap<string, string | null>;
  /** Called as each subject is done, for progress. */
  readonly progress?: (done: number, total: number, name: string) => void;
  /** Configs drawn at once, each in its own browser context (default 2). */
  readonly concurrency?: number;
}

/**
 * Renders each subject (and its base, when it changed) with one renderer, and writes the images.
 * A config that fails in any way is that config's error; the others are still drawn.
 */
export async function previewSubjects(
  renderer: PreviewRenderer,
  subjects: readonly PreviewSubject[],
  opts: PreviewOptions,
): Promise<PreviewResult[]> {
  await mkdir(opts.outDir, { recursive: true });
  const limit = pLimit(opts.concurrency ?? 2);
  let done = 0;
  return Promise.all(
    subjects.map((s) =>
      limit(async () => {
        const result = await previewOne(renderer, s, opts).catch((err: unknown): PreviewResult => ({
          name: s.name,
          file: s.file,
          status: 'error',
          images: {},
          controls: [],
          labelsNotShown: [],
          findings: s.review,
          task: 'none (not drawn)',
          error: `preview could not draw it: ${String((err as Error)?.message ?? err)
            .split('\n')[0]!
            .slice(0, 600)}`,
        }));
        opts.progress?.(++done, subjects.length, s.name);
        return result;
      }),
    ),
  );
}

async function previewOne(renderer: PreviewRenderer, s: PreviewSubject, opts: PreviewOptions): Promise<PreviewResult> {
  const root = parsed(s.xml);
  const before = opts.base ? (opts.base.get(s.name) ?? null) : undefined;
  const beforeRoot = typeof before === 'string' ? tryParse(before) : undefined;
  const controls = beforeRoot ? diffLabelConfigs(summarizeLabelConfig(beforeRoot), summarizeLabelConfig(root)) : [];
  const common = { name: s.name, file: s.file, controls, findings: s.review };
  if (typeof before === 'string' && before === s.xml) {
    return { ...common, status: 'unchanged', images: {}, labelsNotShown: [], task: 'none (not rendered)' };
  }
  const { data, task } = await taskFor(s, root);
  const after = await renderer.render(s.xml, data);
  const labelsNotShown = after.error && !after.text ? [] : missingLabels(root, after.text);
  const afterFile = `${s.slug}.after.png`;
  if (after.png) await writeFile(join(opts.outDir, afterFile), after.png);
  const afterImages = after.png ? { after: afterFile } : {};
  if (after.error || !after.png)
    return {
      ...common,
      status: 'error',
      images: afterImages,
      labelsNotShown,
      task,
      error: after.error ?? 'nothing was drawn',
    };
  if (before === undefined || before === null) {
    return {
      ...common,
      status: before === null ? 'new' : 'current',
      images: { after: afterFile },
      labelsNotShown,
      task,
    };
  }
  // The base is drawn with the same task, so only the config differs between the two images.
  // One after the other: the configs themselves are already drawn side by side (concurrency).
  const old = await renderer.render(before, data);
  if (!old.png)
    return {
      ...common,
      status: 'changed',
      images: { after: afterFile },
      labelsNotShown,
      task: `${task}; the base config could not be drawn: ${old.error ?? 'no image'}`,
    };
  const beforeFile = `${s.slug}.before.png`;
  await writeFile(join(opts.outDir, beforeFile), old.png);
  const comparison = await renderer.compare(old.png, after.png);
  const sideBySide = `${s.slug}.compare.png`;
  await writeFile(join(opts.outDir, sideBySide), comparison.png);
  return {
    ...common,
    status: 'changed',
    images: { after: afterFile, before: beforeFile, sideBySide },
    visual: { changed: comparison.changed, regions: comparison.regions },
    labelsNotShown,
    task,
  };
}

/**
 * The first task of the project's first task file, else a sample built from the config; long
 * values cut (bound-task.ts), which the `task` line says.
 */
export async function taskFor(
  s: PreviewSubject,
  root: XmlElement,
): Promise<{ data: Record<string, unknown>; task: string }> {
  let found: { data: Record<string, unknown>; task: string } | undefined;
  if (s.taskFile) {
    try {
      for await (const record of readTaskRecords(s.taskFile.path, s.taskFile.format, s.taskFile.display)) {
        const task = toTask(record.item);
        if (task)
          found = { data: { ...sampleTaskData(root), ...task.data }, task: `${s.taskFile.display}:${record.line}` };
        break;
      }
    } catch {
      // An unreadable task file is validate's and apply's to report; the preview shows a sample.
    }
  }
  found ??= { data: sampleTaskData(root), task: 'sample' };
  const bounded = boundTask(found.data, SAMPLE_IMAGE_URL);
  return {
    data: bounded.data,
    task: bounded.cuts.length ? `${found.task} (cut for the preview: ${bounded.cuts.join('; ')})` : found.task,
  };
}

/** Options of the config's controls that the page's text does not contain (dynamic options aside). */
export function missingLabels(root: XmlElement, text: string): string[] {
  const shown = text.replace(/\s+/g, ' ');
  return labelNames(root).filter((label) => !shown.includes(label));
}

/**
 * The option names a config shows before anything is labeled: a Taxonomy's sit in a closed
 * dropdown and a `perRegion` control's appear once a region is selected, so they are left out.
 */
export function labelNames(root: XmlElement): string[] {
  const names: string[] = [];
  (function walk(el: XmlElement, hidden: boolean) {
    if ((el.tag === 'Label' || el.tag === 'Choice') && !hidden && el.attrs.value) names.push(el.attrs.value);
    for (const c of el.children) walk(c, hidden || el.tag === 'Taxonomy' || el.attrs.perRegion === 'true');
  })(root, false);
  return names;
}

function parsed(xml: string): XmlElement {
  const root = tryParse(xml);
  if (!root) throw new Error('a loaded label config does not parse');
  return root;
}

function tryParse(xml: string): XmlElement | undefined {
  const p = parseLabelConfigXml(xml);
  return p.ok ? p.root : undefined;
}
