import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// A React app as `npm create vite` makes one: nothing to configure for the package.
export default defineConfig({
  plugins: [react()],
});
