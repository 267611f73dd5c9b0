// The simulators (with their 550 KB OpenAPI subset and a certificate generator), loaded by Start
// Simulator only; a module of its own for the same reason as ./engine.
export { startSimulators, writeSimulatorFiles } from '../../sim';
