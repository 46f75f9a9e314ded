"""ipywidgets panels: thin controllers that read controls, call the maths, and hand
the results to ``course_utils.plots``.

Each panel displays itself (it is the last expression of a cell) and keeps its
widgets as attributes, so tests can set a control and look at the picture.
"""
from .compare import ComparePanel
from .composition import GridWarpPanel, TinyNetPanel
from .panel import CONTROLS, TrainingPanel
from .pieces import PiecesPanel
from .playground import Playground

__all__ = ["TrainingPanel", "CONTROLS", "GridWarpPanel", "TinyNetPanel", "PiecesPanel", "ComparePanel",
           "Playground"]
