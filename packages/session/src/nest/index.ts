export { SessionModule } from './session.module.js';
export { Session, sessionOf } from './session.decorator.js';
export { SessionMiddleware } from './session.middleware.js';
export { SessionExceptionFilter } from './session.filter.js';
export { SESSION_MODULE_OPTIONS } from './session.constants.js';
export type { SessionModuleOptions, SessionModuleAsyncOptions } from './session.options.js';
