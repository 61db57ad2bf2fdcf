"""The course: the lesson notebooks shipped in the package, their manifest, and copying them out.

``python -m lnhet_widgets.course copy DIR`` (or :func:`copy_course`) puts the lessons into a
folder of the student's; :func:`reset_lesson` restores one lesson's original. Neither loses a
student's work: an edited lesson is kept as a timestamped backup before it is replaced.
:func:`load_manifest` gives the lessons (title, goals, time, prerequisites) and the labs that
the JupyterLab extension shows.
"""

from .manifest import MANIFEST_PATH, find_lesson, lessons_dir, load_manifest
from .workspace import copy_course, reset_lesson

__all__ = [
    "MANIFEST_PATH",
    "copy_course",
    "find_lesson",
    "lessons_dir",
    "load_manifest",
    "reset_lesson",
]
