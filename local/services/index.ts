export { startLocalServices, LOCAL_DEFAULTS, LOCAL_ENV_NAMES } from './local-services';
export type { LocalServices, LocalServicesOptions, Credentials } from './local-services';
