export * from './scopes';
export * from './principal';
export * from './auth-config';
export * from './access-token-verifier';
export * from './bearer';
