// The insight strip (templates/workshops/insight.html): what the board says so far, worked out
// by the server from what everyone may see (workshops/insight.py, the one implementation of the
// arithmetic): the lead time, the slowest step, the top hot spot, hand-offs, gates, what is
// missing. The figures are fetched again (GET /w/<slug>/insight/) a second or so after a change
// that can move them: timings, votes, the board's settings, stickies. Fifty screens hear each
// change at once, so each waits a little longer or shorter than the others; a screen asks once
// at a time, and not while its tab is hidden (it asks when it is shown again).
// Each event on the timeline says its share of the time and of the pain in words on the sticky
// (part of its description for screen readers) and its column is shaded by them: colour is
// never the only sign. Shown to everyone from the pain points on; to facilitators in every step.

import { fromHtml } from "./page.js";
import { describe } from "./work/merges.js";

const QUIET = 1000; // ms after a change before asking
const SPREAD = 800; // ms more, at random, so that screens told at once do not ask at once
const REMEMBERED = "p2pboard:insight-open"; // the details opened or closed, on this device
const SETTINGS = ["votes_hidden", "sizes", "calendar_days"]; // of the board's, those it counts

const json = (id) => JSON.parse(document.getElementById(id)?.textContent ?? "null");

function remembered() {
  try {
    return localStorage.getItem(REMEMBERED) === "1";
  } catch {
    return false; // storage refused (a private window): closed
  }
}

function remember(open) {
  try {
    localStorage.setItem(REMEMBERED, open ? "1" : "0");
  } catch {
    // not remembered: it still opens and closes
  }
}

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

// "Bottleneck 1 · 42%" seen, "… of the time" said as well.
function pill(what, { name, share, level }) {
  const shown = span(`insight-${what} level-${level}`, [name, share].filter(Boolean).join(" · "));
  if (share) shown.append(span("visually-hidden", ` of the ${what}`));
  return shown;
}

export function wireInsight({ facilitator }) {
  const strip = document.getElementById("insight");
  return strip ? new InsightStrip(strip, facilitator) : null;
}

class InsightStrip {
  constructor(strip, facilitator) {
    this.strip = strip;
    this.facilitator = facilitator;
    this.url = strip.dataset.url;
    this.phases = strip.dataset.phases.split(" ");
    this.toggle = strip.querySelector(".insight-toggle");
    this.said = strip.querySelector("[data-insight-said]");
    this.state = json("board-state") ?? {};
    this.marks = json("insight-marks") ?? {};
    this.lastSaid = this.figures.dataset.said;
    this.lastHtml = null;
    this.timer = null; // a request waiting for its moment
    this.asking = false; // a request under way
    this.again = false; // something changed while it was
    this.stale = false; // something changed while nobody could see it
    this.closed = false; // the board's socket was refused: nothing more to ask
    this.open = remembered();
    this.toggle.addEventListener("click", () => {
      this.open = !this.open;
      remember(this.open);
      this.showOpen();
    });
    this.wire();
    this.showOpen();
    this.showOrHide();
    this.markAll();
  }

  get figures() {
    return this.strip.querySelector("[data-insight-figures]");
  }

  get shown() {
    return !this.strip.hidden;
  }

  wire() {
    const changed = () => this.later();
    for (const name of ["board:timing", "board:tally", "board:stickies", "board:replaced", "board:work-reset"]) {
      document.addEventListener(name, changed);
    }
    document.addEventListener("board:state", (event) => {
      const before = this.state;
      this.state = event.detail;
      this.showOrHide();
      if (SETTINGS.some((name) => JSON.stringify(before[name]) !== JSON.stringify(this.state[name]))) this.later();
    });
    // A sticky drawn again comes without its marks; a snapshot draws them all again.
    document.addEventListener("board:placed", (event) => this.mark(event.detail));
    document.addEventListener("board:replaced", () => this.markAll());
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.stale) this.later();
    });
    // Refused by the board (removed, or the workshop deleted): the strip stays as it was.
    document.addEventListener("board:closed", () => {
      this.closed = true;
      clearTimeout(this.timer);
      this.timer = null;
    });
  }

  // --- asking the server ---

  later() {
    if (this.closed) return;
    if (document.hidden || !this.shown) {
      this.stale = true;
      return;
    }
    if (this.timer) return; // the request waiting will see this change too
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ask();
    }, QUIET + Math.random() * SPREAD);
  }

  async ask() {
    if (this.asking) {
      this.again = true;
      return;
    }
    this.asking = true;
    this.stale = false;
    try {
      const response = await fetch(this.url, { headers: { Accept: "text/html" }, cache: "no-store" });
      if (response.ok) this.show(await response.text());
    } catch {
      // Offline: the socket's catch-up, when it is back, tells of the changes again.
      this.stale = true;
    } finally {
      this.asking = false;
      if (this.again) {
        this.again = false;
        this.later();
      }
    }
  }

  show(html) {
    if (html === this.lastHtml) return;
    this.lastHtml = html;
    const fresh = fromHtml(html);
    if (!fresh?.matches("[data-insight-figures]")) return;
    this.figures.replaceWith(fresh);
    this.marks = json("insight-marks") ?? {};
    this.showOpen();
    this.markAll();
    // Said once, politely, when the figures that matter most move.
    if (fresh.dataset.said !== this.lastSaid) {
      this.lastSaid = fresh.dataset.said;
      this.said.textContent = `Insight: ${this.lastSaid}`;
    }
  }

  // --- on the page ---

  showOrHide() {
    const shown = this.facilitator || this.phases.includes(this.state.phase);
    if (shown === this.shown) return;
    this.strip.hidden = !shown;
    this.markAll();
    if (shown && this.stale) this.later();
  }

  showOpen() {
    this.toggle.setAttribute("aria-expanded", String(this.open));
    this.strip.classList.toggle("is-open", this.open);
    const more = this.strip.querySelector("#insight-more");
    if (more) more.hidden = !this.open;
  }

  markAll() {
    const ids = new Set(Object.keys(this.marks));
    document.querySelectorAll("#timeline .insight-mark").forEach((mark) => ids.add(mark.id.slice(3)));
    document.querySelectorAll("#timeline .column[data-insight-time], #timeline .column[data-insight-pain]").forEach((column) => ids.add(column.dataset.id));
    for (const id of ids) this.mark(id);
  }

  // An event's share of the time and of the pain, said on it ("Bottleneck 1 · 74%", "◷ 5%")
  // and shading its column; nothing while the strip is not shown or the event is not on the
  // timeline.
  mark(id) {
    const sticky = document.getElementById(`s-${id}`);
    const column = document.getElementById(`c-${id}`);
    const onTimeline = Boolean(sticky && sticky.parentElement === column);
    const figures = this.shown && onTimeline ? this.marks[id] : null;
    if (column) {
      for (const [name, figure] of [["insightTime", figures?.time], ["insightPain", figures?.pain]]) {
        if (figure?.level) column.dataset[name] = String(figure.level);
        else delete column.dataset[name];
      }
    }
    if (!sticky) return;
    let mark = sticky.querySelector(":scope > .insight-mark");
    if (!figures) {
      if (mark) {
        mark.remove();
        describe(sticky);
      }
      return;
    }
    if (!mark) {
      mark = document.createElement("p");
      mark.className = "insight-mark sticky-said";
      mark.id = `im-${id}`;
    }
    if (sticky.lastElementChild !== mark) sticky.append(mark); // after the timing's badge
    mark.replaceChildren(span("visually-hidden", "Insight: "));
    if (figures.time) mark.append(pill("time", figures.time));
    if (figures.time && figures.pain) mark.append(span("visually-hidden", "; "));
    if (figures.pain) mark.append(pill("pain", figures.pain));
    describe(sticky);
  }
}
