/**
 * Progress from the lessons' widgets (contract §3): a Quiz dispatches a bubbling
 * `lnhet-progress` event; a task's hidden answer is a `<details class="lnhet-task">` whose
 * `toggle` event (it does not bubble) is caught in the capture phase. An event belongs to the
 * lesson whose notebook panel holds its target, matched on the notebook's file name.
 */

import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { ICourseManifest, lessonForPath } from './manifest';
import { parseProgressDetail, recordEvent, recordOpened, recordTask } from './progress';
import { ProgressStore } from './store';

/** Class of the `<details>` that `hidden_answer` emits. */
const TASK_CLASS = 'lnhet-task';

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

function watchPanel(panel: NotebookPanel, course: ICourseManifest, store: ProgressStore) {
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
  panel.disposed.connect(() => {
    panel.node.removeEventListener('lnhet-progress', onProgress);
    panel.node.removeEventListener('toggle', onToggle, true);
  });
}

/** Record progress from every notebook that is, or will be, open. */
export function listenToLessons(
  tracker: INotebookTracker,
  course: ICourseManifest,
  store: ProgressStore
): void {
  tracker.forEach(panel => watchPanel(panel, course, store));
  tracker.widgetAdded.connect((_, panel) => watchPanel(panel, course, store));
}
