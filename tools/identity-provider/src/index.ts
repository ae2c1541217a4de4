export * from './duration';
export * from './signing-key';
export * from './token-issuer';
export * from './identity-provider';
export * from './provider-process';
export * from './bad-credentials';
export * from './test-identity-provider';
