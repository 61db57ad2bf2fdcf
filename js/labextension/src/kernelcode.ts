/**
 * Python run in a kernel to copy the course or reset a lesson (contract §2), and the reading
 * of its answer: `lnhet_widgets.course` prints one JSON line.
 *
 * Pure module: no JupyterLab import, unit-tested with node.
 *
 * @example
 * copyCourseCode('lnhet-course');
 * // 'import json, lnhet_widgets.course as c; print(json.dumps(c.copy_course("lnhet-course")))'
 */

/** What `copy_course` did. */
export interface ICopyResult {
  dest: string;
  copied: string[];
  unchanged: string[];
  backups: { file: string; backup: string }[];
}

/** What `reset_lesson` did; `backup` is null when the student's copy was the original. */
export interface IResetResult {
  lesson: string;
  file: string;
  backup: string | null;
}

// A JSON string is also a valid Python string literal (same escapes), which keeps a course
// directory with quotes or backslashes from breaking out of the call.
function literal(value: string): string {
  return JSON.stringify(value);
}

/** Code that copies the course into `courseDir` (relative to the kernel's cwd, the root). */
export function copyCourseCode(courseDir: string): string {
  return (
    'import json, lnhet_widgets.course as c; ' +
    `print(json.dumps(c.copy_course(${literal(courseDir)})))`
  );
}

/** Code that restores the original of one lesson in `courseDir`, keeping a backup. */
export function resetLessonCode(lessonId: string, courseDir: string): string {
  return (
    'import json, lnhet_widgets.course as c; ' +
    `print(json.dumps(c.reset_lesson(${literal(lessonId)}, ${literal(courseDir)})))`
  );
}

/**
 * The JSON object printed last on stdout.
 *
 * @throws Error quoting the output when its last line is not a JSON object.
 */
export function lastJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.split(/\r?\n/).filter(line => line.trim() !== '');
  const last = lines[lines.length - 1] ?? '';
  try {
    const value = JSON.parse(last);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value;
    }
  } catch {
    // reported below with the output
  }
  throw new Error(`expected a JSON line from lnhet_widgets.course, got: ${stdout.trim() || '(nothing)'}`);
}

/** Read `copy_course`'s answer. */
export function parseCopyResult(stdout: string): ICopyResult {
  const value = lastJsonLine(stdout);
  if (typeof value.dest !== 'string' || !Array.isArray(value.copied)) {
    throw new Error(`copy_course answered without dest/copied: ${JSON.stringify(value)}`);
  }
  return {
    dest: value.dest,
    copied: value.copied as string[],
    unchanged: (value.unchanged as string[]) ?? [],
    backups: (value.backups as ICopyResult['backups']) ?? []
  };
}

/** Read `reset_lesson`'s answer. */
export function parseResetResult(stdout: string): IResetResult {
  const value = lastJsonLine(stdout);
  if (typeof value.lesson !== 'string' || typeof value.file !== 'string') {
    throw new Error(`reset_lesson answered without lesson/file: ${JSON.stringify(value)}`);
  }
  return {
    lesson: value.lesson,
    file: value.file,
    backup: typeof value.backup === 'string' ? value.backup : null
  };
}
