"""Tabs whose pages are attached only while selected (the labs' tab bars)."""

from __future__ import annotations

import ipywidgets as widgets

__all__ = ["hold_selected_page"]


def hold_selected_page(tabs: widgets.Tab, pages) -> None:
    """Put the selected tab's page into its slot and empty every other slot.

    bqplot lays a figure out at 0 × 0 when it first renders inside a hidden tab and keeps a
    negative plot area; a page that is attached only while its tab is shown always renders
    at its real size. ``tabs.children`` are the slots (one Box per page).

    Examples
    --------
    >>> pages = [widgets.HTML("a"), widgets.HTML("b")]
    >>> tabs = widgets.Tab(children=[widgets.Box(), widgets.Box()], selected_index=1)
    >>> hold_selected_page(tabs, pages)
    >>> [len(slot.children) for slot in tabs.children]
    [0, 1]
    """
    selected = tabs.selected_index
    for index, (slot, page) in enumerate(zip(tabs.children, pages, strict=True)):
        wanted = (page,) if index == selected else ()
        if slot.children != wanted:
            slot.children = wanted
