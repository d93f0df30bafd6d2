// Where a sticky is and in what order, read from where it sits on the page: the view uses it
// to put a sticky in its place, the editor and dragging to say where a sticky was or goes.

export const ITEM = ".sticky, .column"; // what a place orders: stickies, and event columns
export const NOT_ITEM = ".lane-labels, .bookend";

function sortKey(element) {
  return `${element.dataset.rank} ${element.dataset.id}`;
}

// Ties in rank are broken by id, so every screen orders the same way.
export function insertSorted(container, element) {
  const key = sortKey(element);
  const next = [...container.children].find(
    (child) => child !== element && child.matches(ITEM) && sortKey(child) > key,
  );
  container.insertBefore(element, next ?? container.querySelector(":scope > .bookend-last"));
}

export function previousItem(element) {
  let previous = element.previousElementSibling;
  while (previous && !previous.matches(ITEM)) previous = previous.previousElementSibling;
  return previous;
}

export const isParked = (sticky) => sticky.closest(".parked") !== null;
// What a sticky is ordered as: an event on the timeline by its column, any other by itself (a
// note in a lane sits inside its event's column too, but is ordered within its lane).
export const itemOf = (sticky) => (sticky.parentElement?.matches(".column") ? sticky.parentElement : sticky);
export const eventOf = (sticky) => sticky.closest(".lane")?.dataset.event ?? null;
export const isParallel = (sticky) => sticky.classList.contains("is-parallel");

// A sticky's place and the item it comes after, as a `move` command says them.
export function placeOf(sticky) {
  const item = itemOf(sticky);
  const previous = previousItem(item);
  const parked = isParked(sticky);
  return {
    place: { parked, event: parked ? null : eventOf(sticky) },
    after: previous ? previous.dataset.id : null,
  };
}
