export { startEmulator, createEmulator, type EmulatorOptions, type RunningEmulator, type Emulator } from './emulator';
export { openidFor, unionidFor } from './ids';
export { Clock } from './clock';
export { EmulatorState, type AppConfig, type TemplateConfig, type InboxMessage, type TokenRecord, type Fault } from './state';
export { ENDPOINTS, PAY_ENDPOINTS, type EndpointName, type PayEndpointName } from './protocol';
export { createPayKeys, payKeysToEmulatorConfig, type PayKeys } from './pay/keys';
export {
  PayState,
  type PayOptions,
  type PayMerchantConfig,
  type PayPlatformConfig,
  type PaySettings,
  type SignWith,
  type PayOrder,
  type PayRefund,
  type PayNotification,
  type NotificationAttempt,
  type TradeState,
} from './pay/state';
export { RETRY_SCHEDULE_S } from './pay/notify';
export { acceptsValue, refusedInPractice, typeFromKey } from './subscribe-rules';
