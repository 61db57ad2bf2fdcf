/**
 * The student's progress: what was opened, answered and looked at, per lesson, and the status
 * that follows from it.
 *
 * Pure module: no JupyterLab import, unit-tested with node. Every update returns a new object
 * (the store writes whole snapshots to the state database).
 *
 * @example
 * let progress = recordQuiz({}, '01_lattice_mismatch', 'Which shell strains least?', true);
 * summarize(lesson, progress).status; // 'in progress' (or 'done' when all quizzes are right)
 */

import { ILesson } from './manifest';

/** What a student has done in one lesson. */
export interface ILessonProgress {
  /** The lesson notebook has been opened. */
  opened: boolean;
  /** Quiz question (plain text) -> answered right at least once. */
  quizzes: Record<string, boolean>;
  /** Task title -> its hidden answer has been opened. */
  tasks: Record<string, true>;
}

/** Lesson id -> progress. */
export type CourseProgress = Record<string, ILessonProgress>;

export type LessonStatus = 'not started' | 'in progress' | 'done';

/** A progress event from a lesson's widgets (contract §3). */
export type ProgressEvent =
  | { kind: 'quiz'; key: string; correct: boolean }
  | { kind: 'task'; key: string };

/** Status and counts shown for a lesson. */
export interface ILessonSummary {
  status: LessonStatus;
  quizzesAnswered: number;
  quizzesRight: number;
  quizzes: number;
  tasksOpened: number;
  tasks: number;
}

function lessonOf(progress: CourseProgress, lessonId: string): ILessonProgress {
  return progress[lessonId] ?? { opened: false, quizzes: {}, tasks: {} };
}

function withLesson(
  progress: CourseProgress,
  lessonId: string,
  update: (lesson: ILessonProgress) => ILessonProgress
): CourseProgress {
  return { ...progress, [lessonId]: update(lessonOf(progress, lessonId)) };
}

/**
 * Whether the student has answered any of the lesson's checks (quizzes, numeric questions,
 * code exercises), right or wrong: the "first attempt" that the `answersBeforeAttempt`
 * setting waits for before a task's answer may be opened.
 */
export function hasAttempted(progress: CourseProgress, lessonId: string): boolean {
  return Object.keys(lessonOf(progress, lessonId).quizzes).length > 0;
}

/** The lesson was opened. */
export function recordOpened(progress: CourseProgress, lessonId: string): CourseProgress {
  return withLesson(progress, lessonId, lesson => ({ ...lesson, opened: true }));
}

/**
 * A quiz question was answered. A right answer stays right when a later one is wrong: the
 * student has shown they know it. Answering also marks the lesson opened.
 */
export function recordQuiz(
  progress: CourseProgress,
  lessonId: string,
  key: string,
  correct: boolean
): CourseProgress {
  return withLesson(progress, lessonId, lesson => ({
    ...lesson,
    opened: true,
    quizzes: { ...lesson.quizzes, [key]: lesson.quizzes[key] === true || correct }
  }));
}

/** A task's hidden answer was opened. */
export function recordTask(
  progress: CourseProgress,
  lessonId: string,
  key: string
): CourseProgress {
  return withLesson(progress, lessonId, lesson => ({
    ...lesson,
    opened: true,
    tasks: { ...lesson.tasks, [key]: true }
  }));
}

/** Apply one widget event (contract §3) to the progress. */
export function recordEvent(
  progress: CourseProgress,
  lessonId: string,
  event: ProgressEvent
): CourseProgress {
  return event.kind === 'quiz'
    ? recordQuiz(progress, lessonId, event.key, event.correct)
    : recordTask(progress, lessonId, event.key);
}

/**
 * Read a `lnhet-progress` event's detail; undefined for anything else (the event bubbles
 * through JupyterLab, so a malformed one must not break the page).
 */
export function parseProgressDetail(detail: unknown): ProgressEvent | undefined {
  if (typeof detail !== 'object' || detail === null) {
    return undefined;
  }
  const { kind, key, correct } = detail as Record<string, unknown>;
  if (typeof key !== 'string' || key.trim() === '') {
    return undefined;
  }
  if (kind === 'quiz' && typeof correct === 'boolean') {
    return { kind, key, correct };
  }
  if (kind === 'task') {
    return { kind, key };
  }
  return undefined;
}

/** Status and counts of one lesson. */
export function summarize(lesson: ILesson, progress: CourseProgress): ILessonSummary {
  const done = progress[lesson.id];
  const answers = Object.values(done?.quizzes ?? {});
  const right = answers.filter(Boolean).length;
  const summary = {
    quizzesAnswered: answers.length,
    quizzesRight: right,
    quizzes: lesson.quizzes,
    tasksOpened: Object.keys(done?.tasks ?? {}).length,
    tasks: lesson.tasks
  };
  // Contract §4: done once as many answers are right as the lesson has quizzes, so a lesson
  // without quizzes (the welcome) is done when opened.
  let status: LessonStatus = 'not started';
  if (done?.opened) {
    status = right >= lesson.quizzes ? 'done' : 'in progress';
  }
  return { status, ...summary };
}

/**
 * Progress as read back from the state database, keeping only well-formed entries (an older or
 * hand-edited value must not break the sidebar).
 */
export function normalizeProgress(value: unknown): CourseProgress {
  const progress: CourseProgress = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return progress;
  }
  for (const [lessonId, raw] of Object.entries(value as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null) {
      continue;
    }
    const entry = raw as Record<string, unknown>;
    const quizzes: Record<string, boolean> = {};
    for (const [key, correct] of Object.entries(asRecord(entry.quizzes))) {
      if (typeof correct === 'boolean') {
        quizzes[key] = correct;
      }
    }
    const tasks: Record<string, true> = {};
    for (const [key, opened] of Object.entries(asRecord(entry.tasks))) {
      if (opened === true) {
        tasks[key] = true;
      }
    }
    progress[lessonId] = { opened: entry.opened === true, quizzes, tasks };
  }
  return progress;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** "2 of 3 quizzes right · 1 of 4 tasks opened", naming only what the lesson has. */
export function doneText(summary: ILessonSummary): string {
  const parts: string[] = [];
  if (summary.quizzes > 0) {
    parts.push(`${summary.quizzesRight} of ${summary.quizzes} quizzes right`);
  }
  if (summary.tasks > 0) {
    parts.push(`${summary.tasksOpened} of ${summary.tasks} tasks opened`);
  }
  return parts.join(' · ');
}
