// Front end of lnhet_widgets.widgets.parts.ProgressBeacon: turns the kernel's progress reports
// (a quiz answered, right or wrong) into a DOM event that the JupyterLab course extension
// hears. It draws nothing and takes no space. Where nobody listens (Voila, Notebook without
// the extension) the event simply goes unheard.
//
// The contract with the extension (COURSE_CONTRACT §3): from the widget's element,
//   el.dispatchEvent(new CustomEvent("lnhet-progress", {bubbles: true, composed: true,
//     detail: {kind: "quiz", key: <question, plain text>, correct: <bool>}}))
// The extension finds the lesson from the notebook panel that contains the element.

export const PROGRESS_EVENT = "lnhet-progress";

/**
 * The event detail for a message from the kernel, or null if the message is not a report.
 *
 * @param {unknown} content the custom message's content
 * @returns {{kind: "quiz", key: string, correct: boolean} | null}
 */
export function progressDetail(content) {
  if (content === null || typeof content !== "object") return null;
  const { kind, key, correct } = content;
  if (kind !== "quiz" || typeof key !== "string" || key === "" || typeof correct !== "boolean") {
    return null;
  }
  return { kind, key, correct };
}

function render({ model, el }) {
  el.style.display = "none";
  const onMessage = (content) => {
    const detail = progressDetail(content);
    if (detail !== null) {
      el.dispatchEvent(new CustomEvent(PROGRESS_EVENT, { bubbles: true, composed: true, detail }));
    }
  };
  model.on("msg:custom", onMessage);
  return () => model.off("msg:custom", onMessage);
}

export default { render };
