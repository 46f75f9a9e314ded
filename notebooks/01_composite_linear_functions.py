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
# # 1. A network is a composite function
#
# Before any training, one question: what kind of function can a network compute? This
# notebook shows that **without an activation function, stacking layers adds no expressive
# power**: any number of linear layers computes a function that one layer computes too. (How
# the layers *train* does differ - deep linear networks move in their own way - but where
# they can end up does not.) We show it three ways - with algebra, with
# numbers, and with pictures - and then you can try to break it with sliders.

# %%
import numpy as np
import course_utils as cu
from course_utils import grid, plots
from course_utils.widgets import GridWarpPanel, TinyNetPanel

# %% [markdown]
# ## A layer is a function
#
# A layer takes a vector $x$ and returns $a = \varphi(W x + b)$: an affine map (multiply by a
# weight matrix $W$, add a bias $b$) followed by an activation $\varphi$ applied to each entry.
# A network applies layers one after another, so it is a *composite* function
# $f = f_k \circ \dots \circ f_2 \circ f_1$.
#
# Take the activation away ($\varphi(z) = z$, "linear") and compose two layers:
#
# $$W_2 (W_1 x + b_1) + b_2 = \underbrace{(W_2 W_1)}_{W}\, x + \underbrace{(W_2 b_1 + b_2)}_{b}.$$
#
# The result is again one affine map $x \mapsto W x + b$. By induction the same holds for any
# depth: a linear network of $k$ layers **collapses** into a single layer.
#
# (The code stores a batch as rows, $z = x W + b$, so there the same identity reads
# $W = W_1 W_2$ and $b = b_1 W_2 + b_2$ - the same maths, transposed.)

# %% [markdown]
# ## The same thing, in numbers
#
# `cu.collapse(net)` multiplies the layers of a linear network together. Below, a network
# with five layers of weights (four hidden layers of 4 units) and its collapsed single layer
# score 1000 random points; we compare the two. The score is the network's **logit**: the
# number the output unit computes *before* its sigmoid, so that probability = sigmoid(logit).
# The **sigmoid**, sigmoid(z) = 1 / (1 + e⁻ᶻ), squashes any number into (0, 1) and is 0.5 at
# z = 0, so the **decision boundary** - the points where the probability is 0.5, between the
# region called class 1 and the region called class 0 - is where the logit is 0.

# %%
# NBVAL_CHECK_OUTPUT
net = cu.MLP([2, 4, 4, 4, 4, 1], activation="linear", seed=1)
W, b = cu.collapse(net)
X = np.random.default_rng(0).uniform(-6, 6, size=(1000, 2))
print("deep net and one layer agree on all 1000 points:", np.allclose(net.logits(X), X @ W[:, 0] + b[0], rtol=0, atol=1e-9))

# %% [markdown]
# Only a network whose hidden activation is linear can be collapsed. Ask `collapse` for a
# tanh network:

# %%
# NBVAL_CHECK_OUTPUT
try:
    cu.collapse(cu.MLP([2, 4, 1], activation="tanh", seed=1))
except ValueError as err:
    print("collapse refuses:", err)

# %% [markdown]
# Why tanh bends the space between layers is the next picture.
#
# ## The same thing, in pictures
#
# Draw a square grid and push every point of it through a few layers that map the plane to
# the plane. An affine map can rotate, stretch, shear and shift the grid, but straight lines
# stay straight and parallel lines stay parallel. A nonlinear activation bends them.

# %%
lines = grid.grid_lines()
layers = grid.random_layers(3, seed=2)
stages = {"input grid": lines, **{f"3 {act} layers": grid.warp(lines, layers, act) for act in ("linear", "tanh", "sigmoid")}}
plots.show_figure(plots.grid_figure(stages, takeaway="Linear layers keep the grid straight and parallel; tanh and sigmoid bend it")[0])

# %% [markdown]
# The same three layers (same weights) in each panel; only the activation differs. We can
# check the pictures with numbers: is every line still straight, and are lines that started
# parallel still parallel? **Predict first:** for which of the three activations will both
# answers be "yes"?

# %%
# NBVAL_CHECK_OUTPUT
for act in ("linear", "tanh", "sigmoid"):
    out = grid.warp(lines, layers, act)
    print(f"{act:8s} straight: {bool(grid.straightness(out).max() < 1e-9)!s:5s}  parallel: {grid.parallelism(out) < 1e-9}")

# %% [markdown]
# ### Try it
#
# Change the number of layers, the activation and the seed (which draws other random
# layers). With `linear` the grid always stays a grid of parallelograms, however deep; with
# any other activation it bends - or, with `relu`, it may be squashed flat onto a line or a
# point, when a unit is 0 at every grid point (`relu` at the panel's start, 3 layers and seed 2,
# does that). The status line measures it.

# %%
GridWarpPanel(depth=3, activation="tanh", seed=2)

# %% [markdown]
# ## A 2-2-1 network you can hold in your hands
#
# Here is the smallest interesting network: 2 inputs, a hidden layer of 2 linear units, one
# output. Every weight and bias is a slider. The background is the network's probability of
# class 1; the black line is where the **collapsed** single layer $W x + b$ is zero. Drag
# anything: the line always sits exactly on the white band of the heatmap, because the
# network and its collapsed layer are the same function.

# %%
TinyNetPanel()

# %% [markdown]
# **So:** a network with linear activations, however deep and wide, draws a straight
# decision boundary. The next three notebooks put that to work on data.
#
# ## Check yourself
#
# Pick an answer and press **Check** (or type a number and press Enter). Nothing is recorded.
# By keyboard: Tab to an option, Enter to choose it, Tab to **Check**, Enter.

# %%
from course_utils.checks import MultipleChoice, NumberCheck
MultipleChoice(
    "A network has 10 hidden layers of 100 units each, all with the <b>linear</b> activation, on 2 inputs. "
    "Its decision boundary is…",
    ["a straight line (or no boundary at all)", "a polygon with up to 100 sides",
     "any curve, given enough training"],
    answer=0,
    why="it collapses to one affine map w·x + b, and the set where that is 0 is a line "
        "(or nothing, if w = 0).",
    wrong_why={"a polygon with up to 100 sides": "polygons need units that switch on and off; a linear "
               "unit never switches, so the layers multiply into one.",
               "any curve, given enough training": "training only picks the weights; whatever they are, "
               "the network is one affine map."})

# %%
NumberCheck(
    "One input x. Hidden layer: h = 3x + 1 (linear). Output logit: −2h + 5. Collapsed into one layer, "
    "logit = w·x + b. What is b?",
    answer=3, tolerance=0.001,
    why="b = −2·1 + 5 = 3 (and w = −2·3 = −6): the second layer's weight multiplies the first "
        "layer's bias too.")

# %%
MultipleChoice(
    "Why can `collapse` not turn a tanh network into one layer?",
    ["tanh(a + b) ≠ tanh(a) + tanh(b): a tanh layer does not pass sums through, so the layers "
     "do not multiply into one matrix", "tanh networks have too many weights",
     "collapse only handles one hidden layer"],
    answer=0,
    why="collapsing uses W₂(W₁x + b₁) = (W₂W₁)x + W₂b₁, which needs each layer to be affine; "
        "tanh bends the grid, as the pictures showed.",
    wrong_why={"collapse only handles one hidden layer": "it collapsed a network with four hidden "
               "layers at the top of this notebook."})

# %% [markdown]
# ### Which loss?
#
# Every network in this course ends in one output unit with a **sigmoid**, read as the
# probability of class 1 (blue), and is trained with **binary cross-entropy**. The TensorFlow
# Playground instead puts a tanh on the output and uses squared error. The lesson does not
# depend on the choice: the output squashing is monotone, so the boundary "probability = 0.5"
# is exactly where the score before it is 0. If that score is a linear function of the
# inputs, the boundary is a straight line. (This note is written once, here; the other
# notebooks link to it.)

# %% [markdown]
# ## Exercises
#
# 1. In the row convention z = x W + b, write the single layer equal to two stacked linear layers,
#    then check your formula against `cu.collapse(cu.MLP([2, 3, 1], "linear", seed=0))`.
# 2. Find two numbers a and b with relu(a + b) ≠ relu(a) + relu(b). Why does that one fact stop a
#    ReLU network from collapsing?
# 3. A linear network `[2, 1, 1]` squeezes everything through one hidden unit. Can it still draw every
#    straight line that the one-layer network `[2, 1]` can?
#
# <details><summary>Answers</summary>
#
# 1. z = (x W₁ + b₁) W₂ + b₂ = x (W₁ W₂) + (b₁ W₂ + b₂), so W = W₁ W₂ and b = b₁ W₂ + b₂
#    (`net.params` holds the pairs (W₁, b₁), (W₂, b₂)).
# 2. a = 1, b = −1: relu(0) = 0 but relu(1) + relu(−1) = 1. Collapsing needs every layer to pass sums
#    (and multiples) through unchanged; a ReLU layer does not.
# 3. Yes: W = W₁ W₂ is any 2-vector (W₁ is 2×1, W₂ a number) and b = b₁ W₂ + b₂ any number. A
#    narrow hidden layer limits the rank of W, which only matters with more than one output.
#
# </details>
#
# **Summary.** A layer is an affine map followed by an activation. Without the activation, any
# stack of layers is one affine map, and its boundary is a straight line; a nonlinear activation
# bends the space between layers. **Next →** [2 · scenario 1](02_scenario1_gauss.ipynb): data a
# line can separate.
