/** esbuild bundles imported CSS into the entry's .css file (bin/build-web.js). */
declare module '*.css';
