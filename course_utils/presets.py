"""The Playground's settings as a table, and URL presets read from a query string.

Pure Python (no NumPy needed, no matplotlib, no ipywidgets). :data:`PLAYGROUND_DEFAULTS`
holds the Playground's defaults; :data:`CHOICES` says which values each setting accepts
(the dashboard builds its controls from the same table). A teacher links to e.g.::

    06_playground.ipynb?dataset=circle&activation=linear&hide=activation,hidden

and :func:`parse_query` turns the query string into a :class:`Preset`: the values to set,
the controls to hide, and - for every bad parameter - a message naming the valid choices
(a bad parameter is skipped; the rest of the preset still applies).

Parameters (every one optional; names are the control names, lower case)::

    preset         a name of :data:`PRESETS` (e.g. three_classes): its settings first, then
                   the other parameters on top
    dataset        circle | xor | gauss | spiral | moons | spiral3 | blobs3 | plane |
                   multi_gauss (spiral3 and blobs3 have three classes: the output becomes
                   a softmax over three units)
    noise          0..50 (percent, multiples of 5)
    train          10..90 (percent of points used for training, multiples of 10)
    features       comma list of x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)
    hidden         comma list of 0-6 widths 1-8, e.g. 4,2 (empty: no hidden layer)
    activation     linear | sigmoid | tanh | relu | leaky_relu | gelu | elu | silu
    learning_rate  one of 0.00001 ... 10 (the Playground's 11 values); alias lr
    optimizer      sgd | momentum | adam
    batch_size     1..30; alias batch
    regularization none | l1 | l2
    reg_rate       one of 0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10
    epochs         0..1000 (epochs trained after each change), multiples of 10
    seed           0..9999 (initial weights); data_seed likewise (the data sample)
    show_test      true | false
    discretize     true | false
    hide           comma list of control names (any of the above, plus play, rewind,
                   export, network, gradients, regenerate, upload, hidden_space)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from .activations import ACTIVATIONS
from .data import DATASETS, REGRESSION_DATASETS
from .features import FEATURES
from .numeric import lookup
from .train import OPTIMIZERS

__all__ = [
    "PLAYGROUND_DEFAULTS", "CHOICES", "LEARNING_RATES", "REG_RATES", "REGULARIZATIONS",
    "HIDEABLE", "ALIASES", "Preset", "parse_query", "to_query", "MAX_LAYERS", "MAX_NEURONS",
    "check_value", "slider_range", "regularization_rates", "holdout_fraction", "settings_fields", "PRESETS",
]

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
"""The Playground's learning-rate choices."""

REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
"""The Playground's regularization-rate choices."""

REGULARIZATIONS = ("none", "l1", "l2")

MAX_LAYERS, MAX_NEURONS = 6, 8
"""The Playground's limits: 0-6 hidden layers of 1-8 neurons."""

ALL_DATASETS = (*DATASETS, *REGRESSION_DATASETS)

PLAYGROUND_DEFAULTS: dict = {
    "dataset": "circle",
    "noise": 0,  # percent
    "train": 50,  # percent
    "features": ("x1", "x2"),
    "hidden": (4, 2),
    "activation": "tanh",
    "learning_rate": 0.03,
    "optimizer": "sgd",
    "batch_size": 10,
    "regularization": "none",
    "reg_rate": 0.0,
    "epochs": 50,
    "seed": 0,
    "data_seed": 0,
    "show_test": False,
    "discretize": False,
}
"""The Playground's defaults (circle, tanh, lr 0.03, hidden [4, 2], batch 10, 50 % train,
noise 0), plus this course's extras: optimizer, epochs trained after each change, seeds."""

CHOICES: dict = {
    "dataset": ALL_DATASETS,
    "noise": tuple(range(0, 51, 5)),
    "train": tuple(range(10, 91, 10)),
    "activation": tuple(ACTIVATIONS),
    "learning_rate": LEARNING_RATES,
    "optimizer": tuple(OPTIMIZERS),
    "batch_size": tuple(range(1, 31)),
    "regularization": REGULARIZATIONS,
    "reg_rate": REG_RATES,
    "epochs": tuple(range(0, 1001, 10)),
    "seed": tuple(range(0, 10000)),
    "data_seed": tuple(range(0, 10000)),
    "show_test": (False, True),
    "discretize": (False, True),
}
"""Setting -> its valid values (``features`` and ``hidden`` are lists, checked apart)."""

ALIASES = {"lr": "learning_rate", "batch": "batch_size", "reg": "regularization", "rate": "reg_rate",
           "layers": "hidden", "act": "activation", "data": "dataset"}
"""Short names accepted in a URL."""

HIDEABLE = (*PLAYGROUND_DEFAULTS, "play", "rewind", "export", "network", "gradients", "regenerate", "upload",
            "hidden_space")
"""Names that ``hide=`` accepts: every setting's control and the dashboard's other parts."""

PRESETS: dict = {
    "three_classes": "dataset=spiral3&hidden=8,8&activation=tanh&optimizer=adam&learning_rate=0.03&epochs=200",
    "three_classes_linear": "dataset=spiral3&hidden=8,8&activation=linear&optimizer=adam&learning_rate=0.03"
                            "&epochs=200&hide=activation",
}
"""Named presets for a lesson: ``?preset=three_classes`` opens the three-arm spiral with tanh
(solved: 100 % in 200 epochs), ``three_classes_linear`` the same network with a linear activation
that learners cannot change (three straight-edged regions, 38 %)."""

_BOOL = {"true": True, "1": True, "yes": True, "on": True,
         "false": False, "0": False, "no": False, "off": False}


@dataclass
class Preset:
    """What a query string asks for.

    Attributes
    ----------
    values : dict
        Setting name -> validated value (only the settings the URL gave).
    hide : tuple of str
        Controls to hide, in the order given.
    errors : list of str
        One plain-words message per bad parameter, naming the valid choices.
    """

    values: dict = field(default_factory=dict)
    hide: tuple = ()
    errors: list = field(default_factory=list)

    def settings(self, base: dict | None = None) -> dict:
        """``base`` (default: the Playground's defaults) updated with this preset's values."""
        out = dict(PLAYGROUND_DEFAULTS if base is None else base)
        out.update(self.values)
        return out


def _list_text(options) -> str:
    options = list(options)
    if len(options) > 12 and all(isinstance(o, int) and not isinstance(o, bool) for o in options):
        step = options[1] - options[0]
        return f"whole numbers from {options[0]} to {options[-1]}" + (f" in steps of {step}" if step != 1 else "")
    return ", ".join(_fmt(o) for o in options)


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _parse_one(name: str, raw: str):
    """Validate one parameter; returns the value or raises ``ValueError`` with the message."""
    text = raw.strip()
    if name == "features":
        parts = tuple(p.strip() for p in text.split(",") if p.strip())
        unknown = [p for p in parts if p not in FEATURES]
        if not parts or unknown:
            bad = f"unknown feature(s) {', '.join(map(repr, unknown))}" if unknown else "no feature given"
            raise ValueError(f"features: {bad}. Choose from: {', '.join(FEATURES)} (comma-separated).")
        return tuple(dict.fromkeys(parts))  # drop repeats, keep the order
    if name == "hidden":
        parts = [p.strip() for p in text.split(",") if p.strip()]
        try:
            widths = tuple(int(p) for p in parts)
        except ValueError:
            widths = None
        if widths is None or len(widths) > MAX_LAYERS or any(not 1 <= w <= MAX_NEURONS for w in widths):
            raise ValueError(f"hidden={raw!r} is not valid: give 0 to {MAX_LAYERS} comma-separated layer widths, "
                             f"each from 1 to {MAX_NEURONS} (e.g. hidden=4,2; empty for no hidden layer).")
        return widths
    options = CHOICES[name]
    if isinstance(options[0], bool):
        value = _BOOL.get(text.lower())
        if value is None:
            raise ValueError(f"{name}={raw!r} is not valid. Choose true or false.")
        return value
    if isinstance(options[0], str):
        value = text.lower()
        if value not in options:
            raise ValueError(f"{name}={raw!r} is not valid. Choose one of: {_list_text(options)}.")
        return value
    try:
        number = float(text)
    except ValueError:
        number = None
    if isinstance(options[0], int):
        if number is not None and number.is_integer() and int(number) in options:
            return int(number)
    elif number is not None:
        for option in options:  # float choices: accept any spelling of the same number
            if abs(number - option) <= 1e-9 * max(1.0, abs(option)):
                return option
    raise ValueError(f"{name}={raw!r} is not valid. Choose one of: {_list_text(options)}.")


def check_value(name: str, value):
    """Validate one setting given as a Python value (``Playground(learning_rate=0.3)``).

    Returns the value in the dashboard's form; raises ``ValueError`` naming the valid
    choices, the same message a URL preset would show.
    """
    if name in ("features", "hidden") and not isinstance(value, str):
        try:
            text = ",".join(_fmt(v) for v in value)
        except TypeError:
            text = _fmt(value)
    else:
        text = _fmt(value)
    return _parse_one(name, text)


def parse_query(query: str | None) -> Preset:
    """Read a URL query string (``"dataset=circle&hide=activation"``, with or without ``?``).

    Unknown parameters and bad values do not raise: each adds a message to
    ``Preset.errors`` and is skipped. A parameter given twice: the last one wins.
    """
    preset = Preset()
    if not query:
        return preset
    query = query.lstrip("?")
    hide: list[str] = []
    pairs = parse_qsl(query, keep_blank_values=True)
    for key, raw in [p for p in pairs if p[0].strip().lower() == "preset"]:  # a named preset first
        try:
            named = parse_query(lookup(PRESETS, raw.strip().lower(), "preset"))
        except ValueError as exc:
            preset.errors.append(str(exc))
            continue
        preset.values.update(named.values)
        hide += [h for h in named.hide if h not in hide]
    for key, raw in pairs:
        name = ALIASES.get(key.strip().lower(), key.strip().lower())
        if name == "preset":
            continue
        if name == "hide":
            for part in (p.strip().lower() for p in raw.split(",")):
                part = ALIASES.get(part, part)
                if not part:
                    continue
                if part not in HIDEABLE:
                    preset.errors.append(f"hide: there is no control called {part!r}. "
                                         f"Controls: {', '.join(HIDEABLE)}.")
                elif part not in hide:
                    hide.append(part)
            continue
        if name not in PLAYGROUND_DEFAULTS:
            preset.errors.append(f"Unknown URL parameter {key!r}. Valid parameters: "
                                 f"{', '.join([*PLAYGROUND_DEFAULTS, 'hide', 'preset'])}.")
            continue
        try:
            preset.values[name] = _parse_one(name, raw)
        except ValueError as exc:
            preset.errors.append(str(exc))
    preset.hide = tuple(hide)
    return preset


def to_query(values: dict, hide=(), only_changes: bool = True) -> str:
    """The query string that :func:`parse_query` reads back as ``values`` (and ``hide``).

    With ``only_changes``, settings equal to the Playground's defaults are left out.
    """
    pairs = []
    for name, default in PLAYGROUND_DEFAULTS.items():
        if name not in values:
            continue
        value = values[name]
        if only_changes and value == default:
            continue
        if name in ("features", "hidden"):
            text = ",".join(str(v) for v in value)
        else:
            text = _fmt(value)
        pairs.append((name, text))
    if hide:
        pairs.append(("hide", ",".join(hide)))
    return urlencode(pairs, safe=",^*()")


# ------------------------------------------------------------------ controls -> training settings
def slider_range(name: str) -> dict:
    """``{"min", "max", "step"}`` of an evenly spaced whole-number setting, from :data:`CHOICES`.

    The dashboard's sliders take their ranges from here, so a slider offers exactly the
    values a URL may ask for. Raises ``ValueError`` for a setting that is not such a range.
    """
    options = CHOICES.get(name, ())
    ints = [o for o in options if isinstance(o, int) and not isinstance(o, bool)]
    if len(options) < 2 or len(ints) != len(options):
        raise ValueError(f"{name!r} is not a range of whole numbers. Ranges: "
                         f"{', '.join(n for n in CHOICES if _is_range(CHOICES[n]))}.")
    step = options[1] - options[0]
    if tuple(options) != tuple(range(options[0], options[-1] + 1, step)):
        raise ValueError(f"{name!r} is not evenly spaced.")
    return {"min": options[0], "max": options[-1], "step": step}


def _is_range(options) -> bool:
    return len(options) > 1 and all(isinstance(o, int) and not isinstance(o, bool) for o in options)


def regularization_rates(regularization: str, reg_rate: float) -> tuple[float, float]:
    """The penalty weights ``(l1, l2)`` for a regularization choice and its rate.

    ``"none"`` gives ``(0.0, 0.0)`` whatever the rate; ``"l1"`` puts the rate on l1 only,
    ``"l2"`` on l2 only.
    """
    lookup(dict.fromkeys(REGULARIZATIONS), regularization, "regularization")
    rate = float(reg_rate)
    return (rate if regularization == "l1" else 0.0, rate if regularization == "l2" else 0.0)


def holdout_fraction(train_percent) -> float:
    """The share of points held out for testing when ``train_percent`` % are for training."""
    return 1.0 - float(train_percent) / 100.0


def settings_fields(values: dict) -> dict:
    """Keyword arguments of ``experiments.Settings`` for the dashboard's values.

    Parameters
    ----------
    values : dict
        Every key of :data:`PLAYGROUND_DEFAULTS`, in the dashboard's units (noise and train
        in percent, a regularization name and its rate, epochs trained after a change).

    Returns
    -------
    dict
        ``dataset, noise, activation, hidden, learning_rate, optimizer, epochs, batch_size,
        seed, data_seed, test_fraction, l1, l2`` in the training's units: fractions, penalty
        weights, and at least one epoch (0 epochs after a change is the dashboard's business:
        it shows epoch 0; a run's settings still need a length). ``features`` is left to
        ``Settings.replace``, which validates it.
    """
    l1, l2 = regularization_rates(values["regularization"], values["reg_rate"])
    return {
        "dataset": values["dataset"], "noise": values["noise"] / 100.0, "activation": values["activation"],
        "hidden": tuple(values["hidden"]), "learning_rate": float(values["learning_rate"]),
        "optimizer": values["optimizer"], "epochs": max(int(values["epochs"]), 1),
        "batch_size": int(values["batch_size"]), "seed": int(values["seed"]),
        "data_seed": int(values["data_seed"]), "test_fraction": holdout_fraction(values["train"]), "l1": l1, "l2": l2,
    }
