import { describe, expect, it } from "vitest";
import { languageOf, localizer, timeZoneOf } from "../src/localize";
import { LANGUAGES, en } from "../src/translations";
import type { HomeAssistant } from "../src/types";

const hassIn = (language: string, timeZone = "server") =>
  ({ language, locale: { language, time_zone: timeZone }, config: { time_zone: "Europe/Warsaw" } }) as unknown as HomeAssistant;

describe("languages", () => {
  it("speaks en, de, nl, fr, pl and es, each with every English key", () => {
    expect(Object.keys(LANGUAGES).sort()).toEqual(["de", "en", "es", "fr", "nl", "pl"]);
    for (const [language, words] of Object.entries(LANGUAGES)) {
      const missing = Object.keys(en).filter((key) => !(key in words));
      expect(missing, language).toEqual([]);
      // The same placeholders as English, so that no value is lost.
      for (const [key, value] of Object.entries(words)) {
        const english = en[key as keyof typeof en] ?? en.pending_other;
        const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(names(value), `${language}.${key}`).toEqual(names(english));
      }
    }
  });

  it("picks the language of Home Assistant's profile, English otherwise", () => {
    expect(languageOf("de-CH")).toBe("de");
    expect(languageOf("pl")).toBe("pl");
    expect(languageOf("pt-BR")).toBe("en");
    expect(languageOf(undefined)).toBe("en");
    expect(localizer(hassIn("nl")).t("confirm_clock_in", { name: "John White" })).toBe("John White inklokken?");
    expect(localizer(hassIn("fr")).t("confirm_clock_out", { name: "Jane" })).toBe("Pointer le départ de Jane ?");
    expect(localizer(hassIn("sv")).t("clock_in")).toBe("Clock in");
  });

  it("uses the plural forms of the language", () => {
    const pl = localizer(hassIn("pl"));
    expect(pl.plural("pending", 1)).toBe("1 odbicie czeka na wysłanie");
    expect(pl.plural("pending", 3)).toBe("3 odbicia czekają na wysłanie");
    expect(pl.plural("pending", 5)).toBe("5 odbić czeka na wysłanie");
    expect(pl.plural("pending", 22)).toBe("22 odbicia czekają na wysłanie");
    const english = localizer(hassIn("en"));
    expect(english.plural("pending", 1)).toBe("1 punch waiting to be delivered");
    expect(english.plural("pending", 4)).toBe("4 punches waiting to be delivered");
  });

  it("writes durations in hours and minutes", () => {
    const english = localizer(hassIn("en"));
    expect(english.duration(2.5)).toBe("2 h 30 min");
    expect(english.duration(8.05)).toBe("8 h 03 min");
    expect(english.duration(0.25)).toBe("15 min");
    expect(english.duration(-1)).toBe("0 min");
    expect(localizer(hassIn("de")).duration(1.5)).toBe("1 Std. 30 Min.");
    expect(localizer(hassIn("de")).hours(7.25)).toBe("7,3 Std.");
  });

  it("shows times in Home Assistant's zone unless the profile asks for the browser's", () => {
    const instant = new Date("2026-03-02T07:30:00Z");
    expect(localizer(hassIn("de")).time(instant)).toBe("08:30");
    expect(localizer(hassIn("en")).time(instant)).toBe("08:30 AM");
    const english24 = { ...hassIn("en"), locale: { language: "en", time_zone: "server", time_format: "24" } };
    expect(localizer(english24 as HomeAssistant).time(instant)).toBe("08:30");
    const german12 = { ...hassIn("de"), locale: { language: "de", time_zone: "server", time_format: "12" } };
    expect(localizer(german12 as HomeAssistant).time(instant)).toMatch(/^08:30\s?AM$/);
    expect(timeZoneOf(hassIn("de", "local"))).toBeUndefined();
    expect(timeZoneOf(hassIn("de", "server"))).toBe("Europe/Warsaw");
    expect(localizer(hassIn("en")).weekday("2026-03-02")).toBe("Mon");
    expect(localizer(hassIn("pl")).weekday("2026-03-08")).toBe("niedz.");
  });
});
