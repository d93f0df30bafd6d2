// See board/work.js.
export function wireActions() {}
