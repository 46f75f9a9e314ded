# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4. Scenario 3 - the same circle, with a sigmoid activation
#
# Keep everything from scenario 2 - the circle data, the hidden layer [8], the learning
# rate, the epochs, the seeds - and change one thing: the hidden activation becomes the
# **sigmoid**. Each hidden unit now bends its own straight line into a soft step, and the
# output unit adds eight such steps together: enough to fence the disc in.
#
# > **Which loss?** A sigmoid output trained with binary cross-entropy; why the choice does not
# > change the lesson is explained [in notebook 1](01_composite_linear_functions.ipynb#Which-loss?).

# %%
import numpy as np
import course_utils as cu
from course_utils import experiments as ex, plots
from course_utils.widgets import TrainingPanel

# %% [markdown]
# ## The trained result

# %%
run = ex.run_scenario("scenario3")
plots.show_figure(plots.scenario_figure(run, ex.probability_grid(run),
                                        takeaway="With a sigmoid activation the boundary closes around the disc")[0])

# %%
# NBVAL_CHECK_OUTPUT
print(ex.summary_line(run.history))

# %% [markdown]
# ## Scenario 2 and scenario 3, side by side
#
# Identical settings except the activation, drawn on the same scales: the linear network's
# boundary is a line and its loss flattens at ln 2; the sigmoid network's boundary closes
# around the inner class and its loss keeps falling.

# %%
runs = {"scenario 2: linear": ex.run_scenario("scenario2"), "scenario 3: sigmoid": run}
fig, _ = plots.comparison_figure(list(runs.values()), [ex.probability_grid(r) for r in runs.values()], list(runs),
                                 takeaway="One change - the activation - turns a line stuck at ln 2 into a closed boundary")
plots.show_figure(fig)

# %%
# NBVAL_CHECK_OUTPUT
for name, r in runs.items():
    print(f"{name:20s} {ex.summary_line(r.history)}")

# %% [markdown]
# **Predict first:** the loss curve above stays near ln 2 for a long while before it falls. What
# does the boundary look like during that plateau? The filmstrip (epochs 0, 1, 5, 20, 100, 300):

# %%
strip = ex.filmstrip("scenario3")
plots.show_figure(plots.filmstrip_figure(strip, "The boundary bends, becomes a band, then closes around the disc")[0])

# %% [markdown]
# ## Open the box: eight soft steps
#
# What did the eight hidden units learn? Each computes sigmoid(w·x + b): a **soft step** along its
# own line (dashed), 0 on one side, 1 on the other. The output unit multiplies each step by a
# weight (panel titles: blue for positive, orange for negative), adds them and a bias, and applies its
# sigmoid. The last panel is that weighted sum, the **logit**: where it is 0 is the boundary.

# %%
from course_utils import inspection as ins
units = ins.hidden_units(run)
plots.show_figure(plots.hidden_units_figure(units, run.X_train, run.y_train,
                                            "Eight soft steps along eight lines add up to a closed boundary")[0])

# %% [markdown]
# No single unit knows about the circle; each only splits the plane along a line. Their weighted
# sum is large only where the right steps overlap - in the middle - and that is the disc.
#
# **The same thing from the network's side.** The output unit sees the data not as (x1, x2) but as
# the eight hidden outputs. In those coordinates the output layer is just logistic regression:
# it draws a straight line (a flat plane in 8 dimensions). Projected onto two axes - the first
# along the output weights, so that line stays exact - the data looks like this:

# %%
space = ins.hidden_space(run, run.X_train)
plots.show_figure(plots.hidden_space_figure(run.X_train, run.y_train, space, ex.probability_grid(run),
                                            "In hidden-unit coordinates a straight line separates the classes")[0])

# %% [markdown]
# The hidden layer has moved the ring out to one side and the disc to the other, so that a
# straight line separates them: the network **learned its own features**, as you will give a
# linear network x1² and x2² by hand at the end of this notebook.
#
# ## How many units does the circle need?
#
# **Predict first:** one unit gives one step, so one straight edge. What do 2, 3, 4 and 8 units draw?
# Here with ReLU units (each a ramp along a line, so the edges stay sharp) and the Adam optimiser
# (gradient descent that adapts each weight's step size), which finds the edges more reliably in
# 500 epochs; titles give the training accuracy, the table below the test accuracy.

# %%
sweep = ex.width_sweep()
plots.show_figure(plots.width_sweep_figure(sweep, "More units, more straight pieces: a line, a band, then polygons")[0])

# %%
# NBVAL_CHECK_OUTPUT
print("hidden units:  ", "  ".join(f"{w:>4d}" for w in sweep.widths))
print("test accuracy: ", "  ".join(f"{a:4.0%}" for a in sweep.test_accuracy))

# %% [markdown]
# **The live panel** works as in notebook 2 ([how to read it](02_scenario1_gauss.ipynb#The-live-panel)).
#
# Things to try: switch the activation back and forth between `linear` and `sigmoid`; try
# `tanh` and `relu`; with one neuron per layer, even the sigmoid network's boundary is a
# straight line again (why?); press **Reset** and then **Play** to watch the boundary close.

# %%
TrainingPanel("scenario3")

# %% [markdown]
# ## A twist: the nonlinearity can come from the inputs
#
# The Playground offers extra input features such as $x_1^2$ and $x_2^2$. Give a **linear**
# network those two extra inputs and the circle becomes easy: on the disc
# $x_1^2 + x_2^2$ is small, on the ring it is large, so a straight boundary in the feature
# space $(x_1, x_2, x_1^2, x_2^2)$ is, back in the plane, the curve
# $w_1 x_1 + w_2 x_2 + w_3 x_1^2 + w_4 x_2^2 + b = 0$: an axis-aligned conic - an ellipse here,
# and a circle only when $w_3 = w_4$. The activation is still linear; the nonlinearity was put
# into the features by hand. (Learning rate 0.1 here: the squared features reach 25 - the ring's
# radius goes up to 5 - and at learning rate 1 training blows up.)

# %%
twist = ex.run_scenario("features")
plots.show_figure(plots.scenario_figure(twist, ex.probability_grid(twist),
                                        takeaway="A linear network with x1² and x2² as inputs draws an ellipse")[0])

# %%
# NBVAL_CHECK_OUTPUT
print(ex.summary_line(twist.history))
W, b = cu.collapse(twist.net)
print("collapsed layer on (x1, x2, x1², x2²): w =", np.round(W[:, 0], 2), " b =", np.round(b[0], 2))

# %% [markdown]
# The weights on $x_1^2$ and $x_2^2$ are both negative (far from the centre means ring) and
# nearly, not exactly, equal, so the boundary is an ellipse a little longer along $x_2$ than
# along $x_1$; the small weights on $x_1$ and $x_2$ shift its centre slightly off the origin.
#
# At learning rate 1 instead of 0.1 the same run blows up, and says so in words:

# %%
# NBVAL_CHECK_OUTPUT
print(ex.run_scenario("features", learning_rate=1.0).history.message)

# %% [markdown]
# Tick and untick the input features below: without `x1^2` and `x2^2`, the linear network
# is back to scenario 2.

# %%
TrainingPanel("features")

# %% [markdown]
# ## Check yourself

# %%
from course_utils.checks import MultipleChoice
MultipleChoice(
    "One hidden sigmoid unit computes sigmoid(w·x + b). Where in the plane is its output exactly 0.5?",
    ["On a straight line, w·x + b = 0.", "On a circle.", "On a curve learned from the data."],
    answer=0,
    why="sigmoid(z) = 0.5 exactly when z = 0. Each unit is a soft step along a line; only the output "
        "unit's weighted sum of several steps can curve.")

# %%
MultipleChoice(
    "With <b>one</b> hidden sigmoid unit, what does the network's boundary on the circle look like?",
    ["A straight line.", "A small circle.", "Two parallel lines."],
    answer=0,
    why="the output sigmoid(v·sigmoid(w·x + b) + c) rises or falls with w·x + b alone, so its 0.5 "
        "set is a line w·x + b = constant. Try it: neurons per layer = 1 in the panel.",
    wrong_why={"Two parallel lines.": "a band needs a bump; one monotone step followed by a monotone "
               "output has no bump."})

# %%
MultipleChoice(
    "The linear network with the extra features x1² and x2²: what is its boundary in the plane?",
    ["An axis-aligned conic: here an ellipse, a circle only if the weights on x1² and x2² are equal.",
     "Always a circle.", "A straight line, since the activation is linear."],
    answer=0,
    why="the boundary is w₁x₁ + w₂x₂ + w₃x₁² + w₄x₂² + b = 0; the printed weights −0.69 and −0.65 "
        "differ, so it is an ellipse.",
    wrong_why={"A straight line, since the activation is linear.": "it is a straight line in the "
               "feature space (x1, x2, x1², x2²); drawn back in the plane it curves."})

# %% [markdown]
# ## Exercises
#
# 1. The circle needs at least how many sigmoid hidden units to be fenced in? Try it in the panel
#    (neurons per layer) and explain the number.
# 2. Which extra feature, added to x1² and x2², would let the linear network of the twist draw an
#    ellipse tilted at 45°?
# 3. Swap the sigmoid for `relu` in the panel. What shape does the boundary have now, and why?
#
# <details><summary>Answers</summary>
#
# 1. Three: each unit is a soft step along a line, and three lines can enclose the disc in a
#    triangle; with two, the region is at best a band or a wedge, open on some side. Eight gives
#    room for a rounder fence. (Training may still need more than the minimum to find it.)
# 2. x1·x2: a tilted conic has a cross term.
# 3. Straight pieces (a polygon, possibly open): each ReLU unit is linear on each side of its own line, so the
#    network is piecewise linear and its boundary is made of straight pieces (notebook 5's
#    exercise 1 proves it).
#
# </details>
#
# **Summary.** A linear activation makes any network a single straight boundary (scenario
# 1 is happy, scenario 2 is stuck at ln 2); a nonlinear activation lets the same network
# curve its boundary (scenario 3) - each hidden unit a soft step along a line, the output their
# weighted sum. **Next →** [5 · activation flavours](05_activation_flavours.ipynb): which
# nonlinearity, measured.
