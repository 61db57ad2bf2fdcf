import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  copyCourseCode,
  lastJsonLine,
  parseCopyResult,
  parseResetResult,
  resetLessonCode
} from '../src/kernelcode';

test('the kernel code calls lnhet_widgets.course as the contract names it', () => {
  assert.equal(
    copyCourseCode('lnhet-course'),
    'import json, lnhet_widgets.course as c; print(json.dumps(c.copy_course("lnhet-course")))'
  );
  assert.equal(
    resetLessonCode('01_lattice_mismatch', 'my course'),
    'import json, lnhet_widgets.course as c; ' +
      'print(json.dumps(c.reset_lesson("01_lattice_mismatch", "my course")))'
  );
});

test('quotes and backslashes in a folder name stay inside the string literal', () => {
  assert.match(copyCourseCode('a"b\\c'), /copy_course\("a\\"b\\\\c"\)/);
});

test('reads the last JSON line, after anything else printed', () => {
  const out = 'numba warming up\n{"dest": "lnhet-course", "copied": ["a.ipynb"], ' +
    '"unchanged": [], "backups": [{"file": "b.ipynb", "backup": "b.backup-20261204-223000.ipynb"}]}\n';
  assert.deepEqual(parseCopyResult(out), {
    dest: 'lnhet-course', copied: ['a.ipynb'], unchanged: [],
    backups: [{ file: 'b.ipynb', backup: 'b.backup-20261204-223000.ipynb' }]
  });
  assert.deepEqual(parseResetResult('{"lesson": "x", "file": "c/x.ipynb", "backup": null}'), {
    lesson: 'x', file: 'c/x.ipynb', backup: null
  });
});

test('an answer that is not the expected JSON fails with the output quoted', () => {
  assert.throws(() => lastJsonLine(''), /got: \(nothing\)/);
  assert.throws(() => lastJsonLine('oops\n'), /got: oops/);
  assert.throws(() => lastJsonLine('[1, 2]'), /got: \[1, 2\]/);
  assert.throws(() => parseResetResult('{"lesson": "x"}'), /without lesson\/file/);
  assert.throws(() => parseCopyResult('{"copied": []}'), /without dest\/copied/);
});
