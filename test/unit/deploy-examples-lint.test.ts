/**
 * The example deployments of `labelform watch` pass the linters, pinned and installed into
 * `.venv/lint/` by scripts/lint-tools.ts on first use: kubernetes-validate (strict: an unknown field
 * fails) on examples/watch/kubernetes.yaml, and Debian's systemd-analyze on
 * examples/watch/labelform-watch.service (`verify`: systemd's own parser; `security --offline`:
 * its exposure score, at most 2). Any finding fails, and each linter is shown to object to a
 * broken copy, so that a silent linter cannot pass for a clean file. The two examples also run the
 * same command line, and neither holds the token.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { ensureLintTools, type LintTools } from '../../scripts/lint-tools.ts';
import { ROOT } from '../../scripts/bundle.ts';

const UNIT = 'labelform-watch.service';
const unitText = readFileSync(join(ROOT, 'examples', 'watch', UNIT), 'utf8');
const deploymentText = readFileSync(join(ROOT, 'examples', 'watch', 'kubernetes.yaml'), 'utf8');
const MAX_EXPOSURE = 2;

let tools: LintTools;
let tmp: string;

test.before(() => {
  tools = ensureLintTools((m) => console.log(`    ${m}`));
  tmp = mkdtempSync(join(tmpdir(), 'deploy-lint-'));
});

test.after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function lint(cmd: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: tools.path, NO_COLOR: '1', SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' },
  });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}`.trim() };
}

let copies = 0;
function copy(name: string, text: string): string {
  const dir = join(tmp, `copy-${++copies}`);
  mkdirSync(dir);
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

/** A value of the unit's [Service] section (the last one set). */
function directive(text: string, key: string): string {
  const lines = text.split('\n').filter((l) => l.startsWith(`${key}=`));
  assert.ok(lines.length > 0, `${key}= in the unit`);
  return lines.at(-1)!.slice(key.length + 1);
}

/**
 * `systemd-analyze verify` in a root of its own: the unit files of the Debian package
 * (sysinit.target and the rest), a stand-in for the program ExecStart names (verify checks that it
 * is executable) and the unit, so that nothing of the host is read. It exits 0 on an unknown key
 * or a value it cannot parse (a warning, the key ignored): any output is a finding.
 */
function verify(text: string, standIn = true): { code: number; out: string } {
  const root = join(tmp, `root-${++copies}`);
  cpSync(tools.systemdUnits, join(root, 'lib', 'systemd', 'system'), { recursive: true });
  const program = join(
    root,
    directive(text, 'ExecStart')
      .split(/\s+/)[0]!
      .replace(/^[-@:+!]+/, ''),
  );
  if (standIn) {
    mkdirSync(dirname(program), { recursive: true });
    writeFileSync(program, '#!/bin/sh\n');
    chmodSync(program, 0o755);
  }
  const unit = join(root, 'etc', 'systemd', 'system', UNIT);
  mkdirSync(dirname(unit), { recursive: true });
  writeFileSync(unit, text);
  return lint(tools.systemdAnalyze, ['verify', '--man=no', '--generators=no', `--root=${root}`, unit]);
}

function security(file: string): { code: number; out: string; exposure: number } {
  const r = lint(tools.systemdAnalyze, [
    'security',
    '--offline=true',
    '--no-pager',
    // In tenths: the level printed is 0.0 to 10.0, the threshold 0 to 100.
    `--threshold=${MAX_EXPOSURE * 10}`,
    file,
  ]);
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(r.out);
  assert.ok(m, `an exposure level in:\n${r.out}`);
  return { ...r, exposure: Number(m[1]) };
}

test('kubernetes-validate --strict: the Deployment has no finding', () => {
  const r = lint(tools.kubernetesValidate, ['--strict', '--quiet', 'examples/watch/kubernetes.yaml']);
  assert.is(r.code, 0, `kubernetes-validate found problems:\n${r.out}`);
  assert.is(r.out, '', `kubernetes-validate warned:\n${r.out}`);
});

test('kubernetes-validate --strict objects to a misspelt field and to a wrong type', () => {
  const misspelt = deploymentText.replace(/(\n\s+)path: \/healthz/, '$1paht: /healthz');
  assert.is.not(misspelt, deploymentText);
  const r1 = lint(tools.kubernetesValidate, ['--strict', '--quiet', copy('misspelt.yaml', misspelt)]);
  assert.is.not(r1.code, 0, r1.out);
  assert.match(r1.out, /'paht' was unexpected/);

  const wrongType = deploymentText.replace('replicas: 1', 'replicas: one');
  assert.is.not(wrongType, deploymentText);
  const r2 = lint(tools.kubernetesValidate, ['--strict', '--quiet', copy('wrong-type.yaml', wrongType)]);
  assert.is.not(r2.code, 0, r2.out);
  assert.match(r2.out, /spec\.replicas: 'one' is not of type 'integer'/);
});

test('systemd-analyze verify: the unit has no finding', () => {
  const r = verify(unitText);
  assert.is(r.code, 0, `systemd-analyze verify found problems:\n${r.out}`);
  assert.is(r.out, '', `systemd-analyze verify warned:\n${r.out}`);
});

test('systemd-analyze verify objects to an unknown directive, a bad value and a missing program', () => {
  const broken = unitText
    .replace(/^Restart=on-failure$/m, 'Restart=on-failure\nRestartt=always')
    .replace(/^ProtectSystem=strict$/m, 'ProtectSystem=stict');
  assert.is(broken.split('\n').length, unitText.split('\n').length + 1);
  assert.match(broken, /^ProtectSystem=stict$/m);
  const r1 = verify(broken);
  assert.match(r1.out, /Unknown key 'Restartt' in section \[Service\]/);
  assert.match(r1.out, /Failed to parse protect system value, ignoring: stict/);

  const r2 = verify(unitText, false);
  assert.is.not(r2.code, 0, r2.out);
  assert.match(r2.out, /Command \/\S+ is not executable/);
});

test(`systemd-analyze security: the unit's exposure is at most ${MAX_EXPOSURE}`, () => {
  const r = security(join(ROOT, 'examples', 'watch', UNIT));
  assert.is(r.code, 0, `exposure ${r.exposure} > ${MAX_EXPOSURE}:\n${r.out}`);
  assert.ok(r.exposure <= MAX_EXPOSURE, r.out);
});

test('systemd-analyze security objects to a unit without its hardening', () => {
  const bare = unitText
    .split('\n')
    .filter((l) => !/^(Protect|Private|Restrict|NoNewPrivileges|DynamicUser|CapabilityBoundingSet|SystemCall)/.test(l))
    .join('\n');
  const r = security(copy(UNIT, bare));
  assert.is.not(r.code, 0, r.out);
  assert.ok(r.exposure > MAX_EXPOSURE, r.out);
});

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
}

function labelformContainer(): Container {
  const d = parse(deploymentText) as {
    kind: string;
    spec: { replicas: number; template: { spec: { containers: Container[] } } };
  };
  assert.is(d.kind, 'Deployment');
  assert.is(d.spec.replicas, 1);
  const c = d.spec.template.spec.containers.find((x) => x.name === 'labelform');
  assert.ok(c, 'a container named labelform');
  return c;
}

/** The arguments after the program, with the checkout's path and the listen host set aside. */
function normalise(args: readonly string[]): { args: string[]; checkout: string; host: string; port: number } {
  const out = [...args];
  const c = out.indexOf('-C');
  const m = out.indexOf('--metrics');
  assert.ok(c >= 0 && m >= 0, `-C and --metrics in ${args.join(' ')}`);
  const checkout = out[c + 1]!;
  const [host, port] = out[m + 1]!.split(/:(?=\d+$)/);
  out[c + 1] = 'CHECKOUT';
  out[m + 1] = `HOST:${port}`;
  return { args: out, checkout, host: host!, port: Number(port) };
}

test('the unit and the Deployment run the same command line, the port and probes agree', () => {
  const exec = directive(unitText, 'ExecStart').split(/\s+/);
  const at = exec.findIndex((w) => w.endsWith('/labelform.js') || w.endsWith('/labelform'));
  assert.ok(at >= 0, `labelform in ExecStart=${exec.join(' ')}`);
  const unit = normalise(exec.slice(at + 1));

  const c = labelformContainer();
  assert.equal(c.command, ['labelform']);
  const pod = normalise(c.args ?? []);

  assert.equal(pod.args, unit.args);
  assert.is(unit.args[0], 'watch');
  assert.ok(unit.args.includes('--json'));
  assert.is(unit.host, '127.0.0.1', 'the unit serves its metrics to the host only');
  assert.is(pod.host, '0.0.0.0', 'the pod serves its metrics to the kubelet and the scraper');
  assert.is(pod.port, unit.port);
  assert.match(pod.checkout, /^\/git\//);

  const port = c.ports?.find((p) => p.name === 'metrics');
  assert.is(port?.containerPort, pod.port);
  for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe])
    assert.equal(probe?.httpGet, { path: '/healthz', port: 'metrics' });
  assert.match(deploymentText, new RegExp(`prometheus\\.io/port: "${pod.port}"`));
});

test('the token is in neither example: an EnvironmentFile, a Secret', () => {
  assert.not.match(unitText, /^Environment=.*API_KEY/m);
  assert.match(directive(unitText, 'EnvironmentFile'), /^\/etc\//);
  const env = labelformContainer().env ?? [];
  const key = env.find((e) => e.name === 'LABEL_STUDIO_API_KEY');
  assert.is(key?.value, undefined);
  assert.ok(key?.valueFrom?.secretKeyRef, 'LABEL_STUDIO_API_KEY from a Secret');
});

test.run();
