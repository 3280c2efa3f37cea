import type { Logger } from './base/logger.js';
import type { Secrets } from './base/secrets.js';
import type { Config } from './config.js';
import type { ProviderSettings } from './provider/index.js';
import { sandboxProviderSettings, settingsSecrets } from './provider/sandboxed.js';
import type { Sandbox } from './sandbox/index.js';

/** The embedded sandbox when the bot has no WeCom credentials, and the suite it plays in a provider mode. */
export interface EmbeddedSandbox {
  sandbox: Sandbox | undefined;
  /** A provider mode on the sandbox: the suite settings both sides share (made up for this run). */
  providerSettings: ProviderSettings | undefined;
}

/**
 * Starts the simulator when there are no credentials (loaded only then: production never pays for it). In a
 * provider mode it also plays WeCom's provider platform for a suite made up here; the bot's /wecom/suite is
 * connected once the server listens (src/compose.ts), which is also when the first ticket is pushed.
 */
export async function startEmbeddedSandbox(
  config: Config,
  logger: Logger,
  secrets: Secrets,
): Promise<EmbeddedSandbox> {
  if (!config.sandbox) return { sandbox: undefined, providerSettings: undefined };
  const providerSettings =
    config.WECOM_MODE === 'self-built'
      ? undefined
      : sandboxProviderSettings(config.WECOM_MODE, config.STORE_ENCRYPTION_KEY);
  if (providerSettings) secrets.add(...settingsSecrets(providerSettings));
  const sandbox = await (await import('./sandbox/index.js')).startSandbox({
    port: config.SANDBOX_PORT,
    statePath: config.sandboxStatePath,
    logger,
    ...(providerSettings
      ? {
          provider: {
            suite: {
              suiteId: providerSettings.suiteId,
              suiteSecret: providerSettings.suiteSecret,
              token: providerSettings.suiteToken,
              encodingAesKey: providerSettings.suiteAesKey,
              kind: providerSettings.mode,
            },
            providerCorpId: providerSettings.providerCorpId,
            ...(providerSettings.providerSecret ? { providerSecret: providerSettings.providerSecret } : {}),
          },
        }
      : {}),
  });
  secrets.add(sandbox.corpSecret);
  logger.warn(
    { sandboxUrl: sandbox.url, mode: config.WECOM_MODE },
    providerSettings
      ? `WECOM SANDBOX: WECOM_MODE=${config.WECOM_MODE} without WECOM_SUITE_ID, so the embedded WeCom simulator plays the provider platform and its customer corps. QR codes are not real.`
      : 'WECOM SANDBOX: WECOM_CORP_ID is not set, so contactway runs on the embedded WeCom simulator. QR codes are not real.',
  );
  return { sandbox, providerSettings };
}
