// The engine module: every export the host sees. Each area owns one export file.
export * from './wire/exports';
export * from './tcp/exports';
