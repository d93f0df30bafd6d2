// The parts of the page every other module leans on: turning html into an element, quoting a
// sticky's text, a list kept in order, the notice at the bottom, the live status badge, zoom,
// dialogs and copy buttons.
// It runs on every page that loads board.js (the manage page too), so it expects nothing to exist.

import { boardLayout } from "./layout.js";

export function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

// `parent`'s children made `wanted`, in that order, moving only those out of place: a list
// drawn again as others change the board keeps the rows that stay, so a click under way on one
// of their buttons is not lost, nor the focus on it.
export function keepInOrder(parent, wanted) {
  wanted.forEach((child, index) => {
    if (parent.children[index] !== child) parent.insertBefore(child, parent.children[index] ?? null);
  });
  while (parent.children.length > wanted.length) parent.lastElementChild.remove();
}

export function quote(text) {
  return `“${text.length > 40 ? `${text.slice(0, 40)}…` : text}”`;
}

// A notice with an action (Undo) stays 20 s, and while the pointer or focus is on it: a person
// who went to it by Tab or is about to press it keeps it. Focus on it goes back where it came
// from when it goes.
const NOTICE_MS = { plain: 7000, action: 20000 };
export const notice = {
  box: document.getElementById("board-notice"),
  show(text, action) {
    if (!this.box) return;
    this.wire();
    this.box.querySelector(".notice-text").textContent = text;
    const button = this.box.querySelector(".notice-action");
    button.hidden = !action;
    if (action) {
      button.textContent = action.label;
      // Undo has a key of its own: said on the button for those who would rather press it.
      if (action.keys) button.setAttribute("aria-keyshortcuts", action.keys);
      else button.removeAttribute("aria-keyshortcuts");
      button.title = action.keys ? `${action.label} (${action.keys.replace("Control", "Ctrl")})` : "";
      button.onclick = () => {
        action.run();
        this.hide({ now: true });
      };
    }
    this.box.hidden = false;
    clearTimeout(this.timer);
    if (action || !text.endsWith("…")) this.timer = setTimeout(() => this.hide(), action ? NOTICE_MS.action : NOTICE_MS.plain);
  },
  hide({ now = false } = {}) {
    if (!this.box) return;
    if (!now && (this.box.matches(":hover") || this.box.contains(document.activeElement))) {
      this.timer = setTimeout(() => this.hide(), 1000);
      return;
    }
    const focused = this.box.contains(document.activeElement);
    this.box.hidden = true;
    if (focused && this.cameFrom?.isConnected) this.cameFrom.focus();
  },
  wire() {
    if (this.wired) return;
    this.wired = true;
    this.box.addEventListener("focusin", (event) => {
      if (event.relatedTarget && !this.box.contains(event.relatedTarget)) this.cameFrom = event.relatedTarget;
    });
    this.box.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      this.hide({ now: true });
    });
  },
};

const statusBadge = document.getElementById("live-status");

export function setStatus(state, text) {
  if (!statusBadge) return;
  statusBadge.dataset.state = state;
  statusBadge.textContent = text;
}

// Zoom scales the board (text and all); the columns still share the width there is
// (board/layout.js). Fit: the largest zoom, up to 100%, at which the whole path fits the width.
export function wireZoom() {
  const label = document.getElementById("zoom-level");
  const layout = boardLayout();
  if (!label || !layout) return;
  // Its name starts with what it shows, as speech control users say it.
  const show = (zoom) => {
    label.textContent = `${Math.round(zoom * 100)}%`;
    label.setAttribute("aria-label", `${label.textContent}: reset the zoom`);
  };
  document.querySelectorAll("[data-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      const step = button.dataset.zoom;
      if (step === "fit") show(layout.fit());
      else show(layout.setZoom(step === "reset" ? 1 : layout.zoom + Number(step)));
    });
  });
}

export function wireDialogsAndCopy() {
  document.querySelectorAll("[data-open-dialog]").forEach((button) => {
    button.addEventListener("click", () => document.getElementById(button.dataset.openDialog).showModal());
  });
  // "?" anywhere but in a text box opens the list of keys (the dialog gives focus back on closing).
  const keys = document.getElementById("keys-dialog");
  document.addEventListener("keydown", (event) => {
    if (event.key !== "?" || !keys || keys.open || event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = "input:not([type=radio], [type=checkbox], [type=button], [type=submit]), textarea, select, [contenteditable]";
    if (event.target.closest?.(`${typing}, dialog[open]`)) return;
    event.preventDefault();
    keys.showModal();
  });
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const input = document.getElementById(button.dataset.copy);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand("copy");
    }
    // Only the visible word changes: the button keeps saying what it copies.
    const said = button.querySelector("[data-copy-said]") ?? button;
    said.textContent = "Copied ✓";
    setTimeout(() => (said.textContent = "Copy"), 2000);
  });
}
