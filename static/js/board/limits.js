// A sticky holds a limited number of characters: say so as the person types (a counter once
// the text nears the limit) and refuse text over it, keeping it, rather than cutting it.

// Characters as the server counts them (code points of the trimmed text).
export const characters = (text) => [...text.trim()].length;

export class TextLimit {
  constructor(field, limit) {
    this.field = field;
    this.limit = limit;
    this.counter = document.createElement("span");
    this.counter.className = "char-count";
    this.counter.id = `${field.id || "sticky-text"}-count`;
    this.counter.setAttribute("aria-live", "polite");
    this.counter.hidden = true;
    field.after(this.counter);
    field.setAttribute("aria-describedby", this.counter.id);
    field.addEventListener("input", () => this.show());
    this.show();
  }

  get count() {
    return characters(this.field.value);
  }

  get over() {
    return this.count > this.limit;
  }

  show() {
    const { count, limit } = this;
    const near = count >= limit * 0.8;
    this.counter.hidden = !near;
    this.counter.classList.toggle("over", count > limit);
    this.counter.textContent = count > limit ? `${count}/${limit}: ${count - limit} too many` : `${count}/${limit}`;
    if (count > limit) this.field.setAttribute("aria-invalid", "true");
    else this.field.removeAttribute("aria-invalid");
  }

  refusal() {
    return `A sticky holds ${this.limit} characters at most; this text has ${this.count}. Shorten it, or split it over two stickies.`;
  }

  remove() {
    this.counter.remove();
  }
}
