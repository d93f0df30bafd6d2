// Drag and drop with SortableJS (vendored, loaded before this module): events along the
// timeline and from the parking area, notes between lanes and the parking area. A drop is
// reported as a move, with where the sticky came from for its undo; the page shows the result
// when the server's broadcast arrives. Dropped onto the middle of another sticky of its kind, a
// sticky is merged into that one: the edges of a sticky reorder, its middle merges.

import { NOT_ITEM, placeOf, previousItem } from "./places.js";

// The middle of a sticky, as fractions of its size, where a drop merges. Outside it Sortable
// reorders: its swap zones are the edges (`invertSwap`), so the two never compete.
const MERGE_ZONE = [0.25, 0.75];

export class Dragging {
  // moved(sticky, target, origin): a sticky was dropped at target ({place, after}).
  // dropped onto(sticky, onto, origin): a sticky was dropped onto `onto`, a sticky of its kind.
  constructor(moved, droppedOnto) {
    this.moved = moved;
    this.droppedOnto = droppedOnto;
    this.overSticky = (event) => this.hover(event);
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
      // A sticky's edges reorder (a quarter of it at each end); its middle is left for a drop
      // that merges.
      invertSwap: true,
      invertedSwapThreshold: 0.5,
      // The buttons on a sticky (votes) are pressed, not dragged.
      filter: ".sticky-controls",
      preventOnFilter: false,
      // Where the drag started, for its undo: taken before the drag changes the page.
      onStart: (event) => {
        const item = event.item;
        this.dragged = item.matches(".column") ? item.querySelector(".sticky") : item;
        this.origin = placeOf(this.dragged);
        this.active = this.sortables.get(event.from);
        document.addEventListener("pointermove", this.overSticky);
      },
      onEnd: (event) => this.dropped(event),
    };
    this.sortable(document.getElementById("timeline"), {
      group: { name: "events", pull: false, put: ["events"] },
      draggable: ".column",
      handle: ".sticky.kind-event",
      filter: `${NOT_ITEM}, .sticky-controls`,
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

  // While dragging: the sticky of the same kind whose middle is under the pointer is where a
  // drop merges, marked as such (board-work.css); any other place is a move.
  hover(event) {
    // Sortable reads the pointer every 50 ms while dragging; a drop onto an edge came sooner
    // than that and went to the wrong place. Read now, on every move (a method of the
    // vendored 1.15.7, bound to its instance).
    this.active?._emulateDragOver?.();
    const under = document.elementFromPoint(event.clientX, event.clientY)?.closest(".sticky[data-id]");
    const dragged = this.dragged;
    let onto = null;
    if (under && dragged && under.dataset.id !== dragged.dataset.id && under.dataset.kind === dragged.dataset.kind
        && !under.matches(".is-private, .sortable-ghost") && !dragged.matches(".is-private")) {
      const box = under.getBoundingClientRect();
      const x = (event.clientX - box.left) / box.width;
      const y = (event.clientY - box.top) / box.height;
      const [low, high] = MERGE_ZONE;
      if (x > low && x < high && y > low && y < high) onto = under;
    }
    if (onto === this.onto) return;
    this.onto?.classList.remove("merge-target");
    onto?.classList.add("merge-target");
    this.onto = onto;
    const canvas = document.getElementById("canvas");
    if (onto) canvas.dataset.dropMerge = "";
    else delete canvas.dataset.dropMerge;
  }

  dropped(event) {
    document.removeEventListener("pointermove", this.overSticky);
    const onto = this.onto;
    this.onto?.classList.remove("merge-target");
    this.onto = null;
    delete document.getElementById("canvas").dataset.dropMerge;
    const dragged = this.dragged;
    this.dragged = null;
    this.active = null;
    if (onto?.isConnected && this.droppedOnto) return this.droppedOnto(dragged, onto, this.origin);
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
