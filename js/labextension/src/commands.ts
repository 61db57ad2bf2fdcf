/**
 * The course commands, their command-palette entries and the launcher cards.
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { LabIcon } from '@jupyterlab/ui-components';

import { CourseActions } from './actions';
import { IAnswerPolicy } from './listen';
import { COURSE_TOUR_ID, CourseTours, LAB_TOUR_ID } from './tours';

export const CommandIds = {
  openLesson: 'lnhet-course:open-lesson',
  resetLesson: 'lnhet-course:reset-lesson',
  copyCourse: 'lnhet-course:copy-course',
  exportProgress: 'lnhet-course:export-progress',
  newLab: 'lnhet-course:new-lab',
  showSidebar: 'lnhet-course:show-sidebar',
  tour: 'lnhet-course:tour',
  answersBeforeAttempt: 'lnhet-course:toggle-answers-before-attempt'
} as const;

const PALETTE_CATEGORY = 'Course';

/** The instructor's setting `answersBeforeAttempt`, read and written. */
export interface IAnswerSetting extends IAnswerPolicy {
  set: (value: boolean) => Promise<void>;
}

function exportFormat(value: unknown): 'csv' | 'json' {
  if (value !== 'csv' && value !== 'json') {
    throw new Error(`export format must be "csv" or "json", got ${JSON.stringify(value)}`);
  }
  return value;
}

export function addCommands(
  app: JupyterFrontEnd,
  actions: CourseActions,
  icon: LabIcon,
  sidebarId: string,
  palette: ICommandPalette | null,
  launcher: ILauncher | null,
  tours: CourseTours | null,
  answers: IAnswerSetting
): void {
  const { commands } = app;
  const { course } = actions;
  const lessonTitle = (args: Record<string, unknown>) =>
    course.lessons.find(lesson => lesson.id === args.lesson)?.title ?? 'a lesson';
  const lab = (args: Record<string, unknown>) => course.labs.find(item => item.id === args.lab);

  commands.addCommand(CommandIds.openLesson, {
    label: args => `Open lesson: ${lessonTitle(args)}`,
    execute: args => actions.openLesson(String(args.lesson))
  });
  commands.addCommand(CommandIds.resetLesson, {
    label: args => `Reset lesson: ${lessonTitle(args)}…`,
    execute: args => actions.resetLesson(String(args.lesson))
  });
  commands.addCommand(CommandIds.copyCourse, {
    label: 'Copy the course into the course folder',
    execute: () => actions.copyCourse()
  });
  commands.addCommand(CommandIds.exportProgress, {
    label: args => `Export course progress as ${args.format === 'json' ? 'JSON' : 'CSV'}`,
    execute: args => actions.exportProgress(exportFormat(args.format))
  });
  commands.addCommand(CommandIds.newLab, {
    label: args => lab(args)?.label ?? 'New lab',
    caption: args => lab(args)?.caption ?? '',
    icon,
    execute: args => actions.newLab(String(args.lab))
  });
  commands.addCommand(CommandIds.answersBeforeAttempt, {
    label: 'Task answers open before a first attempt',
    caption:
      "Instructors: when off, a lesson's computed task answers open only once one of its " +
      'checks was answered (the setting "Task answers before a first attempt")',
    isToggled: () => answers.beforeAttempt(),
    execute: () => answers.set(!answers.beforeAttempt())
  });
  commands.addCommand(CommandIds.showSidebar, {
    label: 'Show the course',
    execute: () => app.shell.activateById(sidebarId)
  });

  if (tours) {
    commands.addCommand(CommandIds.tour, {
      label: args => (args.tour === 'lab' ? 'Tour: how a lab works' : 'Tour: the course panel'),
      execute: async args => {
        if (args.tour === 'lab') {
          return tours.launch(LAB_TOUR_ID);
        }
        app.shell.activateById(sidebarId);
        return tours.launch(COURSE_TOUR_ID);
      }
    });
  }

  if (palette) {
    const category = PALETTE_CATEGORY;
    if (tours) {
      for (const tour of ['course', 'lab']) {
        palette.addItem({ command: CommandIds.tour, args: { tour }, category });
      }
    }
    palette.addItem({ command: CommandIds.showSidebar, category });
    palette.addItem({ command: CommandIds.copyCourse, category });
    palette.addItem({ command: CommandIds.answersBeforeAttempt, category });
    for (const format of ['csv', 'json']) {
      palette.addItem({ command: CommandIds.exportProgress, args: { format }, category });
    }
    for (const lesson of course.lessons) {
      palette.addItem({ command: CommandIds.openLesson, args: { lesson: lesson.id }, category });
    }
    for (const lesson of course.lessons) {
      palette.addItem({ command: CommandIds.resetLesson, args: { lesson: lesson.id }, category });
    }
  }
  if (launcher) {
    course.labs.forEach((item, rank) =>
      launcher.add({
        command: CommandIds.newLab,
        args: { lab: item.id },
        category: course.title,
        rank
      })
    );
  }
}
