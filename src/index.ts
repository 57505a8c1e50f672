/** hotmem's typed API: everything a front end or a user program builds machines with. */
export * from './core/index.js';
export * from './qom/index.js';
