"""The Playground's "your own data" controls: upload a CSV, say how to read its labels, see
where the data came from, go back to the generated dataset.

A thin controller: the file is read by ``course_utils.userdata`` (every message there names
the line and the problem); the Playground decides what to do with the result. ipywidgets 8's
``FileUpload.value`` is a tuple of dicts (``name``, ``type``, ``size``, ``content`` as a
memoryview, ``last_modified``); version 7's dict of files is not supported.
"""
from __future__ import annotations

import html

import ipywidgets as W

from ..userdata import MAX_BYTES, MAX_ROWS, TASKS, UserData, parse_csv

__all__ = ["DataUpload", "click_events"]

_LABEL_CHOICES = [("auto", "auto"), ("classes", "classification"), ("numbers", "regression")]
assert [v for _, v in _LABEL_CHOICES] == list(TASKS)


class DataUpload:
    """Widgets for loading a CSV file; the owner observes :attr:`upload` and :attr:`labels`.

    Attributes
    ----------
    upload : ipywidgets.FileUpload
        Accepts one ``.csv`` file (``x1,x2,label``; see ``course_utils.userdata``).
    labels : ipywidgets.Dropdown
        How to read the third column: auto, classes, numbers (``userdata.TASKS``).
    back_button : ipywidgets.Button
        Back to the generated dataset (shown while uploaded data is in use).
    source : ipywidgets.HTML
        Where the data came from, and what was done to it.
    widget : ipywidgets.VBox
        All of the above, for the Data group of the page.
    """

    def __init__(self):
        self.upload = W.FileUpload(accept=".csv,text/csv", multiple=False, description="Upload CSV",
                                   tooltip=f"A CSV file of x1,x2,label rows (header optional), at most "
                                           f"{MAX_ROWS:,} rows and {MAX_BYTES / 1e6:.0f} MB",
                                   layout=W.Layout(width="125px"))
        self.labels = W.Dropdown(options=_LABEL_CHOICES, value="auto", description="labels are",
                                 tooltip="; ".join(f"{k}: {v}" for k, v in TASKS.items()),
                                 style={"description_width": "70px"}, layout=W.Layout(width="165px"))
        self.back_button = W.Button(description="Use the dataset", icon="undo",
                                    tooltip="Forget the uploaded data and train on the dataset chosen above",
                                    layout=W.Layout(display="none"))
        self.source = W.HTML("")
        self.click_class = W.Dropdown(options=[("off", None), ("class 0", 0), ("class 1", 1)], value=None,
                                      description="click adds", style={"description_width": "70px"},
                                      tooltip="Click on the output picture to add a point of this class there",
                                      layout=W.Layout(width="170px"))
        self.file: tuple[str, bytes] | None = None  # the last file read, to re-read with another labels choice
        self.upload.add_class("pg-upload")
        self.labels.add_class("pg-labels")
        self.back_button.add_class("pg-use-dataset")
        self.source.add_class("pg-data-source")
        self.click_class.add_class("pg-click-class")
        # One row that wraps: in the Playground's 300 px column the four controls take two lines.
        row = W.HBox([self.upload, self.labels, self.click_class, self.back_button],
                     layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox([row, self.source])

    def take_file(self) -> tuple[str, bytes] | None:
        """The uploaded file as ``(name, bytes)``, or None when there is none; the widget is
        emptied (a large file is not kept in the page's state, and the same file can be
        chosen again). Files over the size limit are not copied."""
        files = self.upload.value
        if not files:
            return None
        f = files[0]
        content = f["content"]
        name = str(f["name"])
        self.upload.value = ()
        if len(content) > MAX_BYTES:
            return name, content  # parse_csv refuses it by size, unread
        return name, bytes(content)

    def read(self, name: str, content) -> UserData:
        """Parse a file with the current labels choice (``ValueError`` with the message)."""
        data = parse_csv(content, name, self.labels.value)
        if len(content) <= MAX_BYTES:
            self.file = (name, bytes(content))
        return data

    def show(self, data: UserData | None, generated: str, n_classes: int = 2) -> None:
        """Say where the data came from: the uploaded file (and what was done to it) or ``generated``;
        offer the data's classes (``n_classes``, 0 for regression) to the click control."""
        options = [("off", None), *((f"class {k}", k) for k in range(n_classes))]
        if list(self.click_class.options) != options:
            keep = self.click_class.value if self.click_class.value is None or self.click_class.value < n_classes \
                else None
            self.click_class.options = options
            self.click_class.value = keep
        if data is None:
            self.back_button.layout.display = "none"
            self.source.value = f'<span style="font-size:small">data: {html.escape(generated)}</span>'
            return
        self.back_button.layout.display = None
        notes = "; ".join(data.notes) if data.origin == "uploaded" else ""
        self.source.value = (f'<span style="font-size:small">data: <b>{html.escape(data.describe())}</b>'
                             + (f" ({html.escape(notes)})" if notes else "")
                             + "; the noise slider does not apply to it, New data draws a new train/test "
                               "split.</span>")


def click_events(image: W.Image):
    """An ``ipyevents.Event`` reporting clicks on ``image`` (``dataX``, ``dataY``: the pixel of
    the PNG under the pointer, whatever size it is shown at), or None without ipyevents."""
    try:
        from ipyevents import Event
    except ImportError:
        return None
    return Event(source=image, watched_events=["click"])
