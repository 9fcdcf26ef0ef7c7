import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// A React app as `npm create vite` makes one, plus the package README's advice: keep Vite's
// dev-time dependency pre-bundling away from the package, so that
// `new URL("session_keeper_bg.wasm", import.meta.url)` still points at the wasm next to it
// (only `vite` dev needs this; run.sh tests `vite build` outputs).
export default defineConfig({
  plugins: [react()],
  optimizeDeps: { exclude: ["session-keeper"] },
});
