import { randomBytes } from 'node:crypto';
import type { Logger } from './base/logger.js';
import type { Config } from './config.js';
import type { Provider, ProviderSettings } from './provider/index.js';

/** The Token and EncodingAESKey the customer-contact pipeline decrypts its events with. */
export interface CallbackKeys {
  token: string;
  encodingAesKey: string;
}

/**
 * Which pair decrypts the customer events, by mode:
 * - self-built: WECOM_CALLBACK_TOKEN / WECOM_CALLBACK_AES_KEY (on the sandbox, a pair made up for this run);
 * - 代开发 (customized): the same variables. Each 代开发 app's own callback URL (服务商后台 → 代开发应用 → 回调配置)
 *   receives its corp's events in the self-built format (doc §2); the provider gives every app the same URL
 *   (PUBLIC_URL/wecom/callback) and the same Token and EncodingAESKey, and the ReceiveId tells the corps apart;
 * - third-party: the suite's pair, since those events arrive on /wecom/suite (InfoType format).
 * Undefined: no pipeline (a real self-built corp or 代开发 without the pair; a warning says what is lost).
 */
export function callbackKeysOf(
  config: Config,
  provider: Provider | undefined,
  sandboxed: ProviderSettings | undefined,
  onSandbox: boolean,
  logger: Logger,
): CallbackKeys | undefined {
  if (provider?.settings.mode === 'third-party') {
    if (config.WECOM_CALLBACK_TOKEN) {
      logger.warn(
        'WECOM_CALLBACK_TOKEN is set with WECOM_MODE=third-party: it is not used (a third-party app’s customer events come to /wecom/suite, decrypted with WECOM_SUITE_TOKEN / WECOM_SUITE_AES_KEY)',
      );
    }
    return {
      token: sandboxed?.suiteToken ?? config.WECOM_SUITE_TOKEN ?? '',
      encodingAesKey: sandboxed?.suiteAesKey ?? config.WECOM_SUITE_AES_KEY ?? '',
    };
  }
  const keys = callbackSecrets(config, onSandbox);
  if (!keys && provider) {
    logger.warn(
      'WECOM_MODE=customized without WECOM_CALLBACK_TOKEN / WECOM_CALLBACK_AES_KEY: /wecom/callback is not served, so customers who scan a QR reach no requester and get no welcome message. Set the pair given to each 代开发 app’s callback URL.',
    );
  }
  return keys;
}

/**
 * The callback Token and EncodingAESKey: from the environment, or on the sandbox a pair made up for this run
 * (the sandbox is told it in-process), so the whole loop works with no configuration.
 */
export function callbackSecrets(config: Config, sandbox: boolean): CallbackKeys | undefined {
  if (config.WECOM_CALLBACK_TOKEN && config.WECOM_CALLBACK_AES_KEY)
    return { token: config.WECOM_CALLBACK_TOKEN, encodingAesKey: config.WECOM_CALLBACK_AES_KEY };
  if (!sandbox) return undefined;
  return {
    token: randomBytes(16).toString('hex'),
    // 32 random bytes in base64 are 43 characters and one '=': WeCom's EncodingAESKey drops the '='.
    encodingAesKey: randomBytes(32).toString('base64').slice(0, 43),
  };
}
