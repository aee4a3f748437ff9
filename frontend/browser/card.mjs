// The Time Clock card on a real dashboard: tap, confirm, result; admin view; editor.
//
// Environment (besides lib.mjs's):
//   CARD_STEPS     comma-separated steps, run in this order:
//                  dashboard  create the dashboard "time-clock" (kiosk and admin views)
//                  kiosk      screenshot the tiles; EMPLOYEES (comma list) must be shown
//                  punch      tap PUNCH_EMPLOYEE, confirm, wait for the result on the tile
//                  fail       tap FAIL_EMPLOYEE, confirm, wait for the error on the tile
//                  admin      screenshot the admin view
//                  editor     open the card's visual editor in the page, screenshot it
//                  perf       mount a fresh card, measure long tasks until all tiles show
//   COLOR_SCHEME   light (default) or dark
//   DOCS           folder for the screenshots kept for the README (optional)
// Facts reported: result texts, long tasks (ms), tiles counted, render time.

import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { run } from "./lib.mjs";

const STEPS = (process.env.CARD_STEPS ?? "dashboard,kiosk,admin").split(",");
const SCHEME = process.env.COLOR_SCHEME ?? "light";
const DOCS = process.env.DOCS;
const DASHBOARD = "time-clock";
const EMPLOYEES = (process.env.EMPLOYEES ?? "").split(",").filter(Boolean);

/** Run a websocket command with the page's own connection (the user's token). */
async function callWS(page, message) {
  const answer = await page.evaluate(
    (msg) =>
      document
        .querySelector("home-assistant")
        .hass.callWS(msg)
        .then((result) => ({ result }), (error) => ({ error })),
    message,
  );
  if ("error" in answer) throw new Error(`${message.type} failed: ${JSON.stringify(answer.error)}`);
  return answer.result;
}

/** Create (or rewrite) the dashboard holding the card: a kiosk view and an admin view. */
async function createDashboard(page) {
  const dashboards = await callWS(page, { type: "lovelace/dashboards/list" });
  if (!dashboards.some((item) => item.url_path === DASHBOARD)) {
    await callWS(page, {
      type: "lovelace/dashboards/create",
      url_path: DASHBOARD,
      title: "Time Clock",
      icon: "mdi:clock-outline",
      show_in_sidebar: true,
      require_admin: false,
      mode: "storage",
    });
  }
  await callWS(page, {
    type: "lovelace/config/save",
    url_path: DASHBOARD,
    config: {
      title: "Time Clock",
      views: [
        { title: "Door", path: "door", type: "panel", cards: [{ type: "custom:time-clock-card", mode: "kiosk" }] },
        { title: "Admin", path: "admin", type: "panel", cards: [{ type: "custom:time-clock-card", mode: "admin" }] },
      ],
    },
  });
}

/** Open a view of the dashboard and wait for the card to show ``selector``. */
async function openView(page, config, view, selector) {
  await page.goto(`${config.url}/${DASHBOARD}/${view}`);
  await page.locator(`time-clock-card ${selector}`).first().waitFor({ timeout: 30_000 });
}

/** Return the tile of an employee. */
function tileOf(page, name) {
  return page.locator("time-clock-card .tile").filter({ has: page.locator(".name", { hasText: name }) });
}

/** Tap a tile, photograph the question, confirm; return the question's text. */
async function tapAndConfirm(page, report, name, shot) {
  await tileOf(page, name).click();
  const dialog = page.locator("time-clock-card .dialog");
  await dialog.waitFor();
  const question = (await dialog.locator(".question").textContent()).trim();
  await report.screen(page, shot, { expect: [question] });
  await dialog.locator(".confirm").click();
  return question;
}

/** Make Home Assistant refuse the card's punches of one employee, for real.
 *
 * The page's websocket is routed through the test: a punch of that employee goes to
 * Home Assistant aimed at the account's own device (not an employee), so Home
 * Assistant answers with its translated error, which the card must show.
 */
async function failPunchesOf(page, name) {
  const { accounts } = await callWS(page, { type: "time_clock/accounts" });
  const account = accounts.find((item) => item.employees.some((e) => e.name === name));
  const employee = account.employees.find((e) => e.name === name);
  await page.routeWebSocket(/\/api\/websocket$/, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage((message) => {
      if (typeof message !== "string") return server.send(message);
      const data = JSON.parse(message);
      for (const item of Array.isArray(data) ? data : [data]) {
        if (item.type === "call_service" && item.service === "punch" && item.target?.device_id === employee.device_id) {
          item.target.device_id = account.device_id;
        }
      }
      server.send(JSON.stringify(data));
    });
    server.onMessage((message) => socket.send(message));
  });
}

/** Copy a screenshot of the report into the docs folder. */
function keep(report, name, as) {
  if (!DOCS) return;
  mkdirSync(DOCS, { recursive: true });
  copyFileSync(path.join(report.folder, `${name}.png`), path.join(DOCS, as));
}

/** Measure the long tasks while a fresh card with the page's hass renders every tile. */
async function measureRender(page, expected) {
  return page.evaluate(async (count) => {
    const tasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    });
    observer.observe({ type: "longtask" });
    const hass = document.querySelector("home-assistant").hass;
    const card = document.createElement("time-clock-card");
    card.setConfig({ type: "custom:time-clock-card", mode: "kiosk" });
    const started = performance.now();
    card.hass = hass;
    document.body.append(card);
    while (card.shadowRoot?.querySelectorAll(".tile").length !== count) {
      if (performance.now() - started > 20_000) break;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    const rendered = performance.now() - started;
    const tiles = card.shadowRoot?.querySelectorAll(".tile").length ?? 0;
    // A state change of one employee: the card renders again.
    const update = performance.now();
    const id = Object.keys(hass.states).find((key) => key.endsWith("_on_shift") && key.startsWith("binary_sensor."));
    const states = { ...hass.states, [id]: { ...hass.states[id], state: hass.states[id].state === "on" ? "off" : "on" } };
    card.hass = { ...hass, states };
    await card.updateComplete;
    const updated = performance.now() - update;
    // Let the observer see tasks that ended in the last frame.
    await new Promise((resolve) => setTimeout(resolve, 500));
    observer.disconnect();
    card.remove();
    return { tiles, rendered_ms: rendered, update_ms: updated, long_tasks_ms: tasks };
  }, expected);
}

await run(
  `card-${SCHEME}`,
  async ({ page, config, report }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const step of STEPS) {
      await report.section(page, step, async () => {
        if (step === "dashboard") {
          await createDashboard(page);
        } else if (step === "kiosk") {
          await openView(page, config, "door", ".tile");
          await report.screen(page, "kiosk", { expect: EMPLOYEES });
          keep(report, "kiosk", `card-kiosk-${SCHEME}.png`);
          await page.setViewportSize({ width: 390, height: 844 });
          await report.screen(page, "kiosk-phone", { expect: EMPLOYEES });
          keep(report, "kiosk-phone", `card-kiosk-phone-${SCHEME}.png`);
          await page.setViewportSize({ width: 1280, height: 800 });
        } else if (step === "punch") {
          await openView(page, config, "door", ".tile");
          const name = process.env.PUNCH_EMPLOYEE;
          report.fact("punch_question", await tapAndConfirm(page, report, name, "punch-confirm"));
          keep(report, "punch-confirm", `card-confirm-${SCHEME}.png`);
          const result = tileOf(page, name).locator(".result.ok");
          await result.waitFor();
          report.fact("punch_result", (await result.textContent()).trim());
          await report.screen(page, "punch-done");
        } else if (step === "fail") {
          const name = process.env.FAIL_EMPLOYEE;
          await failPunchesOf(page, name);
          await openView(page, config, "door", ".tile");
          report.fact("fail_question", await tapAndConfirm(page, report, name, "fail-confirm"));
          const result = tileOf(page, name).locator(".result.error");
          await result.waitFor();
          report.fact("fail_result", (await result.textContent()).trim());
          await report.screen(page, "fail-shown");
          keep(report, "fail-shown", `card-error-${SCHEME}.png`);
        } else if (step === "reject") {
          // The backend refuses the employee: the tile shows its words once delivered.
          const name = process.env.REJECT_EMPLOYEE;
          await openView(page, config, "door", ".tile");
          report.fact("reject_question", await tapAndConfirm(page, report, name, "reject-confirm"));
          const note = tileOf(page, name).locator(".rejection");
          await note.waitFor({ timeout: 20_000 });
          report.fact("reject_note", (await note.textContent()).trim());
          await report.screen(page, "reject-shown");
          keep(report, "reject-shown", `card-rejected-${SCHEME}.png`);
        } else if (step === "admin") {
          await openView(page, config, "admin", ".account .week .sum");
          await report.screen(page, "admin", { expect: EMPLOYEES });
          keep(report, "admin", `card-admin-${SCHEME}.png`);
        } else if (step === "editor") {
          await page.evaluate(() => {
            const editor = document.createElement("time-clock-card-editor");
            editor.setConfig({ type: "custom:time-clock-card", mode: "kiosk" });
            editor.hass = document.querySelector("home-assistant").hass;
            editor.style.cssText =
              "position:fixed;inset:40px auto auto 300px;width:600px;z-index:9;padding:16px;background:var(--card-background-color)";
            document.body.append(editor);
          });
          await page.locator("time-clock-card-editor ha-form").waitFor();
          await page.locator("time-clock-card-editor ha-formfield, time-clock-card-editor ha-checkbox").first().waitFor();
          await report.screen(page, "editor", { scope: "time-clock-card-editor", expect: EMPLOYEES });
          keep(report, "editor", `card-editor-${SCHEME}.png`);
        } else if (step === "perf") {
          await openView(page, config, "door", ".tile");
          const measured = await measureRender(page, Number(process.env.EXPECTED_TILES));
          report.fact("perf", measured);
        }
      });
    }
  },
  { colorScheme: SCHEME },
);
