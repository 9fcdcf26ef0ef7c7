// Loaded through ssrLoadModule before ssr-entry.js, so that whatever Vite's module runner itself
// sets up on first use is not counted against the package.
export const control = true;
