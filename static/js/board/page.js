// The parts of the page every other module leans on: turning html into an element, quoting a
// sticky's text, the notice at the bottom, the live status badge, zoom, dialogs and copy buttons.
// It runs on every page that loads board.js (the manage page too), so it expects nothing to exist.

import { boardLayout } from "./layout.js";

export function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

export function quote(text) {
  return `“${text.length > 40 ? `${text.slice(0, 40)}…` : text}”`;
}

export const notice = {
  box: document.getElementById("board-notice"),
  show(text, action) {
    if (!this.box) return;
    this.box.querySelector(".notice-text").textContent = text;
    const button = this.box.querySelector(".notice-action");
    button.hidden = !action;
    if (action) {
      button.textContent = action.label;
      button.onclick = () => {
        action.run();
        this.hide();
      };
    }
    this.box.hidden = false;
    clearTimeout(this.timer);
    if (action || !text.endsWith("…")) this.timer = setTimeout(() => this.hide(), 7000);
  },
  hide() {
    if (this.box) this.box.hidden = true;
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
