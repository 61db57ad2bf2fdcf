// DOM parts every custom widget of lnhet_widgets shares: the SVG element helper, the frame
// (style sheet, title line, error box, figure), the width a drawing is laid out at, the error
// display, and the wiring of model events and resizes. Browser-only (node tests cover the
// pure *_core.js modules).

export const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * An SVG element with attributes and optional text.
 *
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {string} [text]
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, text = undefined) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The frame of a widget, appended to `el`: a style sheet, a title line, an error box (shown
 * only when there is an error) and the SVG figure. Callers append their own extras to `root`.
 *
 * @param {HTMLElement} el the view's element
 * @param {{className: string, style: string, testid: string, label: string}} options
 * @returns {{root: HTMLDivElement, title: HTMLDivElement, error: HTMLDivElement,
 *   figure: SVGSVGElement}}
 */
export function createFrame(el, { className, style, testid, label }) {
  const root = document.createElement("div");
  root.className = className;
  const sheet = document.createElement("style");
  sheet.textContent = style;
  const title = document.createElement("div");
  title.className = `${className}-title`;
  const error = document.createElement("div");
  error.className = `${className}-error`;
  error.setAttribute("role", "alert");
  const figure = svg("svg", { "data-testid": testid, role: "img", "aria-label": label });
  root.append(sheet, title, error, figure);
  el.append(root);
  return { root, title, error, figure };
}

/**
 * The width to lay a drawing out at: the width the view gets, clamped to [min, max], so that
 * labels keep their size in a narrow column; `fallback` before the view is attached (width 0).
 */
export function fitWidth(root, min, max, fallback) {
  const available = Math.floor(root.clientWidth);
  return available > 0 ? Math.min(max, Math.max(min, available)) : fallback;
}

/**
 * Show the model's `error` trait and the drawing's own failure together; the previous drawing
 * stays in place.
 */
export function showErrors(model, frame, drawError) {
  const message = [model.get("error"), drawError].filter(Boolean).join("\n");
  frame.error.textContent = message;
  frame.error.hidden = message === "";
  frame.root.classList.toggle("has-error", message !== "");
}

/**
 * Call `onChange` when one of `traits` changes or when the width the view gets has changed
 * (`widthChanged()`), and `onError` when the `error` trait changes. Returns the teardown that
 * anywidget calls when the view goes away.
 */
export function watchModel(model, root, { traits, onChange, onError, widthChanged }) {
  const events = traits.map((name) => `change:${name}`);
  for (const event of events) model.on(event, onChange);
  model.on("change:error", onError);
  const resizes = new ResizeObserver(() => {
    if (root.clientWidth > 0 && widthChanged()) onChange();
  });
  resizes.observe(root);
  return () => {
    resizes.disconnect();
    for (const event of events) model.off(event, onChange);
    model.off("change:error", onError);
  };
}
