"""The maths must not pull in plotting, widgets or IPython (STYLE.md, habit 1)."""
import subprocess
import sys

import pytest

MATH_MODULES = ["course_utils", "course_utils.activations", "course_utils.data", "course_utils.features",
                "course_utils.model", "course_utils.optimizers",
                "course_utils.train", "course_utils.experiments", "course_utils.grid",
                "course_utils.presets", "course_utils.inspection", "course_utils.pieces", "course_utils.numeric",
                "course_utils.userdata"]
FORBIDDEN = ["matplotlib", "ipywidgets", "IPython"]


@pytest.mark.parametrize("module", MATH_MODULES + ["course_utils.diagnostics"])
def test_math_module_imports_no_ui(module):
    code = (f"import importlib, sys; importlib.import_module({module!r}); "
            f"print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"{module} imported {out.stdout.strip()}"


def _fresh(code: str) -> str:
    """``code`` run in a fresh interpreter (nothing imported yet); its stdout, stripped."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


# Kernel start-up is part of the design (issue #11): every Voila visitor and learner pays the
# import, so it must not draw with pyplot or fit the erf table (a GELU-only cost).
@pytest.mark.parametrize("module", ["course_utils", "course_utils.widgets", "course_utils.widgets.playground"])
def test_import_neither_fits_erf_nor_loads_pyplot(module):
    code = (f"import importlib, sys; importlib.import_module({module!r}); "
            "from course_utils.activations import _erf_table; "
            "print(_erf_table.cache_info().currsize, 'matplotlib.pyplot' in sys.modules)")
    fitted, pyplot = _fresh(code).split()
    assert fitted == "0", f"importing {module} fitted the erf table"
    assert pyplot == "False", f"importing {module} imported matplotlib.pyplot"


def test_building_the_dashboard_does_not_load_pyplot():
    # Panels draw with Figure + Agg; pyplot would register a figure manager per picture.
    code = ("import sys; from course_utils.widgets.playground import Playground; Playground(); "
            "print('matplotlib.pyplot' in sys.modules)")
    assert _fresh(code) == "False"


def test_no_library_module_imports_pyplot():
    """Figures are ``Figure`` + Agg (``plots.new_figure``): pyplot's global state never enters the
    library, so nothing is displayed twice and no figure leaks between panels (STYLE.md)."""
    code = ("import importlib, pkgutil, sys, course_utils, course_utils.plots, course_utils.widgets\n"
            "for pkg in (course_utils, course_utils.plots, course_utils.widgets):\n"
            "    for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + '.'):\n"
            "        importlib.import_module(info.name)\n"
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False", "a course_utils module imported matplotlib.pyplot"
