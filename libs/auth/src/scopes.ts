/**
 * The OAuth 2 scopes the services understand (a token's space-separated `scope` claim):
 * - `orders`: a customer, who places orders for themselves (the token's `sub`) and reads only their own;
 * - `catalog:write`: the shop's staff, who set products' prices and stock;
 * - `admin`: support and operations, who read any order, payment and e-mail.
 */
export const SCOPES = ['orders', 'catalog:write', 'admin'] as const;

export type Scope = (typeof SCOPES)[number];
