import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient } from '../../src/api/client.ts';
import { withMarker } from '../../src/kinds/project/marker.ts';
import type { FakeLabelStudio } from '../fake/label-studio-fake.ts';
import { writeTree } from './cli.ts';

/**
 * 1,000 manifests and, on the fake server, the 1,000 projects they manage. `record`: each
 * marker carries a record, as this version's apply writes it (`[ch]`: no children); without it,
 * a bare marker as `labelform import` or older versions left it.
 */
export async function thousandManagedProjects(
  ls: FakeLabelStudio,
  n = 1000,
  opts: { readonly record?: boolean } = {},
): Promise<string> {
  const dir = await writeTree({ 'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: scale\n' });
  const client = createClient({ baseUrl: ls.url, token: ls.token, concurrency: 8 });
  const config =
    '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="a"/><Choice value="b"/></Choices></View>';
  await mkdir(join(dir, 'projects'));
  for (let i = 0; i < n; i++) {
    const key = `project-${i}`;
    await writeFile(
      join(dir, 'projects', `${key}.yaml`),
      `apiVersion: labelform/v1\nkind: Project\nmetadata:\n  name: ${key}\nspec:\n  title: Scale project ${i}\n  description: Number ${i}\n  color: "#00AA${String(i % 100).padStart(2, '0')}"\n  label_config: '${config}'\n`,
    );
    await client.createProject({
      title: `Scale project ${i}`,
      description: withMarker(
        `Number ${i}`,
        { namespace: 'scale', key },
        opts.record ? { fields: {}, children: [] } : undefined,
      ),
      color: `#00AA${String(i % 100).padStart(2, '0')}`,
      label_config: config,
    });
  }
  return dir;
}
