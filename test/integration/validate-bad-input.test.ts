/**
 * The bad-input set of issue 2, through the CLI: every case exits 1, prints `file:line:col` at the
 * offending value or element (directory-level problems name the directory), and never a stack
 * trace. A few run again as a real `node` process to prove the exit code and output there.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasStackTrace, runCli } from '../helpers/cli.ts';
import { blockXml, cleanupTrees, projectYaml, ROOT_CONFIG, tree } from '../unit/support/validate-fixtures.ts';

test.after(cleanupTrees);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const P = (spec: string) => projectYaml('p1', spec);
const MiB = 1024 * 1024;

interface BadCase {
  readonly files: Record<string, string | Uint8Array>;
  /** Expected stderr lines before the summary; `<repo>` stands for the temp directory. */
  readonly errors: string[];
  /** Manifest files counted in the summary line. */
  readonly fileCount: number;
  /** Run `validate <arg>` instead of `validate <dir>` (relative to the temp directory). */
  readonly arg?: string;
}

const TITLE = '  title: Hello\n';
const nonUtf8Prefix = Buffer.from(P('  title: Caf'));

const CASES: Record<string, BadCase> = {
  'malformed YAML: a second colon in a plain value': {
    files: { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P('  title: Hello: World\n') },
    errors: ['p.yaml:6:10: error: YAML syntax error: Nested mappings are not allowed in compact mappings'],
    fileCount: 2,
  },
  'malformed YAML: a tab as indentation': {
    files: { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P(`${TITLE}\tcolor: "#123456"\n`) },
    errors: ['p.yaml:7:1: error: YAML syntax error: Tabs are not allowed as indentation'],
    fileCount: 2,
  },
  'malformed YAML: text after a closing quote': {
    files: { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P(`${TITLE}  color: "#1"x\n`) },
    errors: ['p.yaml:7:14: error: YAML syntax error: Unexpected scalar at node end'],
    fileCount: 2,
  },
  'malformed labelform.yaml': {
    files: { 'labelform.yaml': 'apiVersion: labelform/v1\nkind: Config\nnamespace: [acme\n', 'p.yaml': P(TITLE) },
    errors: [
      'labelform.yaml:4:1: error: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    fileCount: 2,
  },
  'wrong types': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': P(`${TITLE}  maximum_annotations: two\n  show_skip_button: "false"\n  title_extra: 1\n`),
    },
    errors: [
      'p.yaml:7:24: error: spec.maximum_annotations must be an integer, got a string "two" (at /spec/maximum_annotations)',
      'p.yaml:8:21: error: spec.show_skip_button must be a boolean, got a string "false" (at /spec/show_skip_button)',
      'p.yaml:9:3: error: unknown field "title_extra" in spec (at /spec/title_extra)',
    ],
    fileCount: 2,
  },
  'unknown fields': {
    files: { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P(`${TITLE}  colour: "#123456"\n`) },
    errors: ['p.yaml:7:3: error: unknown field "colour" in spec; did you mean "color"? (at /spec/colour)'],
    fileCount: 2,
  },
  'duplicate keys in a YAML mapping': {
    files: { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P(`${TITLE}  color: "#123456"\n  title: Again\n`) },
    errors: ['p.yaml:8:3: error: duplicate key in a YAML mapping: Map keys must be unique'],
    fileCount: 2,
  },
  "XML with a DOCTYPE, inline: the DOCTYPE's line in the manifest": {
    // Line 7 is `  label_config: |`; XML line 1 is file line 8, indented by four.
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': P(`${TITLE}${blockXml('<!-- config -->\n<!DOCTYPE View>\n<View/>')}`),
    },
    errors: ['p.yaml:9:5: error: a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)'],
    fileCount: 2,
  },
  'XML with entity declarations ("billion laughs") in an .xml file': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': P(`${TITLE}  label_config:\n    file: c.xml\n`),
      'c.xml':
        '<!-- shared -->\n<!DOCTYPE lolz [\n  <!ENTITY lol "lol">\n  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n<View><Header value="&lol2;"/></View>\n',
    },
    errors: ['c.xml:2:1: error: a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)'],
    fileCount: 2,
  },
  'XML with an external entity (SYSTEM)': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': P(
        `${TITLE}${blockXml('<!DOCTYPE View [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<View><Header value="&xxe;"/></View>')}`,
      ),
    },
    errors: ['p.yaml:8:5: error: a DOCTYPE is not allowed in a label config (no DTDs, no entity declarations)'],
    fileCount: 2,
  },
  'XML using an undefined entity': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': P(`${TITLE}${blockXml('<View>\n  <Header value="&xxe;"/>\n</View>')}`),
    },
    errors: ['p.yaml:9:26: error: XML is not well-formed: undefined entity.'],
    fileCount: 2,
  },
  'an unclosed tag: at the element left open, in the manifest': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': P(
        `${TITLE}${blockXml('<View>\n  <Text name="t" value="$t"/>\n  <Choices name="c" toName="t">\n    <Choice value="A"/>\n</View>')}`,
      ),
    },
    errors: [
      'p.yaml:10:7: error: XML is not well-formed: <Choices name="c"> is never closed (a later end tag closes its parent)',
    ],
    fileCount: 2,
  },
  'a label-config check: toName naming no tag': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': P(
        `${TITLE}${blockXml('<View>\n  <Image name="img" value="$image"/>\n  <Choices name="c" toName="image">\n    <Choice value="A"/>\n  </Choices>\n</View>')}`,
      ),
    },
    errors: ['p.yaml:10:7: error: toName="image" names no tag; object tags here: img (in <Choices name="c">)'],
    fileCount: 2,
  },
  'a 10 MB manifest': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': Buffer.concat([Buffer.from(P(TITLE)), Buffer.alloc(10 * MiB, '#')]),
    },
    errors: ['p.yaml:1:1: error: manifest is 10.0 MiB, over the 2.0 MiB limit for manifest files'],
    fileCount: 2,
  },
  'a 1.5 MB label config file': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': P(`${TITLE}  label_config:\n    file: big.xml\n`),
      'big.xml': `<View><Header value="${'x'.repeat(1.5 * MiB)}"/></View>`,
    },
    errors: ['big.xml:1:1: error: label config is 1.5 MiB, over the 1.0 MiB limit for label config files'],
    fileCount: 2,
  },
  'a path escaping the repo': {
    files: { 'labelform.yaml': ROOT_CONFIG, 'p.yaml': P(`${TITLE}  label_config:\n    file: ../outside.xml\n`) },
    errors: [
      'p.yaml:8:11: error: "../outside.xml" points outside the repository (<repo>); files must stay inside it (at /spec/label_config/file)',
    ],
    fileCount: 2,
  },
  'non-UTF-8 bytes in a manifest: the first bad byte': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': Buffer.concat([nonUtf8Prefix, Buffer.from([0xe9]), Buffer.from(' au lait\n')]),
    },
    errors: [
      `p.yaml:6:13: error: manifest is not valid UTF-8 (byte 0xe9 at offset ${nonUtf8Prefix.length}); save it as UTF-8`,
    ],
    fileCount: 2,
  },
  'non-UTF-8 bytes after multi-byte characters: the column counts characters': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': Buffer.concat([Buffer.from(P('  title: Crème brûlée ')), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]),
    },
    errors: [
      `p.yaml:6:23: error: manifest is not valid UTF-8 (byte 0xc3 at offset ${Buffer.from(P('  title: Crème brûlée ')).length}); save it as UTF-8`,
    ],
    fileCount: 2,
  },
  'a UTF-16 label config': {
    files: {
      'labelform.yaml': ROOT_CONFIG,
      'p.yaml': P(`${TITLE}  label_config:\n    file: c.xml\n`),
      'c.xml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<View/>', 'utf16le')]),
    },
    errors: ['c.xml:1:1: error: label config is not valid UTF-8 (byte 0xff at offset 0); save it as UTF-8'],
    fileCount: 2,
  },
  'an empty labelform.yaml': {
    files: { 'labelform.yaml': '', 'p.yaml': P(TITLE) },
    errors: ['labelform.yaml:1:1: error: manifest is empty'],
    fileCount: 2,
  },
  'a directory with no labelform.yaml': {
    files: { 'projects/p.yaml': P(TITLE) },
    errors: ['.: error: no labelform.yaml in .: it names the namespace and the Label Studio environments (see README)'],
    fileCount: 1,
  },
  'a path that is not a directory': {
    files: { 'labelform.yaml': ROOT_CONFIG },
    arg: 'labelform.yaml',
    errors: ['labelform.yaml: error: labelform.yaml is not a directory'],
    fileCount: 0,
  },
  'a path that does not exist': {
    files: { 'labelform.yaml': ROOT_CONFIG },
    arg: 'no/such/dir',
    errors: ['no/such/dir: error: no/such/dir is not a directory'],
    fileCount: 0,
  },
};

for (const [name, c] of Object.entries(CASES)) {
  test(`bad input: ${name}`, async () => {
    const dir = await tree(c.files);
    const r = await runCli(['validate', c.arg ?? dir], { cwd: dir });
    assert.is(r.code, 1);
    assert.is(r.stdout, '');
    assert.is(hasStackTrace(r.stderr), false, r.stderr);
    const lines = r.stderr.split(dir).join('<repo>').trimEnd().split('\n');
    const n = c.errors.length;
    assert.equal(lines, [
      ...c.errors,
      `✖ ${n} error${n === 1 ? '' : 's'} in ${c.fileCount} manifest file${c.fileCount === 1 ? '' : 's'}`,
    ]);
  });
}

// --- the same through a real process ------------------------------------------------------------------

function runProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // No annotations from a CI environment; no colour variables (a pipe has no colour anyway, and
  // NO_COLOR next to FORCE_COLOR makes node itself print a warning on stderr).
  const { GITHUB_ACTIONS: _gha, NO_COLOR: _nc, FORCE_COLOR: _fc, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', ...args],
      { cwd: ROOT, env, maxBuffer: 16 * MiB },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('a real process: exit code 1, every located message, no stack trace', async () => {
  // Several bad manifests in one repository keep this to one process (each costs ~0.5 s).
  const picks: Record<string, string> = {
    'a.yaml': 'malformed YAML: a second colon in a plain value',
    'b.yaml': "XML with a DOCTYPE, inline: the DOCTYPE's line in the manifest",
    'c.yaml': 'non-UTF-8 bytes in a manifest: the first bad byte',
    'd.yaml': 'a 10 MB manifest',
    'e.yaml': 'a path escaping the repo',
  };
  const files: Record<string, string | Uint8Array> = { 'labelform.yaml': ROOT_CONFIG };
  for (const [file, name] of Object.entries(picks)) {
    const content = CASES[name]!.files['p.yaml']!;
    // Distinct keys, or the loader rightly reports duplicate names.
    files[file] = typeof content === 'string' ? content.replace('name: p1', `name: ${file[0]}`) : content;
  }
  const dir = await tree(files);
  const [bad, examples] = await Promise.all([
    runProcess(['validate', dir]),
    runProcess(['validate', 'examples/projects']),
  ]);
  // Outside the current directory, files are shown by absolute path.
  const expected = Object.entries(picks).map(
    ([file, name]) => `${dir}/${CASES[name]!.errors[0]!.replace(/^p\.yaml:/, `${file}:`).replace('<repo>', dir)}`,
  );
  assert.is(bad.code, 1);
  assert.is(bad.stdout, '');
  assert.is(hasStackTrace(bad.stderr), false, bad.stderr);
  assert.equal(bad.stderr.trimEnd().split('\n'), [...expected, '✖ 5 errors in 6 manifest files']);

  assert.is(examples.code, 0, examples.stderr);
  assert.is(examples.stderr, '');
  assert.match(
    examples.stdout,
    /^✔ 7 manifest files valid: 5 projects, 1 label config, namespace "acme-labeling" \(\d+ ms\)\n$/,
  );
});

test.run();
