/**
 * What the course commands do in JupyterLab: open, reset and copy lessons, export progress,
 * start a lab. The sidebar buttons, the command palette and the launcher all call these.
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { Contents } from '@jupyterlab/services';

import {
  copyCourseCode,
  parseCopyResult,
  parseResetResult,
  resetLessonCode
} from './kernelcode';
import { runInFreshKernel } from './kernelrun';
import { freeNotebookName, labNotebook } from './labnotebook';
import {
  byId,
  courseFilePath,
  ICourseManifest,
  ILab,
  ILesson,
  missingLessons
} from './manifest';
import { exportFileName, progressToCsv, progressToJson } from './export';
import { ProgressStore } from './store';

/** Where the course lives now, and who to tell when that changes. */
export interface ICourseLocation {
  readonly courseDir: string;
  /** Called with the lessons not (yet) in the course directory, after each look. */
  courseDirChecked(missing: ILesson[]): void;
  /** The outcome of the last action, for the sidebar. */
  report(text: string, kind?: 'info' | 'error'): void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CourseActions {
  constructor(
    private readonly _app: JupyterFrontEnd,
    private readonly _docManager: IDocumentManager,
    readonly course: ICourseManifest,
    private readonly _location: ICourseLocation,
    private readonly _store: ProgressStore,
    private readonly _onLabOpened: () => void = () => undefined
  ) {}

  lesson(lessonId: string): ILesson {
    return byId(this.course.lessons, lessonId, 'lesson');
  }

  lab(labId: string): ILab {
    return byId(this.course.labs, labId, 'lab');
  }

  /**
   * Names in the folder `path` (relative to the root), or null if it does not exist. Walks
   * down from the root instead of asking for a missing path, which the browser would log as
   * a failed request (a 404) on every look.
   */
  async listFolder(path: string): Promise<string[] | null> {
    const { contents } = this._app.serviceManager;
    let listing = await contents.get('', { content: true });
    for (const part of path.split('/').filter(Boolean)) {
      const items = listing.content as Contents.IModel[];
      const folder = items.find(item => item.name === part && item.type === 'directory');
      if (!folder) {
        return null;
      }
      listing = await contents.get(folder.path, { content: true });
    }
    return (listing.content as Contents.IModel[]).map(item => item.name);
  }

  /** Look which lessons are in the course directory and tell the sidebar. */
  async checkCourseDir(): Promise<void> {
    const names = (await this.listFolder(this._location.courseDir)) ?? [];
    this._location.courseDirChecked(missingLessons(this.course, names));
  }

  /** Copy the course into the course directory; a student's edited lesson is backed up. */
  async copyCourse(): Promise<void> {
    const dir = this._location.courseDir;
    try {
      const result = parseCopyResult(
        await runInFreshKernel(this._app.serviceManager, copyCourseCode(dir))
      );
      const kept = result.backups.length
        ? `; your edited ${result.backups.map(b => b.file).join(', ')} kept as backup`
        : '';
      this._location.report(
        `Course copied to ${dir || 'the root folder'}: ${result.copied.length} new, ` +
          `${result.unchanged.length} unchanged${kept}.`
      );
    } catch (error) {
      this._location.report(`Copying the course failed: ${errorText(error)}`, 'error');
    }
    await this.checkCourseDir();
  }

  /** Open a lesson from the course directory, copying the course first if it is not there. */
  async openLesson(lessonId: string): Promise<void> {
    const lesson = this.lesson(lessonId);
    const path = courseFilePath(this._location.courseDir, lesson.file);
    const names = await this.listFolder(this._location.courseDir);
    if (!names?.includes(lesson.file)) {
      await this.copyCourse();
    }
    await this._app.commands.execute('docmanager:open', { path });
  }

  /**
   * Ask, then put the original lesson back. The student's copy (saved first if it has unsaved
   * changes) is kept beside it as a timestamped backup; an open lesson is reloaded.
   */
  async resetLesson(lessonId: string): Promise<void> {
    const lesson = this.lesson(lessonId);
    const dir = this._location.courseDir;
    const path = courseFilePath(dir, lesson.file);
    const answer = await showDialog({
      title: `Reset “${lesson.title}”?`,
      body:
        `The original lesson replaces ${path}. Your copy is kept beside it as ` +
        `${lesson.file.replace(/\.ipynb$/, '')}.backup-<date>-<time>.ipynb.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Reset lesson' })]
    });
    if (!answer.button.accept) {
      return;
    }
    const open = this._docManager.findWidget(path);
    try {
      if (open?.context.model.dirty) {
        await open.context.save();
      }
      const result = parseResetResult(
        await runInFreshKernel(this._app.serviceManager, resetLessonCode(lesson.id, dir))
      );
      if (open) {
        await open.context.revert();
      }
      await this._app.commands.execute('docmanager:open', { path });
      this._location.report(
        result.backup
          ? `“${lesson.title}” reset; your copy is ${result.backup}.`
          : `“${lesson.title}” reset (your copy was the original, no backup needed).`
      );
    } catch (error) {
      this._location.report(`Resetting “${lesson.title}” failed: ${errorText(error)}`, 'error');
    }
    await this.checkCourseDir();
  }

  /** Download the progress as CSV or JSON. */
  exportProgress(format: 'csv' | 'json'): void {
    const progress = this._store.progress;
    const now = new Date().toISOString();
    const text =
      format === 'csv'
        ? progressToCsv(this.course, progress, now)
        : progressToJson(this.course, progress, now);
    const type = format === 'csv' ? 'text/csv' : 'application/json';
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = document.createElement('a');
    link.href = url;
    link.download = exportFileName(now, format);
    document.body.append(link);
    link.click();
    link.remove();
    // The download has its own copy once the click is handled.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /**
   * Create a notebook in the course directory whose first cell is the lab's code, open it
   * and run it.
   */
  async newLab(labId: string): Promise<void> {
    const lab = this.lab(labId);
    const services = this._app.serviceManager;
    const dir = this._location.courseDir;
    try {
      let names = await this.listFolder(dir);
      if (names === null) {
        await services.contents.save(dir, { type: 'directory' });
        names = [];
      }
      const path = courseFilePath(dir, freeNotebookName(lab.label, names));
      await services.kernelspecs.ready;
      const specs = services.kernelspecs.specs;
      const spec = specs?.kernelspecs[specs.default];
      const kernelspec = {
        name: spec?.name ?? 'python3',
        display_name: spec?.display_name ?? 'Python 3',
        language: spec?.language ?? 'python'
      };
      await services.contents.save(path, {
        type: 'notebook',
        format: 'json',
        content: labNotebook(lab, kernelspec)
      });
      const panel = (await this._app.commands.execute('docmanager:open', {
        path
      })) as NotebookPanel;
      await panel.context.ready;
      await panel.sessionContext.ready;
      await NotebookActions.runAll(panel.content, panel.sessionContext);
      this._onLabOpened();
    } catch (error) {
      Notification.error(`Starting the ${lab.label} failed: ${errorText(error)}`);
    }
  }
}
