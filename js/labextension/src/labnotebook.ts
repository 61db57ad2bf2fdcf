/**
 * A new notebook with a lab ready: its first cell is the lab's code from the manifest.
 *
 * Pure module: no JupyterLab import, unit-tested with node.
 *
 * @example
 * freeNotebookName('Mismatch lab', ['Mismatch lab.ipynb']); // 'Mismatch lab 2.ipynb'
 */

import { ILab } from './manifest';

/** The kernel the notebook names in its metadata, so that it starts without asking. */
export interface IKernelSpecName {
  name: string;
  display_name: string;
  language: string;
}

/** nbformat 4 content of a notebook whose one code cell creates `lab`. */
export function labNotebook(lab: ILab, kernelspec: IKernelSpecName): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec,
      language_info: { name: kernelspec.language }
    },
    cells: [
      {
        cell_type: 'code',
        id: `lnhet-${lab.id}`,
        metadata: {},
        execution_count: null,
        outputs: [],
        source: lab.code
      }
    ]
  };
}

/** `<label>.ipynb`, or `<label> N.ipynb` with the smallest N >= 2 not among `existing`. */
export function freeNotebookName(label: string, existing: Iterable<string>): string {
  const taken = new Set(existing);
  let name = `${label}.ipynb`;
  for (let n = 2; taken.has(name); n++) {
    name = `${label} ${n}.ipynb`;
  }
  return name;
}
