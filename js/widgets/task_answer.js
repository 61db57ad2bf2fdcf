// Front end of lnhet_widgets.widgets.parts.solution.TaskAnswer: a lesson task's answer,
// folded away in a <details> block and computed by the kernel only when the student opens it.
//
// The block is `<details class="lnhet-task" data-lnhet-task=KEY>`: the JupyterLab course
// extension hears its `toggle` event (capture phase) and counts the task as opened, exactly as
// for the static blocks lessons printed before. Each opening asks the kernel again
// ({kind: "open"}), so the answer shows what the current model gives; the reply arrives as
// the synced `text`/`error` with a new `revision`.

export const TASK_CLASS = "lnhet-task";
export const OPEN_REQUEST = { kind: "open" };

/**
 * What the body of the block shows for the model's state.
 *
 * @param {{revision: number, text: string, error: string}} state
 * @param {boolean} waiting whether an opening is still waiting for the kernel's answer
 * @returns {{text: string, isError: boolean}}
 */
export function bodyFor(state, waiting) {
  if (waiting) return { text: "Computing the answer…", isError: false };
  if (!state.revision) return { text: "", isError: false }; // never computed yet
  if (state.error) {
    return { text: `${state.text}${state.text ? "\n" : ""}${state.error}`, isError: true };
  }
  return { text: state.text || "(the answer printed nothing)", isError: false };
}

function render({ model, el }) {
  const details = document.createElement("details");
  details.className = TASK_CLASS;
  details.dataset.lnhetTask = model.get("key");
  const summary = document.createElement("summary");
  const title = document.createElement("b");
  title.textContent = model.get("title");
  summary.append(title);
  const body = document.createElement("pre");
  body.className = "lnhet-task-body";
  details.append(summary, body);
  el.append(details);

  // The revision an opening waits to see go past; null when nothing is pending.
  let waitingFor = null;

  function draw() {
    const state = {
      revision: model.get("revision"),
      text: model.get("text"),
      error: model.get("error"),
    };
    const { text, isError } = bodyFor(state, waitingFor !== null);
    body.textContent = text;
    body.style.color = isError ? "#b00020" : "";
  }

  function onToggle() {
    if (!details.open) return;
    waitingFor = model.get("revision");
    draw();
    model.send(OPEN_REQUEST);
  }

  function onRevision() {
    if (waitingFor !== null && model.get("revision") !== waitingFor) waitingFor = null;
    draw();
  }

  details.addEventListener("toggle", onToggle);
  model.on("change:revision", onRevision);
  draw();
  return () => {
    details.removeEventListener("toggle", onToggle);
    model.off("change:revision", onRevision);
  };
}

export default { render };
