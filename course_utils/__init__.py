"""course_utils: the library behind "Why activation functions matter".

The maths (``data``, ``features``, ``activations``, ``model``, ``optimizers``, ``train``) uses NumPy
only; ``plots`` (matplotlib) and ``widgets`` (ipywidgets) are imported on demand and
never from here, so ``import course_utils`` stays light and works without a display.
"""
from .activations import ACTIVATIONS, Activation, get_activation
from .data import DATASETS, DOMAIN, REGRESSION_DATASETS, make_dataset, train_test_split
from .features import DEFAULT_FEATURES, FEATURES, featurize
from .model import MLP, OUTPUTS, collapse, tanh_as_sigmoid
from .train import OPTIMIZERS, History, Trainer, evaluate, train

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "Activation", "get_activation",
    "DATASETS", "REGRESSION_DATASETS", "DOMAIN", "make_dataset", "train_test_split",
    "FEATURES", "DEFAULT_FEATURES", "featurize",
    "MLP", "OUTPUTS", "collapse", "tanh_as_sigmoid",
    "OPTIMIZERS", "History", "Trainer", "train", "evaluate",
]
