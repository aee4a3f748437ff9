// The card's words and numbers in the user's language (Home Assistant's profile setting).

import { LANGUAGES, type Key } from "./translations";
import type { HomeAssistant } from "./types";

/** Words, times and durations in one language. */
export interface Localizer {
  language: string;
  t(key: Key, params?: Record<string, string | number>): string;
  plural(base: "pending", count: number): string;
  time(date: Date): string;
  dateTime(date: Date): string;
  duration(hours: number): string;
  hours(hours: number): string;
  weekday(date: string): string;
}

/** Return the card's language for a Home Assistant language tag (de-CH -> de; else en). */
export function languageOf(tag: string | undefined): string {
  const base = (tag ?? "en").toLowerCase().split(/[-_]/)[0] ?? "en";
  return base in LANGUAGES ? base : "en";
}

/** Return the time zone Home Assistant's profile asks times to be shown in. */
export function timeZoneOf(hass: HomeAssistant): string | undefined {
  // "local" is the browser's zone; "server" (and anything else) is Home Assistant's.
  return hass.locale?.time_zone === "local" ? undefined : hass.config.time_zone;
}

/** Return the 12- or 24-hour clock of Home Assistant's profile (else the language's). */
export function hourCycleOf(hass: HomeAssistant): { hourCycle?: "h12" | "h23" } {
  const format = hass.locale?.time_format;
  if (format === "12") return { hourCycle: "h12" };
  if (format === "24") return { hourCycle: "h23" };
  return {};
}

/** Return the localizer of the user's language, with Home Assistant's time zone. */
export function localizer(hass: HomeAssistant): Localizer {
  const tag = hass.locale?.language ?? hass.language;
  const language = languageOf(tag);
  const words = LANGUAGES[language] ?? {};
  const fallback = LANGUAGES.en ?? {};
  const timeZone = timeZoneOf(hass);
  const intlTag = tag && languageOf(tag) === language ? tag : language;
  const clock = { timeZone, hour: "2-digit", minute: "2-digit", ...hourCycleOf(hass) } as const;
  const timeFormat = new Intl.DateTimeFormat(intlTag, clock);
  const dateTimeFormat = new Intl.DateTimeFormat(intlTag, { ...clock, weekday: "short" });
  const weekdayFormat = new Intl.DateTimeFormat(intlTag, { timeZone: "UTC", weekday: "short" });
  const decimal = new Intl.NumberFormat(intlTag, { maximumFractionDigits: 1 });
  const plurals = new Intl.PluralRules(intlTag);
  const t = (key: Key, params: Record<string, string | number> = {}): string =>
    (words[key] ?? fallback[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  return {
    language,
    t,
    plural: (base, count) => {
      const key = `${base}_${plurals.select(count)}` as Key;
      return t(key in words || key in fallback ? key : (`${base}_other` as Key), { count });
    },
    time: (date) => timeFormat.format(date),
    dateTime: (date) => dateTimeFormat.format(date),
    duration: (hours) => {
      const minutes = Math.max(0, Math.round(hours * 60));
      const whole = Math.floor(minutes / 60);
      const rest = String(minutes % 60).padStart(whole ? 2 : 1, "0");
      return whole
        ? t("duration_hours", { hours: whole, minutes: rest })
        : t("duration_minutes", { minutes: rest });
    },
    hours: (hours) => t("hours", { hours: decimal.format(hours) }),
    weekday: (date) => weekdayFormat.format(new Date(`${date}T12:00:00Z`)),
  };
}
