// Copies the files tsc does not emit (the dashboard page) from src to dist, keeping their paths.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const file of ["http/dashboard.html"]) {
  const target = join(root, "dist", file);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(root, "src", file), target);
}
