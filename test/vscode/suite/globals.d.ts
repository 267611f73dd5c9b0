// The in-host suites use mocha's TDD globals (suite, test, setup, teardown); tsconfig's
// `types: ["node"]` would otherwise leave them undeclared.
/// <reference types="mocha" />
