import { createTwoFilesPatch } from 'diff';
import type { LabelConfigChange } from '../generated/schema-types.ts';
import { parseLabelConfigXml } from '../labelconfig/parse-xml.ts';
import { diffLabelConfigs, summarizeLabelConfig, type LabelConfigSummary } from '../labelconfig/summarize.ts';
import { pythonStrip } from '../util/python-strip.ts';

/** Unified diff of two label configs (live -> desired) plus labels added/removed per control. */
export function describeLabelConfigChange(liveXml: string, desired: { xml: string; summary: LabelConfigSummary; source?: string }): LabelConfigChange {
  const before = pythonStrip(liveXml);
  const after = pythonStrip(desired.xml);
  const diff = createTwoFilesPatch('live', 'desired', `${before}\n`, `${after}\n`, '', '', { context: 3 })
    .split('\n')
    .filter((l) => !/^={10,}$/.test(l))
    .join('\n')
    .trimEnd();
  const liveSummary = before === '' ? { controls: [], dataKeys: [] } : summarizeLive(liveXml);
  return {
    diff,
    controls: liveSummary ? diffLabelConfigs(liveSummary, desired.summary).map((c) => ({ ...c, labelsAdded: [...c.labelsAdded], labelsRemoved: [...c.labelsRemoved] })) : [],
    ...(desired.source ? { source: desired.source } : {}),
  };
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
