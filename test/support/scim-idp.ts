// The simulated IdPs (src/sim/scim-idp.ts), for the tests and benches that import them from here.
export * from '../../src/sim/scim-idp';
