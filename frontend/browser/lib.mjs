// Drive Home Assistant's UI in Chromium: launch, log in, read what is shown, report.
//
// The browser scripts run from pytest (tests/e2e) with the Home Assistant under test
// given in the environment:
//   HA_URL                 http://127.0.0.1:PORT of the running Home Assistant
//   HA_USERNAME, HA_PASSWORD   a user of it
//   TIME_CLOCK_ARTIFACTS   folder for screenshots (default .dev/artifacts/browser)
//   CHROMIUM               the browser executable (default /usr/bin/chromium)
// They print one JSON object on stdout (the report) and exit 0 when they could run the
// scenario to its end; the test asserts on the report.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const INTEGRATION = path.join(REPO, "custom_components", "time_clock");

const BROWSER_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/** Return the settings of this run from the environment. */
export function settings() {
  const url = process.env.HA_URL;
  if (!url) throw new Error("HA_URL is not set");
  return {
    url: url.replace(/\/$/, ""),
    username: process.env.HA_USERNAME ?? "e2e",
    password: process.env.HA_PASSWORD ?? "e2e",
    artifacts: process.env.TIME_CLOCK_ARTIFACTS ?? path.join(REPO, ".dev", "artifacts", "browser"),
    executable: process.env.CHROMIUM ?? "/usr/bin/chromium",
  };
}

/** Start Chromium with a fresh profile; return it and a function that closes it. */
export async function launch(config) {
  const profile = mkdtempSync(path.join(tmpdir(), "time-clock-chromium-"));
  // A persistent context is the only way to choose the profile folder; one context is
  // all a scenario needs. The service worker reloads a fresh page and closes dialogs.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: config.executable,
    args: BROWSER_ARGS,
    headless: true,
    serviceWorkers: "block",
    viewport: { width: 1280, height: 900 },
    locale: "en-US",
    timezoneId: "UTC",
    colorScheme: config.colorScheme ?? "light",
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** Log in through Home Assistant's login page and wait for the app to be shown. */
export async function login(page, config) {
  await page.goto(`${config.url}/`);
  await page.locator('input[name="username"]').fill(config.username);
  await page.locator('input[name="password"]').fill(config.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/auth/"), { timeout: 30_000 });
  await page.locator("ha-sidebar").waitFor({ timeout: 30_000 });
}

/** Return the texts a user sees: visible text nodes, through every open shadow root.
 *
 * Text in code editors is left out: it is data (a YAML response), not words.
 */
export function visibleTexts(page, scope) {
  return page.evaluate((scopeSelector) => {
    const texts = [];
    // A text node is seen when it has boxes (a range of it, since its parent may be a
    // slot with display: contents) and no ancestor hides it.
    const range = document.createRange();
    const visible = (textNode) => {
      range.selectNodeContents(textNode);
      if (![...range.getClientRects()].some((rect) => rect.width > 0 && rect.height > 0)) {
        return false;
      }
      const style = getComputedStyle(textNode.parentElement);
      return style.visibility !== "hidden" && Number(style.opacity) !== 0;
    };
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        const text = node.textContent.replace(/\s+/g, " ").trim();
        if (text && node.parentElement && visible(node)) texts.push(text);
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) {
        return;
      }
      if (node.nodeType === Node.ELEMENT_NODE) {
        const tag = node.localName;
        if (tag === "style" || tag === "script" || tag === "template") return;
        // Code editors show data (YAML of a response), whose keys are meant as keys.
        if (tag === "ha-code-editor") return;
        if (node.shadowRoot) walk(node.shadowRoot);
      }
      for (const child of node.childNodes) walk(child);
    };
    const find = (root, selector) => {
      const hit = root.querySelector(selector);
      if (hit) return hit;
      for (const element of root.querySelectorAll("*")) {
        if (element.shadowRoot) {
          const found = find(element.shadowRoot, selector);
          if (found) return found;
        }
      }
      return null;
    };
    walk(scopeSelector ? find(document, scopeSelector) ?? document.body : document.body);
    return texts;
  }, scope ?? null);
}

/** Return the integration's strings.json. */
export function strings() {
  return JSON.parse(readFileSync(path.join(INTEGRATION, "strings.json"), "utf8"));
}

/** Return a part of strings.json by its dotted path. */
export function tree(dotted) {
  const found = dotted.split(".").reduce((node, key) => node?.[key], strings());
  if (found === undefined) throw new Error(`strings.json has nothing at ${dotted}`);
  return found;
}

/** Return one text of strings.json by its dotted path, placeholders filled in. */
export function text(dotted, placeholders = {}) {
  const found = tree(dotted);
  if (typeof found !== "string") throw new Error(`strings.json has no text at ${dotted}`);
  return found.replace(/\{(\w+)\}/g, (whole, name) => placeholders[name] ?? whole);
}

/** Return every key of the integration's strings that could be shown instead of a word. */
export function translationKeys() {
  const keys = new Set();
  const collect = (node, parent) => {
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      // Keys of the objects that name fields, options, errors, steps and services.
      if (
        [
          "step",
          "data",
          "data_description",
          "menu_options",
          "error",
          "abort",
          "fields",
          "options",
          "sections",
          "services",
          "initiate_flow",
        ].includes(parent)
      ) {
        keys.add(key);
      }
      collect(value, key);
    }
  };
  collect(strings(), null);
  return keys;
}

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;
const PLACEHOLDER = /\{[a-z_]+\}/;

/** Return the texts that are raw keys or unresolved references, not words. */
export function rawKeys(texts, keys) {
  const problems = [];
  for (const shown of texts) {
    const bare = shown.replace(/\s*\*$/, "");
    if (shown.includes("[%key:")) problems.push({ text: shown, why: "unresolved [%key:] reference" });
    else if (shown.includes("component.time_clock.")) {
      problems.push({ text: shown, why: "translation key of the integration" });
    } else if (keys.has(bare)) problems.push({ text: shown, why: "a key of strings.json" });
    else if (SNAKE_CASE.test(bare)) problems.push({ text: shown, why: "snake_case identifier" });
    else if (PLACEHOLDER.test(shown)) problems.push({ text: shown, why: "placeholder left unfilled" });
  }
  return problems;
}

/** Collect the screens of a scenario and print the report at the end. */
export class Report {
  /** Start a report whose screenshots go to ``folder``. */
  constructor(folder, scenario) {
    this.folder = path.join(folder, scenario);
    rmSync(this.folder, { recursive: true, force: true });
    mkdirSync(this.folder, { recursive: true });
    this.keys = translationKeys();
    this.screens = [];
    this.facts = {};
    this.failures = [];
  }

  /** Screenshot the page, read its texts and note raw keys; return the texts. */
  async screen(page, name, { scope, expect = [] } = {}) {
    // Let animations of dialogs and ripples end before the picture.
    await page.waitForTimeout(400);
    const screenshot = path.join(this.folder, `${name}.png`);
    await page.screenshot({ path: screenshot });
    const texts = await visibleTexts(page, scope);
    const joined = texts.join("\n");
    const missing = expect.filter((want) => !joined.includes(want));
    this.screens.push({
      name,
      screenshot,
      url: page.url(),
      problems: rawKeys(texts, this.keys),
      missing,
      texts,
    });
    return texts;
  }

  /** Note a fact the test asserts on (a measured number, a word the UI used). */
  fact(name, value) {
    this.facts[name] = value;
  }

  /** Note a step that could not be done, with its error. */
  failure(step, error) {
    this.failures.push({ step, error: String(error?.stack ?? error) });
  }

  /** Run one part of a scenario; a failure is noted (with a screenshot) and the rest goes on. */
  async section(page, name, steps) {
    try {
      await steps();
    } catch (error) {
      this.failure(name, error);
      // What the page showed instead, read like any screen (raw keys included).
      await this.screen(page, `${name}-failed`).catch(() => undefined);
    }
  }

  /** Print the report as JSON on stdout. */
  print() {
    process.stdout.write(
      `${JSON.stringify({ screens: this.screens, facts: this.facts, failures: this.failures })}\n`,
    );
  }
}

/** Run a scenario: launch, log in, run the steps, always print the report. */
export async function run(scenario, steps, options = {}) {
  const config = { ...settings(), ...options };
  const report = new Report(config.artifacts, scenario);
  const { context, close } = await launch(config);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    await login(page, config);
    await steps({ page, context, config, report });
  } catch (error) {
    report.failure("scenario", error);
  } finally {
    await close().catch((error) => report.failure("close", error));
    report.print();
  }
}
