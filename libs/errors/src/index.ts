export * from './app-error';
export * from './error-kinds';
export * from './listen-failure';
