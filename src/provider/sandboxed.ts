import { randomBytes } from 'node:crypto';
import type { ProviderSettings } from './index.js';

/**
 * A provider mode with no provider account: the embedded sandbox plays WeCom's provider platform, with suite
 * settings made up here for this run (the secret, Token and EncodingAESKey are random, registered as secrets by
 * the caller, never logged). The ids are fixed, so a saved sandbox state (SANDBOX_STATE_PATH) still matches its
 * suite after a restart; a 代开发 template's id starts with dk, as WeCom's do.
 */
export function sandboxProviderSettings(
  mode: ProviderSettings['mode'],
  encryptionKey?: string,
): ProviderSettings {
  return {
    mode,
    suiteId: mode === 'customized' ? 'dk_sandbox_suite' : 'ww_sandbox_suite',
    suiteSecret: randomBytes(24).toString('hex'),
    suiteToken: randomBytes(16).toString('hex'),
    // 32 random bytes in base64 are 43 characters and one '=': WeCom's EncodingAESKey drops the '='.
    suiteAesKey: randomBytes(32).toString('base64').slice(0, 43),
    providerCorpId: 'ww_sandbox_provider',
    providerSecret: randomBytes(24).toString('hex'),
    encryptionKey,
  };
}

/** The secrets of made-up settings, for the logger's registry. */
export function settingsSecrets(settings: ProviderSettings): string[] {
  return [
    settings.suiteSecret,
    settings.suiteToken,
    settings.suiteAesKey,
    settings.providerSecret ?? '',
  ].filter(Boolean);
}
