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
# # 05 · Activation flavours
#
# Notebooks 02–04 showed *that* a non-linear activation is what lets a network bend its decision
# boundary. This one asks *which* non-linearity, and measures the answer instead of quoting it:
#
# 1. the shapes — each activation's value and derivative, on shared axes;
# 2. **saturation and vanishing gradients** — how big the gradient is in each layer of a deep network;
# 3. **dead ReLU units** — hidden units that stop firing for good after a too-large learning rate;
# 4. **zero-centred outputs** — tanh against sigmoid on the same task;
# 5. all of them **side by side** on one dataset, and a live panel to compare any two.
#
# As everywhere in this course, the output unit is a sigmoid trained with **binary cross-entropy**
# (the Playground uses squared error on a tanh output); only the *hidden* activation changes.
# Every run is seeded, so re-running gives the same numbers.

# %%
# %matplotlib inline
# %config InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'metadata': {'Software': None}}
import numpy as np
from course_utils import make_dataset, train_test_split
from course_utils import diagnostics as dg
from course_utils.plots import flavours

# %% [markdown]
# ## 1 · The flavours at a glance
#
# | activation | a(z) | what it fixes | what it costs |
# |---|---|---|---|
# | **sigmoid** | 1 / (1 + e⁻ᶻ) | smooth, bounded, reads as a probability | slope at most 0.25 and ≈ 0 for large \|z\| (saturation); outputs all positive (not zero-centred) |
# | **tanh** | tanh z = 2·sigmoid(2z) − 1 | zero-centred, slope 1 at 0 | still saturates for large \|z\| |
# | **ReLU** | max(0, z) | no saturation for z > 0, slope exactly 1; cheap | slope 0 for z < 0: a unit pushed below zero on every input is *dead*; in the first hidden layer (fixed inputs) it cannot recover, deeper it may if earlier layers change |
# | **leaky ReLU** | z if z > 0 else 0.01 z | a small slope below zero keeps every unit trainable | a kink at 0; one more constant to choose |
# | **GELU** | z · Φ(z), Φ = the standard normal CDF (the chance that a standard normal draw is below z) | a smooth ReLU (used in transformers); dips to about −0.17 near z = −0.75 | costlier (needs erf); still ≈ 0 far below zero |
# | **ELU** | z if z > 0 else eᶻ − 1 | smooth below zero, mean output nearer 0 | an exponential per unit |
# | **SiLU / swish** | z · sigmoid(z) | smooth; dips to about −0.28 near z = −1.28 (non-monotone) | costlier than ReLU |
#
# `dg.FLAVOURS` lists every non-linear entry of the activation table, so an activation added to the table
# appears in every figure below. Left: the values; right: their derivatives (each activation keeps
# its colour and dash pattern in every figure).

# %%
z = np.linspace(-5, 5, 401)
curves = dg.activation_curves(dg.FLAVOURS, z)
flavours.plot_activation_curves(curves, z);

# %% [markdown]
# The dotted line on the right is 0.25, the **largest slope sigmoid ever has**. The largest slope of
# each flavour, read off the curves (rounded):

# %%
# NBVAL_CHECK_OUTPUT
{name: round(float(der.max()), 2) for name, (value, der) in curves.items()}

# %% [markdown]
# ## 2 · Saturation and vanishing gradients, measured
#
# Backpropagation carries the gradient from the output back to the first layer, and at each layer it is
# multiplied twice: by the activation's slope at every unit, and by that layer's weight matrix
# (transposed). With sigmoid every slope is at most 0.25, so across 8 hidden layers the slopes alone can
# shrink it by up to 0.25⁸ ≈ 10⁻⁴·⁸; whether the weights shrink it further depends on their size.
# We build a deep network — **8 hidden layers of 8 units** — on the circle data, and measure the norm of
# `dLoss/dW` for each of its 9 weight matrices with `net.loss_and_gradients`, once at initialisation
# and once after 300 epochs of full-batch gradient descent (learning rate 0.1).

# %%
X, y = make_dataset("circle", n_samples=500, noise=0.0, seed=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.5, seed=0)
study = dg.gradient_norm_study(dg.FLAVOURS, X_train, y_train, depth=8, width=8, epochs=300, learning_rate=0.1)
flavours.plot_gradient_norms(study);

# %% [markdown]
# How many times smaller is the gradient at the first layer than at the output layer, at
# initialisation? (As a power of ten, rounded to one decimal: −5 means 100 000 times smaller.)

# %%
# NBVAL_CHECK_OUTPUT
{name: round(float(np.log10(before[0] / before[-1])), 1) for name, (before, after) in study.items()}

# %% [markdown]
# Sigmoid's first layer receives a gradient several orders of magnitude smaller than its last —
# smaller even than the 10⁻⁴·⁸ bound. Taking the backward pass of this network apart at initialisation:
# the eight layers of slopes (each between 0.22 and 0.25, since the pre-activations sit near 0) shrink
# the gradient by 10⁻⁵·⁰; the eight weight matrices shrink it by a further 10⁻⁰·⁶; and forming
# dW = inputᵀ · δ from each layer's own input accounts for the last ≈ 10⁻⁰·⁶. The early layers barely move, and after 300 epochs this net has
# still not learnt the circle. After training the sigmoid gradient is tiny in *every* layer (right),
# not only the first: the forward signal has collapsed too — deep sigmoid layers map every input to
# nearly the same values, so the output cannot tell the points apart, predicts the same for all, and
# the loss offers no direction to improve. tanh has slope 1 at zero and the ReLU family has
# slope 1 for every positive input, so their gradients keep roughly the same size through all 9 layers.
# The initialisation matters too: the ReLU family starts with weights √2 larger to make up for
# zeroing half their inputs (`Activation.init_gain`).

# %% [markdown]
# ## 3 · Dead ReLU units
#
# A ReLU unit whose pre-activation is negative for **every** training point outputs 0 everywhere *and*
# has slope 0 everywhere: no gradient reaches its incoming weights. In the first hidden layer, whose
# inputs are the fixed data, nothing else can move it, so it stays dead; a deeper unit can revive if the
# layers before it change what it sees. One large
# step can throw many units there. We train a `[2, 16, 16, 1]` net on the circle for 100 full-batch
# epochs, with a modest and a large learning rate, three seeds each, and count the hidden units through
# which **no gradient flows** (|a′(z)| ≤ 10⁻⁶ on every training point: filled bars) and the units that
# **never fire** (z ≤ 0 on every training point: dashed outlines).

# %%
dead = dg.dead_unit_study(["relu", "leaky_relu", "gelu"], [0.3, 3.0], X_train, y_train,
                          hidden=(16, 16), epochs=100, seeds=(0, 1, 2))
flavours.plot_dead_units(dead);

# %%
print(dg.format_dead_study(dead))

# %% [markdown]
# With the large learning rate a big share of ReLU units die. Leaky ReLU's answer: below zero its
# slope is 0.01, not 0, so a unit that *never fires* (the "never fire" column) still passes gradient
# and can climb back — none is dead. GELU's answer is its smooth negative tail: just below zero it
# still has a slope, so units do not die at the first bad step. (Far below zero GELU's slope does
# vanish too; try larger learning rates in the panel below.)

# %% [markdown]
# ## 4 · Zero-centred outputs: tanh against sigmoid
#
# Every sigmoid output is positive (mean ≈ 0.5). The gradient of a weight is `input × dZ`, so all the
# weights into one unit see gradients of the *same sign*, and gradient descent has to zig-zag. tanh is a
# shifted, stretched sigmoid (tanh z = 2·sigmoid(2z) − 1) centred on 0, so its layers' outputs average much
# nearer 0 (right). Same data, same `[2, 8, 8, 1]` net, same seed and learning rate:

# %%
pair = dg.compare_activations(["sigmoid", "tanh"], X_train, y_train, X_test, y_test,
                              hidden=(8, 8), epochs=500, learning_rate=0.3)
fig, (ax_loss, ax_mean) = flavours.new_pyplot_figure(ncols=2)
flavours.plot_loss_curves(pair, ax=ax_loss)
flavours.plot_mean_outputs({r.activation: dg.mean_hidden_output(r.net, X_train) for r in pair}, ax=ax_mean);

# %%
# NBVAL_CHECK_OUTPUT
print(dg.format_table(pair))

# %% [markdown]
# tanh gets there many times faster. Part of that is the centring; part is the slope (tanh′(0) = 1,
# sigmoid′(0) = 0.25). To separate the two, pick sigmoid in the panel below and raise the learning rate
# from 0.3 to 1 — about the step tanh takes at 0.3 — then compare its epochs with tanh's in the table above:
# what is left of the gap is the centring.

# %% [markdown]
# ## 5 · Side by side
#
# The same circle data, the same `[2, 8, 8, 1]` network and seed, 1000 epochs of full-batch gradient
# descent at learning rate 0.3 — only the hidden activation changes. Each panel shows the probability of
# the blue class on the test points (the black line is the 0.5 boundary).

# %%
runs = dg.compare_activations(dg.FLAVOURS, X_train, y_train, X_test, y_test,
                              hidden=(8, 8), epochs=1000, learning_rate=0.3)
flavours.plot_small_multiples(runs, X_test, y_test);

# %% [markdown]
# Epochs until the **test** accuracy first reaches 97 %, and the final test loss (binary
# cross-entropy) and accuracy:

# %%
# NBVAL_CHECK_OUTPUT
print(dg.format_table(runs))

# %% [markdown]
# Sigmoid needs far longer than the rest — saturation and off-centre outputs together. The ReLU
# family and its smooth cousins are within a small factor of each other on this task; which is
# "best" depends on the data, the depth and the learning rate, so try them.

# %% [markdown]
# ## 6 · Compare any two
#
# Pick two activations, a dataset, the noise, the learning rate and the number of epochs; both networks
# (`[2, 8, 8, 1]`, same seed) retrain when you change a control. Left and middle: decision boundaries
# on the test points; right: test loss per epoch. Everything is reachable with the keyboard (Tab between
# controls, arrow keys to change them).
#
# Things to try: sigmoid against tanh at learning rate 0.3, then sigmoid at 1; ReLU against leaky ReLU at
# learning rate 3 or 10; any pair on the spiral.

# %%
from course_utils.widgets.compare import ComparePanel
ComparePanel(dataset="circle", first="sigmoid", second="relu")

# %% [markdown]
# ## What to remember
#
# - Sigmoid's slope is at most 0.25: in a deep sigmoid net the early layers get almost no gradient.
# - tanh fixes the off-centre outputs (and has a 4× larger slope) but still saturates.
# - ReLU does not saturate for positive inputs, but a unit can die; leaky ReLU and GELU keep a slope below zero.
# - On a small task many flavours work; the differences grow with depth and learning rate.
