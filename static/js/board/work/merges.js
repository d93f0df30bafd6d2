// Clean-up (put forward in the "dedupe" step, there in every step): merging duplicates. A sticky
// merges into another of its kind by a drop onto its middle (dragging.js), by "Merge…" (M) and
// a choice of the one to keep, by selecting several (Space, Shift+click, "Select") and merging
// them into the first, or from the panel of suggested pairs (GET /w/<slug>/duplicates/). "Split"
// takes merged ones out again. The editor sends each change with its undo (editor.js `merge`).
// The sticky toolbar's other phase-work actions live here too: "Question the order", "Make an
// action" (told to the actions panel as `work:make-action`) and a check's "Signed off by".
// The side panels of the phase work (this one, votes.js) are `WorkPanel`s, defined here.

import { boardLayout } from "../layout.js";
import { keepInOrder, notice, quote } from "../page.js";

const QUESTION = "Is this in the right place?";
// The toolbar's phase-work actions each step shows without asking ("More" shows them all).
const ACTIONS_NOW = {
  merge: ["dedupe"],
  pick: ["dedupe"],
  split: null, // wherever something is merged into the sticky
  question: ["order", "dedupe"],
  "make-action": ["actions", "follow_up"],
  owner: ["people", "actions"],
};
// While the group frames the map and writes alone there is nothing to clean up or act on yet:
// no "More" in the toolbar (the keys, M and Space, still work).
const EARLY_STEPS = ["frame", "brainstorm"];
const REFRESH_MS = 1000; // suggestions fetched again this long after the board last changed
const WIDE = "(min-width: 900px)"; // a side panel beside the board; narrower, a sheet over it

const textOf = (sticky) => sticky?.querySelector(".text")?.textContent ?? "";
const pairKey = (a, b) => [a, b].sort().join(" ");
const json = (id) => JSON.parse(document.getElementById(id)?.textContent ?? "null");

// A kind's glyph and short name, as the toolbar's kind menu says it ("▶ Event").
export function kindName(kind) {
  return document.querySelector(`#toolbar-kind option[value="${kind}"]`)?.textContent.trim() ?? kind;
}

// Where a sticky is, in words: a note by the event it is under, a parked one as parked.
function whereIs(sticky) {
  if (!sticky) return "";
  const column = sticky.closest(".column");
  if (!column) return "parked";
  if (sticky.parentElement === column) return "";
  return `under ${quote(textOf(column.querySelector(":scope > .sticky")))}`;
}

// Bring a sticky into view and give it the focus (its toolbar comes with it).
export function showOnBoard(id) {
  const sticky = document.getElementById(`s-${id}`);
  if (!sticky) return notice.show("That sticky is not on the board any more.");
  // A sheet over the board (a phone) steps aside to show it.
  if (!matchMedia(WIDE).matches) document.dispatchEvent(new CustomEvent("work:panel", { detail: null }));
  boardLayout()?.reveal(sticky);
  sticky.focus({ preventScroll: true });
}

// A sticky's marks (votes, selected) are described to screen readers with it.
export function describe(sticky) {
  const ids = [...sticky.querySelectorAll(".sticky-said[id]")].map((said) => said.id);
  if (ids.length) sticky.setAttribute("aria-describedby", ids.join(" "));
  else sticky.removeAttribute("aria-describedby");
}

// A panel of the phase work: opened by its button (and put forward, open on a wide screen, in
// its step of the agenda); one open at a time; Escape or ✕ closes it and gives the focus back.
export class WorkPanel {
  constructor({ panel, opener, phase, opened, closed }) {
    this.panel = panel;
    this.opener = opener;
    this.phase = phase;
    this.opened = opened ?? (() => {});
    this.closed = closed ?? (() => {});
    this.state = json("board-state") ?? {};
    opener.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    panel.querySelector("[data-close]")?.addEventListener("click", () => this.close());
    panel.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || event.target.closest("select")) return;
      event.preventDefault();
      event.stopPropagation();
      this.close();
    });
    document.addEventListener("work:panel", (event) => {
      if (event.detail !== panel.id && this.isOpen) this.close({ focus: false });
    });
    document.addEventListener("board:state", (event) => this.stepped(event.detail));
    this.stepped(this.state, true);
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  open({ focus = true } = {}) {
    if (!this.isOpen) {
      this.panel.hidden = false;
      this.opener.setAttribute("aria-expanded", "true");
      document.dispatchEvent(new CustomEvent("work:panel", { detail: this.panel.id }));
      this.opened();
    }
    if (focus) this.panel.querySelector("h2").focus();
  }

  close({ focus = true } = {}) {
    if (!this.isOpen) return;
    const inside = this.panel.contains(document.activeElement);
    this.panel.hidden = true;
    this.put = false;
    this.opener.setAttribute("aria-expanded", "false");
    this.closed();
    if (focus || inside) this.opener.focus();
  }

  // The step this panel belongs to puts it forward: its button marked, and on a wide screen
  // the panel open (without taking the focus from what anyone is doing). Leaving the step
  // closes it again, if the step opened it.
  stepped(state, first = false) {
    const moved = first || state.phase !== this.state.phase;
    this.state = state;
    const ours = state.phase === this.phase;
    this.opener.classList.toggle("suggested", ours);
    if (!moved) return;
    if (ours && matchMedia(WIDE).matches && !this.isOpen) {
      this.open({ focus: false });
      this.put = true;
    } else if (!ours && this.put) this.close({ focus: false });
  }
}

export function wireMerges(context) {
  const part = document.getElementById("merges-part");
  if (part) new Merges(context, part);
}

class Merges {
  constructor({ board, editor, live }, part) {
    this.board = board;
    this.editor = editor;
    this.live = live;
    this.slug = document.getElementById("board").dataset.socketPath.split("/").at(-2);
    this.pairs = []; // the suggestions fetched, as {a, b, a_text, b_text}
    this.dismissed = new Set(); // pair keys said not to be duplicates
    this.pending = new Set(); // pair keys merged or dismissed here, not yet gone from the list
    this.swapped = new Set(); // pair keys whose second sticky is the one to keep
    this.mergedInto = new Map(); // kept sticky id -> ids merged into it (seen in this page's life)
    this.source = null; // "Merge…": the sticky to merge into the one chosen next
    this.picked = []; // selected stickies, in the order selected: merged into the first
    this.fetches = 0;
    this.list = part.querySelector("[data-merges=pairs]");
    this.status = part.querySelector("[data-merges=status]");
    this.count = part.querySelector("[data-merges=count]");
    this.retry = part.querySelector("[data-merges=retry]");
    this.template = document.getElementById("pair-template");
    this.panel = new WorkPanel({
      panel: document.getElementById("merges-panel"),
      opener: document.getElementById("merges-opener"),
      phase: "dedupe",
      opened: () => this.refresh(),
    });
    this.retry.addEventListener("click", () => this.refresh());
    this.list.addEventListener("click", (event) => this.pairClicked(event));
    this.trackMerges();
    this.watchBoard();
    document.addEventListener("board:dismissal", (event) => this.dismissal(event.detail));
    // A snapshot brings the dismissals whole again.
    document.addEventListener("board:work-reset", () => this.dismissed.clear());
    if (!editor) return;
    this.toolbar = document.getElementById("sticky-toolbar");
    this.mergeBar = document.getElementById("merge-bar");
    this.pickBar = document.getElementById("pick-bar");
    this.wireToolbar();
    this.wireMergeMode();
    this.wirePicking();
    document.addEventListener("board:placed", (event) => this.marked(event.detail));
  }

  // --- what is merged into what: the states of merged stickies say it (merged_into) ---

  trackMerges() {
    const show = this.board.appliers.sticky;
    this.board.appliers.sticky = (state) => {
      for (const inside of this.mergedInto.values()) inside.delete(state.id);
      if (state.merged_into) {
        if (!this.mergedInto.has(state.merged_into)) this.mergedInto.set(state.merged_into, new Set());
        this.mergedInto.get(state.merged_into).add(state.id);
        // A merged event leaves the timeline, column and all: view.js keeps the column of an
        // event whose state says it is still on the timeline, which a merged one's does.
        if (state.id !== this.board.editingHere) this.board.remove(state.id);
      }
      show(state);
    };
  }

  hasMerged(sticky) {
    return Number(sticky.dataset.merged ?? 0) > 0 || (this.mergedInto.get(sticky.dataset.id)?.size ?? 0) > 0;
  }

  // --- the suggestions panel ---

  // Stickies came, went or changed: the suggestions are fetched again (a second after the
  // last change) while the panel is open.
  watchBoard() {
    const isSticky = (node) => node.nodeType === 1 && node.matches(".sticky[data-id], .column, #board-content");
    const observer = new MutationObserver((records) => {
      const changed = records.some((record) => [...record.addedNodes, ...record.removedNodes].some(isSticky));
      if (!changed) return;
      this.prune();
      if (!this.panel.isOpen) return;
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => this.refresh(), REFRESH_MS);
    });
    observer.observe(document.getElementById("canvas"), { childList: true, subtree: true });
  }

  async refresh() {
    clearTimeout(this.refreshTimer);
    const fetch_ = ++this.fetches;
    if (!this.pairs.length) this.say("Looking for duplicates…");
    this.retry.hidden = true;
    let answer;
    try {
      const response = await fetch(`/w/${this.slug}/duplicates/`, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`${response.status}`);
      answer = await response.json();
    } catch {
      if (fetch_ !== this.fetches) return;
      this.say("The suggestions could not be loaded just now.");
      this.retry.hidden = false;
      return;
    }
    if (fetch_ !== this.fetches) return; // a later fetch is under way: its answer is newer
    this.pending.clear();
    this.pairs = answer.suggestions;
    this.showPairs();
  }

  say(text) {
    this.status.textContent = text;
  }

  shownPairs() {
    return this.pairs.filter(({ a, b }) => {
      const key = pairKey(a, b);
      return !this.dismissed.has(key) && !this.pending.has(key) && this.board.sticky(a) && this.board.sticky(b);
    });
  }

  // The list drawn again, each pair's row kept where it was (and the focus in it).
  showPairs() {
    const pairs = this.shownPairs();
    const rows = new Map([...this.list.children].map((row) => [row.dataset.key, row]));
    // A row that goes with the focus in it (merged, dismissed) leaves the focus on the row that
    // takes its place, on the same button.
    const focused = document.activeElement;
    const focusedRow = this.list.contains(focused) ? focused.closest(".pair") : null;
    const place = focusedRow ? [...this.list.children].indexOf(focusedRow) : -1;
    const wanted = pairs.map((pair) => {
      const key = pairKey(pair.a, pair.b);
      const row = rows.get(key) ?? this.newRow(key);
      this.fillRow(row, pair);
      return row;
    });
    keepInOrder(this.list, wanted);
    if (focusedRow && !focusedRow.isConnected) {
      const next = wanted[Math.min(place, wanted.length - 1)];
      const action = focused.dataset.pairAction;
      (next?.querySelector(`[data-pair-action="${action}"]`) ?? next?.querySelector("button") ?? this.status).focus();
    } else if (focusedRow && document.activeElement !== focused) focused.focus({ preventScroll: true }); // its row moved
    const count = pairs.length;
    this.count.hidden = !count;
    this.count.textContent = count;
    this.count.title = `${count} pair${count === 1 ? "" : "s"} to look at`;
    if (!count) {
      this.say(
        this.editor
          ? "No likely duplicates left. If two stickies still say the same thing, drag one onto the middle of the other, or press M on one of them."
          : "No likely duplicates left.",
      );
    } else this.say(count === 1 ? "1 pair may say the same thing." : `${count} pairs may say the same thing.`);
  }

  newRow(key) {
    const row = this.template.content.firstElementChild.cloneNode(true);
    row.dataset.key = key;
    return row;
  }

  fillRow(row, pair) {
    const key = row.dataset.key;
    const [kept, merged] = this.swapped.has(key) ? [pair.b, pair.a] : [pair.a, pair.b];
    const texts = { [pair.a]: pair.a_text, [pair.b]: pair.b_text };
    const kind = this.board.sticky(kept)?.dataset.kind ?? "";
    row.className = `pair kind-${kind}`;
    Object.assign(row.dataset, { kept, merged });
    row.querySelector(".pair-kind").textContent = kindName(kind);
    for (const [role, id] of [["kept", kept], ["merged", merged]]) {
      const button = row.querySelector(`[data-pair="${role}"]`);
      const where = whereIs(this.board.sticky(id));
      button.dataset.sticky = id;
      button.querySelector(".pair-words").textContent = texts[id];
      button.querySelector(".pair-where").textContent = where;
      const said = role === "kept" ? "Keep" : "Merge in";
      button.setAttribute("aria-label", `${said}: ${texts[id]}${where ? `, ${where}` : ""} (show it on the board)`);
    }
    const action = (name) => row.querySelector(`[data-pair-action="${name}"]`);
    action("merge")?.setAttribute("aria-label", `Merge: keep ${quote(texts[kept])}, merge ${quote(texts[merged])} into it`);
    action("dismiss")?.setAttribute("aria-label", `Not duplicates: ${quote(texts[kept])} and ${quote(texts[merged])}`);
    action("swap")?.setAttribute("aria-label", `Swap: keep ${quote(texts[merged])} instead`);
  }

  pairClicked(event) {
    const row = event.target.closest(".pair");
    if (!row) return;
    const shown = event.target.closest("[data-pair]");
    if (shown) return showOnBoard(shown.dataset.sticky);
    const action = event.target.closest("[data-pair-action]")?.dataset.pairAction;
    const { kept, merged, key } = row.dataset;
    if (action === "swap") {
      if (this.swapped.has(key)) this.swapped.delete(key);
      else this.swapped.add(key);
      this.showPairs();
      row.querySelector("[data-pair-action=swap]").focus();
    } else if (action === "merge") {
      this.pending.add(key);
      this.editor.merge(kept, [merged]);
      this.showPairs();
      // Refused (someone merged one of them first, say): the next fetch brings it back.
      this.refreshTimer = setTimeout(() => this.refresh(), REFRESH_MS);
    } else if (action === "dismiss") {
      this.pending.add(key);
      const text = (id) => quote(textOf(this.board.sticky(id)));
      this.live.send({ type: "dismiss", sticky: kept, other: merged });
      notice.show(`${text(kept)} and ${text(merged)} stay apart: not suggested again.`);
      this.showPairs();
    }
  }

  // Someone said two stickies are not duplicates: the pair leaves every screen's list.
  dismissal(state) {
    this.dismissed.add(pairKey(...state.stickies));
    if (this.panel.isOpen) this.showPairs();
  }

  // --- the toolbar's actions for the focused sticky ---

  wireToolbar() {
    const toolbar = this.toolbar;
    if (!toolbar) return;
    this.phase = json("board-state")?.phase;
    document.addEventListener("board:state", (event) => (this.phase = event.detail.phase));
    this.ownerField = toolbar.querySelector("[data-owner-field]");
    this.ownerInput = document.getElementById("toolbar-owner");
    document.addEventListener("board:toolbar", (event) => this.showActions(event.detail));
    toolbar.addEventListener("click", (event) => {
      const action = event.target.closest("[data-action]")?.dataset.action;
      const sticky = this.board.sticky(toolbar.dataset.sticky);
      if (!sticky) return;
      if (action === "more") {
        this.expanded = !this.expanded;
        this.editor.showToolbar(sticky); // placed again at its new size
      } else if (action === "merge") this.startMerge(sticky);
      else if (action === "pick") this.togglePick(sticky);
      else if (action === "split") this.split(sticky);
      else if (action === "question") this.question(sticky);
      else if (action === "make-action") {
        const detail = { sticky: sticky.dataset.id, text: textOf(sticky) };
        document.dispatchEvent(new CustomEvent("work:make-action", { detail }));
      }
    });
    // Saved when the field is left changed (Enter goes back to the sticky); Escape leaves it as it was.
    this.ownerInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        this.board.sticky(toolbar.dataset.sticky)?.focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        this.ownerInput.value = this.ownerOf(this.board.sticky(toolbar.dataset.sticky));
        this.board.sticky(toolbar.dataset.sticky)?.focus();
      }
    });
    this.ownerInput.addEventListener("change", () => this.saveOwner());
  }

  // The actions that apply to this sticky: those of the step the group is on shown, the others
  // behind "More" (a compact toolbar keeps clear of the stickies around it).
  showActions(sticky) {
    const shared = !sticky.matches(".is-private");
    const check = sticky.dataset.kind === "check";
    const applies = {
      merge: shared,
      pick: shared,
      split: shared && this.hasMerged(sticky),
      question: shared && sticky.dataset.kind === "event" && Boolean(sticky.closest(".column")),
      "make-action": true,
      owner: check,
    };
    let more = false;
    let any = false;
    for (const [action, applied] of Object.entries(applies)) {
      const now = ACTIONS_NOW[action] === null || ACTIONS_NOW[action].includes(this.phase);
      const shown = applied && (now || this.expanded);
      const control = action === "owner" ? this.ownerField : this.toolbar.querySelector(`[data-action="${action}"]`);
      control.hidden = !shown;
      more ||= applied && !now;
      any ||= shown;
    }
    this.toolbar.querySelector("#toolbar-work").hidden = !any;
    const toggle = this.toolbar.querySelector("[data-action=more]");
    if (EARLY_STEPS.includes(this.phase) && !this.expanded) more = false;
    toggle.hidden = !more;
    toggle.setAttribute("aria-expanded", this.expanded && more ? "true" : "false");
    toggle.title = this.expanded ? "Fewer actions" : "More: merge, select, question the order, make an action";
    this.toolbar.querySelector("[data-action=pick]").setAttribute("aria-pressed", this.picked.includes(sticky.dataset.id) ? "true" : "false");
    if (check && document.activeElement !== this.ownerInput) this.ownerInput.value = this.ownerOf(sticky);
  }

  // The owner a check shows ("Signed off by …"), as written.
  ownerOf(sticky) {
    const said = sticky?.querySelector(".owner")?.cloneNode(true);
    if (!said) return "";
    said.querySelector(".owner-label")?.remove();
    return said.textContent.trim();
  }

  saveOwner() {
    const sticky = this.board.sticky(this.toolbar.dataset.sticky);
    if (!sticky || sticky.dataset.kind !== "check") return;
    const owner = this.ownerInput.value.trim().replace(/\s+/g, " ");
    const before = this.ownerOf(sticky);
    if (owner === before) return;
    const id = sticky.dataset.id;
    this.editor.change({ type: "update", sticky: id, owner }, { type: "update", sticky: id, owner: before });
  }

  // Everything merged into it comes out again; its undo merges what came out (the server's
  // answer says which).
  split(sticky) {
    const id = sticky.dataset.id;
    const kind = sticky.dataset.kind;
    const undoFrom = (message) => {
      const out = message.entities
        .filter((state) => state.entity === "sticky" && state.id !== id && state.kind === kind && state.html && !state.merged_into)
        .map((state) => state.id);
      return out.length ? { type: "merge", sticky: id, stickies: out } : null;
    };
    const done = `Split ${quote(textOf(sticky))}: the stickies merged into it are back where they were.`;
    this.editor.change({ type: "split", sticky: id }, null, { undoFrom, done });
  }

  // "Is this in the right place?" under the event, ready to be reworded (Enter keeps it).
  question(event) {
    const id = crypto.randomUUID();
    this.asked = id;
    this.editor.change(
      { type: "add", kind: "question", text: QUESTION, id, place: { parked: false, event: event.dataset.id } },
      null,
    );
  }

  // --- marks that stay on a sticky drawn again: selected, the one being merged ---

  marked(id) {
    const sticky = this.board.sticky(id);
    if (!sticky) return;
    if (id === this.asked) {
      this.asked = null;
      boardLayout()?.reveal(sticky);
      this.editor.edit(sticky);
      notice.show("Question added: change its words, or press Enter to keep them.");
    }
    sticky.classList.toggle("merge-source", id === this.source);
    this.markPick(sticky);
  }

  // --- "Merge…": this sticky into the one chosen next ---

  wireMergeMode() {
    this.into = document.getElementById("merge-into");
    this.mergeBar.addEventListener("click", (event) => {
      const action = event.target.closest("[data-merge]")?.dataset.merge;
      if (action === "go") {
        if (!this.into.value) return notice.show("Choose the sticky to merge it into.");
        this.finishMerge(this.into.value);
      } else if (action === "cancel") this.cancelMerge();
    });
    this.into.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && this.into.value) {
        event.preventDefault();
        this.finishMerge(this.into.value);
      }
    });
    // Before the editor's keys and clicks: Enter (a click, a tap) on a sticky merges into it.
    document.addEventListener("keydown", (event) => {
      if (!this.source) return;
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        return this.cancelMerge();
      }
      const sticky = event.target.closest?.(".sticky[data-id]");
      if (event.key === "Enter" && sticky && event.target === sticky) {
        event.preventDefault();
        event.stopPropagation();
        this.chosen(sticky);
      }
    }, true);
    document.getElementById("canvas").addEventListener("click", (event) => {
      const sticky = event.target.closest(".sticky[data-id]");
      if (!this.source || !sticky || event.target.closest("button")) return;
      event.preventDefault();
      event.stopPropagation();
      this.chosen(sticky);
    }, true);
    document.getElementById("canvas").addEventListener("keydown", (event) => {
      const sticky = event.target.closest?.(".sticky[data-id]");
      if (!sticky || event.target !== sticky || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "m" || event.key === "M") {
        event.preventDefault();
        this.startMerge(sticky);
      }
    });
  }

  candidates(sticky) {
    const kind = sticky.dataset.kind;
    return [...document.querySelectorAll(`#board-content .sticky[data-id][data-kind="${kind}"]:not(.is-private)`)]
      .filter((other) => other !== sticky);
  }

  startMerge(sticky) {
    if (sticky.matches(".is-private")) return notice.show("Private stickies can be merged after the reveal.");
    const others = this.candidates(sticky);
    if (!others.length) return notice.show(`There is no other ${kindName(sticky.dataset.kind)} sticky to merge it into.`);
    this.cancelMerge({ focus: false });
    this.source = sticky.dataset.id;
    sticky.classList.add("merge-source");
    document.getElementById("canvas").dataset.mergeKind = sticky.dataset.kind;
    this.mergeBar.querySelector("[data-merge=source]").textContent = quote(textOf(sticky));
    const where = (other) => (whereIs(other) ? ` (${whereIs(other)})` : "");
    const choose = new Option("Choose the sticky to keep…", "");
    choose.disabled = true;
    this.into.replaceChildren(choose, ...others.map((other) => new Option(`${textOf(other)}${where(other)}`, other.dataset.id)));
    this.into.value = "";
    this.mergeBar.hidden = false;
    this.into.focus();
  }

  chosen(sticky) {
    if (sticky.dataset.id === this.source) return notice.show("Choose another sticky: the one to keep.");
    const source = this.board.sticky(this.source);
    if (!source) return this.cancelMerge();
    if (sticky.dataset.kind !== source.dataset.kind || sticky.matches(".is-private")) {
      return notice.show(`Only stickies of one kind merge: choose another ${kindName(source.dataset.kind)} sticky, one marked with a dashed edge.`);
    }
    this.finishMerge(sticky.dataset.id);
  }

  finishMerge(keptId) {
    const source = this.source;
    this.cancelMerge({ focus: false });
    if (!this.board.sticky(source)) return notice.show("That sticky is no longer on the board.");
    this.editor.merge(keptId, [source]);
    this.board.sticky(keptId)?.focus();
  }

  cancelMerge({ focus = true } = {}) {
    const source = this.source && this.board.sticky(this.source);
    this.source = null;
    source?.classList.remove("merge-source");
    delete document.getElementById("canvas").dataset.mergeKind;
    this.mergeBar.hidden = true;
    if (focus) source?.focus();
  }

  // --- selected stickies, merged into the first ---

  wirePicking() {
    const canvas = document.getElementById("canvas");
    canvas.addEventListener("click", (event) => {
      const sticky = event.target.closest(".sticky[data-id]");
      if (!sticky || this.source || !(event.shiftKey || event.metaKey || event.ctrlKey)) return;
      if (event.target.closest("button")) return;
      event.preventDefault();
      getSelection()?.removeAllRanges(); // Shift+click selects text too
      this.togglePick(sticky);
    });
    canvas.addEventListener("keydown", (event) => {
      const sticky = event.target.closest?.(".sticky[data-id]");
      if (!sticky || event.target !== sticky || event.key !== " " || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      this.togglePick(sticky);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !this.picked.length || this.source) return;
      if (event.target.closest?.("input, textarea, select, .work-panel")) return;
      this.clearPicks();
    });
    this.pickBar.addEventListener("click", (event) => {
      const action = event.target.closest("[data-pick]")?.dataset.pick;
      if (action === "clear") this.clearPicks({ focus: true });
      else if (action === "merge") this.mergePicked();
    });
  }

  togglePick(sticky) {
    const id = sticky.dataset.id;
    if (this.picked.includes(id)) this.picked = this.picked.filter((other) => other !== id);
    else {
      if (sticky.matches(".is-private")) return notice.show("Private stickies can be merged after the reveal.");
      const first = this.board.sticky(this.picked[0]);
      if (first && first.dataset.kind !== sticky.dataset.kind) {
        return notice.show(`Select stickies of one kind: this is a ${kindName(sticky.dataset.kind)}, the first selected a ${kindName(first.dataset.kind)}.`);
      }
      this.picked.push(id);
    }
    this.showPicks();
    if (this.toolbar?.dataset.sticky === id) {
      this.toolbar.querySelector("[data-action=pick]").setAttribute("aria-pressed", this.picked.includes(id) ? "true" : "false");
    }
  }

  // Selected stickies that left the board (merged, deleted) are no longer selected.
  prune() {
    if (!this.picked?.length) return;
    const still = this.picked.filter((id) => this.board.sticky(id));
    if (still.length !== this.picked.length) {
      this.picked = still;
      this.showPicks();
    }
  }

  markPick(sticky) {
    const order = this.picked.indexOf(sticky.dataset.id);
    sticky.classList.toggle("is-picked", order >= 0);
    sticky.querySelectorAll(".pick-mark, .pick-said").forEach((mark) => mark.remove());
    if (order >= 0) {
      const mark = document.createElement("span");
      mark.className = "pick-mark";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = `✓${order + 1}`;
      const said = document.createElement("span");
      said.className = "sticky-said pick-said visually-hidden";
      said.id = `picked-${sticky.dataset.id}`;
      said.textContent = order === 0 ? "Selected first: the others merge into it." : `Selected, number ${order + 1}.`;
      sticky.append(mark, said);
    }
    describe(sticky);
  }

  showPicks() {
    document.querySelectorAll(".sticky.is-picked").forEach((sticky) => this.markPick(sticky));
    this.picked.forEach((id) => {
      const sticky = this.board.sticky(id);
      if (sticky) this.markPick(sticky);
    });
    const count = this.picked.length;
    this.pickBar.hidden = !count;
    const first = this.board.sticky(this.picked[0]);
    const said = this.pickBar.querySelector("[data-pick=said]");
    const merge = this.pickBar.querySelector("[data-pick=merge]");
    merge.hidden = count < 2;
    if (count === 1) said.textContent = `1 selected: select more ${kindName(first?.dataset.kind)} stickies (Space, Shift+click) to merge them into it.`;
    else if (count > 1) {
      said.textContent = `${count} selected.`;
      const second = quote(textOf(this.board.sticky(this.picked[1])));
      merge.textContent = `Merge ${count === 2 ? second : `${count - 1} stickies`} into ${quote(textOf(first))}`;
    }
  }

  mergePicked() {
    const [kept, ...others] = this.picked;
    this.clearPicks();
    this.editor.merge(kept, others);
    this.board.sticky(kept)?.focus();
  }

  clearPicks({ focus = false } = {}) {
    const first = this.board.sticky(this.picked[0]);
    this.picked = [];
    this.showPicks();
    if (focus) first?.focus();
  }
}
