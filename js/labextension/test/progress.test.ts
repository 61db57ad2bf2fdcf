import { test } from 'node:test';
import assert from 'node:assert/strict';

import { parseManifest } from '../src/manifest';
import {
  CourseProgress,
  doneText,
  hasAttempted,
  normalizeProgress,
  parseProgressDetail,
  recordEvent,
  recordOpened,
  recordQuiz,
  recordTask,
  summarize
} from '../src/progress';
import { smallManifest } from './fixtures';

const course = parseManifest(smallManifest);
const [intro, strain] = course.lessons;

test('status goes from not started to in progress to done (right answers >= quizzes)', () => {
  let progress: CourseProgress = {};
  assert.equal(summarize(strain, progress).status, 'not started');
  progress = recordOpened(progress, 'strain');
  assert.equal(summarize(strain, progress).status, 'in progress');
  progress = recordQuiz(progress, 'strain', 'Q1', true);
  progress = recordQuiz(progress, 'strain', 'Q2', false);
  assert.equal(summarize(strain, progress).status, 'in progress');
  progress = recordQuiz(progress, 'strain', 'Q2', true);
  assert.deepEqual(summarize(strain, progress), {
    status: 'done', quizzesAnswered: 2, quizzesRight: 2, quizzes: 2, tasksOpened: 0, tasks: 3
  });
});

test('a lesson without quizzes is done once opened', () => {
  assert.equal(summarize(intro, recordOpened({}, 'intro')).status, 'done');
});

test('a right answer stays right after a wrong one', () => {
  let progress = recordQuiz({}, 'strain', 'Q1', true);
  progress = recordQuiz(progress, 'strain', 'Q1', false);
  assert.equal(progress.strain.quizzes.Q1, true);
  assert.equal(summarize(strain, progress).quizzesRight, 1);
});

test('answering or opening a task marks the lesson opened; tasks count once', () => {
  let progress = recordTask({}, 'strain', 'Task A');
  progress = recordTask(progress, 'strain', 'Task A');
  progress = recordEvent(progress, 'strain', { kind: 'task', key: 'Task B' });
  assert.equal(progress.strain.opened, true);
  assert.equal(summarize(strain, progress).tasksOpened, 2);
  assert.equal(doneText(summarize(strain, progress)), '0 of 2 quizzes right · 2 of 3 tasks opened');
  assert.equal(doneText(summarize(intro, progress)), '');
});

test('updates return new objects and leave the old progress alone', () => {
  const before = recordOpened({}, 'strain');
  const after = recordQuiz(before, 'strain', 'Q1', true);
  assert.deepEqual(before.strain.quizzes, {});
  assert.notEqual(before, after);
});

test('reads event details and ignores malformed ones', () => {
  assert.deepEqual(parseProgressDetail({ kind: 'quiz', key: 'Q', correct: false }), {
    kind: 'quiz', key: 'Q', correct: false
  });
  assert.deepEqual(parseProgressDetail({ kind: 'task', key: 'T', opened: true }), {
    kind: 'task', key: 'T'
  });
  for (const bad of [null, 'quiz', {}, { kind: 'quiz', key: 'Q' }, { kind: 'quiz', key: '', correct: true },
    { kind: 'other', key: 'K' }, { kind: 'task', key: 3 }]) {
    assert.equal(parseProgressDetail(bad), undefined, JSON.stringify(bad));
  }
});

test('progress read back from the state database keeps only well-formed entries', () => {
  const saved = {
    strain: { opened: true, quizzes: { Q1: true, Q2: 'yes' }, tasks: { T: true, U: false } },
    broken: 7,
    empty: {}
  };
  assert.deepEqual(normalizeProgress(saved), {
    strain: { opened: true, quizzes: { Q1: true }, tasks: { T: true } },
    empty: { opened: false, quizzes: {}, tasks: {} }
  });
  assert.deepEqual(normalizeProgress(undefined), {});
  assert.deepEqual(normalizeProgress([1, 2]), {});
  const progress = recordQuiz(recordTask({}, 'strain', 'T'), 'strain', 'Q', true);
  assert.deepEqual(normalizeProgress(JSON.parse(JSON.stringify(progress))), progress);
});

test('a lesson is attempted once any of its checks was answered, right or wrong', () => {
  assert.equal(hasAttempted({}, 'strain'), false);
  assert.equal(hasAttempted(recordOpened({}, 'strain'), 'strain'), false);
  assert.equal(hasAttempted(recordTask({}, 'strain', 'Task 1'), 'strain'), false);
  assert.equal(hasAttempted(recordQuiz({}, 'strain', 'Q1', false), 'strain'), true);
  assert.equal(hasAttempted(recordQuiz({}, 'strain', 'Q1', true), 'intro'), false);
});
