"""A link that lets the browser save text made in the kernel, in JupyterLab and Voila alike."""

from __future__ import annotations

import base64
import html


def download_link(filename: str, text: str, mime: str, label: str | None = None) -> str:
    """HTML ``<a download>`` carrying ``text`` in a ``data:`` URI (no server route needed).

    Examples
    --------
    >>> download_link("a.csv", "x,y\\n", "text/csv")
    "<a download='a.csv' href='data:text/csv;charset=utf-8;base64,eCx5Cg=='>a.csv</a>"
    """
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (f"<a download='{html.escape(filename, quote=True)}' "
            f"href='data:{mime};charset=utf-8;base64,{data}'>"
            f"{html.escape(filename if label is None else label)}</a>")
