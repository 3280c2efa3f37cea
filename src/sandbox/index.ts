/** The WeCom sandbox: a local stand-in for qyapi.weixin.qq.com's gettoken and 「联系我」 endpoints. */
export { DEFAULT_DEPARTMENTS, DEFAULT_MEMBERS } from './directory.js';
export type {
  AuthEventType,
  Delivery,
  SandboxCustomerCorp,
  SandboxInstall,
  SandboxProvider,
  SandboxProviderOptions,
  SandboxSuite,
} from './provider-types.js';
export { startSandbox } from './sandbox.js';
export type {
  CallbackTarget,
  FaultSpec,
  Sandbox,
  SandboxCustomer,
  SandboxDepartment,
  SandboxMember,
  SandboxOptions,
  SandboxStats,
  ScanResult,
} from './types.js';
