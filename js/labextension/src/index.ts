/**
 * lnhet-widgets in JupyterLab: the course sidebar with progress, course commands in the
 * palette, launcher cards for the labs, and the course settings.
 */

import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { LabIcon } from '@jupyterlab/ui-components';
import { ITourManager } from 'jupyterlab-tour';

import courseIconSvg from '../style/course.svg';
import { CourseActions } from './actions';
import { addCommands, CommandIds } from './commands';
import manifestJson from './course-manifest.json';
import { listenToLessons } from './listen';
import { ILesson, parseManifest } from './manifest';
import { CourseSidebar, SIDEBAR_ID } from './sidebar';
import { ProgressStore } from './store';
import { CourseTours } from './tours';

const PLUGIN_ID = 'lnhet-widgets:course';

const courseIcon = new LabIcon({ name: 'lnhet-widgets:course', svgstr: courseIconSvg });

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The lnhet-widgets course: lesson sidebar, progress, lab launcher, commands.',
  autoStart: true,
  requires: [IStateDB, ISettingRegistry, INotebookTracker, IDocumentManager],
  optional: [ICommandPalette, ILauncher, ILayoutRestorer, ITourManager, ILabShell],
  activate: async (
    app: JupyterFrontEnd,
    state: IStateDB,
    settingRegistry: ISettingRegistry,
    notebooks: INotebookTracker,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    tourManager: ITourManager | null,
    labShell: ILabShell | null
  ) => {
    const course = parseManifest(manifestJson);
    const settings = await settingRegistry.load(PLUGIN_ID);
    const store = new ProgressStore(state, app.restored);

    const location = {
      courseDir: settings.composite.courseDirectory as string,
      courseDirChecked: (missing: ILesson[]) => sidebar.setCourseDir(location.courseDir, missing),
      report: (text: string, kind: 'info' | 'error' = 'info') => sidebar.setMessage(text, kind)
    };
    const tours = tourManager ? new CourseTours(tourManager, `#${SIDEBAR_ID}`) : null;
    const actions = new CourseActions(app, docManager, course, location, store, () =>
      // The first lab a student opens offers the tour of a lab (once; the tour remembers).
      void tours?.offerLabTour()
    );
    const sidebar = new CourseSidebar(course, {
      openLesson: id => void actions.openLesson(id),
      resetLesson: id => void actions.resetLesson(id),
      copyCourse: () => void actions.copyCourse(),
      exportProgress: format => actions.exportProgress(format),
      ...(tours && { takeTour: () => void app.commands.execute(CommandIds.tour) })
    });
    sidebar.title.icon = courseIcon;
    app.shell.add(sidebar, 'left', { rank: 150 });
    restorer?.add(sidebar, sidebar.id);

    store.changed.connect((_, progress) => sidebar.setProgress(progress));
    // A student's first visit to JupyterLab (Binder, a new account) opens on the course.
    // Not in Notebook 7, where the side panel would cover the notebook.
    void store.loaded.then(visited => {
      if (!visited && labShell) {
        labShell.activateById(sidebar.id);
      }
    });
    const answers = {
      beforeAttempt: () => settings.composite.answersBeforeAttempt as boolean,
      set: (value: boolean) => settings.set('answersBeforeAttempt', value)
    };
    listenToLessons(notebooks, course, store, answers);
    addCommands(app, actions, courseIcon, sidebar.id, palette, launcher, tours, answers);

    settings.changed.connect(() => {
      location.courseDir = settings.composite.courseDirectory as string;
      void actions.checkCourseDir();
    });
    // Lessons copied or deleted elsewhere (file browser, a terminal's CLI) show at once.
    app.serviceManager.contents.fileChanged.connect(() => void actions.checkCourseDir());
    void actions.checkCourseDir();
  }
};

export default [plugin];
