// Entra's read error: a DirectoryReadError whose name says which directory failed, and whose code
// is Graph's (`Authorization_RequestDenied`…) or the login service's (`invalid_client`…).
import { DirectoryReadError, DirectoryReadErrorDetails } from '../errors';

export { Redactor } from '../errors';
export type EntraReadErrorDetails = DirectoryReadErrorDetails;

export class EntraReadError extends DirectoryReadError {
  constructor(message: string, details: EntraReadErrorDetails) {
    super(message, details);
    this.name = 'EntraReadError';
  }
}
