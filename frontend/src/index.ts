// The bundle's entry: define the card and its editor, and show the card in the card picker.

import { TimeClockCard } from "./card";
import { TimeClockCardEditor } from "./editor";

interface CustomCardEntry {
  type: string;
  name: string;
  description: string;
  preview: boolean;
  documentationURL: string;
}

if (!customElements.get("time-clock-card")) {
  customElements.define("time-clock-card", TimeClockCard);
}
if (!customElements.get("time-clock-card-editor")) {
  customElements.define("time-clock-card-editor", TimeClockCardEditor);
}

const win = window as unknown as { customCards?: CustomCardEntry[] };
win.customCards = win.customCards ?? [];
if (!win.customCards.some((card) => card.type === "time-clock-card")) {
  win.customCards.push({
    type: "time-clock-card",
    name: "Time Clock",
    description: "Door tablet: employees clock in and out with a tap; admin view of delivery and this week's hours.",
    preview: false,
    documentationURL: "https://github.com/time-clock/time_clock#door-tablet-card",
  });
}
