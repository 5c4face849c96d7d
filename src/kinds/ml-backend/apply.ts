import type { LabelStudioClient } from '../../api/client.ts';
import { Refusal, type ApplyRun, type KindApplier } from '../kind.ts';
import { confirmedDelete, deleteIgnoringGone, need } from '../shared/apply-child.ts';
import { createSettled } from '../shared/create-settled.ts';
import {
  secretFingerprint,
  parseDescriptionMarker,
  stripDescriptionMarker,
  withDescriptionMarker,
} from '../shared/description-marker.ts';
import { ML_FIELDS, type LiveMlBackend, type LsMlBackend, type MlBackendResource } from './types.ts';

/**
 * MlBackend steps. The server validates every create and update by calling the backend, and its
 * update needs `url` and `project` in the body whatever changes (without them it fails with a
 * 500, measured on 1.23.2), so both are always sent. The password is sent only when its
 * fingerprint changed (an empty one keeps the stored password); the marker line records the new one. Creates are settled like a
 * webhook's: extra copies carrying the marker are deleted.
 */
export function startMlBackendApply(run: ApplyRun<LiveMlBackend>): KindApplier<MlBackendResource> {
  const { client } = run;
  return {
    async create(change, desired, parentId) {
      const want = need(desired, change.key);
      if (parentId === undefined) throw new Refusal(`its project ${want.parent} has no id`);
      const { found: _found, ...done } = await createSettled<LsMlBackend>({
        carriers: () => carriers(client, parentId, run.namespace, change.key),
        create: async () =>
          (
            await client.http.request<LsMlBackend>('POST', '/api/ml/', {
              data: writeBody(want, undefined, run.namespace, parentId, true),
            })
          ).id,
        update: async (found) =>
          void (await client.http.request('PATCH', `/api/ml/${found.id}`, {
            data: writeBody(want, found, run.namespace, parentId, true),
            idempotent: true,
          })),
        remove: (copy) => deleteIgnoringGone(() => client.http.request('DELETE', `/api/ml/${copy.id}`)),
      });
      return done;
    },
    async update(change, desired, parentId) {
      const want = need(desired, change.key);
      const live = await client.http.request<LsMlBackend>('GET', `/api/ml/${change.id}`);
      const sendPass = change.fields.some((f) => f.field === 'basic_auth_pass');
      await client.http.request('PATCH', `/api/ml/${change.id}`, {
        data: writeBody(want, live, run.namespace, parentId ?? live.project, sendPass),
        idempotent: true,
      });
      return { id: change.id };
    },
    delete: (change) =>
      confirmedDelete(run, change, 'the title typed back did not match', () =>
        client.http.request('DELETE', `/api/ml/${change.id}`),
      ),
  };
}

/** Every managed field; `url` and `project` always; the description with the marker; the password when asked. */
export function writeBody(
  desired: MlBackendResource,
  live: LsMlBackend | undefined,
  namespace: string,
  projectId: number,
  sendPass: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = { project: projectId, url: desired.spec.url };
  for (const f of ML_FIELDS) if (desired.spec[f] !== undefined && f !== 'description') body[f] = desired.spec[f];
  const pass = desired.spec.basic_auth_pass;
  const keptPass = live ? parseDescriptionMarker(live.description)?.secret : undefined;
  const fingerprint =
    pass === undefined ? undefined : sendPass ? secretFingerprint(namespace, desired.name, [pass]) : keptPass;
  body.description = withDescriptionMarker(desired.spec.description ?? stripDescriptionMarker(live?.description), {
    namespace,
    key: desired.name,
    ...(fingerprint ? { secret: fingerprint } : {}),
  });
  if (pass !== undefined && sendPass) body.basic_auth_pass = pass;
  Object.assign(
    body,
    keepBasicAuth(
      desired.spec.auth_method ?? live?.auth_method,
      desired.spec.basic_auth_user ?? live?.basic_auth_user,
      body.basic_auth_pass !== undefined,
    ),
  );
  return body;
}

/**
 * The server checks the backend with the credentials in the request, and with basic auth wants
 * all three keys: the method and user as they are, and an empty password, which keeps the
 * stored one (measured on 1.23.2). Without them a secured backend answers 401 and the update fails.
 */
export function keepBasicAuth(
  method: string | undefined,
  user: string | null | undefined,
  passSent: boolean,
): Record<string, unknown> {
  if (method !== 'BASIC_AUTH') return {};
  return { auth_method: 'BASIC_AUTH', basic_auth_user: user ?? '', ...(passSent ? {} : { basic_auth_pass: '' }) };
}

async function carriers(
  client: LabelStudioClient,
  projectId: number,
  namespace: string,
  key: string,
): Promise<LsMlBackend[]> {
  const list = await client.http.request<LsMlBackend[]>('GET', '/api/ml/', { params: { project: projectId } });
  return list
    .filter(
      (b) =>
        b.project === projectId &&
        parseDescriptionMarker(b.description)?.namespace === namespace &&
        parseDescriptionMarker(b.description)?.key === key,
    )
    .sort((a, b) => a.id - b.id);
}
