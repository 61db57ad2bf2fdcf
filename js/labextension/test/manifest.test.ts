import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  byId,
  courseFilePath,
  lessonForPath,
  missingLessons,
  parseManifest
} from '../src/manifest';
import realManifest from '../src/course-manifest.json';
import { changed, smallManifest } from './fixtures';

test('parses the course manifest shipped with the package (contract §1)', () => {
  const course = parseManifest(realManifest);
  assert.equal(course.lessons.length, realManifest.lessons.length);
  assert.equal(course.lessons[0].id, '00_welcome');
  assert.equal(course.lessons[course.lessons.length - 1].id, '05_analysing_measurements');
  assert.deepEqual(
    course.labs.map(lab => lab.label),
    ['Mismatch lab', 'Growth lab', 'Annealing lab', 'Transfer lab', 'Analysis lab']
  );
  for (const lesson of course.lessons) {
    assert.ok(lesson.goals.length > 0, `${lesson.id} has goals`);
  }
});

test('the settings default course folder is the manifest course_dir', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '../../schema/course.json'), 'utf8'));
  assert.equal(schema.properties.courseDirectory.default, parseManifest(realManifest).courseDir);
});

test('reads every field of a lesson and a lab', () => {
  const course = parseManifest(smallManifest);
  assert.equal(course.courseDir, 'course');
  assert.deepEqual(course.lessons[1], smallManifest.lessons[1]);
  assert.deepEqual(course.labs[0], smallManifest.labs[0]);
});

test('bad manifests fail with the field, what it must be and the value', () => {
  const cases: [unknown, RegExp][] = [
    [changed(m => (m.schema = 2)), /manifest\.schema must be 1, got 2/],
    [changed(m => (m.lessons = [])), /manifest\.lessons must be a non-empty list/],
    [changed(m => (m.lessons[1].minutes = 0)), /lessons\[1\]\.minutes must be a number of minutes > 0/],
    [changed(m => (m.lessons[1].quizzes = -1)), /lessons\[1\]\.quizzes must be a whole number >= 0, got -1/],
    [changed(m => (m.lessons[1].file = 'sub/strain.ipynb')), /lessons\[1\]\.file must be a notebook file name/],
    [changed(m => (m.lessons[1].goals = 'one')), /lessons\[1\]\.goals must be a list of strings/],
    [changed(m => (m.lessons[1].prerequisites = ['later'])), /prerequisites must be ids of lessons in the manifest, got "later"/],
    [changed(m => (m.lessons[1].id = 'intro')), /lesson ids must be unique, got "intro"/],
    [changed(m => delete m.labs[0].code), /manifest\.labs\[0\]\.code must be a non-empty string/],
    [changed(m => (m.title = '')), /manifest\.title must be a non-empty string/],
    [[], /manifest must be an object/]
  ];
  for (const [manifest, message] of cases) {
    assert.throws(() => parseManifest(manifest), message);
  }
});

test('a notebook belongs to the lesson with its file name, wherever it lies', () => {
  const course = parseManifest(smallManifest);
  assert.equal(lessonForPath(course, 'course/strain.ipynb')?.id, 'strain');
  assert.equal(lessonForPath(course, 'notebooks/strain.ipynb')?.id, 'strain');
  assert.equal(lessonForPath(course, 'strain.ipynb')?.id, 'strain');
  assert.equal(lessonForPath(course, 'course/Untitled.ipynb'), undefined);
  assert.equal(lessonForPath(course, 'course/strain.ipynb.backup'), undefined);
});

test('paths in the course folder, the root included', () => {
  assert.equal(courseFilePath('course', 'intro.ipynb'), 'course/intro.ipynb');
  assert.equal(courseFilePath('/a/b/', 'intro.ipynb'), 'a/b/intro.ipynb');
  assert.equal(courseFilePath('', 'intro.ipynb'), 'intro.ipynb');
});

test('lists the lessons missing from the course folder', () => {
  const course = parseManifest(smallManifest);
  assert.deepEqual(missingLessons(course, ['intro.ipynb', 'x.ipynb']).map(l => l.id), ['strain']);
  assert.equal(missingLessons(course, []).length, 2);
});

test('finds a lesson or lab by id, naming the known ids otherwise', () => {
  const course = parseManifest(smallManifest);
  assert.equal(byId(course.lessons, 'strain', 'lesson').file, 'strain.ipynb');
  assert.throws(() => byId(course.labs, 'growth', 'lab'), /unknown lab id "growth"; known: mismatch/);
});
