/**
 * The course manifest (lnhet_widgets/course/manifest.json): lessons and labs, checked on load.
 *
 * Pure module: no JupyterLab import, unit-tested with node.
 *
 * @example
 * const course = parseManifest(json);
 * lessonForPath(course, 'lnhet-course/01_lattice_mismatch.ipynb')?.id; // '01_lattice_mismatch'
 * courseFilePath('lnhet-course/', '00_welcome.ipynb'); // 'lnhet-course/00_welcome.ipynb'
 */

/** One lesson notebook and what it asks of the student. */
export interface ILesson {
  id: string;
  /** File name of the notebook inside the course directory. */
  file: string;
  title: string;
  goals: string[];
  /** Estimated time in minutes. */
  minutes: number;
  /** Ids of the lessons to take first. */
  prerequisites: string[];
  /** Number of quiz questions; the lesson is done when as many are answered right. */
  quizzes: number;
  /** Number of tasks with a hidden answer. */
  tasks: number;
}

/** A lab offered on the launcher: `code` becomes the first cell of a new notebook. */
export interface ILab {
  id: string;
  label: string;
  caption: string;
  code: string;
}

export interface ICourseManifest {
  schema: number;
  title: string;
  /** Default course directory, relative to the server root. */
  courseDir: string;
  lessons: ILesson[];
  labs: ILab[];
}

/** The manifest schema this extension reads. */
export const MANIFEST_SCHEMA = 1;

type Json = Record<string, unknown>;

function fail(where: string, expected: string, value: unknown): never {
  throw new Error(`course manifest: ${where} must be ${expected}, got ${JSON.stringify(value)}`);
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, 'an object', value);
  }
  return value as Json;
}

function text(record: Json, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.trim() === '') {
    fail(`${where}.${key}`, 'a non-empty string', value);
  }
  return value;
}

function count(record: Json, key: string, where: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(`${where}.${key}`, 'a whole number >= 0', value);
  }
  return value;
}

function texts(record: Json, key: string, where: string): string[] {
  const value = record[key];
  if (!Array.isArray(value) || value.some(item => typeof item !== 'string')) {
    fail(`${where}.${key}`, 'a list of strings', value);
  }
  return value as string[];
}

function list(record: Json, key: string, where: string): unknown[] {
  const value = record[key];
  if (!Array.isArray(value) || value.length === 0) {
    fail(`${where}.${key}`, 'a non-empty list', value);
  }
  return value;
}

function parseLesson(value: unknown, where: string): ILesson {
  const record = object(value, where);
  const file = text(record, 'file', where);
  if (!file.endsWith('.ipynb') || file.includes('/')) {
    fail(`${where}.file`, 'a notebook file name (*.ipynb, no folder)', file);
  }
  const minutes = record.minutes;
  if (typeof minutes !== 'number' || !(minutes > 0)) {
    fail(`${where}.minutes`, 'a number of minutes > 0', minutes);
  }
  return {
    id: text(record, 'id', where),
    file,
    title: text(record, 'title', where),
    goals: texts(record, 'goals', where),
    minutes,
    prerequisites: texts(record, 'prerequisites', where),
    quizzes: count(record, 'quizzes', where),
    tasks: count(record, 'tasks', where)
  };
}

function parseLab(value: unknown, where: string): ILab {
  const record = object(value, where);
  return {
    id: text(record, 'id', where),
    label: text(record, 'label', where),
    caption: text(record, 'caption', where),
    code: text(record, 'code', where)
  };
}

function unique(ids: string[], where: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) {
      fail(where, 'unique', id);
    }
    seen.add(id);
  }
}

/**
 * Check the manifest JSON and return it typed.
 *
 * @throws Error naming the field, what it must be and the value found.
 */
export function parseManifest(value: unknown): ICourseManifest {
  const record = object(value, 'manifest');
  if (record.schema !== MANIFEST_SCHEMA) {
    fail('manifest.schema', String(MANIFEST_SCHEMA), record.schema);
  }
  const lessons = list(record, 'lessons', 'manifest').map((lesson, i) =>
    parseLesson(lesson, `manifest.lessons[${i}]`)
  );
  unique(
    lessons.map(lesson => lesson.id),
    'lesson ids'
  );
  unique(
    lessons.map(lesson => lesson.file),
    'lesson files'
  );
  const known = new Set(lessons.map(lesson => lesson.id));
  lessons.forEach((lesson, i) => {
    for (const id of lesson.prerequisites) {
      if (!known.has(id)) {
        fail(`manifest.lessons[${i}].prerequisites`, 'ids of lessons in the manifest', id);
      }
    }
  });
  const labs = list(record, 'labs', 'manifest').map((lab, i) =>
    parseLab(lab, `manifest.labs[${i}]`)
  );
  unique(
    labs.map(lab => lab.id),
    'lab ids'
  );
  return {
    schema: MANIFEST_SCHEMA,
    title: text(record, 'title', 'manifest'),
    courseDir: text(record, 'course_dir', 'manifest'),
    lessons,
    labs
  };
}

/** Last part of a slash-separated path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The lesson whose notebook a document at `path` is (matched on the file name, so a lesson
 * copied anywhere, or opened from a checkout's notebooks/, still counts).
 */
export function lessonForPath(course: ICourseManifest, path: string): ILesson | undefined {
  const name = basename(path);
  return course.lessons.find(lesson => lesson.file === name);
}

/** Path of a file in the course directory, relative to the server root ('' is the root). */
export function courseFilePath(courseDir: string, file: string): string {
  const dir = courseDir.replace(/^\/+|\/+$/g, '');
  return dir ? `${dir}/${file}` : file;
}

/** The lessons whose notebook is not among `names` (the files of the course directory). */
export function missingLessons(course: ICourseManifest, names: Iterable<string>): ILesson[] {
  const present = new Set(names);
  return course.lessons.filter(lesson => !present.has(lesson.file));
}

/**
 * The item with `id` among a manifest's lessons or labs.
 *
 * @throws Error naming the unknown id and the known ones.
 */
export function byId<T extends { id: string }>(items: T[], id: string, kind: string): T {
  const item = items.find(candidate => candidate.id === id);
  if (!item) {
    const known = items.map(candidate => candidate.id).join(', ');
    throw new Error(`unknown ${kind} id ${JSON.stringify(id)}; known: ${known}`);
  }
  return item;
}
