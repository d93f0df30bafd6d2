// The parts of the page every other module leans on: turning html into an element, quoting a
// sticky's text, the notice at the bottom, the live status badge, zoom, dialogs and copy buttons.
// It runs on every page that loads board.js (the manage page too), so it expects nothing to exist.

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

export function wireZoom() {
  const map = document.getElementById("canvas");
  const label = document.getElementById("zoom-level");
  if (!label) return;
  let zoom = 1;
  const set = (value) => {
    zoom = Math.min(1.5, Math.max(0.3, Math.round(value * 10) / 10));
    map.style.setProperty("--zoom", zoom);
    label.textContent = `${Math.round(zoom * 100)}%`;
  };
  document.querySelectorAll("[data-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      const step = button.dataset.zoom;
      set(step === "reset" ? 1 : zoom + Number(step));
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
    button.textContent = "Copied ✓";
    setTimeout(() => (button.textContent = "Copy"), 2000);
  });
}
