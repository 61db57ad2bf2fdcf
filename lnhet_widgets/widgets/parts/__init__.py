"""The parts every lab is built from: the parameter panel, bqplot helpers, the status line,
the nglview structure view, save/load, quizzes, hidden solutions, throttling, tabs and the
progress bar of a sweep, slow views in a worker thread.
"""

from .background import LatestJob
from .exercise import ExerciseCheck, check_exercise
from .panel import ParameterPanel, param
from .plots import decade_ticks, figure, line_figure, lines, set_mark_data
from .quiz import NumericQuiz, Quiz, student_id
from .saved import (
    FORMAT,
    FORMAT_VERSION,
    SavableLab,
    SaveLoadBar,
    check_keys,
    params_state,
    read_choice,
    read_flag,
    read_lab_file,
    read_number,
    read_params,
)
from .solution import TaskAnswer, hidden_answer
from .status import StatusLine
from .structure_view import StructureView
from .sweep_progress import SweepProgressBar, show_sweep_progress

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ExerciseCheck",
    "LatestJob",
    "NumericQuiz",
    "ParameterPanel",
    "Quiz",
    "SavableLab",
    "SaveLoadBar",
    "StatusLine",
    "StructureView",
    "SweepProgressBar",
    "TaskAnswer",
    "check_exercise",
    "check_keys",
    "decade_ticks",
    "figure",
    "hidden_answer",
    "line_figure",
    "lines",
    "param",
    "params_state",
    "read_choice",
    "read_flag",
    "read_lab_file",
    "read_number",
    "read_params",
    "set_mark_data",
    "show_sweep_progress",
    "student_id",
]
