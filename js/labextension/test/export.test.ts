import { test } from 'node:test';
import assert from 'node:assert/strict';

import { csvField, exportFileName, progressToCsv, progressToJson } from '../src/export';
import { parseManifest } from '../src/manifest';
import { recordOpened, recordQuiz, recordTask } from '../src/progress';
import { smallManifest } from './fixtures';

const course = parseManifest(smallManifest);
const when = '2026-12-04T22:30:00.000Z';
let progress = recordOpened({}, 'intro');
progress = recordQuiz(progress, 'strain', 'Which, "exactly"?', true);
progress = recordQuiz(progress, 'strain', 'Q2', false);
progress = recordTask(progress, 'strain', 'Task A');

test('CSV has a header and one row per lesson in course order', () => {
  const lines = progressToCsv(course, progress, when).trimEnd().split('\r\n');
  assert.deepEqual(lines, [
    'lesson,title,status,opened,quizzes_answered,quizzes_right,quizzes,tasks_opened,tasks,exported_at',
    `intro,Intro,done,true,0,0,0,0,0,${when}`,
    `strain,"Strain, ""misfit"" and shells",in progress,true,2,1,2,1,3,${when}`
  ]);
});

test('CSV fields are quoted only when needed', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(3), '3');
});

test('JSON carries each lesson status and which questions and tasks', () => {
  const data = JSON.parse(progressToJson(course, progress, when));
  assert.equal(data.course, 'Test course');
  assert.equal(data.exported_at, when);
  assert.deepEqual(data.lessons[1], {
    lesson: 'strain', title: 'Strain, "misfit" and shells', status: 'in progress', opened: true,
    quizzes_answered: 2, quizzes_right: 1, quizzes: 2, tasks_opened: 1, tasks: 3,
    answers: { 'Which, "exactly"?': true, Q2: false }, opened_tasks: ['Task A']
  });
  assert.equal(data.lessons[0].status, 'done');
});

test('export file names carry the date', () => {
  assert.equal(exportFileName(when, 'csv'), 'lnhet-progress-2026-12-04.csv');
  assert.equal(exportFileName(when, 'json'), 'lnhet-progress-2026-12-04.json');
});
