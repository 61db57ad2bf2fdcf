import { test } from 'node:test';
import assert from 'node:assert/strict';

import { freeNotebookName, labNotebook } from '../src/labnotebook';
import { parseManifest } from '../src/manifest';
import { smallManifest } from './fixtures';

const lab = parseManifest(smallManifest).labs[0];
const python = { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' };

test('a lab notebook is nbformat 4 with the lab code as its one cell and a kernel', () => {
  const notebook = labNotebook(lab, python) as any;
  assert.equal(notebook.nbformat, 4);
  assert.deepEqual(notebook.metadata.kernelspec, python);
  assert.equal(notebook.cells.length, 1);
  assert.equal(notebook.cells[0].cell_type, 'code');
  assert.equal(notebook.cells[0].source, lab.code);
  assert.deepEqual(notebook.cells[0].outputs, []);
});

test('new lab notebooks never take an existing name', () => {
  assert.equal(freeNotebookName('Mismatch lab', []), 'Mismatch lab.ipynb');
  assert.equal(freeNotebookName('Mismatch lab', ['Mismatch lab.ipynb']), 'Mismatch lab 2.ipynb');
  assert.equal(
    freeNotebookName('Mismatch lab', ['Mismatch lab.ipynb', 'Mismatch lab 2.ipynb', 'x']),
    'Mismatch lab 3.ipynb'
  );
});
