import { afterEach, describe, expect, it, vi } from "vitest";
import "../src/index";
import { configOf, editorSchema, type TimeClockCardEditor } from "../src/editor";
import { localizer } from "../src/localize";
import type { CardConfig } from "../src/types";
import { DEPOT, JANE, JOHN, OFFICE, SAM, fakeHass } from "./fixtures";

const CONFIG: CardConfig = { type: "custom:time-clock-card", mode: "kiosk" };
const english = localizer(fakeHass().hass);

/** Return the options of one field of the editor's schema. */
const options = (schema: ReturnType<typeof editorSchema>, name: string) =>
  ((schema.find((field) => field.name === name)!.selector.select as { options: { value: string; label: string }[] })
    .options);

afterEach(() => {
  document.body.innerHTML = "";
});

describe("editorSchema", () => {
  it("offers the modes, every account, and the employees of the chosen accounts", () => {
    const schema = editorSchema([OFFICE, DEPOT], CONFIG, english);
    expect(schema.map((field) => field.name)).toEqual(["mode", "title", "accounts", "employees"]);
    expect(options(schema, "mode").map((o) => o.label)).toEqual([
      "Door tablet: a tile per employee",
      "Administration: delivery and this week's hours",
    ]);
    expect(options(schema, "accounts")).toEqual([
      { value: OFFICE.entry_id, label: "Office" },
      { value: DEPOT.entry_id, label: "Depot" },
    ]);
    expect(options(schema, "employees").map((o) => o.label)).toEqual([
      "John White (Office)",
      "Jane Doe (Office)",
      "Sam Green (Depot)",
    ]);
    const depotOnly = editorSchema([OFFICE, DEPOT], { ...CONFIG, accounts: [DEPOT.entry_id] }, english);
    expect(options(depotOnly, "employees")).toEqual([{ value: SAM.employee_id, label: "Sam Green (Depot)" }]);
    expect(options(editorSchema([OFFICE], CONFIG, english), "employees")[0]!.label).toBe("John White");
  });
});

describe("configOf", () => {
  it("writes the chosen values and leaves empty choices out", () => {
    expect(
      configOf(CONFIG, { mode: "admin", title: "  Front door ", accounts: [], employees: [] }, [OFFICE, DEPOT]),
    ).toEqual({ type: "custom:time-clock-card", mode: "admin", title: "Front door" });
    expect(
      configOf({ ...CONFIG, title: "Old" }, { mode: "kiosk", title: "", accounts: [OFFICE.entry_id], employees: [JOHN.employee_id] }, [OFFICE, DEPOT]),
    ).toEqual({ type: "custom:time-clock-card", mode: "kiosk", accounts: [OFFICE.entry_id], employees: [JOHN.employee_id] });
  });

  it("drops employees of accounts no longer chosen, and ids that do not exist", () => {
    const config = configOf(
      CONFIG,
      { mode: "kiosk", accounts: [DEPOT.entry_id, "gone"], employees: [JOHN.employee_id, SAM.employee_id, "nobody"] },
      [OFFICE, DEPOT],
    );
    expect(config.accounts).toEqual([DEPOT.entry_id]);
    expect(config.employees).toEqual([SAM.employee_id]);
  });
});

describe("the editor element", () => {
  it("loads the accounts, fills ha-form and reports changes as config-changed", async () => {
    const { hass, callWS } = fakeHass();
    const editor = document.createElement("time-clock-card-editor") as TimeClockCardEditor;
    editor.setConfig({ ...CONFIG, employees: [JANE.employee_id] });
    editor.hass = hass;
    document.body.append(editor);
    for (let round = 0; round < 4; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await editor.updateComplete;
    }
    expect(callWS).toHaveBeenCalledWith({ type: "time_clock/accounts" });
    const form = editor.shadowRoot!.querySelector("ha-form") as HTMLElement & {
      data: Record<string, unknown>;
      schema: { name: string }[];
      computeLabel(field: { name: string }): string;
      computeHelper(field: { name: string }): string | undefined;
    };
    expect(form.data).toEqual({ type: "custom:time-clock-card", mode: "kiosk", accounts: [], employees: [JANE.employee_id] });
    expect(form.schema.map((field) => field.name)).toEqual(["mode", "title", "accounts", "employees"]);
    expect(form.schema.map((field) => form.computeLabel(field))).toEqual(["Mode", "Title", "Accounts", "Employees"]);
    expect(form.computeHelper({ name: "accounts" })).toBe("None chosen: every account.");
    expect(form.computeHelper({ name: "title" })).toBeUndefined();

    const changed = vi.fn();
    editor.addEventListener("config-changed", (event) => changed((event as CustomEvent).detail.config));
    form.dispatchEvent(
      new CustomEvent("value-changed", { detail: { value: { ...form.data, mode: "admin" } }, bubbles: true }),
    );
    expect(changed).toHaveBeenCalledWith({
      type: "custom:time-clock-card",
      mode: "admin",
      employees: [JANE.employee_id],
    });
  });

  it("says when the accounts cannot be loaded", async () => {
    const { hass, callWS } = fakeHass();
    callWS.mockRejectedValueOnce({ code: "unknown_command", message: "Unknown command." });
    const editor = document.createElement("time-clock-card-editor") as TimeClockCardEditor;
    editor.setConfig(CONFIG);
    editor.hass = hass;
    document.body.append(editor);
    for (let round = 0; round < 4; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await editor.updateComplete;
    }
    expect(editor.shadowRoot!.textContent).toContain("Could not load the Time Clock accounts: Unknown command.");
  });
});
