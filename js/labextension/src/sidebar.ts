/**
 * The course sidebar: every lesson with its goals, time, prerequisites, status and what is
 * done in it, and the course actions (open, reset, copy, export). It only draws; the plugin
 * passes the actions in.
 */

import { Widget } from '@lumino/widgets';

import { ICourseManifest, ILesson } from './manifest';
import { CourseProgress, doneText, summarize } from './progress';

/** What the sidebar's buttons do. */
export interface ICourseActions {
  openLesson(lessonId: string): void;
  resetLesson(lessonId: string): void;
  copyCourse(): void;
  exportProgress(format: 'csv' | 'json'): void;
  /** Start the guided tour of this panel; absent when jupyterlab-tour is not installed. */
  takeTour?(): void;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function button(className: string, label: string, title: string, onClick: () => void) {
  const node = element('button', `jp-Button lnhet-Course-button ${className}`, label);
  node.type = 'button';
  node.title = title;
  node.addEventListener('click', onClick);
  return node;
}

/** DOM id of the sidebar, also the id its tab and the layout restorer know it by. */
export const SIDEBAR_ID = 'lnhet-course-sidebar';

export class CourseSidebar extends Widget {
  constructor(
    private readonly _course: ICourseManifest,
    private readonly _actions: ICourseActions
  ) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('lnhet-CourseSidebar');
    this.title.caption = _course.title;
    this.render();
  }

  /** Redraw with new progress. */
  setProgress(progress: CourseProgress): void {
    this._progress = progress;
    this.render();
  }

  /** Redraw for a course directory and the lessons not in it. */
  setCourseDir(courseDir: string, missing: ILesson[]): void {
    this._courseDir = courseDir;
    this._missing = missing;
    this.render();
  }

  /** Show a line under the header (the last action's outcome); '' clears it. */
  setMessage(text: string, kind: 'info' | 'error' = 'info'): void {
    this._message = { text, kind };
    this.render();
  }

  private render(): void {
    const node = this.node;
    node.replaceChildren();
    const header = element('header', 'lnhet-CourseSidebar-header');
    header.append(element('h2', 'lnhet-CourseSidebar-title', this._course.title));
    header.append(
      element('div', 'lnhet-CourseSidebar-dir', `Course folder: ${this._courseDir || '(root)'}`)
    );
    if (this._missing.length) {
      const all = this._missing.length === this._course.lessons.length;
      const missing = element('div', 'lnhet-CourseSidebar-missing');
      missing.append(
        element('p', '', all
          ? 'The lessons are not in your workspace yet.'
          : `Not in the course folder: ${this._missing.map(l => l.file).join(', ')}.`),
        button('lnhet-CourseSidebar-copy jp-mod-accept', 'Copy the course',
          `Copy the lessons into ${this._courseDir || 'the root folder'}`,
          () => this._actions.copyCourse())
      );
      header.append(missing);
    }
    if (this._message.text) {
      const message = element(
        'div',
        `lnhet-CourseSidebar-message lnhet-mod-${this._message.kind}`,
        this._message.text
      );
      message.setAttribute('role', 'status');
      header.append(message);
    }
    node.append(header);

    const lessons = element('ol', 'lnhet-CourseSidebar-lessons');
    for (const lesson of this._course.lessons) {
      lessons.append(this.renderLesson(lesson));
    }
    node.append(lessons);

    const footer = element('footer', 'lnhet-CourseSidebar-footer');
    footer.append(
      button('lnhet-CourseSidebar-export-csv', 'Export progress (CSV)',
        'Download your progress in every lesson as a CSV table',
        () => this._actions.exportProgress('csv')),
      button('lnhet-CourseSidebar-export-json', 'Export progress (JSON)',
        'Download your progress, with each question and task, as JSON',
        () => this._actions.exportProgress('json'))
    );
    const takeTour = this._actions.takeTour;
    if (takeTour) {
      footer.append(
        button('lnhet-CourseSidebar-tour', 'Tour of this panel',
          'A short guided tour of the course panel', () => takeTour())
      );
    }
    node.append(footer);
  }

  private renderLesson(lesson: ILesson): HTMLElement {
    const summary = summarize(lesson, this._progress);
    const item = element('li', 'lnhet-Lesson');
    item.dataset.lessonId = lesson.id;
    item.dataset.status = summary.status;

    const head = element('div', 'lnhet-Lesson-head');
    const open = element('button', 'lnhet-Lesson-open', lesson.title);
    open.type = 'button';
    open.title = `Open ${lesson.file}`;
    open.addEventListener('click', () => this._actions.openLesson(lesson.id));
    head.append(open, element('span', 'lnhet-Lesson-status', summary.status));
    item.append(head);

    const titles = new Map(this._course.lessons.map(other => [other.id, other.title]));
    const after = lesson.prerequisites.map(id => titles.get(id) ?? id).join(', ');
    item.append(
      element('div', 'lnhet-Lesson-meta',
        `${lesson.minutes} min` + (after ? ` · after: ${after}` : ''))
    );
    const goals = element('ul', 'lnhet-Lesson-goals');
    for (const goal of lesson.goals) {
      goals.append(element('li', '', goal));
    }
    item.append(goals);

    const done = doneText(summary);
    if (done) {
      item.append(element('div', 'lnhet-Lesson-done', done));
    }
    item.append(
      button('lnhet-Lesson-reset', 'Reset lesson',
        'Restore the original lesson; your copy is kept as a backup',
        () => this._actions.resetLesson(lesson.id))
    );
    return item;
  }

  private _progress: CourseProgress = {};
  private _courseDir = '';
  private _missing: ILesson[] = [];
  private _message: { text: string; kind: 'info' | 'error' } = { text: '', kind: 'info' };
}
