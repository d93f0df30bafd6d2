// The board fitted to the screen it is on. The event columns share the width there is, so a
// fifteen-step map fits a laptop at 100%; Fit zooms a longer path out until it fits; a strip
// shows a long path whole and scrolls the board when clicked; the parking area folds away and
// comes back (Alt+Shift+P); a sticky is brought into view clear of the lane names, the strip and
// the parking area; the toolbar of the focused sticky docks below the board. All of it reads the
// list of columns and the sticky in hand, never every sticky: a board can hold 2,000.

const COLUMN = { min: 80, max: 168 }; // px at 100%: the narrowest (app.css starts there) fits most words at 12 px
const ZOOM = { min: 0.3, max: 1.5 };
// On a phone or a short screen the parking area starts folded: the board needs the room.
const SMALL_SCREEN = "(max-width: 600px), (max-height: 600px)";
// A short screen (a laptop at 200%) scrolls the page: the top bar and the agenda go up out of
// the way and the board has the height (app.css).
const SHORT_SCREEN = matchMedia("(max-height: 600px)");
const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");
const motion = () => (reducedMotion.matches ? "auto" : "smooth");
const px = (value) => parseFloat(value) || 0;

class BoardLayout {
  constructor(canvas) {
    this.canvas = canvas;
    this.zoom = 1;
    this.column = COLUMN.min; // as app.css starts it: a big board's columns stay so, untouched
    this.overview = document.getElementById("overview");
    this.strip = this.overview?.querySelector("canvas");
    this.window = this.overview?.querySelector(".overview-window");
    this.foldKey = `p2pboard:parking-folded:${location.pathname}`;
    this.folded = this.storedFold() ?? matchMedia(SMALL_SCREEN).matches;
    this.pending = {}; // name -> the frame or timer that will do it
    this.mutations = new MutationObserver((records) => this.changed(records));
    // Sizes come from resize observers, which report after the browser's own layout: reading
    // them sooner would lay out a big board whole before its first paint (content-visibility
    // spares the stickies far off screen only in the browser's own layout).
    const height = (property) => (entries) => {
      const box = entries.at(-1).borderBoxSize?.[0];
      if (box) canvas.style.setProperty(property, `${Math.round(box.blockSize)}px`);
    };
    this.dockSize = new ResizeObserver(height("--dock-height"));
    new ResizeObserver(() => this.fitColumns()).observe(canvas);
    const addBar = document.getElementById("add-bar");
    if (addBar) new ResizeObserver(height("--add-bar-height")).observe(addBar);
    this.watchBoard();
    document.addEventListener("board:replaced", () => {
      this.watchBoard();
      this.later("columns", () => this.fitColumns());
    });
    // SortableJS announces its drags as DOM events: the lanes of the dragged kind open up.
    canvas.addEventListener("start", (event) => {
      const item = event.item;
      if (item) canvas.dataset.dragging = item.matches(".column") ? "event" : item.dataset.kind;
    });
    canvas.addEventListener("end", () => delete canvas.dataset.dragging);
    canvas.addEventListener("click", (event) => {
      if (event.target.closest(".parking-toggle")) this.fold(!this.folded);
    });
    canvas.addEventListener("scroll", () => this.later("window", () => this.showWindow()), true);
    canvas.addEventListener("focusin", (event) => this.focused(event.target));
    // Find in page found something in the folded parking area: the browser shows it; so do we.
    canvas.addEventListener("beforematch", (event) => {
      if (event.target.id === "parking-groups") this.fold(false);
    });
    // Before the sticky's own keys (Alt+P parks it): Alt+Shift+P goes to the parking area.
    addEventListener("keydown", (event) => this.keys(event), true);
    if (this.overview) this.wireOverview();
  }

  get timeline() {
    return document.getElementById("timeline");
  }

  get scroller() {
    return document.querySelector("#board-content .map-scroll");
  }

  // --- watching the board: it is drawn again whole after a snapshot ---

  watchBoard() {
    const content = document.getElementById("board-content");
    this.mutations.disconnect();
    this.dockSize.disconnect();
    if (!content) return;
    this.mutations.observe(content, { childList: true, subtree: true });
    const parking = document.getElementById("parking");
    if (parking) this.dockSize.observe(parking);
    this.fold(this.folded, { keep: true });
  }

  changed(records) {
    const timeline = this.timeline;
    // A step more or fewer: the columns share the width again (that draws the strip too).
    if (records.some((record) => record.target === timeline)) this.later("columns", () => this.fitColumns());
    else this.later("overview", () => this.drawOverview(), 250);
    this.later("count", () => this.countParked(), 250);
  }

  // One run of `work` per frame (or after `wait` ms), however many times it is asked for.
  later(name, work, wait = 0) {
    if (this.pending[name]) return;
    const run = () => {
      this.pending[name] = null;
      work();
    };
    this.pending[name] = wait ? setTimeout(run, wait) : requestAnimationFrame(run);
  }

  // --- columns sized to the room: the steps share the width, within readable bounds ---

  measures() {
    const timeline = this.timeline;
    const styles = getComputedStyle(timeline);
    const labels = px(styles.gridTemplateColumns.split(" ")[0]);
    const gap = px(styles.columnGap);
    const steps = timeline.querySelectorAll(":scope > .column").length;
    const canvasStyles = getComputedStyle(this.canvas);
    const room = this.canvas.clientWidth - px(canvasStyles.paddingLeft) - px(canvasStyles.paddingRight);
    return { labels, gap, steps, tracks: steps + 1, room: room - 2 }; // tracks: the steps and the end
  }

  fitColumns() {
    if (!this.timeline) return;
    const { labels, gap, tracks, room } = this.measures();
    const share = Math.floor((room / this.zoom - labels - tracks * gap) / tracks);
    const column = Math.max(COLUMN.min, Math.min(COLUMN.max, share));
    if (column !== this.column) {
      this.column = column;
      this.canvas.style.setProperty("--column", `${column}px`);
    }
    this.later("overview", () => this.drawOverview());
  }

  setZoom(value, { exact = false } = {}) {
    const rounded = exact ? Math.floor(value * 100) / 100 : Math.round(value * 10) / 10;
    this.zoom = Math.min(ZOOM.max, Math.max(ZOOM.min, rounded));
    this.canvas.style.setProperty("--zoom", this.zoom);
    this.fitColumns();
    return this.zoom;
  }

  // The largest zoom, up to 100%, at which the whole path fits the width.
  fit() {
    const { labels, gap, tracks, room } = this.measures();
    const needed = labels + tracks * (COLUMN.min + gap);
    return this.setZoom(Math.min(1, room / needed), { exact: true });
  }

  // --- the overview strip: a long path whole, the part on screen, a click to go there ---

  wireOverview() {
    const go = (event) => {
      const scroller = this.scroller;
      const strip = this.overview.getBoundingClientRect();
      const at = (event.clientX - strip.left) / strip.width;
      const left = at * scroller.scrollWidth - scroller.clientWidth / 2;
      scroller.scrollTo({ left, behavior: event.type === "pointerdown" ? motion() : "auto" });
    };
    this.overview.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      this.overview.setPointerCapture(event.pointerId);
      go(event);
      const follow = (move) => go(move);
      this.overview.addEventListener("pointermove", follow);
      this.overview.addEventListener("pointerup", () => this.overview.removeEventListener("pointermove", follow), {
        once: true,
      });
    });
    this.overview.addEventListener("pointermove", (event) => {
      if (event.buttons) return;
      const step = this.stepAt(event.clientX);
      this.overview.title = step ? `${step}: click to go there` : "The whole path: click to go there";
    });
  }

  // Where each column is along the strip, from the column widths the layout set.
  geometry() {
    const { labels, gap, steps } = this.measures();
    const column = this.column;
    const total = labels + (steps + 1) * (column + gap);
    return { labels, gap, column, total };
  }

  stepAt(clientX) {
    const strip = this.overview.getBoundingClientRect();
    const { labels, gap, column, total } = this.geometry();
    const at = ((clientX - strip.left) / strip.width) * total - labels - gap;
    const index = Math.floor(at / (column + gap));
    const columns = this.timeline.querySelectorAll(":scope > .column");
    return columns[index]?.querySelector(":scope > .sticky .text")?.textContent ?? null;
  }

  drawOverview() {
    const scroller = this.scroller;
    if (!this.overview || !scroller) return;
    const long = scroller.scrollWidth > scroller.clientWidth + 2;
    this.overview.hidden = !long;
    this.canvas.style.setProperty("--overview-height", long ? `${this.overview.offsetHeight + 8}px` : "0px");
    if (!long) return;
    const width = this.strip.clientWidth;
    const height = this.strip.clientHeight;
    const ratio = devicePixelRatio || 1;
    this.strip.width = Math.round(width * ratio);
    this.strip.height = Math.round(height * ratio);
    const paint = this.strip.getContext("2d");
    paint.scale(ratio, ratio);
    const colours = getComputedStyle(document.documentElement);
    const palette = new Map();
    const colour = (kind) => {
      if (!palette.has(kind)) palette.set(kind, colours.getPropertyValue(`--k-${kind}`).trim());
      return palette.get(kind);
    };
    const { labels, gap, column, total } = this.geometry();
    const scale = width / total;
    const barWidth = Math.max(1, column * scale - 1);
    const laneHeight = (height - 12) / 5;
    const columns = this.timeline.querySelectorAll(":scope > .column");
    columns.forEach((step, index) => {
      const x = (labels + gap + index * (column + gap)) * scale;
      paint.fillStyle = colour("event");
      paint.fillRect(x, 2, barWidth, 7);
      // Which of its lanes hold notes: from the lanes' child counts, not from the notes.
      [...step.children].slice(1).forEach((lane, row) => {
        if (!lane.childElementCount) return;
        paint.fillStyle = colour(lane.dataset.kind);
        paint.fillRect(x, 11 + row * laneHeight, barWidth, laneHeight - 1);
      });
    });
    this.showWindow();
  }

  showWindow() {
    const scroller = this.scroller;
    if (!this.window || !scroller || this.overview.hidden) return;
    const width = this.overview.clientWidth;
    this.window.style.left = `${(scroller.scrollLeft / scroller.scrollWidth) * width}px`;
    this.window.style.width = `${(scroller.clientWidth / scroller.scrollWidth) * width}px`;
  }

  // --- the parking area: folded away or open, at the bottom of the board ---

  storedFold() {
    try {
      const stored = localStorage.getItem(this.foldKey);
      return stored === null ? null : stored === "1";
    } catch {
      return null;
    }
  }

  fold(folded, { keep = false } = {}) {
    this.folded = folded;
    this.canvas.classList.toggle("parking-folded", folded);
    document.querySelector(".parking-toggle")?.setAttribute("aria-expanded", String(!folded));
    const groups = document.getElementById("parking-groups");
    if (folded) groups?.setAttribute("hidden", "until-found");
    else groups?.removeAttribute("hidden");
    if (keep) return;
    try {
      localStorage.setItem(this.foldKey, folded ? "1" : "0");
    } catch {
      // private browsing: folded for this page only
    }
  }

  countParked() {
    const count = document.querySelector(".parking-count");
    if (!count) return;
    const parked = ["parked-events", "parked-notes"].map((id) => document.getElementById(id)?.childElementCount ?? 0);
    count.textContent = String(parked[0] + parked[1]);
  }

  keys(event) {
    if (!(event.altKey && event.shiftKey && event.code === "KeyP")) return;
    event.preventDefault();
    event.stopPropagation();
    const parking = document.getElementById("parking");
    if (parking?.contains(document.activeElement)) {
      // Pressed again: back to the board, where the person was.
      const back = this.lastOnBoard?.isConnected ? this.lastOnBoard : this.timeline.querySelector(".column > .sticky");
      back?.focus();
      return;
    }
    this.fold(false);
    const first = document.querySelector("#parked-events > .sticky, #parked-notes > .sticky");
    (first ?? parking?.querySelector(".parking-toggle"))?.focus();
  }

  // --- keeping things in view ---

  // The part of the screen where a sticky shows: the board, less the lane names pinned at the
  // left (for the timeline's notes), the strip at the top and the parking area at the bottom.
  visibleArea(sticky) {
    const canvas = this.canvas.getBoundingClientRect();
    const area = { left: canvas.left, top: canvas.top, right: canvas.right, bottom: canvas.bottom };
    const parking = document.getElementById("parking");
    if (parking && !parking.contains(sticky)) {
      area.bottom = Math.min(area.bottom, parking.getBoundingClientRect().top);
      const labels = this.timeline.querySelector(".lane-labels").getBoundingClientRect();
      if (!sticky.closest(".bookend")) area.left = Math.max(area.left, labels.right);
      const scroller = this.scroller.getBoundingClientRect();
      area.right = Math.min(area.right, scroller.right);
    }
    if (!this.overview?.hidden) area.top = Math.max(area.top, this.overview.getBoundingClientRect().bottom);
    return area;
  }

  inView(sticky) {
    const box = sticky.getBoundingClientRect();
    const area = this.visibleArea(sticky);
    return box.left >= area.left - 1 && box.right <= area.right + 1 && box.top >= area.top - 1 && box.bottom <= area.bottom + 1;
  }

  // Scroll a sticky into view (the scroll paddings keep it clear of the lane names, the strip
  // and the parking area), and mark it a moment so the eye finds it.
  reveal(sticky) {
    if (sticky.closest("#parking") && this.folded) this.fold(false);
    sticky.scrollIntoView({ block: "nearest", inline: "nearest", behavior: motion() });
    sticky.classList.add("arrived");
    setTimeout(() => sticky.classList.remove("arrived"), 1500);
  }

  // Keyboard focus never leaves a sticky under the lane names, the strip or the parking area.
  focused(target) {
    const sticky = target.closest?.(".sticky[data-id]");
    if (!sticky) return;
    if (!sticky.closest("#parking")) this.lastOnBoard = sticky;
    requestAnimationFrame(() => {
      // On a short screen, working on the board brings the whole board up.
      const top = this.canvas.getBoundingClientRect().top;
      if (SHORT_SCREEN.matches && Math.abs(top) > 1) scrollBy({ top, behavior: "instant" });
      if (document.activeElement === sticky && sticky.matches(":focus-visible") && !this.inView(sticky)) {
        sticky.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    });
  }

  // The toolbar of the focused sticky docks in a bar across the bottom of the board, above
  // the add bar: the board makes room for it (app.css: --toolbar-height), so that it covers no
  // sticky, and the focused sticky is scrolled clear of it. Its label names the sticky.
  placeToolbar(toolbar, sticky) {
    if (!this.docked) {
      this.docked = toolbar;
      new ResizeObserver(() => this.dock(toolbar)).observe(toolbar);
    }
    this.dock(toolbar, sticky);
    return true;
  }

  dock(toolbar, sticky = null) {
    const height = toolbar.hidden ? 0 : toolbar.offsetHeight;
    this.canvas.style.setProperty("--toolbar-height", `${height}px`);
    if (!height) return;
    const canvas = this.canvas.getBoundingClientRect();
    toolbar.style.left = `${Math.round(canvas.left)}px`;
    toolbar.style.width = `${Math.round(canvas.width)}px`;
    toolbar.style.top = `${Math.round(canvas.bottom)}px`;
    const focused = sticky ?? document.activeElement?.closest?.(".sticky[data-id]");
    if (focused && !this.inView(focused)) focused.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
}

let layout = null;

// The page's one layout, made on first use (on a page with a board).
export function boardLayout() {
  const canvas = document.getElementById("canvas");
  if (!layout && canvas) layout = new BoardLayout(canvas);
  return layout;
}
