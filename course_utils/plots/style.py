"""Colours and figure plumbing shared by every plot helper.

Colour-blind-safe throughout: the two classes are orange (class 0) and blue (class 1),
and the heatmap runs orange -> white -> blue, so the decision boundary is where the
picture turns white (and the live panels draw it as a solid black line on top). With
more classes, class 2 onward take Okabe-Ito's bluish green, reddish purple and sky blue
(:func:`class_colours`); hue is the class, and white is "unsure". Train and test points
also differ in shape, not only in colour.
"""
from __future__ import annotations

import io

from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

__all__ = [
    "CLASS_COLOURS", "CLASS_PALETTE", "class_colours", "TRAIN_COLOUR", "TEST_COLOUR", "REFERENCE_COLOUR",
    "HEATMAP_CMAP", "new_figure", "figure_png", "show_figure", "pixels_png", "ARRANGEMENTS",
]

ORANGE = "#e66101"
BLUE = "#2166ac"
CLASS_COLOURS = (ORANGE, BLUE)
"""Class 0, class 1."""

CLASS_PALETTE = (*CLASS_COLOURS, "#009e73", "#cc79a7", "#56b4e9")
"""Class 0, 1, 2, ...: the two class colours, then Okabe-Ito bluish green, reddish purple and
sky blue - told apart with any colour vision (a test checks it under simulated deuteranopia,
protanopia and tritanopia), and each dark enough to fade visibly into white."""


def class_colours(n_classes: int) -> tuple[str, ...]:
    """The first ``n_classes`` colours of :data:`CLASS_PALETTE`; a ``ValueError`` beyond it."""
    if not 2 <= int(n_classes) <= len(CLASS_PALETTE):
        raise ValueError(f"The pictures tell 2 to {len(CLASS_PALETTE)} classes apart; got {n_classes}.")
    return CLASS_PALETTE[:int(n_classes)]

TRAIN_COLOUR = "#0072b2"  # Okabe-Ito blue
TEST_COLOUR = "#d55e00"  # Okabe-Ito vermillion, drawn dashed as well
REFERENCE_COLOUR = "#7f7f7f"

HEATMAP_CMAP = LinearSegmentedColormap.from_list(
    "course_orange_blue", ["#e66101", "#fdb863", "#f7f7f7", "#92c5de", "#2166ac"])
"""P(class 1) = 0 is orange, 0.5 white, 1 blue."""

ARRANGEMENTS = {"row": "the panels side by side",
                "stacked": "the main panel large on top, the others beneath it"}
"""How a live view (``TrainingView``, ``NetworkView``) places its panels."""

# PNG metadata without a version stamp, so re-running a notebook does not churn its diff.
PNG_METADATA = {"Software": None}


TITLE_PT = 13.0
SUBTITLE_PT = 9.5


def wrap_text(text: str, width_in: float, points: float, weight: str = "normal") -> str:
    """Break ``text`` into lines no wider than ``width_in`` inches at ``points`` size, measured
    with the font itself (so a title never runs off the figure, whatever its letters)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure = TextToPath()
    prop = FontProperties(size=points, weight=weight)
    room = 0.94 * width_in * 72.0  # points, leaving a small margin each side

    def width(s):
        return measure.get_text_width_height_descent(s, prop, ismath=False)[0]

    lines = []
    for paragraph in str(text).splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}" if line else word
            if line and width(trial) > room:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return "\n".join(lines)


def takeaway_title(fig: Figure, text: str | None) -> None:
    """The figure's bold title - what to see - wrapped to the figure's width (nothing if ``text`` is empty)."""
    if text:
        fig.suptitle(wrap_text(text, fig.get_figwidth(), TITLE_PT, "bold"), fontsize=TITLE_PT, fontweight="bold")


def new_figure(figsize=(6.0, 4.0), dpi: int = 100, mosaic=None, **subplots) -> tuple[Figure, object]:
    """A figure outside pyplot (nothing auto-displays) and its axes.

    ``subplots`` go to ``Figure.subplots`` (``nrows``, ``ncols``, ``gridspec_kw``...), or,
    with ``mosaic`` (e.g. ``[["b", "b"], ["l", "a"]]``), to ``Figure.subplot_mosaic``, which
    returns a dict of axes by name. Returns ``(fig, axes)``.
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    if mosaic is not None:
        return fig, fig.subplot_mosaic(mosaic, **subplots)
    axes = fig.subplots(**subplots) if subplots else fig.add_subplot()
    return fig, axes


def pixels_png(pixels, colours: int = 128) -> bytes:
    """RGB(A) pixels, (height, width, 3 or 4) uint8, as a small PNG for a live picture.

    Reduced to a palette of ``colours`` (PIL's fast octree) with light zlib compression: a
    third of the bytes of an RGB PNG and three times faster to encode - what matters when a
    picture is sent to the browser many times a second. The heatmaps' smooth ramps keep
    enough steps at 128 colours for the decision boundary to read the same.
    """
    import numpy as np
    from PIL import Image

    pixels = np.ascontiguousarray(pixels)  # a no-op for a canvas's buffer and its row bands
    if pixels.shape[-1] == 4:  # dropping alpha inside PIL: a third of the time of a strided NumPy copy
        rgb = Image.frombuffer("RGBA", (pixels.shape[1], pixels.shape[0]), pixels, "raw", "RGBA", 0, 1)
        rgb = rgb.convert("RGB")
    else:
        rgb = Image.fromarray(pixels)
    indexed = rgb.quantize(colors=colours, method=Image.Quantize.FASTOCTREE)
    # The octree averages each bucket, so the page-white background comes out a light grey;
    # the brightest entry (the background's) is set back to pure white.
    palette = np.asarray(indexed.getpalette(), dtype=np.int32).reshape(-1, 3)
    palette[int(np.argmax(palette.sum(axis=1)))] = 255
    indexed.putpalette(palette.astype(np.uint8).ravel().tolist())
    buf = io.BytesIO()
    indexed.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def figure_png(fig: Figure, dpi=None, fast: bool = False) -> bytes:
    """Render ``fig`` with the Agg canvas to PNG bytes (no version stamp in the metadata).

    ``fast=True`` trades file size for speed (light zlib compression) for live panels.
    """
    buf = io.BytesIO()
    kwargs = {"format": "png", "metadata": PNG_METADATA}
    if dpi is not None:
        kwargs["dpi"] = dpi
    if fast:
        kwargs["pil_kwargs"] = {"compress_level": 1}
    fig.savefig(buf, **kwargs)
    return buf.getvalue()


def show_figure(fig: Figure, dpi=80) -> None:
    """Display ``fig`` once, as a PNG, in the notebook (the same in JupyterLab and Voila)."""
    from IPython.display import Image, display

    display(Image(data=figure_png(fig, dpi=dpi), format="png"))
