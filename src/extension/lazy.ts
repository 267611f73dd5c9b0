// The heavy parts of the extension, loaded when a mapping or a command first needs them.
// esbuild bundles these requires into dist/extension.js (evaluated on first call only) unless
// './lazy/*' is marked external, in which case they load from files of their own (dist/lazy/*.js)
// that activation does not even parse. `require`, not `import()`: CommonJS resolution finds
// dist/lazy/engine.js without an extension, and the bundled build keeps its lazy evaluation.
export type EngineModule = typeof import('./lazy/engine');
export type SimulatorModule = typeof import('./lazy/simulator');

/** Synchronous, for callers that cannot wait (a completion provider). */
export function engineNow(): EngineModule {
  return require('./lazy/engine') as EngineModule;
}

export async function loadEngine(): Promise<EngineModule> {
  return engineNow();
}

export async function loadSimulator(): Promise<SimulatorModule> {
  return require('./lazy/simulator') as SimulatorModule;
}
