// The board on screen. Every entity state the server sends goes through `apply`: the newest
// version of each entity wins, then the applier of its kind shows it. A sticky is placed in its
// column, lane or parking shelf; the board's own state goes where the page shows it
// (workshop.js); someone else's private sticky is not shown, only counted for its author.

import { fromHtml, quote } from "./page.js";
import { eventOf, insertSorted, isParked } from "./places.js";
import { showWorkshop } from "./workshop.js";

// An event on the timeline heads a column with one lane per kind below it.
const laneNames = JSON.parse(document.getElementById("lane-names")?.textContent ?? "{}");

function newColumn(id, sticky) {
  const column = document.createElement("li");
  column.className = "column";
  column.id = `c-${id}`;
  column.dataset.id = id;
  column.setAttribute("aria-labelledby", `s-${id}`); // named after its event, as board.html
  column.append(sticky);
  for (const kind of Object.keys(laneNames)) {
    const lane = document.createElement("div");
    lane.setAttribute("role", "list");
    lane.className = "lane";
    Object.assign(lane.dataset, { place: "lane", event: id, kind });
    column.append(lane);
  }
  labelLanes(column);
  return column;
}

function labelLanes(column) {
  const text = column.querySelector(":scope > .sticky .text")?.textContent ?? "";
  column.querySelectorAll(":scope > .lane").forEach((lane) => {
    lane.setAttribute("aria-label", `${laneNames[lane.dataset.kind]} under ${quote(text)}`);
  });
}

// A sticky's markup to draw it again: without inline styles (dragging leaves some), which the
// page's Content Security Policy would refuse when the markup is parsed.
function markupOf(element) {
  const copy = element.cloneNode(true);
  for (const styled of [copy, ...copy.querySelectorAll("[style]")]) styled.removeAttribute("style");
  return copy.outerHTML;
}

// What a viewer gets of a private sticky they may not see: whose it is, not what it says.
const isRedacted = (state) => !("html" in state);

// "entity:id" -> the newest version applied (deleted stickies too). A sticky on the page that no
// patch has changed yet has the version it was drawn with: read from it when asked, rather than
// from each of a big board's thousands of stickies before the page is first shown.
class Versions extends Map {
  drawn(key) {
    const version = key.startsWith("sticky:") ? document.getElementById(`s-${key.slice(7)}`)?.dataset.version : undefined;
    return version === undefined ? undefined : Number(version);
  }

  get(key) {
    return super.has(key) ? super.get(key) : this.drawn(key);
  }

  has(key) {
    return super.has(key) || this.drawn(key) !== undefined;
  }
}

export class BoardView {
  constructor({ slug, participant }) {
    this.participant = participant;
    this.versions = new Versions();
    this.homeless = new Map(); // notes whose event column has not arrived yet
    this.deferred = new Map(); // changes to the sticky being edited here, applied after
    this.editors = new Map(); // participant id -> {sticky, name, colour}
    this.privateAuthors = new Map(); // someone else's private sticky id -> its author's id
    this.editingHere = null;
    const endedOnPage = this.content.dataset.ended === "1";
    const tell = (name, detail) => document.dispatchEvent(new CustomEvent(name, { detail }));
    this.appliers = {
      sticky: (state) => this.applySticky(state),
      board: (state) => {
        showWorkshop(state, { endedOnPage });
        tell("board:state", state); // the agenda bar (agenda.js)
      },
      participant: (state) => tell("board:participant", state),
    };
    // The phase work's entities are shown by their own modules (board/work/*.js), told here.
    const work = ["tally", "round", "timing", "action", "dismissal"];
    for (const kind of work) this.appliers[kind] = (state) => tell(`board:${kind}`, state);
    // A snapshot's phase work comes whole: forget the versions held, so it all applies.
    document.addEventListener("board:work-reset", () => {
      for (const key of this.versions.keys()) if (work.includes(key.split(":")[0])) this.versions.delete(key);
    });
    this.versions.set(`board:${slug}`, Number(this.content.dataset.boardVersion));
  }

  get content() {
    return document.getElementById("board-content");
  }

  sticky(id) {
    return document.getElementById(`s-${id}`);
  }

  // How many private stickies each other person has written (author id -> count).
  get privateCounts() {
    const counts = new Map();
    for (const by of this.privateAuthors.values()) counts.set(by, (counts.get(by) ?? 0) + 1);
    return counts;
  }

  // A snapshot: the whole board drawn again. The versions known stay (they only grow): the
  // board's heading and others' private stickies are not in this html.
  replaceAll(html) {
    const active = document.activeElement;
    const focused = active?.matches?.(".sticky[data-id]") ? active.dataset.id : null;
    const editing = this.editingHere && this.sticky(this.editingHere);
    this.content.replaceWith(fromHtml(html));
    this.homeless.clear();
    // The board as drawn is the whole truth at its sequence number: a sticky this page knew
    // of but the drawing lacks (a patch that overtook it) must be able to come back; one it
    // shows is at the version drawn (read from it when asked).
    for (const key of this.versions.keys()) if (key.startsWith("sticky:")) this.versions.delete(key);
    if (editing) this.keepEditing(editing);
    if (focused) this.sticky(focused)?.focus();
    this.showEditors();
    document.dispatchEvent(new CustomEvent("board:replaced"));
  }

  apply(states) {
    // Give focus back to a sticky that a patch redrew; never take it from a control inside a
    // sticky (the text being edited there), which would end that edit.
    const active = document.activeElement;
    const focused = active?.matches?.(".sticky[data-id]") ? active.dataset.id : null;
    for (const state of states) {
      const applier = this.appliers[state.entity];
      const key = `${state.entity}:${state.id}`;
      if (!applier || state.version <= (this.versions.get(key) ?? 0)) continue;
      this.versions.set(key, state.version);
      applier(state);
    }
    if (focused) this.sticky(focused)?.focus({ preventScroll: true });
    this.showEditors();
    if (states.some((state) => state.entity === "sticky")) document.dispatchEvent(new CustomEvent("board:stickies")); // once a batch (insight.js)
  }

  applySticky(state) {
    if (isRedacted(state)) return this.countPrivate(state);
    if (this.privateAuthors.delete(state.id)) document.dispatchEvent(new CustomEvent("board:private")); // revealed
    if (state.id === this.editingHere) {
      // Kept until the edit ends; the editor says when someone else changed the text meanwhile.
      this.deferred.set(state.id, state);
      document.dispatchEvent(new CustomEvent("board:changed-while-editing", { detail: state }));
    } else this.place(state);
  }

  // Not shown here; if it somehow is on screen, it goes.
  countPrivate(state) {
    this.deferred.delete(state.id);
    if (this.sticky(state.id)) this.remove(state.id);
    if (state.deleted) this.privateAuthors.delete(state.id);
    else this.privateAuthors.set(state.id, state.by);
    document.dispatchEvent(new CustomEvent("board:private"));
  }

  place(state) {
    this.remove(state.id, state);
    if (state.deleted || !state.html) return; // deleted, or merged into another
    const fresh = fromHtml(state.html);
    // Marks the phase work adds to a sticky (votes, sizes) are drawn again on each new copy.
    queueMicrotask(() => document.dispatchEvent(new CustomEvent("board:placed", { detail: state.id })));
    if (state.kind === "event" && !state.parked) {
      let column = document.getElementById(`c-${state.id}`);
      if (column) {
        column.querySelector(":scope > .sticky").replaceWith(fresh);
        labelLanes(column);
      } else {
        column = newColumn(state.id, fresh);
        document.dispatchEvent(new CustomEvent("board:column-added", { detail: column }));
      }
      column.dataset.rank = state.rank;
      insertSorted(document.getElementById("timeline"), column);
      this.rehome(state.id);
    } else if (state.parked) {
      const shelf = state.kind === "event" ? "parked-events" : "parked-notes";
      insertSorted(document.getElementById(shelf), fresh);
    } else {
      const lane = document.querySelector(
        `.lane[data-event="${state.event}"][data-kind="${state.kind}"]`,
      );
      if (lane) insertSorted(lane, fresh);
      else this.homeless.set(state.id, state);
    }
  }

  // Take a sticky off the screen; an event column stays when the event stays on the timeline.
  remove(id, next) {
    this.homeless.delete(id);
    const column = document.getElementById(`c-${id}`);
    const staysOnTimeline = next && !next.deleted && next.html && next.kind === "event" && !next.parked;
    if (column && !staysOnTimeline) {
      // Notes still in its lanes are waiting for their own change: keep them until it comes.
      column.querySelectorAll(".lane > .sticky").forEach((note) => {
        this.homeless.set(note.dataset.id, {
          id: note.dataset.id, kind: note.dataset.kind, parked: false,
          event: id, rank: note.dataset.rank, html: markupOf(note),
        });
      });
      column.remove();
      document.dispatchEvent(new CustomEvent("board:column-removed", { detail: column }));
    }
    const sticky = this.sticky(id);
    if (sticky && !sticky.parentElement?.matches(".column")) sticky.remove();
  }

  rehome(eventId) {
    for (const [id, state] of this.homeless) {
      if (state.event === eventId) {
        this.homeless.delete(id);
        this.place(state);
      }
    }
  }

  // Put a sticky back in the place it was dragged from, at its own rank (after a refused drag).
  restore(id, place) {
    const sticky = this.sticky(id);
    if (!sticky) return;
    const { kind, rank } = sticky.dataset;
    const column = sticky.closest(".column");
    if (column && !place.parked) insertSorted(document.getElementById("timeline"), column);
    else this.place({ id, kind, rank, parked: place.parked, event: place.event, html: markupOf(sticky) });
  }

  // The sticky being edited here stays as it is (with its editor) through a redraw of the
  // whole board; what the redraw brought for it waits until the edit ends.
  keepEditing(editing) {
    const fresh = this.sticky(editing.dataset.id);
    if (!fresh) return;
    const { id, kind, rank, textVersion } = fresh.dataset;
    const place = { parked: isParked(fresh), event: eventOf(fresh) };
    const state = { id, kind, rank, ...place, html: markupOf(fresh), text_version: Number(textVersion) };
    this.deferred.set(id, state);
    this.versions.set(`sticky:${id}`, Number(fresh.dataset.version)); // not the older one being edited
    fresh.replaceWith(editing);
    document.dispatchEvent(new CustomEvent("board:changed-while-editing", { detail: state }));
  }

  finishEditing(id) {
    this.editingHere = null;
    const waiting = this.deferred.get(id);
    this.deferred.delete(id);
    if (waiting) this.place(waiting);
  }

  setEditor(message) {
    if (message.sticky) this.editors.set(message.participant, message);
    else this.editors.delete(message.participant);
    this.showEditors();
  }

  // Who is editing what: a marker in the editor's colour (a class, not a style attribute: the
  // page's Content Security Policy allows no inline styles, and stickies are copied as html),
  // and said in the sticky's name (its label as drawn kept aside until the edit ends).
  showEditors() {
    document.querySelectorAll(".sticky.being-edited").forEach((sticky) => {
      sticky.classList.remove("being-edited", sticky.dataset.editorColour);
      delete sticky.dataset.editorColour;
      sticky.querySelector(".editor-mark")?.remove();
      if ("label" in sticky.dataset) sticky.setAttribute("aria-label", sticky.dataset.label);
      delete sticky.dataset.label;
    });
    for (const [participant, { sticky, name, colour }] of this.editors) {
      const element = this.sticky(sticky);
      if (!element || String(participant) === this.participant) continue;
      const colourClass = `person-${colour.replace("#", "")}`; // sets --person (app.css)
      element.classList.add("being-edited", colourClass);
      element.dataset.editorColour = colourClass;
      const mark = document.createElement("span");
      mark.className = "editor-mark";
      mark.textContent = `✎ ${name}`;
      element.append(mark);
      element.dataset.label = element.getAttribute("aria-label") ?? "";
      element.setAttribute("aria-label", `${element.dataset.label} (${name} is editing it)`);
    }
  }
}
