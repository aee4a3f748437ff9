// Open Time Clock's forms in Home Assistant's UI as a user would; report what they show.
//
// Environment (besides lib.mjs's): ENTRY_ID, the Calamari account the harness seeded
// (with a reader named READER_NAME, default "Front door", and an employee named EMPLOYEE,
// default "John White", off shift: the scenario clocks them in through the punch action).
// Facts reported: the words the integration page uses for an account and where
// "Add employee" is.

import { run, text, tree } from "./lib.mjs";

const ENTRY_ID = process.env.ENTRY_ID;
const READER_NAME = process.env.READER_NAME ?? "Front door";
const EMPLOYEE = process.env.EMPLOYEE ?? "John White";
const LOCAL_NAME = "Workshop";
const BAD_TAG = "NOT-A-TAG!";
const BAD_TOPIC = "doors/#/reads";
const BAD_FEEDBACK_TOPIC = "doors/+/feedback";
const HTTP_URL = "http://calamari.example.com/api";

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

/** Open the integration page and the menu of the seeded account's row. */
async function openEntryMenu(page, config) {
  await page.goto(`${config.url}/config/integrations/integration/time_clock`);
  const row = page.locator(`ha-md-list-item.config_entry[data-entry-id="${ENTRY_ID}"]`);
  await row.locator("ha-md-button-menu ha-icon-button").first().click();
  return row;
}

/** Open the options flow of the seeded account (its Configure button). */
async function openOptions(page, config) {
  await page.goto(`${config.url}/config/integrations/integration/time_clock`);
  const row = page.locator(`ha-md-list-item.config_entry[data-entry-id="${ENTRY_ID}"]`);
  await row.getByRole("button", { name: "Configure" }).click();
  await flowDialog(page).getByText(text("options.step.init.title")).waitFor();
}

/** Choose an option of the open dialog's (only) drop-down. */
async function choose(page, option) {
  await flowDialog(page).locator("ha-select").first().click();
  await page.getByRole("option", { name: option }).click();
}

/** Open Developer tools -> Actions in UI mode with an action chosen and an employee targeted. */
async function openAction(page, config, action, employee) {
  await page.goto(`${config.url}/developer-tools/action`);
  const picker = page.locator("ha-service-picker input");
  await picker.click();
  await picker.fill(`time_clock.${action}`);
  await page.getByRole("option").filter({ hasText: `time_clock.${action}` }).first().click();
  await page.getByText("Choose device").click();
  await page.locator("ha-device-picker input").fill(employee);
  await page.getByRole("option").filter({ hasText: employee }).first().click();
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
    await flowDialog(page).getByText(`Created configuration for ${LOCAL_NAME}`).waitFor();
    await report.screen(page, "local-created");
    await flowDialog(page).getByRole("button", { name: "Finish" }).click();
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
    await page.goto(`${config.url}/config/integrations/integration/time_clock`);
    await page.locator(`ha-md-list-item.config_entry[data-entry-id="${ENTRY_ID}"]`).waitFor();
    await report.screen(page, "integration-page", { expect: [LOCAL_NAME] });
    // The heading above the accounts and the button under them, as this version says.
    const card = page
      .locator("ha-card")
      .filter({ has: page.locator("ha-md-list-item.config_entry") });
    report.fact("entries_heading", (await card.locator("h1.card-header").innerText()).trim());
    const buttons = await card.locator("ha-button").allTextContents();
    report.fact("add_entry_button", buttons.map((b) => b.trim()).find((b) => /^add /i.test(b)) ?? null);
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
    await flowDialog(page).locator("ha-multi-textfield input").last().fill(BAD_TAG);
    const message = text("config_subentries.employee.error.invalid_tag", { tag: BAD_TAG });
    await submitRefused(page, report, "employee-invalid-tag", message);
  });

  await report.section(page, "add-reader", async () => {
    await openOptions(page, config);
    await report.screen(page, "options-menu", {
      expect: Object.values(tree("options.step.init.menu_options")),
    });
    await flowDialog(page).getByText(text("options.step.init.menu_options.add_reader")).click();
    const step = "options.step.add_reader";
    await report.screen(page, "add-reader-form", {
      expect: [
        text(`${step}.title`),
        ...Object.values(tree(`${step}.data`)),
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
      expect: [text(`${step}.title`), ...Object.values(tree(`${step}.data`))],
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
