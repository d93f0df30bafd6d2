// What the panels of timings, actions and the follow-up share: a panel (merges.js's WorkPanel,
// the one for all the phase work) with a summary on its button, people's names, the outcome of
// the changes each sends (told by the `work` in their meta), and text drawn as text.

import { quote } from "../page.js";
import { WorkPanel } from "./merges.js";

// The panel `name` (its part holds #<name>-opener and #<name>-panel), put forward in `phase`.
export function workPanel(name, phase, opened) {
  const panel = document.getElementById(`${name}-panel`);
  const opener = document.getElementById(`${name}-opener`);
  const shown = new WorkPanel({ panel, opener, phase, opened });
  // Where the work stands, said on its button ("3/8 timed", "2 open", a date).
  shown.summary = (text) => {
    const box = opener.querySelector("[data-work-summary]");
    box.textContent = text ? ` · ${text}` : "";
    box.hidden = !text;
  };
  // A strip too narrow for every button (a phone) scrolls to the one the step puts forward.
  const reveal = () => {
    const strip = opener.closest(".work");
    if (!opener.classList.contains("suggested") || !strip || strip.scrollWidth <= strip.clientWidth) return;
    const left = opener.getBoundingClientRect().left - strip.getBoundingClientRect().left + strip.scrollLeft;
    strip.scrollLeft = left - Math.max(0, (strip.clientWidth - opener.offsetWidth) / 2);
  };
  document.addEventListener("board:state", reveal);
  queueMicrotask(reveal);
  return shown;
}

// Someone's name: from the page's people, a change of theirs, or "Here now".
export class People {
  constructor() {
    this.known = new Map();
    for (const person of JSON.parse(document.getElementById("people-state")?.textContent ?? "[]")) {
      this.known.set(String(person.id), person);
    }
    document.addEventListener("board:participant", (event) => {
      const state = event.detail;
      this.known.set(String(state.id), { ...(this.known.get(String(state.id)) ?? {}), ...state });
    });
  }

  name(id) {
    if (id == null) return "";
    const known = this.known.get(String(id))?.name;
    if (known != null) return known;
    const shown = document.querySelector(`#presence .person[data-participant="${id}"] .name`);
    return shown?.textContent ?? "someone who left";
  }

  get(id) {
    return this.known.get(String(id));
  }

  // Everyone the workshop has (known from the page) and everyone here now, by name.
  everyone() {
    const ids = new Set(this.known.keys());
    document.querySelectorAll("#presence .person[data-participant]").forEach((item) => ids.add(item.dataset.participant));
    return [...ids].map((id) => ({ id, name: this.name(id) })).sort((a, b) => a.name.localeCompare(b.name));
  }

  present() {
    return [...document.querySelectorAll("#presence .person[data-participant]")].map((item) => item.dataset.participant);
  }
}

// One handler each for confirmed and refused changes: the editor's (if any) first, then the
// phase work's, told by the `work` their meta carries.
const listeners = { confirmed: [], refused: [] };
let wrapped = null;

export function onOutcome(live, work, { confirmed, refused }) {
  if (wrapped !== live) {
    wrapped = live;
    for (const kind of ["confirmed", "refused"]) {
      const before = live.handlers[kind];
      // (A refused handler returns true when it said the refusal itself, beside its field.)
      live.handlers[kind] = (sent, message) => {
        let shown = before?.(sent, message) === true;
        for (const listener of listeners[kind]) {
          if (sent.meta?.work === listener.work) shown = listener.run(sent, message) === true || shown;
        }
        return shown;
      };
    }
  }
  if (confirmed) listeners.confirmed.push({ work, run: confirmed });
  if (refused) listeners.refused.push({ work, run: refused });
}

// An element with its class and text (text, never html: what people typed stays text).
export function make(tag, className = "", text = "") {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text) element.textContent = text;
  return element;
}

// “A”, “B” and “C”.
export function listOfNames(texts) {
  const quoted = texts.map(quote);
  return quoted.length < 2 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
}

let counter = 0;
export const uniqueId = (prefix) => `${prefix}-${++counter}`;
