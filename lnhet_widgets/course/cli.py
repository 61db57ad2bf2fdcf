"""``python -m lnhet_widgets.course``: copy the course, reset a lesson, list the lessons.

``--json`` prints the result as one line of JSON (the dict that
:func:`~lnhet_widgets.course.copy_course` or :func:`~lnhet_widgets.course.reset_lesson` returns,
or the manifest for ``list``), for scripts and the JupyterLab sidebar. A bad argument prints
the reason and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from .manifest import lessons_dir, load_manifest
from .workspace import copy_course, reset_lesson

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    course_dir = load_manifest()["course_dir"]
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print the result as one line of JSON")
    parser = argparse.ArgumentParser(
        prog="python -m lnhet_widgets.course",
        description="The lnhet-widgets lessons: copy them into a folder of yours, put the "
        "original of a lesson back, list them. An edited lesson is never overwritten without "
        "being kept as <lesson>.backup-YYYYMMDD-HHMMSS.ipynb beside it.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    copy = commands.add_parser("copy", parents=[as_json], help="copy every lesson into DIR")
    copy.add_argument("dir", nargs="?", default=course_dir, metavar="DIR",
                      help=f"folder for the course, created if missing (default: {course_dir})")
    reset = commands.add_parser("reset", parents=[as_json],
                                help="put the original of LESSON back into the course folder")
    reset.add_argument("lesson", metavar="LESSON", help="lesson id, e.g. 01_lattice_mismatch")
    reset.add_argument("--dir", default=course_dir,
                       help=f"the course folder (default: {course_dir})")
    commands.add_parser("list", parents=[as_json], help="list the lessons")
    return parser


def _describe_copy(report: dict) -> str:
    lines = [f"Course in {report['dest']}: {len(report['copied'])} lesson(s) copied, "
             f"{len(report['unchanged'])} already up to date."]
    lines += [f"  your edited {b['file']} is kept as {b['backup']}" for b in report["backups"]]
    return "\n".join(lines)


def _describe_reset(result: dict) -> str:
    if result["backup"] is None:
        return f"{result['file']} is the original."
    return f"{result['file']} is the original again; your copy is kept as {result['backup']}."


def _describe_lessons(manifest: dict) -> str:
    rows = [f"{lesson['id']:<28} {lesson['minutes']:>3} min  {lesson['title']}"
            for lesson in manifest["lessons"]]
    return "\n".join([*rows, f"(originals in {lessons_dir()})"])


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["list"])  # doctest: +ELLIPSIS
    00_welcome                    10 min  Welcome to lnhet-widgets
    ...
    0
    """
    args = _parser().parse_args(argv)
    try:
        if args.command == "copy":
            result, text = copy_course(args.dir), _describe_copy
        elif args.command == "reset":
            result, text = reset_lesson(args.lesson, args.dir), _describe_reset
        else:
            result = {**load_manifest(), "lessons_dir": str(lessons_dir())}
            text = _describe_lessons
    except ValueError as err:
        print(f"python -m lnhet_widgets.course {args.command}: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False) if args.json else text(result))
    return 0
