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
# # 2. Scenario 1 - data a straight line can separate
#
# Two Gaussian clusters (the Playground's *gauss* dataset): class 1 around (2, 2), class 0
# around (-2, -2). The network has one hidden layer of 8 units with the **linear**
# activation - by notebook 1, a single straight boundary in disguise. That is all this data
# needs, so training should succeed at once.
#
# > **Which loss?** A sigmoid output trained with binary cross-entropy; why the choice does not
# > change the lesson is explained [in notebook 1](01_composite_linear_functions.ipynb#Which-loss?).

# %%
from course_utils import experiments as ex, plots
from course_utils.widgets import TrainingPanel

# %% [markdown]
# ## The trained result
#
# Settings: `gauss`, linear activation, hidden layer [8], full-batch gradient descent with
# learning rate 1, 300 epochs, fixed seeds. Half the points train, half test.

# %%
run = ex.run_scenario("scenario1")
plots.show_figure(plots.scenario_figure(run, ex.probability_grid(run))[0])

# %%
# NBVAL_CHECK_OUTPUT
print(ex.summary_line(run.history))

# %% [markdown]
# From the first epochs every point is on the right side of the line, and the loss keeps
# falling toward 0: the network only grows more confident, it never needs to change its mind.

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
# Things to try: raise the noise (the clusters overlap, and no line can be perfect); switch
# the dataset to `circle` - that is the next notebook.

# %%
TrainingPanel("scenario1")
