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
from course_utils import experiments as ex, plots
from course_utils.widgets import TrainingPanel

# %% [markdown]
# ## The trained result

# %%
run = ex.run_scenario("scenario3")
plots.show_figure(plots.scenario_figure(run, ex.probability_grid(run))[0])

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
fig, _ = plots.comparison_figure(list(runs.values()), [ex.probability_grid(r) for r in runs.values()], list(runs))
plots.show_figure(fig)

# %%
# NBVAL_CHECK_OUTPUT
for name, r in runs.items():
    print(f"{name:20s} {ex.summary_line(r.history)}")

# %% [markdown]
# **The live panel.** Change any control and the network is retrained from the same initial
# weights (set by *weights seed*), then the picture is redrawn: the background is the
# network's probability of class 1 (orange = class 0, white = undecided, blue = class 1),
# circles are training points, triangles are test points, and the curves show train (solid)
# and test (dashed) loss and accuracy. **Play** keeps training a few epochs at a time until
# you press **Pause**; **Step** trains a few more epochs; **Reset** goes back to epoch 0 with
# the same initial weights; **New data** draws a fresh sample of the dataset. If training
# blows up, the status line says so in words.
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
# space $(x_1, x_2, x_1^2, x_2^2)$ is a circle back in the plane. The activation is still
# linear; the nonlinearity was put into the features by hand. (Learning rate 0.1 here: the
# squared features reach 36, and at learning rate 1 training blows up.)

# %%
twist = ex.run_scenario("features")
plots.show_figure(plots.scenario_figure(twist, ex.probability_grid(twist))[0])

# %%
# NBVAL_CHECK_OUTPUT
print(ex.summary_line(twist.history))

# %% [markdown]
# Tick and untick the input features below: without `x1^2` and `x2^2`, the linear network
# is back to scenario 2.

# %%
TrainingPanel("features")

# %% [markdown]
# **Summary.** A linear activation makes any network a single straight boundary (scenario
# 1 is happy, scenario 2 is stuck at ln 2); a nonlinear activation lets the same network
# curve its boundary (scenario 3). Notebook 5 compares the nonlinear activations.
