import { createTwoFilesPatch } from 'diff';
import type { LabelConfigChange } from '../generated/schema-types.ts';
import { parseLabelConfigXml } from './parse-xml.ts';
import { diffLabelConfigs, summarizeLabelConfig, type LabelConfigSummary } from './summarize.ts';
import { pythonStrip } from '../util/python-strip.ts';

/** Unified diff of two label configs (live -> desired) plus labels added/removed per control. */
export function describeLabelConfigChange(
  liveXml: string,
  desired: { xml: string; summary: LabelConfigSummary; source?: string },
): LabelConfigChange {
  const before = pythonStrip(liveXml);
  const after = pythonStrip(desired.xml);
  const diff = (
    createTwoFilesPatch('live', 'desired', `${before}\n`, `${after}\n`, '', '', {
      context: 3,
      maxEditLength: MAX_EDIT_LINES,
    }) ?? wholeReplacement(before, after)
  )
    .split('\n')
    .filter((l) => !/^={10,}$/.test(l))
    .join('\n')
    .trimEnd();
  const liveSummary = before === '' ? { controls: [], dataKeys: [] } : summarizeLive(liveXml);
  return {
    diff,
    controls: liveSummary
      ? diffLabelConfigs(liveSummary, desired.summary).map((c) => ({
          ...c,
          labelsAdded: [...c.labelsAdded],
          labelsRemoved: [...c.labelsRemoved],
        }))
      : [],
    ...(desired.source ? { source: desired.source } : {}),
  };
}

/**
 * Lines of edit distance past which the diff stops looking for common lines: the search costs
 * time in proportion to the distance times the length (10,000 changed labels took 40 s), and a
 * diff that long is read as "everything changed" anyway.
 */
const MAX_EDIT_LINES = 2000;

/** The diff of a config replaced whole: every old line removed, every new one added. */
function wholeReplacement(before: string, after: string): string {
  const lines = (text: string, sign: string) => (text === '' ? [] : text.split('\n').map((l) => `${sign}${l}`));
  const removed = lines(before, '-');
  const added = lines(after, '+');
  const range = (n: number) => (n === 0 ? '0,0' : `1,${n}`);
  return `--- live\n+++ desired\n@@ -${range(removed.length)} +${range(added.length)} @@\n${[...removed, ...added].join('\n')}\n`;
}

/** The live config's controls, or undefined when it does not parse (it is the server's text). */
export function summarizeLive(xml: string): LabelConfigSummary | undefined {
  const parsed = parseLabelConfigXml(pythonStrip(xml));
  return parsed.ok ? summarizeLabelConfig(parsed.root) : undefined;
}

/** True when a change takes away something annotations may use: a control, a label, a target. */
export function removesSomething(change: LabelConfigChange): boolean {
  return change.controls.some((c) => c.change === 'removed' || c.labelsRemoved.length > 0 || c.detail !== undefined);
}
