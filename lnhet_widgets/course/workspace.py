"""Copy the lessons into a student's folder and restore one, never losing what a student wrote.

A lesson in the student's folder that differs from the original (the student's edits, outputs,
notes) is kept as ``<stem>.backup-YYYYMMDD-HHMMSS.ipynb`` beside it before the original is put
back; a file equal to the original is left alone. Lessons read their data from the package
(:mod:`lnhet_widgets.data`) or make it in the notebook, so the notebooks alone are a course
that runs from any folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import datetime
from pathlib import Path

from .manifest import find_lesson, lessons_dir, load_manifest

__all__ = ["copy_course", "reset_lesson"]


def copy_course(dest_dir: str | os.PathLike | None = None) -> dict:
    """Copy every lesson into ``dest_dir``, keeping a student's edited lesson as a backup.

    Parameters
    ----------
    dest_dir : str or path-like, optional
        Folder for the course, created if missing; a relative path is taken from the current
        directory. Default: the manifest's ``course_dir`` (``"lnhet-course"``).

    Returns
    -------
    dict
        ``{"dest": str, "copied": [file], "unchanged": [file], "backups": [{"file": file,
        "backup": file}]}`` with file names inside ``dest``: ``copied`` the lessons written
        (new, or restored over an edited copy), ``unchanged`` those already equal to the
        original, ``backups`` the edited copies kept before they were replaced.

    Raises
    ------
    ValueError
        If ``dest_dir`` is empty, is a file, cannot be created or is not writable.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     first = copy_course(Path(tmp) / "course")
    ...     again = copy_course(Path(tmp) / "course")
    >>> len(first["copied"]), len(again["unchanged"]), again["backups"]
    (8, 8, [])
    """
    folder = _course_folder(dest_dir, create=True)
    originals = lessons_dir()
    report = {"dest": str(folder), "copied": [], "unchanged": [], "backups": []}
    when = datetime.now()
    for lesson in load_manifest()["lessons"]:
        name = lesson["file"]
        changed, backup = _restore(originals / name, folder / name, when)
        report["copied" if changed else "unchanged"].append(name)
        if backup is not None:
            report["backups"].append({"file": name, "backup": backup.name})
    return report


def reset_lesson(lesson_id: str, dest_dir: str | os.PathLike | None = None) -> dict:
    """Put the original of one lesson back into the course folder, keeping the student's copy.

    Parameters
    ----------
    lesson_id : str
        Id of the lesson, e.g. ``"02_seeded_growth"`` (see :func:`load_manifest`).
    dest_dir : str or path-like, optional
        The course folder made by :func:`copy_course`. Default: the manifest's ``course_dir``.

    Returns
    -------
    dict
        ``{"lesson": id, "file": path, "backup": path or None}``: the lesson's path and that
        of the backup of the student's copy (``None`` when the copy equalled the original or
        was missing), both as ``dest_dir`` was given (a relative one stays relative).

    Raises
    ------
    ValueError
        If the lesson id is unknown, or ``dest_dir`` is not an existing, writable folder.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = copy_course(tmp)
    ...     lesson = Path(tmp) / "01_lattice_mismatch.ipynb"
    ...     _ = lesson.write_text("{}", encoding="utf-8")  # a student's edit
    ...     result = reset_lesson("01_lattice_mismatch", tmp)
    ...     restored = lesson.read_bytes() == (lessons_dir() / lesson.name).read_bytes()
    ...     kept = Path(result["backup"]).read_text(encoding="utf-8")
    >>> restored, kept, Path(result["backup"]).name.startswith("01_lattice_mismatch.backup-")
    (True, '{}', True)
    """
    lesson = find_lesson(lesson_id)
    folder = _course_folder(dest_dir, create=False)
    target = folder / lesson["file"]
    _, backup = _restore(lessons_dir() / lesson["file"], target, datetime.now())
    return {"lesson": lesson["id"], "file": str(target),
            "backup": None if backup is None else str(backup)}


def _course_folder(dest_dir, *, create: bool) -> Path:
    if dest_dir is None:
        dest_dir = load_manifest()["course_dir"]
    if not str(dest_dir).strip():
        raise ValueError("dest_dir must name a folder for the course, got an empty path")
    folder = Path(dest_dir).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"dest_dir {str(folder)!r} is a file, not a folder; give the folder "
                         "that holds (or is to hold) the course")
    if not folder.exists():
        if not create:
            raise ValueError(f"dest_dir {str(folder)!r} does not exist; copy the course there "
                             f"first: python -m lnhet_widgets.course copy {folder}")
        try:
            folder.mkdir(parents=True)
        except OSError as err:
            raise ValueError(f"dest_dir {str(folder)!r} cannot be created: "
                             f"{err.strerror or err}") from err
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"dest_dir {str(folder)!r} is not writable; choose a folder of yours")
    return folder


def _restore(original: Path, target: Path, when: datetime) -> tuple[bool, Path | None]:
    """Make ``target`` a copy of ``original``; a differing ``target`` is first kept as a backup.

    Returns whether ``target`` was written and the backup's path (``None`` if none was made).
    """
    data = original.read_bytes()
    if target.is_dir():
        raise ValueError(f"{str(target)!r} is a folder where the lesson {original.name} belongs; "
                         "rename it and copy again")
    if target.is_file() and target.read_bytes() == data:
        return False, None
    backup = _keep_backup(target, when) if target.exists() else None
    _write_replacing(target, data)
    return True, backup


def _keep_backup(path: Path, when: datetime) -> Path:
    """Copy ``path`` to a new ``<stem>.backup-YYYYMMDD-HHMMSS[-n]<suffix>`` beside it."""
    stamp = f"{path.stem}.backup-{when:%Y%m%d-%H%M%S}"
    data = path.read_bytes()
    for n in range(1, 10_000):
        backup = path.with_name(f"{stamp}{'' if n == 1 else f'-{n}'}{path.suffix}")
        try:
            # "x": a backup made earlier in the same second is never overwritten.
            with open(backup, "xb") as file:
                file.write(data)
        except FileExistsError:
            continue
        shutil.copystat(path, backup)
        return backup
    raise ValueError(f"too many backups of {path.name} from {when:%Y-%m-%d %H:%M:%S} in "
                     f"{path.parent}; move some away and try again")


def _write_replacing(target: Path, data: bytes) -> None:
    # Written beside the target and renamed over it, so that an interrupted copy never leaves
    # half a notebook; os.open's mode honours the umask, as a plain open() would.
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
