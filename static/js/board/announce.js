// What other people change, said to screen readers in a sentence, not a flood: the changes of
// about two seconds gathered and summed up ("Ana added 3 stickies", "Tom moved “Code
// reviewed”", "Sam and 2 others changed 5 stickies", "Priya joined") in the page's one polite
// live region. One's own changes are not said (the screen and the notice say them). The step
// of the agenda, the timer, votes and the estimation round have their own live regions
// (agenda.html, work/*.html): not said again here.

import { eventOf, isParked } from "./places.js";
import { fromHtml, quote } from "./page.js";

const GATHER_MS = 2000;

const plural = (count, one, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function list(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

// What each kind of change is called, of one thing (named) and of several (counted).
const SAYS = {
  added: [(text) => `added ${quote(text)}`, (n) => `added ${plural(n, "sticky", "stickies")}`],
  private: [() => "added a private sticky", (n) => `added ${plural(n, "private sticky", "private stickies")}`],
  edited: [(text) => `edited ${quote(text)}`, (n) => `edited ${plural(n, "sticky", "stickies")}`],
  moved: [(text) => `moved ${quote(text)}`, (n) => `moved ${plural(n, "sticky", "stickies")}`],
  changed: [(text) => `changed ${quote(text)}`, (n) => `changed ${plural(n, "sticky", "stickies")}`],
  deleted: [(text) => `deleted ${quote(text)}`, (n) => `deleted ${plural(n, "sticky", "stickies")}`],
  merged: [(text) => `merged ${quote(text)} into another`, (n) => `merged ${plural(n, "sticky", "stickies")} into others`],
  back: [(text) => `brought back ${quote(text)}`, (n) => `brought back ${plural(n, "sticky", "stickies")}`],
  revealed: [() => "revealed a private sticky", (n) => `revealed ${plural(n, "private sticky", "private stickies")}`],
  timed: [(text) => `timed ${quote(text)}`, (n) => `timed ${plural(n, "step")}`],
  untimed: [(text) => `took the timing off ${quote(text)}`, (n) => `took the timing off ${plural(n, "step")}`],
  action: [(text) => `added the action ${quote(text)}`, (n) => `added ${plural(n, "action")}`],
  actionChanged: [(text) => `changed the action ${quote(text)}`, (n) => `changed ${plural(n, "action")}`],
  actionDeleted: [(text) => `deleted the action ${quote(text)}`, (n) => `deleted ${plural(n, "action")}`],
};
const ABOUT_STICKIES = new Set(["added", "private", "edited", "moved", "changed", "deleted", "merged", "back", "revealed"]);

export class Announcer {
  constructor({ board, participant, nameOf }) {
    this.region = document.getElementById("board-said");
    if (!this.region) return;
    this.board = board;
    this.me = participant;
    this.nameOf = nameOf;
    this.heard = []; // {by, says, text} since the last time something was said
    this.present = this.presentNow(); // who was here when it was last said
    document.addEventListener("board:patch", (event) => this.patch(event.detail));
    document.addEventListener("board:presence", () => this.gather());
  }

  // A patch, before it is applied: what it changes is told apart from what is on screen.
  patch(message) {
    if (message.by != null && String(message.by) === this.me) return;
    for (const state of message.entities ?? []) {
      if (state.version <= (this.board.versions.get(`${state.entity}:${state.id}`) ?? 0)) continue;
      const change = this.changeOf(state);
      if (change) this.heard.push({ by: message.by, name: this.authorOf(message.by, state), ...change });
    }
    if (this.heard.length) this.gather();
  }

  changeOf(state) {
    const known = this.board.versions.has(`${state.entity}:${state.id}`);
    if (state.entity === "sticky") return this.stickyChange(state, known);
    if (state.entity === "timing") {
      const first = this.board.sticky(state.events?.[0]);
      const text = first?.querySelector(".text")?.textContent ?? "a step";
      return { says: state.deleted ? "untimed" : "timed", text };
    }
    if (state.entity === "action") {
      return { says: state.deleted ? "actionDeleted" : known ? "actionChanged" : "action", text: state.text };
    }
    return null; // the board's state, the round, votes, people: said where they are shown
  }

  stickyChange(state, known) {
    const shown = this.board.sticky(state.id);
    const text = state.text ?? shown?.querySelector(".text")?.textContent ?? "";
    if (!("html" in state)) {
      // Someone else's private sticky: only that it was written.
      return !state.deleted && !this.board.privateAuthors.has(state.id) ? { says: "private" } : null;
    }
    if (state.deleted) return shown ? { says: "deleted", text } : null;
    if (state.merged_into) return shown ? { says: "merged", text } : null;
    if (!state.html) return null;
    if (!shown) {
      if (this.board.privateAuthors.has(state.id)) return { says: "revealed" };
      return { says: known ? "back" : "added", text };
    }
    if (state.text_version > Number(shown.dataset.textVersion)) return { says: "edited", text };
    const place = isParked(shown) ? "parked" : eventOf(shown) ?? "timeline";
    const now = state.parked ? "parked" : state.event ?? "timeline";
    if (place !== now || state.rank !== shown.dataset.rank) return { says: "moved", text };
    return { says: "changed", text };
  }

  // A person's name: from the page, or, for someone new, from the sticky they wrote.
  authorOf(by, state) {
    if (by == null) return "Someone";
    const name = this.nameOf(by);
    if (name !== "Someone" || !state.html) return name;
    const added = fromHtml(state.html)?.querySelector(".author")?.title ?? "";
    return added.replace(/^Added by /, "") || name;
  }

  presentNow() {
    const people = new Map();
    document.querySelectorAll("#presence .person[data-participant]").forEach((person) => {
      if (person.dataset.participant === this.me) return;
      people.set(person.dataset.participant, person.querySelector(".name")?.textContent ?? "Someone");
    });
    return people;
  }

  // Said once the changes of about two seconds are in: never more often.
  gather() {
    this.timer ??= setTimeout(() => this.say(), GATHER_MS);
  }

  say() {
    this.timer = null;
    const sentences = [...this.changes(), ...this.comings()];
    this.heard = [];
    if (!sentences.length) return;
    const text = sentences.join(" ");
    // The same words again are still news: emptied first, so that they are said again.
    this.region.textContent = "";
    setTimeout(() => (this.region.textContent = text), 50);
  }

  changes() {
    const people = new Map(); // name -> what they did, in order
    for (const change of this.heard) {
      if (!people.has(change.name)) people.set(change.name, []);
      people.get(change.name).push(change);
    }
    if (people.size > 2) {
      const [first] = people.keys();
      const onlyStickies = this.heard.every((change) => ABOUT_STICKIES.has(change.says));
      const what = onlyStickies ? `changed ${plural(this.heard.length, "sticky", "stickies")}` : `made ${plural(this.heard.length, "change")}`;
      return [`${first} and ${people.size - 1} others ${what}.`];
    }
    return [...people].map(([name, changes]) => {
      const kinds = new Map(); // says -> texts
      for (const change of changes) {
        if (!kinds.has(change.says)) kinds.set(change.says, []);
        kinds.get(change.says).push(change.text);
      }
      const parts = [...kinds].map(([says, texts]) => (texts.length === 1 ? SAYS[says][0](texts[0]) : SAYS[says][1](texts.length)));
      return `${name} ${list(parts)}.`;
    });
  }

  // Who joined and who left since it was last said (someone who came and went meanwhile: neither).
  comings() {
    const now = this.presentNow();
    const before = this.present;
    this.present = now;
    const joined = [...now].filter(([id]) => !before.has(id)).map(([, name]) => name);
    const left = [...before].filter(([id]) => !now.has(id)).map(([, name]) => name);
    const who = (names) => (names.length > 2 ? `${names[0]} and ${names.length - 1} others` : list(names));
    const sentences = [];
    if (joined.length) sentences.push(`${who(joined)} joined.`);
    if (left.length) sentences.push(`${who(left)} left.`);
    return sentences;
  }
}
