export { startEmulator, createEmulator, type EmulatorOptions, type RunningEmulator, type Emulator } from './emulator';
export { openidFor, unionidFor } from './ids';
export { Clock } from './clock';
export {
  EmulatorState, type AppConfig, type TemplateConfig, type InboxMessage, type TokenRecord, type Fault,
} from './state';
export { ENDPOINTS, type EndpointName } from './protocol';
export { VALUE_RULES, isValidValue, typeFromKey } from './subscribe-rules';
