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
# Training needs three words. The **loss** measures how wrong the network is: binary
# cross-entropy averages, over the points, −ln of the probability the network gives each point's
# true class (0 when it is sure and right, ln 2 ≈ 0.693 when it answers 50 %, large when it is sure
# and wrong). **Gradient descent** moves every weight and bias a small step in the direction that
# lowers the loss; the **learning rate** is the size of that step (`sgd` in the figures' titles:
# this plain gradient descent, here on all training points at once).
#
# Settings: `gauss`, linear activation, hidden layer [8], full-batch gradient descent with
# learning rate 1, 300 epochs, fixed seeds. Half the points train, half test. An **epoch** is one
# pass over the training points; with full-batch gradient descent that is one update of the weights.
# This run learns in its first epochs, which a 0-300 axis would squeeze into its left edge, so the
# curves' epoch axis is logarithmic (1, 2, 5, 10, 20, ...): epochs 1-10 get as much room as 10-100.
# The training loss of an epoch is measured as the points are seen, before that epoch's update, so
# epoch 1 shows the untrained network's loss; most of the fall comes with the first update.
# The test loss is measured after the epoch's update, which is why its curve starts near 0 at
# epoch 1 while the training loss there is still the untrained network's.

# %%
run = ex.run_scenario("scenario1")
plots.show_figure(plots.scenario_figure(run, ex.probability_grid(run), epoch_scale="log",
                                        takeaway="A straight line is all this data needs")[0])

# %%
# NBVAL_CHECK_OUTPUT
print(ex.summary_line(run.history))

# %% [markdown]
# Before any training the weights are random, so the network's line is a random line through
# the plane. **Predict first:** for six different weight seeds, what share of the test points
# does the *untrained* network put on the right side, and what share after a single epoch?

# %%
# NBVAL_CHECK_OUTPUT
for seed in range(6):
    r = ex.prepare(ex.get_scenario("scenario1").replace(seed=seed))
    before = r.test_accuracy()
    ex.advance(r, 1)
    print(f"weights seed {seed}: test accuracy {before:4.0%} before training, {r.test_accuracy():4.0%} after one epoch")

# %% [markdown]
# A random line through the middle already separates two clusters this far apart - or it
# separates them the wrong way round (0 % or 2 %: almost every point on the wrong side). Either way, one step of
# gradient descent is enough to turn it the right way. After that, every point is on the right
# side, and the loss keeps falling toward 0: the network grows more confident (its weights
# grow, pushing each probability towards 0 or 1) and its line turns a little, but no point
# changes side; it never needs to change its mind.
#
# The same run as a filmstrip: the boundary at epochs 0, 1, 5, 20, 100 and 300, on one colour scale
# - the picture behind the log axis above, one frame per step of it. The subtitle's dashed line,
# the single layer the network collapses to (notebook 1's `collapse`), lies exactly under the black
# 0.5 boundary: with a linear activation they are the same line.

# %%
strip = ex.filmstrip("scenario1")
plots.show_figure(plots.filmstrip_figure(strip, "The first line already separates the clusters; training turns it and sharpens it")[0])

# %% [markdown]
# ### The live panel
#
# Change any control and the network is retrained from the same initial
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

# %% [markdown]
# ## Check yourself

# %%
from course_utils.checks import MultipleChoice
MultipleChoice(
    "Accuracy is 100 % from the first epoch, yet the loss keeps falling for 300 epochs. Why?",
    ["The network grows more confident: its weights grow, so the probabilities move towards 0 and 1.",
     "It is overfitting the training points.",
     "The line keeps moving to classify new points."],
    answer=0,
    why="cross-entropy rewards confidence in the right answer; accuracy only counts sides of 0.5.",
    wrong_why={"It is overfitting the training points.": "the test loss falls just as the training loss "
               "does (dashed curve); nothing is learned that fails on new points.",
               "The line keeps moving to classify new points.": "every point is already on the right side "
               "after one epoch; no point changes side."})

# %%
MultipleChoice(
    "Raise the noise until the two clusters overlap. What is the best test accuracy a linear network can reach?",
    ["Below 100 %, however many layers it has.", "100 %, with enough hidden layers.",
     "100 %, with a large enough learning rate."],
    answer=0,
    why="with overlap no straight line puts every point on its side, and a linear network of any "
        "depth draws one straight line.",
    wrong_why={"100 %, with enough hidden layers.": "depth adds nothing to a linear network (notebook 1).",
               "100 %, with a large enough learning rate.": "the learning rate changes how it trains, "
               "not which boundaries it can draw."})

# %%
MultipleChoice(
    "The hidden layer here has 8 linear units. How would the trained boundary change with 1 hidden unit?",
    ["Not at all in kind: still one straight line that separates the clusters.",
     "It could no longer separate the clusters.", "It would become a curve."],
    answer=0,
    why="[2, 1, 1] collapses to the same kind of affine map as [2, 8, 1]; one line is all this data needs.")

# %% [markdown]
# ## Exercises
#
# 1. Why is the test accuracy exactly the training accuracy here? Would that survive more noise?
# 2. Weight seed 1 starts with its line the wrong way round. Train it with a learning rate 100 times
#    smaller, `r = ex.run_scenario("scenario1", seed=1, learning_rate=0.01)`, and find the first
#    epoch with 100 % test accuracy (`dg.epochs_to_accuracy(r.history, 1.0)`, after
#    `from course_utils import diagnostics as dg`). Is the boundary ever anything but a line?
#
# <details><summary>Answers</summary>
#
# 1. Both are 100 %: the clusters are far apart compared with their spread, so any reasonable line
#    separates train and test points alike. With overlap, the two differ by chance.
# 2. Epoch 5 instead of epoch 1: smaller steps take longer to turn the line round. At every epoch
#    the network is one affine map, so the boundary is a line throughout; only its direction,
#    position and the confidence change.
#
# </details>
#
# **Summary.** When a straight line can separate the classes, a linear network finds it at once
# and then grows confident, turning its line a little on the way. The random starting line may
# even point the wrong way; one step of gradient descent turns it. **Next →** [3 · scenario 2](03_scenario2_circle_linear.ipynb):
# data no line can separate.
