import { afterEach, describe, expect, it, vi } from "vitest";
import "../src/index";
import { CONFIRM_TIMEOUT_MS, ERROR_SHOWN_MS, RELOAD_DELAY_MS, type TimeClockCard } from "../src/card";
import type { CardConfig, HomeAssistant } from "../src/types";
import { JANE, JOHN, OFFICE, SAM, entity, fakeHass } from "./fixtures";

/** Let promises and Lit's updates run until the card is quiet. */
async function settle(card: TimeClockCard): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await card.updateComplete;
  }
}

/** Return a connected card with a configuration and a Home Assistant. */
async function mount(config: Partial<CardConfig> = {}, hass = fakeHass()) {
  const card = document.createElement("time-clock-card") as TimeClockCard;
  card.setConfig({ type: "custom:time-clock-card", ...config });
  card.hass = hass.hass;
  document.body.append(card);
  await settle(card);
  return { card, ...hass };
}

const root = (card: TimeClockCard) => card.shadowRoot!;
const tile = (card: TimeClockCard, id: string) =>
  root(card).querySelector<HTMLButtonElement>(`.tile[data-employee="${id}"]`)!;
const text = (element: Element | null | undefined) => element?.textContent?.replace(/\s+/g, " ").trim() ?? "";

afterEach(() => {
  document.body.innerHTML = "";
  vi.useRealTimers();
});

describe("registration", () => {
  it("defines the card and its editor and lists the card in the picker", () => {
    expect(customElements.get("time-clock-card")).toBeDefined();
    expect(customElements.get("time-clock-card-editor")).toBeDefined();
    const cards = (window as unknown as { customCards: { type: string; name: string }[] }).customCards;
    expect(cards.filter((card) => card.type === "time-clock-card")).toHaveLength(1);
    const Card = customElements.get("time-clock-card") as unknown as {
      getStubConfig(): object;
      getConfigElement(): HTMLElement;
    };
    expect(Card.getStubConfig()).toEqual({ mode: "kiosk" });
    expect(Card.getConfigElement().localName).toBe("time-clock-card-editor");
  });

  it("refuses an unknown mode", () => {
    const card = document.createElement("time-clock-card") as TimeClockCard;
    expect(() => card.setConfig({ type: "custom:time-clock-card", mode: "wall" as "kiosk" })).toThrow(
      "Unknown mode: wall",
    );
  });
});

describe("kiosk", () => {
  it("shows a tile per employee of every account: name, on shift, since, worked today", async () => {
    const { card, callWS } = await mount();
    expect(callWS).toHaveBeenCalledWith({ type: "time_clock/accounts" });
    const tiles = [...root(card).querySelectorAll(".tile")];
    expect(tiles.map((item) => text(item.querySelector(".name")))).toEqual(["John White", "Jane Doe", "Sam Green"]);
    expect(text(tile(card, JOHN.employee_id))).toBe("John White On shift since 07:30 AM Today 2 h 30 min");
    expect(text(tile(card, JANE.employee_id))).toBe("Jane Doe Off shift Today 0 min");
    expect(tile(card, JOHN.employee_id).classList.contains("on")).toBe(true);
    // No admin controls in kiosk mode.
    expect(root(card).querySelector(".retry, .stats, a")).toBeNull();
  });

  it("shows only the chosen accounts and employees", async () => {
    const { card } = await mount({ accounts: [OFFICE.entry_id], employees: [JANE.employee_id] });
    expect([...root(card).querySelectorAll(".tile .name")].map(text)).toEqual(["Jane Doe"]);
  });

  it("asks before punching and calls time_clock.punch for the employee's device", async () => {
    const { card, callService } = await mount();
    tile(card, JANE.employee_id).click();
    await settle(card);
    expect(text(root(card).querySelector(".question"))).toBe("Clock in Jane Doe?");
    expect(callService).not.toHaveBeenCalled();
    root(card).querySelector<HTMLButtonElement>(".confirm")!.click();
    await settle(card);
    expect(callService).toHaveBeenCalledWith("time_clock", "punch", {}, { device_id: "device-sub-jane" }, false);
    expect(root(card).querySelector(".dialog")).toBeNull();
    // The result shows at once, before the state change arrives.
    const jane = tile(card, JANE.employee_id);
    expect(jane.classList.contains("on")).toBe(true);
    expect(text(jane.querySelector(".result"))).toMatch(/^Clocked in at \d\d:\d\d [AP]M$/);
  });

  it("asks to clock out an employee on shift", async () => {
    const { card } = await mount();
    tile(card, JOHN.employee_id).click();
    await settle(card);
    expect(text(root(card).querySelector(".question"))).toBe("Clock out John White?");
    expect(text(root(card).querySelector(".confirm"))).toBe("Clock out");
  });

  it("does nothing when the question is cancelled, or left alone", async () => {
    const { card, callService } = await mount();
    tile(card, JANE.employee_id).click();
    await settle(card);
    root(card).querySelector<HTMLButtonElement>(".cancel")!.click();
    await settle(card);
    expect(root(card).querySelector(".dialog")).toBeNull();
    vi.useFakeTimers();
    tile(card, JANE.employee_id).click();
    await card.updateComplete;
    expect(root(card).querySelector(".dialog")).not.toBeNull();
    vi.advanceTimersByTime(CONFIRM_TIMEOUT_MS);
    await card.updateComplete;
    expect(root(card).querySelector(".dialog")).toBeNull();
    expect(callService).not.toHaveBeenCalled();
  });

  it("shows Home Assistant's message when the punch fails, for a while", async () => {
    const hass = fakeHass();
    hass.callService.mockRejectedValueOnce({
      code: "home_assistant_error",
      message: "The punch of Jane Doe could not be written to disk (No space left on device); it was not recorded.",
    });
    const { card } = await mount({}, hass);
    vi.useFakeTimers();
    tile(card, JANE.employee_id).click();
    await card.updateComplete;
    root(card).querySelector<HTMLButtonElement>(".confirm")!.click();
    await vi.advanceTimersByTimeAsync(0);
    await card.updateComplete;
    const jane = tile(card, JANE.employee_id);
    expect(text(jane.querySelector(".result.error"))).toBe(
      "Not recorded: The punch of Jane Doe could not be written to disk (No space left on device); it was not recorded.",
    );
    expect(jane.classList.contains("on")).toBe(false);
    await vi.advanceTimersByTimeAsync(ERROR_SHOWN_MS);
    await card.updateComplete;
    expect(jane.querySelector(".result")).toBeNull();
  });

  it("says a punch failed even when the error carries no message", async () => {
    const hass = fakeHass();
    hass.callService.mockRejectedValueOnce({});
    const { card } = await mount({}, hass);
    tile(card, SAM.employee_id).click();
    await settle(card);
    root(card).querySelector<HTMLButtonElement>(".confirm")!.click();
    await settle(card);
    expect(text(tile(card, SAM.employee_id).querySelector(".result"))).toBe("Not recorded. Try again.");
  });

  it("says when punches wait for delivery and when the backend refused the last one", async () => {
    const { card, hass } = await mount();
    const states = { ...hass.states };
    states[JOHN.entities.on_shift] = entity(JOHN.entities.on_shift, "on", {
      shift_start: "2026-03-02T07:30:00+00:00",
      pending_punches: 2,
      last_rejection: { code: "INVALID_EMPLOYEE", message: "Employee not found in Calamari", time: "", action: "clock_in" },
    });
    card.hass = { ...hass, states } as HomeAssistant;
    await settle(card);
    const john = tile(card, JOHN.employee_id);
    expect(text(john.querySelector(".pending"))).toBe("2 punches waiting to be delivered");
    expect(text(john.querySelector(".rejection"))).toBe("Refused by the backend: Employee not found in Calamari");
  });

  it("renders again only when a state it shows changed", async () => {
    const { card, hass } = await mount();
    const render = vi.spyOn(card as unknown as { render(): unknown }, "render");
    card.hass = { ...hass, states: { ...hass.states, "light.kitchen": entity("light.kitchen", "on") } } as HomeAssistant;
    await settle(card);
    expect(render).not.toHaveBeenCalled();
    card.hass = {
      ...hass,
      states: { ...hass.states, [JANE.entities.on_shift]: entity(JANE.entities.on_shift, "on", { shift_start: "2026-03-02T08:00:00Z" }) },
    } as HomeAssistant;
    await settle(card);
    expect(render).toHaveBeenCalledTimes(1);
    expect(text(tile(card, JANE.employee_id).querySelector(".status"))).toBe("On shift");
  });

  it("speaks the user's language", async () => {
    const hass = fakeHass({ language: "de", locale: { language: "de", time_zone: "server" } });
    const { card } = await mount({}, hass);
    expect(text(tile(card, JOHN.employee_id))).toBe("John White Im Dienst seit 07:30 Heute 2 Std. 30 Min.");
    tile(card, JANE.employee_id).click();
    await settle(card);
    expect(text(root(card).querySelector(".question"))).toBe("Jane Doe einstempeln?");
  });

  it("says so when the accounts cannot be loaded, or there is nobody to show", async () => {
    const failing = fakeHass();
    failing.callWS.mockRejectedValueOnce({ code: "unknown_command", message: "Unknown command." });
    const { card } = await mount({}, failing);
    expect(text(root(card).querySelector(".message.error"))).toBe(
      "Could not load the Time Clock accounts: Unknown command.",
    );
    const empty = fakeHass();
    empty.callWS.mockResolvedValueOnce({ accounts: [] });
    const second = await mount({}, empty);
    expect(text(root(second.card).querySelector(".message"))).toBe("No Time Clock account to show.");
    const nobody = await mount({ employees: ["gone"] });
    expect(text(root(nobody.card).querySelector(".message"))).toMatch(/^No employees to show/);
  });

  it("loads the accounts again after a device change, and lets go when removed", async () => {
    const hass = fakeHass();
    const { card, subscribeEvents, callWS, unsubscribe } = await mount({}, hass);
    expect(subscribeEvents).toHaveBeenCalledWith(expect.any(Function), "device_registry_updated");
    vi.useFakeTimers();
    callWS.mockResolvedValueOnce({ accounts: [{ ...OFFICE, employees: [JOHN] }] });
    const listener = subscribeEvents.mock.calls[0]![0];
    listener({});
    listener({});
    await vi.advanceTimersByTimeAsync(RELOAD_DELAY_MS);
    vi.useRealTimers();
    await settle(card);
    expect(callWS.mock.calls.filter(([m]) => m.type === "time_clock/accounts")).toHaveLength(2);
    expect([...root(card).querySelectorAll(".tile .name")].map(text)).toEqual(["John White"]);
    card.remove();
    await settle(card);
    expect(unsubscribe).toHaveBeenCalled();
  });

  it("renders 200 employees", async () => {
    const many = Array.from({ length: 200 }, (_, index) => ({
      ...JANE,
      employee_id: `sub-${index}`,
      name: `Employee ${index}`,
      device_id: `device-${index}`,
    }));
    const hass = fakeHass();
    hass.callWS.mockResolvedValueOnce({ accounts: [{ ...OFFICE, employees: many }] });
    const { card } = await mount({}, hass);
    expect(root(card).querySelectorAll(".tile")).toHaveLength(200);
  });
});

describe("admin", () => {
  it("shows pending, reachable, last delivery and the failed punches with the repairs link", async () => {
    const { card } = await mount({ mode: "admin" });
    const office = root(card).querySelector(`[data-account="${OFFICE.entry_id}"]`)!;
    expect(text(office.querySelector("h2"))).toBe("Office Calamari Clockin");
    expect(text(office.querySelector(".pending"))).toBe("3");
    expect(text(office.querySelector(".reachable"))).toBe("Not reachable");
    expect(text(office.querySelector(".last-delivery"))).toBe("Mon 09:15 AM");
    expect(text(office.querySelector(".failed"))).toBe("2 · Open repairs");
    expect(office.querySelector("a")!.getAttribute("href")).toBe("/config/repairs");
    const depot = root(card).querySelector(`[data-account="entry-depot"]`)!;
    expect(text(depot.querySelector("h2"))).toBe("Depot Local record");
    expect(text(depot.querySelector(".reachable"))).toBe("Reachable");
    expect(text(depot.querySelector(".last-delivery"))).toBe("Never");
    expect(depot.querySelector("a")).toBeNull();
  });

  it("opens the repairs page inside the app", async () => {
    const { card } = await mount({ mode: "admin" });
    const changed = vi.fn();
    window.addEventListener("location-changed", changed);
    root(card).querySelector<HTMLAnchorElement>("a")!.click();
    window.removeEventListener("location-changed", changed);
    expect(window.location.pathname).toBe("/config/repairs");
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it("retries an account's delivery and shows the outcome", async () => {
    const hass = fakeHass();
    const { card, callService } = await mount({ mode: "admin" }, hass);
    const office = () => root(card).querySelector(`[data-account="${OFFICE.entry_id}"]`)!;
    office().querySelector<HTMLButtonElement>(".retry")!.click();
    await settle(card);
    expect(callService).toHaveBeenCalledWith("time_clock", "retry", { account: OFFICE.entry_id }, undefined, false);
    expect(text(office().querySelector(".retry-row .note"))).toBe("Delivery retried");
    callService.mockRejectedValueOnce({ code: "unauthorized", message: "Unauthorized" });
    office().querySelector<HTMLButtonElement>(".retry")!.click();
    await settle(card);
    expect(text(office().querySelector(".retry-row .note.error"))).toBe("Not recorded: Unauthorized");
  });

  it("charts this week's hours per employee, Monday to Sunday, with the numbers", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-04T10:00:00Z"));
    const { card, callWS } = await mount({ mode: "admin", accounts: [OFFICE.entry_id] });
    expect(callWS).toHaveBeenCalledWith({
      type: "time_clock/timesheet",
      start: "2026-03-02",
      end: "2026-03-08",
      entry_id: OFFICE.entry_id,
    });
    const week = root(card).querySelector(".week")!;
    expect([...week.querySelectorAll(".head")].map(text)).toEqual([
      "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Total",
    ]);
    expect([...week.querySelectorAll(".num")].slice(0, 7).map(text)).toEqual(["2.5 h", "–", "–", "–", "–", "–", "–"]);
    expect(text(week.querySelector(`.sum[data-employee="${JOHN.employee_id}"]`))).toBe("2.5 h");
    expect(text(week.querySelector(`.sum[data-employee="${JANE.employee_id}"]`))).toBe("0 h");
    const bar = week.querySelector<HTMLElement>(".bar")!;
    expect(bar.getAttribute("style")).toContain("height: 31%");
    expect(bar.classList.contains("open")).toBe(true);
  });

  it("asks only for the chosen employees' hours and says when they cannot be read", async () => {
    const hass = fakeHass();
    hass.callWS.mockImplementation(async (message: Record<string, unknown>) => {
      if (message.type === "time_clock/accounts") return { accounts: [OFFICE] };
      throw { code: "invalid_format", message: "end is before start" };
    });
    const { card, callWS } = await mount({ mode: "admin", employees: [JANE.employee_id] }, hass);
    expect(callWS).toHaveBeenCalledWith(expect.objectContaining({ employees: [JANE.employee_id] }));
    expect(text(root(card).querySelector(".account .message.error"))).toBe(
      "Could not load this week's hours: end is before start",
    );
  });
});
