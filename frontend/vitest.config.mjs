// Unit tests of the card: happy-dom gives Lit a DOM with custom elements and shadow roots.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.ts"],
    restoreMocks: true,
  },
});
