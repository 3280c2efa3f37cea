/**
 * The platform-neutral heart, composed: every adapter calls these and only renders what comes back. Each part
 * lives in its own file and gets the same context (dependencies with defaults, audit and ownership helpers).
 */
import { accessChecks } from './access.js';
import { adminActions } from './admin.js';
import { closeSessions } from './close-session.js';
import { createServiceContext, type ServiceDeps } from './context.js';
import { createWay } from './create-way.js';
import { deleteWay } from './delete-way.js';
import { linkMethods } from './links.js';
import { providerActions } from './provider-admin.js';
import { readWays } from './read-ways.js';
import type { ContactWayService } from './types.js';
import { updateWay } from './update-way.js';

export type { ServiceDeps } from './context.js';
export type { LinkRequestOutcome, Notify } from './links.js';
export type { ProviderAdmin, ProviderStatus } from './provider-admin.js';
export type {
  ClosedSession,
  CloseTarget,
  ContactWayService,
  CreateOptions,
  CreateResult,
  RecordView,
  ShowResult,
  UpdateChanges,
  UpdateResult,
  WayUsage,
} from './types.js';

export function createContactWayService(deps: ServiceDeps): ContactWayService {
  const ctx = createServiceContext(deps);
  return {
    ...accessChecks(ctx),
    create: createWay(ctx),
    ...readWays(ctx),
    update: updateWay(ctx),
    delete: deleteWay(ctx),
    ...closeSessions(ctx),
    ...adminActions(ctx),
    ...providerActions(ctx),
    ...linkMethods(ctx, ctx.links, { notify: deps.notify, directory: deps.directory }),
  };
}
