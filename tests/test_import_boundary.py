"""The maths must not pull in plotting, widgets or IPython (STYLE.md, habit 1)."""
import subprocess
import sys

import pytest

MATH_MODULES = ["course_utils", "course_utils.activations", "course_utils.data", "course_utils.features",
                "course_utils.model", "course_utils.optimizers",
                "course_utils.train", "course_utils.experiments", "course_utils.grid",
                "course_utils.presets", "course_utils.inspection", "course_utils.pieces"]
FORBIDDEN = ["matplotlib", "ipywidgets", "IPython"]


@pytest.mark.parametrize("module", MATH_MODULES + ["course_utils.diagnostics"])
def test_math_module_imports_no_ui(module):
    code = (f"import importlib, sys; importlib.import_module({module!r}); "
            f"print(','.join(m for m in {FORBIDDEN!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"{module} imported {out.stdout.strip()}"
