/** Server and user routes: version, health, whoami, the legacy token, templates. */
import { json, type Ctx, type Reply } from './http.ts';
import { ADMIN_PERMISSIONS, TEMPLATE_GROUPS, TEMPLATES, VERSION_REPORT } from './catalog.ts';

/**
 * GET/POST /api/version/ (no auth). Like the server, the answer changes shape after the first
 * call: frontend commits shortened to 6 characters, `lsf` and `backend` added.
 */
export function version(ctx: Ctx): Reply {
  const first = ctx.state.versionCalls++ === 0;
  const report = structuredClone(VERSION_REPORT) as Record<string, Record<string, unknown> | string>;
  report.release = ctx.state.release;
  (report['label-studio-os-package'] as Record<string, unknown>).version = ctx.state.release;
  if (first) return json(200, report);
  const short = (key: string) => {
    const part = report[key] as Record<string, unknown>;
    part.commit = String(part.commit).slice(0, 6);
    return part;
  };
  short('label-studio-frontend');
  short('dm2');
  return json(200, {
    ...report,
    lsf: { ...(report['label-studio-frontend'] as object) },
    backend: { commit: String((report['label-studio-os-backend'] as Record<string, unknown>).commit).slice(0, 6) },
  });
}

/** /health/ answers JSON labelled as HTML. */
export function health(): Reply {
  return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: '{"status": "UP"}' };
}

export function whoami(ctx: Ctx): Reply {
  const u = ctx.state.user;
  return json(200, {
    id: u.id,
    first_name: '',
    last_name: '',
    username: '',
    email: u.email,
    last_activity: new Date().toISOString(),
    custom_hotkeys: {},
    avatar: null,
    initials: u.email.slice(0, 2),
    phone: '',
    active_organization: 1,
    active_organization_meta: { title: 'Label Studio', email: u.email },
    allow_newsletters: null,
    date_joined: u.dateJoined,
    permissions: ADMIN_PERMISSIONS,
  });
}

/** GET /api/current-user/token: the legacy token, also when asked with a Bearer access token. */
export function legacyToken(ctx: Ctx): Reply {
  return json(200, { token: ctx.state.legacyToken });
}

export function templates(): Reply {
  return json(200, { templates: TEMPLATES, groups: TEMPLATE_GROUPS });
}
