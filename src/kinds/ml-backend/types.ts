import type { MlBackendSpec } from '../../generated/schema-types.ts';
import type { SpecResource } from '../shared/load-child.ts';
import type { LiveResource } from '../kind.ts';

export interface MlBackendResource extends SpecResource<'MlBackend', MlBackendSpec> {
  readonly parent: string;
}

/** An ML backend as the server answers it (`/api/ml/`); `basic_auth_pass` is never in it. */
export interface LsMlBackend {
  readonly id: number;
  readonly project: number;
  readonly url: string;
  readonly title: string | null;
  readonly description: string | null;
  readonly is_interactive: boolean;
  readonly auth_method: 'NONE' | 'BASIC_AUTH';
  readonly basic_auth_user: string | null;
  readonly basic_auth_pass_is_set: boolean;
  readonly extra_params: Record<string, unknown> | null;
  readonly timeout: number;
  readonly auto_update: boolean;
  readonly model_version: string | null;
  readonly state?: string;
}

export interface LiveMlBackend extends LiveResource {
  readonly raw: LsMlBackend;
  /** The fingerprint of the password last sent, from the description's marker line. */
  readonly secretFingerprint?: string;
}

/** Compared and written, in plan order; `basic_auth_pass` is handled by its fingerprint. */
export const ML_FIELDS = [
  'url',
  'title',
  'description',
  'is_interactive',
  'auth_method',
  'basic_auth_user',
  'extra_params',
  'timeout',
  'auto_update',
  'model_version',
] as const;
export type MlField = (typeof ML_FIELDS)[number];
