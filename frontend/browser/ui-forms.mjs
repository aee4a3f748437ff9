// Open Time Clock's forms in Home Assistant's UI as a user would; report what they show.
//
// Environment (besides lib.mjs's): ENTRY_ID, the Calamari account the harness seeded
// (with a reader named READER_NAME, default "Front door", and an employee named EMPLOYEE,
// default "John White", off shift: the scenario clocks them in through the punch action).
// Facts reported: the words the integration page uses for an account and where
// "Add employee" is.

import { readFileSync } from "node:fs";
import path from "node:path";
import { INTEGRATION, run, text, tree } from "./lib.mjs";

const ENTRY_ID = process.env.ENTRY_ID;
const READER_NAME = process.env.READER_NAME ?? "Front door";
const EMPLOYEE = process.env.EMPLOYEE ?? "John White";
const LOCAL_NAME = "Workshop";
const BAD_TAG = "NOT-A-TAG!";
const BAD_TOPIC = "doors/#/reads";
const BAD_FEEDBACK_TOPIC = "doors/+/feedback";
const HTTP_URL = "http://calamari.example.com/api";
// What the options offer a Calamari account with a reader: Calamari has no reasons or
// activities, so neither their menu items nor the readers' reason and activity fields.
const CALAMARI_MENU = ["settings", "add_reader", "edit_reader", "remove_reader"];
const READER_FIELDS = ["name", "topic", "role", "template", "feedback_topic"];
const INTEGRATION_NAME = JSON.parse(readFileSync(path.join(INTEGRATION, "manifest.json"), "utf8")).name;

/** Return the open flow dialog. */
const flowDialog = (page) => page.locator("dialog-data-entry-flow");

/** Open the add-integration dialog of Time Clock and confirm it; the backend menu shows. */
async function openAddIntegration(page, config) {
  await page.goto(`${config.url}/config/integrations/dashboard/add?domain=time_clock`);
  await page.getByRole("button", { name: "OK" }).click();
  await flowDialog(page).getByText(text("config.step.user.title")).waitFor();
}

/** Submit the open flow form. */
async function submit(page) {
  await flowDialog(page).getByRole("button", { name: "Submit" }).click();
}

/** Submit the open form, wait for an error message and read the screen. */
async function submitRefused(page, report, name, message) {
  await submit(page);
  await flowDialog(page).getByText(message).waitFor();
  await report.screen(page, name, { expect: [message] });
}

/** Open the integration page and return the seeded account's row.
 *
 * Every release marks the account's row with its entry id; the rows of its employees
 * (sub-entries) come after it and may carry the same id, so the first match is the
 * account's own row. Its buttons are found by their names, which do not change.
 */
async function openEntryRow(page, config) {
  await page.goto(`${config.url}/config/integrations/integration/time_clock`);
  const row = page.locator(`[data-entry-id="${ENTRY_ID}"]`).first();
  await row.waitFor();
  return row;
}

/** Open the menu (three dots) of the seeded account's row. */
async function openEntryMenu(page, config) {
  const row = await openEntryRow(page, config);
  await row.getByRole("button", { name: "Menu", exact: true }).first().click();
}

/** Open the options flow of the seeded account (its Configure button). */
async function openOptions(page, config) {
  const row = await openEntryRow(page, config);
  // Exact: the employees' rows have "Reconfigure employee" buttons.
  await row.getByRole("button", { name: "Configure", exact: true }).first().click();
  await flowDialog(page).getByText(text("options.step.init.title")).waitFor();
}

/** Return the text of the last heading above the seeded account's row. */
async function headingAbove(page, row) {
  const top = (await row.boundingBox()).y;
  let found = null;
  for (const heading of await page.getByRole("heading").all()) {
    const box = await heading.boundingBox();
    if (box && box.y < top && (found === null || box.y >= found.y)) {
      found = { y: box.y, text: (await heading.innerText()).trim() };
    }
  }
  return found?.text ?? null;
}

/** Choose an option of the open dialog's (only) drop-down. */
async function choose(page, option) {
  await flowDialog(page).locator("ha-select").first().click();
  // A list of options in older releases, a menu of items in newer ones.
  await page
    .getByRole("option", { name: option })
    .or(page.getByRole("menuitem", { name: option }))
    .first()
    .click();
}

/** Open Developer tools -> Actions in UI mode with an action chosen and an employee targeted.
 *
 * The action is searched for in the picker's own search field (the one focused when it
 * opens). Older releases target a device through "Choose device"; newer ones through
 * "Add target", whose list shows the employee's entities and then its device, the row
 * that names the integration.
 */
async function openAction(page, config, action, employee) {
  await page.goto(`${config.url}/developer-tools/action`);
  await page.locator("ha-service-picker").click();
  const id = `time_clock.${action}`;
  await page.locator("input:focus").fill(id);
  await page.getByRole("option").filter({ hasText: id }).or(page.getByText(id, { exact: true })).first().click();
  const chooseDevice = page.getByRole("button", { name: "Choose device" });
  const addTarget = page.getByText("Add target", { exact: true });
  await chooseDevice.or(addTarget).first().waitFor();
  if (await chooseDevice.isVisible()) {
    await chooseDevice.click();
    await page.locator("ha-device-picker input").fill(employee);
    await page.getByRole("option").filter({ hasText: employee }).first().click();
  } else {
    await addTarget.click();
    await page.locator("input:focus").fill(employee);
    await page
      .locator("ha-combo-box-item")
      .filter({ hasText: employee })
      .filter({ hasText: INTEGRATION_NAME })
      .first()
      .click();
  }
}

/** Open an action for the employee and read its form: description, target, fields. */
async function showAction(page, config, report, action) {
  await openAction(page, config, action, EMPLOYEE);
  const fields = Object.values(tree(`services.${action}.fields`));
  await report.screen(page, `action-${action.replace("_", "-")}`, {
    expect: [
      text(`services.${action}.description`),
      EMPLOYEE,
      ...fields.flatMap((field) => [field.name, field.description]),
    ],
  });
}

/** Perform the chosen action and wait until the button says how it went. */
async function performAction(page) {
  await page.getByRole("button", { name: "Perform action" }).click();
  await page.locator("ha-progress-button").locator(".success, .error").first().waitFor().catch(() => undefined);
}

await run("ui-forms", async ({ page, config, report }) => {
  await report.section(page, "add-local", async () => {
    await openAddIntegration(page, config);
    await report.screen(page, "add-integration-menu", {
      expect: Object.values(tree("config.step.user.menu_options")),
    });
    await page.getByText(text("config.step.user.menu_options.local")).click();
    await report.screen(page, "local-form", {
      expect: [text("config.step.local.data.name"), text("config.step.local.data_description.name")],
    });
    await flowDialog(page).locator('input[name="name"]').fill(LOCAL_NAME);
    await submit(page);
    // The last step says the account was made ("Created configuration for ...") or,
    // in newer releases, offers to name its device; both end with a finish button.
    const finish = flowDialog(page).getByRole("button", { name: /^(skip and )?finish$/i });
    await finish.waitFor();
    await report.screen(page, "local-created");
    await finish.click();
  });

  await report.section(page, "local-name-exists", async () => {
    await openAddIntegration(page, config);
    await page.getByText(text("config.step.user.menu_options.local")).click();
    await flowDialog(page).locator('input[name="name"]').fill(LOCAL_NAME);
    await submitRefused(page, report, "local-name-exists", text("config.error.name_exists"));
  });

  await report.section(page, "calamari-https-required", async () => {
    await openAddIntegration(page, config);
    await page.getByText(text("config.step.user.menu_options.calamari")).click();
    await report.screen(page, "calamari-form", {
      expect: [
        text("config.step.calamari.title"),
        text("config.step.calamari.data.api_url"),
        text("config.step.calamari.data.api_key"),
      ],
    });
    await flowDialog(page).locator('input[name="api_url"]').fill(HTTP_URL);
    await flowDialog(page).locator('input[name="api_key"]').fill("not-checked");
    await submitRefused(page, report, "calamari-https-required", text("config.error.https_required"));
  });

  await report.section(page, "integration-page", async () => {
    const row = await openEntryRow(page, config);
    await page.getByText(LOCAL_NAME, { exact: true }).first().waitFor();
    const shown = await report.screen(page, "integration-page", { expect: [LOCAL_NAME] });
    // The heading above the accounts and the button that adds one, as this version says.
    report.fact("entries_heading", await headingAbove(page, row));
    const addEmployee = text("config_subentries.employee.initiate_flow.user");
    report.fact("add_entry_button", shown.find((b) => /^add /i.test(b) && b !== addEmployee) ?? null);
  });

  await report.section(page, "add-employee", async () => {
    await openEntryMenu(page, config);
    const item = page.getByRole("menuitem", {
      name: text("config_subentries.employee.initiate_flow.user"),
    });
    await item.waitFor();
    await report.screen(page, "account-menu", {
      expect: [text("config_subentries.employee.initiate_flow.user")],
    });
    report.fact("add_employee_in", "the account's menu (three dots) on the integration page");
    await item.click();
    const step = "config_subentries.employee.step.add_calamari";
    await flowDialog(page).getByText(text(`${step}.title`)).waitFor();
    await report.screen(page, "employee-form", {
      expect: [
        text(`${step}.title`),
        text(`${step}.data.name`),
        text(`${step}.data.identifier`),
        `Add ${text(`${step}.data.tags`)}`,
        text(`${step}.data.readers`),
        READER_NAME,
      ],
    });
    await flowDialog(page).locator('input[name="name"]').fill("Sam Green");
    await flowDialog(page).locator('input[name="identifier"]').fill("sam.green@example.com");
    await flowDialog(page).getByRole("button", { name: `Add ${text(`${step}.data.tags`)}` }).click();
    // The new, empty field of the list of tags (ha-input-multi in newer releases).
    await flowDialog(page)
      .locator("ha-multi-textfield input, ha-input-multi input")
      .last()
      .fill(BAD_TAG);
    const message = text("config_subentries.employee.error.invalid_tag", { tag: BAD_TAG });
    await submitRefused(page, report, "employee-invalid-tag", message);
  });

  await report.section(page, "add-reader", async () => {
    await openOptions(page, config);
    await report.screen(page, "options-menu", {
      expect: CALAMARI_MENU.map((key) => text(`options.step.init.menu_options.${key}`)),
    });
    await flowDialog(page).getByText(text("options.step.init.menu_options.add_reader")).click();
    const step = "options.step.add_reader";
    await report.screen(page, "add-reader-form", {
      expect: [
        text(`${step}.title`),
        ...READER_FIELDS.map((key) => text(`${step}.data.${key}`)),
        text("selector.reader_role.options.toggle"),
      ],
    });
    await flowDialog(page).locator('input[name="name"]').fill("Back door");
    await flowDialog(page).locator('input[name="topic"]').fill(BAD_TOPIC);
    await submitRefused(page, report, "add-reader-invalid-topic", text("options.error.invalid_topic"));
  });

  await report.section(page, "change-reader", async () => {
    await openOptions(page, config);
    await flowDialog(page).getByText(text("options.step.init.menu_options.edit_reader")).click();
    await report.screen(page, "change-reader-pick", {
      expect: [text("options.step.edit_reader.title"), text("options.step.edit_reader.data.reader")],
    });
    await choose(page, READER_NAME);
    await submit(page);
    const step = "options.step.change_reader";
    await flowDialog(page).locator('input[name="feedback_topic"]').waitFor();
    await report.screen(page, "change-reader-form", {
      expect: [text(`${step}.title`), ...READER_FIELDS.map((key) => text(`${step}.data.${key}`))],
    });
    await flowDialog(page).locator('input[name="feedback_topic"]').fill(BAD_FEEDBACK_TOPIC);
    await submitRefused(page, report, "change-reader-invalid-feedback-topic", text("options.error.invalid_feedback_topic"));
  });

  await report.section(page, "action-clock-out", async () => {
    await showAction(page, config, report, "clock_out");
    // The employee is off shift: the action fails with the integration's own words.
    await performAction(page);
    const message = text("exceptions.not_on_shift.message", { employee: EMPLOYEE });
    await page.getByText(message).waitFor();
    await report.screen(page, "action-clock-out-refused", { expect: [message] });
  });

  await report.section(page, "action-punch", async () => {
    await showAction(page, config, report, "punch");
    // The test checks that this punch clocked the employee in.
    await performAction(page);
    await report.screen(page, "action-punch-performed");
  });
});
