// A small course in the manifest's format (contract §1), for tests that must not depend on
// the real lessons.
export const smallManifest = {
  schema: 1,
  title: 'Test course',
  course_dir: 'course',
  lessons: [
    {
      id: 'intro', file: 'intro.ipynb', title: 'Intro', goals: ['find your way'],
      minutes: 5, prerequisites: [], quizzes: 0, tasks: 0
    },
    {
      id: 'strain', file: 'strain.ipynb', title: 'Strain, "misfit" and shells',
      goals: ['compute a misfit', 'explain it'], minutes: 45, prerequisites: ['intro'],
      quizzes: 2, tasks: 3
    }
  ],
  labs: [
    {
      id: 'mismatch', label: 'Mismatch lab', caption: 'Lattice misfit',
      code: 'from lnhet_widgets.widgets import MismatchLab\n\nlab = MismatchLab()\nlab'
    }
  ]
};

/** A deep copy of the small manifest with `change` applied, for invalid-input tests. */
export function changed(change: (manifest: any) => void): unknown {
  const copy = JSON.parse(JSON.stringify(smallManifest));
  change(copy);
  return copy;
}
