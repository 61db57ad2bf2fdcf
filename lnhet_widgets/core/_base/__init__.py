"""Machinery shared by every model: parameter fields with control metadata, the JSON/CSV
round trip of results, and range checks that name the field, its unit and the allowed range.
"""

from .params import ParamsDict, param
from .results import ResultIO, write_csv
from .validate import check_range

__all__ = ["ParamsDict", "ResultIO", "check_range", "param", "write_csv"]
