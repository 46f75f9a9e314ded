"""Write the sources of notebooks 01-04 (unexecuted); `make execute` then runs them in place.

The lessons live here as data so that their cells stay thin and reviewable in one place:
    .venv/bin/python scripts/build_notebooks.py          # rewrite 01-04 (outputs cleared)
    .venv/bin/python scripts/execute_notebooks.py        # execute every notebook in place
Cells whose first line is ``# NBVAL_CHECK_OUTPUT`` state a claim; nbval compares their
printed output on every test run.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHECK = "# NBVAL_CHECK_OUTPUT\n"


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


def check(text: str):
    return new_code_cell(CHECK + text.strip("\n"))


LOSS_NOTE = """
> **Which loss?** Every network in this course ends in one output unit with a **sigmoid**,
> read as the probability of class 1 (blue), and is trained with **binary cross-entropy**.
> The TensorFlow Playground instead puts a tanh on the output and uses squared error. The
> lesson does not depend on the choice: the output squashing is monotone, so the boundary
> "probability = 0.5" is exactly where the score before it is 0. If that score is a linear
> function of the inputs, the boundary is a straight line.
"""

PANEL_HELP = """
**The live panel.** Change any control and the network is retrained from the same initial
weights (set by *weights seed*), then the picture is redrawn: the background is the
network's probability of class 1 (orange = class 0, white = undecided, blue = class 1),
circles are training points, triangles are test points, and the curves show train (solid)
and test (dashed) loss and accuracy. **Play** keeps training a few epochs at a time until
you press **Pause**; **Step** trains a few more epochs; **Reset** goes back to epoch 0 with
the same initial weights; **New data** draws a fresh sample of the dataset. If training
blows up, the status line says so in words.
"""

IMPORTS = """
from course_utils import experiments as ex, plots
from course_utils.widgets import TrainingPanel
"""


def nb01():
    return [
        md("""
# 1. A network is a composite function

Before any training, one question: what kind of function can a network compute? This
notebook shows that **without an activation function, stacking layers buys nothing**: any
number of linear layers is the same as one. We show it three ways - with algebra, with
numbers, and with pictures - and then you can try to break it with sliders.
"""),
        code("""
import numpy as np
import course_utils as cu
from course_utils import grid, plots
from course_utils.widgets import GridWarpPanel, TinyNetPanel
"""),
        md(r"""
## A layer is a function

A layer takes a vector $x$ and returns $a = \varphi(W x + b)$: an affine map (multiply by a
weight matrix $W$, add a bias $b$) followed by an activation $\varphi$ applied to each entry.
A network applies layers one after another, so it is a *composite* function
$f = f_k \circ \dots \circ f_2 \circ f_1$.

Take the activation away ($\varphi(z) = z$, "linear") and compose two layers:

$$W_2 (W_1 x + b_1) + b_2 = \underbrace{(W_2 W_1)}_{W}\, x + \underbrace{(W_2 b_1 + b_2)}_{b}.$$

The result is again one affine map $x \mapsto W x + b$. By induction the same holds for any
depth: a linear network of $k$ layers **collapses** into a single layer.

(The code stores a batch as rows, $z = x W + b$, so there the same identity reads
$W = W_1 W_2$ and $b = b_1 W_2 + b_2$ - the same maths, transposed.)
"""),
        md("""
## The same thing, in numbers

`cu.collapse(net)` multiplies the layers of a linear network together. Below, a network
with five layers of weights (four hidden layers of 4 units) and its collapsed single layer
score 1000 random points; we compare the two.
"""),
        check("""
net = cu.MLP([2, 4, 4, 4, 4, 1], activation="linear", seed=1)
W, b = cu.collapse(net)
X = np.random.default_rng(0).uniform(-6, 6, size=(1000, 2))
print("deep net and one layer agree on all 1000 points:", np.allclose(net.logits(X), X @ W[:, 0] + b[0], rtol=0, atol=1e-9))
"""),
        md("""
Only a network whose hidden activation is linear can be collapsed; ask `collapse` for a
tanh network and it refuses, explaining that tanh bends the space between layers. Which is
the next picture.

## The same thing, in pictures

Draw a square grid and push every point of it through a few layers that map the plane to
the plane. An affine map can rotate, stretch, shear and shift the grid, but straight lines
stay straight and parallel lines stay parallel. A nonlinear activation bends them.
"""),
        code("""
lines = grid.grid_lines()
layers = grid.random_layers(3, seed=2)
stages = {"input grid": lines, **{f"3 {act} layers": grid.warp(lines, layers, act) for act in ("linear", "tanh", "sigmoid")}}
plots.show_figure(plots.grid_figure(stages)[0])
"""),
        md("""
The same three layers (same weights) in each panel; only the activation differs. We can
check the pictures with numbers: is every line still straight, and are lines that started
parallel still parallel?
"""),
        check("""
for act in ("linear", "tanh", "sigmoid"):
    out = grid.warp(lines, layers, act)
    print(f"{act:8s} straight: {bool(grid.straightness(out).max() < 1e-9)!s:5s}  parallel: {grid.parallelism(out) < 1e-9}")
"""),
        md("""
### Try it

Change the number of layers, the activation and the seed (which draws other random
layers). With `linear` the grid always stays a grid of parallelograms, however deep; with
any other activation it bends. The status line measures it.
"""),
        code("""
GridWarpPanel(depth=3, activation="tanh", seed=2)
"""),
        md("""
## A 2-2-1 network you can hold in your hands

Here is the smallest interesting network: 2 inputs, a hidden layer of 2 linear units, one
output. Every weight and bias is a slider. The background is the network's probability of
class 1; the black line is where the **collapsed** single layer $W x + b$ is zero. Drag
anything: the line always sits exactly on the white band of the heatmap, because the
network and its collapsed layer are the same function.
"""),
        code("""
TinyNetPanel()
"""),
        md(LOSS_NOTE + """

**So:** a network with linear activations, however deep and wide, draws a straight
decision boundary. The next three notebooks put that to work on data.
"""),
    ]


def nb02():
    return [
        md("""
# 2. Scenario 1 - data a straight line can separate

Two Gaussian clusters (the Playground's *gauss* dataset): class 1 around (2, 2), class 0
around (-2, -2). The network has one hidden layer of 8 units with the **linear**
activation - by notebook 1, a single straight boundary in disguise. That is all this data
needs, so training should succeed at once.
""" + LOSS_NOTE),
        code(IMPORTS),
        md("""
## The trained result

Settings: `gauss`, linear activation, hidden layer [8], full-batch gradient descent with
learning rate 1, 300 epochs, fixed seeds. Half the points train, half test.
"""),
        code("""
run = ex.run_scenario("scenario1")
plots.show_figure(plots.scenario_figure(run, ex.probability_grid(run))[0])
"""),
        check("""
print(ex.summary_line(run.history))
"""),
        md("""
From the first epochs every point is on the right side of the line, and the loss keeps
falling toward 0: the network only grows more confident, it never needs to change its mind.
"""),
        md(PANEL_HELP + """
Things to try: raise the noise (the clusters overlap, and no line can be perfect); switch
the dataset to `circle` - that is the next notebook.
"""),
        code("""
TrainingPanel("scenario1")
"""),
    ]


def nb03():
    return [
        md("""
# 3. Scenario 2 - a circle, and a network that can only draw lines

Now the *circle* dataset: class 1 (blue) fills a disc, class 0 (orange) a ring around it.
No straight line separates them. The network is the same as in scenario 1 - linear
activation, hidden layer [8] - and by notebook 1 it can only draw a straight boundary.
""" + LOSS_NOTE),
        code(IMPORTS),
        md("""
## The trained result

Same settings as scenario 1, only the dataset changed.
"""),
        code("""
run = ex.run_scenario("scenario2")
plots.show_figure(plots.scenario_figure(run, ex.probability_grid(run))[0])
"""),
        check("""
print(ex.summary_line(run.history))
"""),
        md("""
The loss sits near **ln 2 = 0.693**, the loss of a network that answers "50 %" for every
point, and the accuracy is not much better than a coin flip. The best a line can do is put
the disc and most of the ring on the same side and hedge.

## More depth, more width, another learning rate?

None of them changes what the network *is*: an affine map followed by a sigmoid.
"""),
        check("""
for hidden, lr in [((2,), 1.0), ((8, 8), 0.3), ((4, 4, 4), 0.1), ((8, 8, 8, 8, 8, 8), 0.03)]:
    r = ex.run_scenario("scenario2", hidden=hidden, learning_rate=lr)
    print(f"hidden {list(hidden)!s:20s} lr {lr:<5g} -> {ex.summary_line(r.history)}")
"""),
        md(PANEL_HELP + """
**Your turn: try to beat it.** With the activation left at `linear`, change the hidden
layers, neurons per layer, learning rate, optimizer, epochs and seed. The boundary stays a
straight line and the loss stays near 0.69 (or, with a learning rate that is too large,
training blows up - and the panel tells you so). Then change just the activation to
`sigmoid` - that is the next notebook.
"""),
        code("""
TrainingPanel("scenario2")
"""),
    ]


def nb04():
    return [
        md("""
# 4. Scenario 3 - the same circle, with a sigmoid activation

Keep everything from scenario 2 - the circle data, the hidden layer [8], the learning
rate, the epochs, the seeds - and change one thing: the hidden activation becomes the
**sigmoid**. Each hidden unit now bends its own straight line into a soft step, and the
output unit adds eight such steps together: enough to fence the disc in.
""" + LOSS_NOTE),
        code(IMPORTS),
        md("""
## The trained result
"""),
        code("""
run = ex.run_scenario("scenario3")
plots.show_figure(plots.scenario_figure(run, ex.probability_grid(run))[0])
"""),
        check("""
print(ex.summary_line(run.history))
"""),
        md("""
## Scenario 2 and scenario 3, side by side

Identical settings except the activation, drawn on the same scales: the linear network's
boundary is a line and its loss flattens at ln 2; the sigmoid network's boundary closes
around the inner class and its loss keeps falling.
"""),
        code("""
runs = {"scenario 2: linear": ex.run_scenario("scenario2"), "scenario 3: sigmoid": run}
fig, _ = plots.comparison_figure(list(runs.values()), [ex.probability_grid(r) for r in runs.values()], list(runs))
plots.show_figure(fig)
"""),
        check("""
for name, r in runs.items():
    print(f"{name:20s} {ex.summary_line(r.history)}")
"""),
        md(PANEL_HELP + """
Things to try: switch the activation back and forth between `linear` and `sigmoid`; try
`tanh` and `relu`; with one neuron per layer, even the sigmoid network's boundary is a
straight line again (why?); press **Reset** and then **Play** to watch the boundary close.
"""),
        code("""
TrainingPanel("scenario3")
"""),
        md("""
## A twist: the nonlinearity can come from the inputs

The Playground offers extra input features such as $x_1^2$ and $x_2^2$. Give a **linear**
network those two extra inputs and the circle becomes easy: on the disc
$x_1^2 + x_2^2$ is small, on the ring it is large, so a straight boundary in the feature
space $(x_1, x_2, x_1^2, x_2^2)$ is a circle back in the plane. The activation is still
linear; the nonlinearity was put into the features by hand. (Learning rate 0.1 here: the
squared features reach 36, and at learning rate 1 training blows up.)
"""),
        code("""
twist = ex.run_scenario("features")
plots.show_figure(plots.scenario_figure(twist, ex.probability_grid(twist))[0])
"""),
        check("""
print(ex.summary_line(twist.history))
"""),
        md("""
Tick and untick the input features below: without `x1^2` and `x2^2`, the linear network
is back to scenario 2.
"""),
        code("""
TrainingPanel("features")
"""),
        md("""
**Summary.** A linear activation makes any network a single straight boundary (scenario
1 is happy, scenario 2 is stuck at ln 2); a nonlinear activation lets the same network
curve its boundary (scenario 3). Notebook 5 compares the nonlinear activations.
"""),
    ]


NOTEBOOK_SOURCES = {
    "01_composite_linear_functions.ipynb": nb01,
    "02_scenario1_gauss.ipynb": nb02,
    "03_scenario2_circle_linear.ipynb": nb03,
    "04_scenario3_circle_sigmoid.ipynb": nb04,
}


def build(name: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=NOTEBOOK_SOURCES[name]())
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids: rebuilding does not churn the diff
    return nb


def main(argv: list[str]) -> int:
    names = argv or list(NOTEBOOK_SOURCES)
    for name in names:
        if name not in NOTEBOOK_SOURCES:
            print(f"unknown notebook {name!r}; choose from {', '.join(NOTEBOOK_SOURCES)}", file=sys.stderr)
            return 2
        nb = build(name)
        nbformat.validate(nb)
        nbformat.write(nb, NOTEBOOKS / name)
        print(f"wrote notebooks/{name} ({len(nb.cells)} cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
