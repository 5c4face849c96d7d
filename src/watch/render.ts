import type { DriftField } from '../reconcile/drift.ts';
import { showValue } from '../reconcile/render-values.ts';
import { resourceName } from '../model/resource-name.ts';
import { styleFor } from '../util/style.ts';
import type { WatchEvent, WatchSide } from './events.ts';

/** One event as one line of JSON (`watch --json`): the fields of its type, nothing else. */
export function renderEventJson(e: WatchEvent): string {
  return `${JSON.stringify(e)}\n`;
}

const SIDE_TEXT: Record<WatchSide, string> = {
  server: 'changed on the server',
  git: 'changed in git, not applied yet',
  both: 'changed in git and on the server',
  unknown: 'differs from git, origin unknown',
};

const CHANGE_TEXT = {
  missing: 'missing on the server',
  unmanaged: 'marker missing',
  orphan: 'orphan (no manifest)',
} as const;

/** One event as one line of text: timestamp, event, resource, what happened. */
export function renderEventText(e: WatchEvent, color = false): string {
  const s = styleFor(color);
  if (e.event === 'error') {
    const where = e.file ? ` (${e.file}${e.line ? `:${e.line}` : ''})` : '';
    return `${e.at} ${s.red('error')} ${e.kind}: ${e.message}${where}\n`;
  }
  if (e.event === 'healed')
    return `${e.at} ${s.green('healed')} ${s.bold(`${resourceName(e)}${e.id ? ` (id ${e.id})` : ''}`)}: ${e.message}\n`;
  if (!('change' in e)) return `${e.at} ${s.green('resolved')} ${e.kind}: ${e.message}\n`;
  const name = `${resourceName(e)}${e.id ? ` (id ${e.id})` : ''}`;
  if (e.event === 'resolved') return `${e.at} ${s.green('resolved')} ${s.bold(name)}: ${e.message}\n`;
  const head = `${e.at} ${e.side === 'git' ? s.cyan('drift') : s.yellow('drift')} ${s.bold(name)}`;
  const again = e.again ? ' (changed again)' : '';
  if (e.change !== 'changed') return `${head}: ${CHANGE_TEXT[e.change]}, ${SIDE_TEXT[e.side]}${again}: ${e.message}\n`;
  return `${head}: ${SIDE_TEXT[e.side]}${again}: ${e.fields.map(showField).join('; ')}\n`;
}

/** `color: server "#FF0000", git "#112233"`; a label config or a secret without its values. */
function showField(f: DriftField): string {
  const side = f.origin === 'unknown' ? ' (origin unknown)' : '';
  if (f.sensitive) return `${f.field}${side} (sensitive: values not shown)`;
  if (f.field === 'label_config') return `${f.field}${side} (\`labelform drift\` shows the XML diff)`;
  return `${f.field}${side}: server ${showValue(f.server, 60)}, git ${showValue(f.git, 60)}`;
}
