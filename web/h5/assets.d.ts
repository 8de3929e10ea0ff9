/** esbuild bundles the stylesheet the app imports into its own hashed file. */
declare module '*.css';
