/**
 * Progress exported for an instructor: CSV (one row per lesson, for a spreadsheet) and JSON
 * (everything, including which questions and tasks).
 *
 * Pure module: no JupyterLab import, unit-tested with node.
 *
 * @example
 * progressToCsv(course, progress, '2026-12-04T22:00:00Z').split('\n')[0];
 * // 'lesson,title,status,opened,quizzes_answered,quizzes_right,quizzes,tasks_opened,tasks,exported_at'
 */

import { ICourseManifest, ILesson } from './manifest';
import { CourseProgress, summarize } from './progress';

export const CSV_COLUMNS = [
  'lesson',
  'title',
  'status',
  'opened',
  'quizzes_answered',
  'quizzes_right',
  'quizzes',
  'tasks_opened',
  'tasks',
  'exported_at'
] as const;

/** One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type LessonColumn = Exclude<(typeof CSV_COLUMNS)[number], 'exported_at'>;
type LessonRecord = Record<LessonColumn, string | number | boolean>;

/** One lesson's row of the export: its status and counts. */
function lessonRecord(lesson: ILesson, progress: CourseProgress): LessonRecord {
  const summary = summarize(lesson, progress);
  return {
    lesson: lesson.id,
    title: lesson.title,
    status: summary.status,
    opened: progress[lesson.id]?.opened === true,
    quizzes_answered: summary.quizzesAnswered,
    quizzes_right: summary.quizzesRight,
    quizzes: summary.quizzes,
    tasks_opened: summary.tasksOpened,
    tasks: summary.tasks
  };
}

/** CSV of every lesson in course order, with a header row; `exportedAt` is an ISO time. */
export function progressToCsv(
  course: ICourseManifest,
  progress: CourseProgress,
  exportedAt: string
): string {
  const rows = course.lessons.map(lesson => {
    const record = lessonRecord(lesson, progress);
    return CSV_COLUMNS.map(column =>
      csvField(column === 'exported_at' ? exportedAt : record[column])
    ).join(',');
  });
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

/** JSON document of the whole progress: each lesson's row plus which questions and tasks. */
export function progressToJson(
  course: ICourseManifest,
  progress: CourseProgress,
  exportedAt: string
): string {
  const lessons = course.lessons.map(lesson => ({
    ...lessonRecord(lesson, progress),
    // question -> answered right; the titles of the tasks whose answer was opened
    answers: progress[lesson.id]?.quizzes ?? {},
    opened_tasks: Object.keys(progress[lesson.id]?.tasks ?? {})
  }));
  return JSON.stringify({ course: course.title, exported_at: exportedAt, lessons }, null, 2);
}

/** File name for an export, e.g. `lnhet-progress-2026-12-04.csv`. */
export function exportFileName(exportedAt: string, format: 'csv' | 'json'): string {
  return `lnhet-progress-${exportedAt.slice(0, 10)}.${format}`;
}
