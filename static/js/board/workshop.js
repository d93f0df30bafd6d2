// The board's own state (the workshop: title, goal, bookends, agenda step, flags, ended) shown
// where the page marks it: `data-board="<field>"` holds a field's text, `data-board-label` is an
// aria-label to complete with its field's text, `data-board-flag="<field>"` shows only when true.

import { notice } from "./page.js";

const RELOAD_AFTER_MS = 1500;
let reload = null;

export function showWorkshop(state, { endedOnPage }) {
  document.querySelectorAll("[data-board]").forEach((element) => {
    const field = element.dataset.board;
    if (field in state) element.textContent = state[field];
  });
  const goal = document.querySelector("[data-board=goal]")?.closest(".goal");
  if (goal) goal.hidden = !state.goal;
  document.querySelectorAll("[data-board-label]").forEach((element) => {
    const text = element.querySelector("[data-board]")?.textContent ?? "";
    element.setAttribute("aria-label", `${element.dataset.boardLabel}${text}`);
  });
  document.querySelectorAll("[data-board-flag]").forEach((element) => {
    element.hidden = state[element.dataset.boardFlag] !== true;
  });
  document.title = `${state.title} · p2pboard`;
  // The page was rendered with the controls of an open (or ended) workshop: the server renders
  // the right ones, so the page comes again.
  if (state.ended !== endedOnPage && !reload) {
    notice.show(
      state.ended
        ? "The facilitator ended the workshop: the board is now read-only."
        : "The facilitator reopened the workshop.",
    );
    reload = setTimeout(() => location.reload(), RELOAD_AFTER_MS);
  }
}
