/**
 * Guided tours (jupyterlab-tour): the course panel, and how a lab works. Registered only when
 * jupyterlab-tour is installed; the tour extension keeps which tours a user has seen.
 */

import { IStep, ITour, ITourManager } from 'jupyterlab-tour';

/** A step as react-joyride takes it; jupyterlab-tour passes the extra option through. */
type Step = IStep & { disableBeacon?: boolean };

/** The tour opens on its first step rather than on a pulsing beacon to click first. */
function opening(steps: Step[]): Step[] {
  return steps.map((step, index) => (index === 0 ? { ...step, disableBeacon: true } : step));
}

/** The open notebook's lab (tour targets must be in the notebook on screen). */
const LAB = '.jp-NotebookPanel:not(.lm-mod-hidden) .lnhet-lab';

export const COURSE_TOUR_ID = 'lnhet-widgets:course-tour';
export const LAB_TOUR_ID = 'lnhet-widgets:lab-tour';

function courseTour(sidebarSelector: string): ITour {
  const sidebar = sidebarSelector;
  return {
    id: COURSE_TOUR_ID,
    label: 'The course panel',
    hasHelpEntry: true,
    version: 20261204,
    steps: opening([
      {
        target: `${sidebar} .lnhet-CourseSidebar-lessons`,
        title: 'Your lessons',
        content:
          'The lessons in course order, with their goals, time and the lessons to take ' +
          'first. Click a title to open the lesson.',
        placement: 'right'
      },
      {
        target: `${sidebar} .lnhet-Lesson-status`,
        title: 'Where you are',
        content:
          'Not started, in progress, or done (every quiz answered right). Below the goals: ' +
          'the quizzes you got right and the tasks whose answer you opened. It is kept when ' +
          'you reload the page.',
        placement: 'right'
      },
      {
        target: `${sidebar} .lnhet-Lesson-reset`,
        title: 'Start a lesson again',
        content:
          'Reset lesson puts the original back after asking; your copy is kept beside it as ' +
          'a backup with the date and time in its name.',
        placement: 'right'
      },
      {
        target: `${sidebar} .lnhet-CourseSidebar-footer`,
        title: 'Hand in your progress',
        content: 'Download your progress as a CSV table or as JSON for your instructor.',
        placement: 'right'
      }
    ])
  };
}

function labTour(): ITour {
  return {
    id: LAB_TOUR_ID,
    label: 'How a lab works',
    hasHelpEntry: true,
    version: 20261204,
    steps: opening([
      {
        target: `${LAB} .lnhet-parameter-panel`,
        title: 'Controls',
        content:
          'Each control shows its unit and range. A change recomputes the model at once; ' +
          'while you drag, the lab redraws as often as the model keeps up.',
        placement: 'right'
      },
      {
        target: `${LAB} .lnhet-status`,
        title: 'Status line',
        content:
          'What the lab is doing, how long it took, and any error in plain words: nothing ' +
          'goes wrong silently.',
        placement: 'bottom'
      },
      {
        target: `${LAB} .lnhet-structure`,
        title: '3D view',
        content: 'Drag to turn the particle, scroll to zoom, right-drag to move it.',
        placement: 'left'
      },
      {
        target: `${LAB} .lnhet-save-load`,
        title: 'Save / Load',
        content:
          'Save keeps the parameters and the result in a file beside the notebook; Load ' +
          'brings them back, also in another lesson or for your report.',
        placement: 'top'
      }
    ])
  };
}

/** The course's tours, once registered with the tour manager. */
export class CourseTours {
  constructor(
    private readonly _manager: ITourManager,
    sidebarSelector: string
  ) {
    _manager.addTour(courseTour(sidebarSelector));
    _manager.addTour(labTour());
  }

  /** Run a tour now, seen before or not. */
  launch(id: string): Promise<void> {
    return this._manager.launch([id], true);
  }

  /** Offer the lab tour to a user who has not seen it yet (no-op afterwards). */
  offerLabTour(): Promise<void> {
    return this._manager.launch([LAB_TOUR_ID], false);
  }
}
