// Drag and drop with SortableJS (vendored, loaded before this module): events along the
// timeline and from the parking area, notes between lanes and the parking area. A drop is
// reported as a move, with where the sticky came from for its undo; the page shows the result
// when the server's broadcast arrives.

import { NOT_ITEM, placeOf, previousItem } from "./places.js";

export class Dragging {
  // moved(sticky, target, origin): a sticky was dropped at target ({place, after}).
  constructor(moved) {
    this.moved = moved;
    this.sortables = new Map(); // list element -> its Sortable
    this.wire();
    document.addEventListener("board:replaced", () => this.wire());
    document.addEventListener("board:column-added", (event) => {
      event.detail.querySelectorAll(".lane").forEach((lane) => this.sortable(lane, { group: notesGroup() }));
    });
    document.addEventListener("board:column-removed", (event) => {
      event.detail.querySelectorAll(".lane").forEach((lane) => {
        this.sortables.get(lane)?.destroy();
        this.sortables.delete(lane);
      });
    });
  }

  wire() {
    this.sortables.forEach((sortable) => sortable.destroy());
    this.sortables.clear();
    if (!window.Sortable) return;
    this.options = {
      animation: 120,
      // Pointer events rather than the browser's own drag and drop: the same for mouse, pen
      // and touch, and the page keeps scrolling while dragging.
      forceFallback: true,
      fallbackTolerance: 4,
      delay: 120,
      delayOnTouchOnly: true,
      // Where the drag started, for its undo: taken before the drag changes the page.
      onStart: (event) => {
        const item = event.item;
        this.origin = placeOf(item.matches(".column") ? item.querySelector(".sticky") : item);
      },
      onEnd: (event) => this.dropped(event),
    };
    this.sortable(document.getElementById("timeline"), {
      group: { name: "events", pull: false, put: ["events"] },
      draggable: ".column",
      handle: ".sticky.kind-event",
      filter: NOT_ITEM,
      preventOnFilter: false,
      onMove: (event) => {
        const related = event.related;
        if (related.matches(".lane-labels")) return false;
        if (related.matches(".bookend-last")) return !event.willInsertAfter;
        if (related.matches(".bookend")) return event.willInsertAfter;
        return true;
      },
    });
    this.sortable(document.getElementById("parked-events"), {
      group: { name: "events", pull: true, put: false },
    });
    this.sortable(document.getElementById("parked-notes"), { group: notesGroup() });
    this.wireLanes();
  }

  // A big board has a thousand lanes: they get their Sortables a few at a time once the
  // board is on screen, and all at once if someone presses on the board before that.
  wireLanes() {
    const lanes = [...document.querySelectorAll(".lane")];
    const generation = (this.laneGeneration = (this.laneGeneration ?? 0) + 1);
    const wire = (until) => {
      if (generation !== this.laneGeneration) return document.removeEventListener("pointerdown", now, true);
      while (lanes.length && performance.now() < until) this.sortable(lanes.pop(), { group: notesGroup() });
      if (lanes.length) setTimeout(() => wire(performance.now() + 8), 0);
      else document.removeEventListener("pointerdown", now, true);
    };
    const now = () => wire(Infinity);
    document.addEventListener("pointerdown", now, true);
    requestAnimationFrame(() => setTimeout(() => wire(performance.now() + 8), 0));
  }

  sortable(list, options) {
    if (!window.Sortable || this.sortables.has(list)) return;
    this.sortables.set(list, Sortable.create(list, { ...this.options, ...options }));
  }

  disable() {
    this.sortables.forEach((sortable) => sortable.option("disabled", true));
  }

  dropped(event) {
    if (event.from === event.to && event.oldIndex === event.newIndex) return;
    const item = event.item;
    const sticky = item.matches(".column") ? item.querySelector(".sticky") : item;
    const container = item.parentElement;
    const previous = previousItem(item);
    const after = previous ? previous.dataset.id : null;
    let place = { parked: true, event: null };
    if (container.matches(".lane")) place = { parked: false, event: container.dataset.event };
    else if (container.id === "timeline") place = { parked: false, event: null };
    this.moved(sticky, { place, after }, this.origin);
  }
}

// Notes go into a lane of their own kind, or to the parking area.
function notesGroup() {
  return {
    name: "notes",
    put: (to, from, dragged) => !to.el.dataset.kind || dragged.dataset.kind === to.el.dataset.kind,
  };
}
