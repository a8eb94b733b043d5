/**
 * @sesame/testkit: support for Sesame's own tests, benchmarks and attack suite, written once.
 * Private: no product package depends on it (a devDependency at most).
 */
export * from './authorize.js';
export * from './chromium.js';
export * from './deployment.js';
export * from './dpop.js';
export * from './logout-receiver.js';
export * from './processes.js';
export * from './prometheus.js';
export * from './services.js';
export * from './sesame.js';
