// Expected failures in words an administrator can act on. Matched by name so that this module
// loads none of the engine.

/** Reading a real tenant from an untrusted workspace would send stored credentials to its URLs. */
export class NeedsTrustError extends Error {
  constructor(what: string) {
    super(`${what} needs a trusted workspace: it sends your credentials to the URLs in this mapping. Trust the workspace, or use Start Simulator.`);
    this.name = 'NeedsTrustError';
  }
}

export class SimulatorStoppedError extends Error {
  constructor() {
    super('The simulators are not running: Start Simulator starts them and points this mapping at them again.');
    this.name = 'SimulatorStoppedError';
  }
}

export class NoMappingError extends Error {
  constructor() {
    super('No Halo Identity mapping file: open a halo-identity.yaml, set haloIdentity.mappingFile, or run "New Mapping File".');
    this.name = 'NoMappingError';
  }
}

export function isCancellation(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortedError' || e.name === 'AbortError' || e.name === 'Canceled');
}

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  switch (e.name) {
    case 'MappingInvalidError':
      return `${e.message}: fix the problems shown in the Problems view; nothing was read or written.`;
    case 'PlanInputError':
      return `The mapping names things Halo does not have: ${e.message}`;
    case 'BlockedError':
      return e.message.replace('Override explicitly to apply anyway.', 'Confirm "Apply over the threshold" to apply anyway.');
    case 'AbortedError':
      return 'Cancelled.';
    default:
      return e.message;
  }
}

/** Which credentials a failure points at, so the notification can offer to set them. */
export function credentialHints(e: unknown): Array<'halo' | 'entra'> {
  if (!(e instanceof Error)) return [];
  const m = e.message;
  switch (e.name) {
    case 'ConnectionError': {
      if (!/Missing credentials/.test(m)) return [];
      const at = m.slice(m.indexOf('(referenced at'));
      return [...(/\bhalo\./.test(at) ? ['halo' as const] : []), ...(/\bentra\./.test(at) ? ['entra' as const] : [])];
    }
    case 'HaloAuthError':
      return ['halo'];
    case 'HaloApiError':
      return /answered 401/.test(m) ? ['halo'] : [];
    case 'EntraReadError':
      return /Sign-in to Entra|answered 40[13]/.test(m) ? ['entra'] : [];
    default:
      return [];
  }
}
