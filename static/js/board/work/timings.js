// See board/work.js.
export function wireTimings() {}
