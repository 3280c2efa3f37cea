import { z } from 'zod';
import { CUSTOMER_ENDPOINTS } from '../wecom/customer-schemas.js';
import { ENDPOINTS } from '../wecom/schemas.js';
import { DIRECTORY_API_NAMES, type DirectoryApiName } from './directory-routes.js';
import { PROVIDER_API_NAMES, type ProviderApiName } from './provider-api.js';
import type { FaultSpec } from './types.js';

/** A call the fault queue can answer: gettoken, one of the six endpoints, a customer call or a directory read. */
export type ApiName =
  | 'gettoken'
  | (typeof ENDPOINTS)[number]
  | (typeof CUSTOMER_ENDPOINTS)[number]
  | DirectoryApiName
  | ProviderApiName
  | 'media/upload';

/** FaultSpec as it arrives over HTTP (`POST /sandbox/faults`) from a test in another process. */
export const faultSpecSchema = z
  .object({
    errcode: z.number().int().optional(),
    errmsg: z.string().optional(),
    status: z.number().int().min(100).max(599).optional(),
    garbage: z.boolean().optional(),
    hang: z.boolean().optional(),
    times: z.number().int().min(1).optional(),
    endpoint: z
      .enum([
        'gettoken',
        ...ENDPOINTS,
        ...CUSTOMER_ENDPOINTS,
        ...DIRECTORY_API_NAMES,
        ...PROVIDER_API_NAMES,
        'media/upload',
      ])
      .optional(),
  })
  .strict()
  .refine((f) => f.errcode !== undefined || f.status !== undefined || f.garbage || f.hang, {
    message: 'a fault needs errcode, status, garbage or hang',
  });

interface Queued {
  spec: FaultSpec;
  left: number;
}

/** Queued faults, consumed in order by the calls they match. */
export class Faults {
  private queue: Queued[] = [];

  inject(spec: FaultSpec): void {
    // Same checks in-process as over HTTP, so a typo in a test fails loudly instead of never matching.
    faultSpecSchema.parse(spec);
    this.queue.push({ spec: { ...spec }, left: spec.times ?? 1 });
  }

  clear(): void {
    this.queue = [];
  }

  /** The fault this call must answer with, if any; each use counts toward its `times`. */
  take(api: ApiName): FaultSpec | undefined {
    const index = this.queue.findIndex((q) => q.spec.endpoint === undefined || q.spec.endpoint === api);
    const found = this.queue[index];
    if (!found) return undefined;
    found.left -= 1;
    if (found.left <= 0) this.queue.splice(index, 1);
    return found.spec;
  }
}
