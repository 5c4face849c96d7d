/** The config a migration runs under: the new one with the labels it removes put back. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expandConfig } from '../../src/kinds/project/migrate/expand.ts';
import type { LabelMigration } from '../../src/kinds/project/migrate/types.ts';

const rename = (control: string, from: string, to: string): LabelMigration => ({
  id: `${from}-${to}`,
  control,
  renamed: { from, to },
  predictions: 'rewrite',
});

const LIVE = `<View>
  <Text name="text" value="$text"/>
  <Labels name="label" toName="text">
    <Label value="Org" background="#ff0000" hotkey="o"/>
    <Label value="Person"/>
  </Labels>
  <Labels name="other" toName="text"><Label value="Org"/></Labels>
</View>`;
const NEW = LIVE.replace('<Label value="Org" background="#ff0000" hotkey="o"/>', '<Label value="Organization"/>');

test('a renamed label is copied back from the live config into its control only, before the end tag', () => {
  const out = expandConfig(NEW, LIVE, [rename('label', 'Org', 'Organization')]);
  assert.is(
    out,
    NEW.replace(
      '<Label value="Person"/>\n  </Labels>',
      '<Label value="Person"/>\n  <Label value="Org" background="#ff0000" hotkey="o"/></Labels>',
    ),
  );
});

test('merges, a label the live config lacks, an empty control, Choices and escaping', () => {
  const live = `<View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="A &amp; B" alias="ab"/><Choice value="C"/></Choices><Labels name="l" toName="t"/></View>`;
  const desired = `<View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="All"/></Choices><Labels name="l" toName="t"/></View>`;
  const out = expandConfig(desired, live, [
    { id: 'm', control: 'c', merged: { from: ['ab', 'C', 'Gone'], into: 'All' }, predictions: 'keep' },
    rename('l', 'X', 'Y'),
  ]);
  assert.is(
    out,
    `<View><Text name="t" value="$t"/><Choices name="c" toName="t"><Choice value="All"/><Choice value="A &amp; B" alias="ab"/><Choice value="C"/><Choice value="Gone"/></Choices><Labels name="l" toName="t"><Label value="X"/></Labels></View>`,
  );
});

test('nothing to put back (a label still there, or no such control): the new config itself', () => {
  assert.is(expandConfig(LIVE, LIVE, [rename('label', 'Org', 'Person')]), LIVE);
  assert.is(expandConfig(NEW, LIVE, [rename('nope', 'Org', 'Organization')]), NEW);
});

test.run();
