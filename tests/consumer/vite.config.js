import { defineConfig } from "vite";

// As the package README says: keep Vite's dev-time dependency pre-bundling away from the
// package, so that `new URL("session_keeper_core_bg.wasm", import.meta.url)` still points at
// the wasm file next to it. `vite build` does not need this; `vite` (dev) does.
export default defineConfig({
  optimizeDeps: { exclude: ["session-keeper"] },
});
