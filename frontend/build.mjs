// Build the card's bundle into the integration (HACS users run no build).
//
//   node build.mjs           write custom_components/time_clock/dist/time-clock-card.js
//   node build.mjs --check   fail when the committed bundle differs from the sources
//   node build.mjs --size    also print the bundle's size, minified and gzipped

import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUTFILE = path.resolve(HERE, "../custom_components/time_clock/dist/time-clock-card.js");
const LIMIT_GZIP = 60 * 1024;

/** Return the bundle built from src/ (same sources and toolchain, same bytes). */
async function bundle() {
  const result = await build({
    entryPoints: [path.join(HERE, "src/index.ts")],
    bundle: true,
    format: "esm",
    target: "es2021",
    minify: true,
    legalComments: "none",
    charset: "utf8",
    write: false,
    absWorkingDir: HERE,
    logLevel: "warning",
  });
  return Buffer.from(result.outputFiles[0].contents);
}

const code = await bundle();
const args = new Set(process.argv.slice(2));
if (args.has("--check")) {
  let committed = Buffer.alloc(0);
  try {
    committed = readFileSync(OUTFILE);
  } catch {
    // Missing counts as different.
  }
  if (!committed.equals(code)) {
    console.error(
      `${path.relative(process.cwd(), OUTFILE)} does not match frontend/src: run "npm run build" in frontend/ and commit it`,
    );
    process.exit(1);
  }
} else {
  mkdirSync(path.dirname(OUTFILE), { recursive: true });
  writeFileSync(OUTFILE, code);
}
const gzip = gzipSync(code, { level: 9 }).length;
if (args.has("--size") || !args.has("--check")) {
  console.log(`time-clock-card.js: ${code.length} bytes minified, ${gzip} bytes gzipped`);
}
if (gzip > LIMIT_GZIP) {
  console.error(`the bundle is ${gzip} bytes gzipped, over the ${LIMIT_GZIP} bytes allowed`);
  process.exit(1);
}
