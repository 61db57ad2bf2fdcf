/**
 * Progress from the lessons' widgets (contract §3): a Quiz dispatches a bubbling
 * `lnhet-progress` event; a task's hidden answer is a `<details class="lnhet-task">` whose
 * `toggle` event (it does not bubble) is caught in the capture phase. An event belongs to the
 * lesson whose notebook panel holds its target, matched on the notebook's file name.
 *
 * With the instructor's setting `answersBeforeAttempt` off, a click that would open a task's
 * answer in a lesson whose checks are all unanswered is stopped in the capture phase (before
 * the answer's widget asks the kernel for it), and a note beside the answer says why.
 */

import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { ICourseManifest, lessonForPath } from './manifest';
import {
  hasAttempted,
  parseProgressDetail,
  recordEvent,
  recordOpened,
  recordTask
} from './progress';
import { ProgressStore } from './store';

/** Class of the `<details>` that `hidden_answer` emits. */
const TASK_CLASS = 'lnhet-task';
/** Class of the note shown beside a task's answer that may not be opened yet. */
export const LOCKED_NOTE_CLASS = 'lnhet-task-locked';
const LOCKED_NOTE =
  "Answer one of this lesson's checks first (a quiz, a numeric question or a code " +
  'exercise, right or wrong); then the computed answer opens.';

/** When task answers may be opened: the instructor's setting, read at each click. */
export interface IAnswerPolicy {
  beforeAttempt: () => boolean;
}

/** The closed task-answer block whose summary ``target`` is in, if any. */
function closedTaskOf(target: EventTarget | null): HTMLDetailsElement | null {
  const summary = target instanceof Element ? target.closest('summary') : null;
  const details = summary?.parentElement;
  return details instanceof HTMLDetailsElement &&
    !details.open &&
    details.classList.contains(TASK_CLASS)
    ? details
    : null;
}

function showLockedNote(details: HTMLDetailsElement): void {
  const next = details.nextElementSibling;
  if (next?.classList.contains(LOCKED_NOTE_CLASS)) {
    return;
  }
  const note = document.createElement('div');
  note.className = LOCKED_NOTE_CLASS;
  note.textContent = LOCKED_NOTE;
  details.insertAdjacentElement('afterend', note);
}

/**
 * The task's key: `data-lnhet-task` as `hidden_answer` wrote it (its title and cell id).
 * Outputs of an untrusted notebook are sanitized, which drops data-* attributes; the key is
 * then rebuilt the same way from the summary and the id of the cell that holds the output.
 */
function taskKey(panel: NotebookPanel, details: HTMLDetailsElement): string {
  if (details.dataset.lnhetTask) {
    return details.dataset.lnhetTask;
  }
  const title = details.querySelector('summary')?.textContent?.trim() ?? '';
  const cell = panel.content.widgets.find(widget => widget.node.contains(details));
  return title && cell ? `${title} [${cell.model.id}]` : title;
}

function watchPanel(
  panel: NotebookPanel,
  course: ICourseManifest,
  store: ProgressStore,
  answers: IAnswerPolicy
) {
  // The path is read at each event: the notebook may have been renamed.
  const lesson = () => lessonForPath(course, panel.context.path);

  void panel.context.ready.then(() => {
    const opened = lesson();
    if (opened) {
      void store.update(progress => recordOpened(progress, opened.id));
    }
  });

  const onProgress = (event: Event) => {
    const detail = parseProgressDetail((event as CustomEvent).detail);
    const target = lesson();
    if (detail && target) {
      void store.update(progress => recordEvent(progress, target.id, detail));
    }
  };
  // A click on a summary opens its <details> as the click's default action; keyboard
  // activation of a summary dispatches a click too.
  const onClick = (event: Event) => {
    const details = closedTaskOf(event.target);
    const target = lesson();
    if (!details || !target || answers.beforeAttempt()) {
      return;
    }
    if (hasAttempted(store.progress, target.id)) {
      const note = details.nextElementSibling;
      if (note?.classList.contains(LOCKED_NOTE_CLASS)) {
        note.remove();
      }
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    showLockedNote(details);
  };
  const onToggle = (event: Event) => {
    const details = event.target;
    if (
      !(details instanceof HTMLDetailsElement) ||
      !details.open ||
      !details.classList.contains(TASK_CLASS)
    ) {
      return;
    }
    const key = taskKey(panel, details);
    const target = lesson();
    if (key && target) {
      void store.update(progress => recordTask(progress, target.id, key));
    }
  };
  panel.node.addEventListener('lnhet-progress', onProgress);
  panel.node.addEventListener('toggle', onToggle, true);
  panel.node.addEventListener('click', onClick, true);
  panel.disposed.connect(() => {
    panel.node.removeEventListener('lnhet-progress', onProgress);
    panel.node.removeEventListener('toggle', onToggle, true);
    panel.node.removeEventListener('click', onClick, true);
  });
}

/** Record progress from every notebook that is, or will be, open. */
export function listenToLessons(
  tracker: INotebookTracker,
  course: ICourseManifest,
  store: ProgressStore,
  answers: IAnswerPolicy
): void {
  tracker.forEach(panel => watchPanel(panel, course, store, answers));
  tracker.widgetAdded.connect((_, panel) => watchPanel(panel, course, store, answers));
}
