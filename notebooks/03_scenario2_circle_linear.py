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
# # 3. Scenario 2 - a circle, and a network that can only draw lines
#
# Now the *circle* dataset: class 1 (blue) fills a disc, class 0 (orange) a ring around it.
# No straight line separates them. The network is the same as in scenario 1 - linear
# activation, hidden layer [8] - and by notebook 1 it can only draw a straight boundary.
#
# > **Which loss?** A sigmoid output trained with binary cross-entropy; why the choice does not
# > change the lesson is explained [in notebook 1](01_composite_linear_functions.ipynb#Which-loss?).

# %%
import course_utils as cu
from course_utils import experiments as ex, plots
from course_utils.widgets import TrainingPanel

# %% [markdown]
# ## The trained result
#
# Same settings as scenario 1, only the dataset changed.

# %%
run = ex.run_scenario("scenario2")
plots.show_figure(plots.scenario_figure(run, ex.probability_grid(run),
                                        takeaway="A linear network's boundary stays a line, and its loss stays at ln 2")[0])

# %%
# NBVAL_CHECK_OUTPUT
print(ex.summary_line(run.history))

# %% [markdown]
# ### The first epochs: a spike above 1
#
# The loss curve is clipped at 1 (the same scale in every scenario), and the figure notes that
# the training loss goes above it early on. What happens in those epochs? The collapsed
# single layer's weights, epoch by epoch (the loss is the one measured with those weights):

# %%
# NBVAL_CHECK_OUTPUT
r = ex.prepare("scenario2")
for epoch in range(6):
    W, b = cu.collapse(r.net)
    ex.advance(r, 1)
    print(f"after {epoch} epochs: collapsed w = ({W[0, 0]:+.2f}, {W[1, 0]:+.2f}), loss {r.history.train_loss[-1]:.2f}")

# %% [markdown]
# The weight on x2 flips sign at every step, growing at first (+0.24, −0.57, +0.81) before it
# shrinks (−0.51, +0.06). Learning rate 1 is too large a step for these first epochs, so each
# update overshoots the flat optimum and the loss rises to 1.06 before the swings die down; after
# 4 epochs it has settled at ln 2.
# The overshoot changes nothing at the end; it is the step size, not the circle.
#
# As a filmstrip (epochs 0, 1, 5, 20, 100, 300; the dashed line is the collapsed single layer's,
# exactly on the black 0.5 boundary):

# %%
strip = ex.filmstrip("scenario2")
plots.show_figure(plots.filmstrip_figure(strip, "A straight line at every epoch: it turns and shifts, but never bends")[0])

# %% [markdown]
# ## Loss says "nothing learned", accuracy says 69 % - both are true
#
# The loss sits at **ln 2 = 0.693**, exactly the loss of a network that answers "50 %" for
# every point. Yet 69 % of the training points fall on the correct side of the boundary. The
# two numbers measure different things, so look at what the network actually answers, and at
# the single layer it collapses to (notebook 1's `collapse`):

# %%
# NBVAL_CHECK_OUTPUT
W, b = cu.collapse(run.net)
p = run.predict_proba(run.X_train)
print(f"collapsed layer: w = ({W[0, 0]:.3f}, {W[1, 0]:.3f}), b = {b[0]:.3f}")
print(f"answers on the training points range from {p.min():.2f} to {p.max():.2f}")
print(f"the 0.5 line crosses the x1 axis at x1 = {-b[0] / W[0, 0]:.1f}")
print(f"called class 1: {100 * (p >= 0.5)[run.y_train == 1].mean():.0f} % of the disc, "
      f"{100 * (p >= 0.5)[run.y_train == 0].mean():.0f} % of the ring")

# %% [markdown]
# The weights are almost zero, so every answer is within 0.1 of 50 %: the network is
# hedging. That is the best a line can do here. By symmetry, tilting the line towards any
# side of a disc inside a ring gains on one side what it loses on the other, so the fit with
# the lowest cross-entropy is an almost flat one, and its loss is almost ln 2.
#
# **Accuracy** only asks on which side of 0.5 each point falls, however slightly. The small
# positive bias puts the disc and most of the ring on the class-1 side; the tiny tilt puts
# the 0.5 line at x1 = -1.6, which cuts a cap off the left of the ring, and those ring points
# count as correct. That - not any grasp of the circle - is where the 69 % comes from.
#
# Because the best fit is almost flat, *where* its line falls is decided by small accidents of
# the sample. **Predict first:** train on three more samples of the same circle (sample 0 below is
# the one above); will the accuracy stay at 69 %?

# %%
# NBVAL_CHECK_OUTPUT
for data_seed in [0, 1, 2, 3]:
    r = ex.run_scenario("scenario2", data_seed=data_seed)
    print(f"sample {data_seed}: {ex.summary_line(r.history)}")

# %% [markdown]
# The training loss stays between 0.68 and 0.70 on every sample, while the accuracy swings
# from about a third to two thirds: the line lands almost anywhere. Read a linear network's accuracy on the
# circle as an accident of the sample, and its loss as the honest verdict: it learned nothing.
#
# ## More depth, more width, another learning rate?
#
# None of them changes what the network *is*: an affine map followed by a sigmoid.
# **Predict first:** what loss will the six-layer network `[8, 8, 8, 8, 8, 8]` reach - lower
# than the 0.691 above, the same, or higher?

# %%
# NBVAL_CHECK_OUTPUT
for hidden, lr in [((2,), 1.0), ((8, 8), 0.3), ((4, 4, 4), 0.1), ((8, 8, 8, 8, 8, 8), 0.03)]:
    r = ex.run_scenario("scenario2", hidden=hidden, learning_rate=lr)
    W, b = cu.collapse(r.net)
    print(f"hidden {list(hidden)!s:20s} lr {lr:<5g} -> {ex.summary_line(r.history)}; "
          f"collapsed w = ({W[0, 0]:.3f}, {W[1, 0]:.3f}), b = {b[0]:.3f}")

# %% [markdown]
# Four architectures, from one hidden layer of 2 units to six layers of 8, and **the same
# answer to every printed digit** - loss, accuracy, and the collapsed line itself. This is the
# strongest evidence in the course that depth buys a linear network nothing: each of them
# collapses to the same model, **logistic regression** on (x1, x2) - one affine score w·x + b
# followed by a sigmoid, the classic linear classifier - whose loss has a single minimum (it is
# convex), and gradient descent walks each of them to it. (Their *training*
# is not identical - a deep linear network moves differently on the way, and the learning
# rates here are chosen so that each arrives - but where they arrive is one and the same.)

# %% [markdown]
# **The live panel** works as in notebook 2 ([how to read it](02_scenario1_gauss.ipynb#The-live-panel)).
#
# **Your turn: try to beat it.** With the activation left at `linear`, change the hidden
# layers, neurons per layer, learning rate, optimizer, epochs and seed. The boundary stays a
# straight line and the loss stays near 0.69 (or, with a learning rate that is too large,
# training blows up - and the panel tells you so). Then change just the activation to
# `sigmoid` - that is the next notebook.

# %%
TrainingPanel("scenario2")

# %% [markdown]
# ## Check yourself

# %%
from course_utils.checks import MultipleChoice, NumberCheck
NumberCheck(
    "A network answers 50 % for every point. What is its binary cross-entropy loss (natural log)?",
    answer=0.693, tolerance=0.005,
    why="each point costs −ln 0.5 = ln 2 ≈ 0.693, whichever its class: the loss of knowing nothing.")

# %%
MultipleChoice(
    "The linear network reaches 69 % training accuracy on the circle. What does that tell you?",
    ["Little: its answers all sit within 0.1 of 50 %, and which side of 0.5 a point falls on is "
     "decided by accidents of the sample.",
     "It has learned part of the circle.", "With more epochs it would reach 100 %."],
    answer=0,
    why="four samples of the same circle gave accuracies from about a third to two thirds, all at a "
        "loss ≈ ln 2.",
    wrong_why={"It has learned part of the circle.": "its boundary is one straight line that cuts a cap "
               "off the ring; nothing about the circle is in it.",
               "With more epochs it would reach 100 %.": "the loss is already at its single minimum; no "
               "straight line separates a disc from the ring around it."})

# %%
MultipleChoice(
    "Four linear architectures print the same loss, accuracy and collapsed line to every digit. Why?",
    ["They all collapse to logistic regression on (x1, x2), whose loss has a single minimum.",
     "They were started from the same random weights.", "A coincidence of this dataset."],
    answer=0,
    why="one model, one optimum: gradient descent walks each of them to the same place.",
    wrong_why={"They were started from the same random weights.": "they cannot be: they have different "
               "numbers of weights. Only where they end up is shared."})

# %% [markdown]
# ## Exercises
#
# 1. Why can no straight line separate a disc from a ring around it? (One sentence: think of two
#    ring points on opposite sides of the disc.)
# 2. The best straight line on the circle hedges at about 50 %. What would the loss be if the
#    network instead answered a confident 90 % "ring" for *every* point, with half the points in the
#    disc? Is that better or worse than ln 2?
# 3. Which single extra input feature would let a *linear* network separate the disc from the ring?
#
# <details><summary>Answers</summary>
#
# 1. Take two ring points on opposite sides of the disc: every point of the segment between them is
#    on the same side of any line as they are, yet that segment crosses the disc.
# 2. Half the points cost −ln 0.9 ≈ 0.105, the other half −ln 0.1 ≈ 2.303: the mean is ≈ 1.20,
#    far worse than ln 2 ≈ 0.693. Confidence without knowledge is punished; that is why the best
#    line hedges.
# 3. x1² + x2² (the squared distance from the centre), or x1² and x2² separately: notebook 4 tries it.
#
# </details>
#
# **Homework:** `hw1` — show in code that stacked linear layers collapse (`homework/README.md`
# says how to get it).
#
# **Summary.** A linear network on the circle is logistic regression in disguise: its loss stays at
# ln 2, its 69 % accuracy is an accident of where a near-flat line falls, and depth, width or the
# learning rate change nothing. **Next →** [4 · scenario 3](04_scenario3_circle_sigmoid.ipynb): the
# same network with a sigmoid activation.
