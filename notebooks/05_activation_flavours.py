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
# 3. **dead ReLU units** — hidden units that stop firing for good after a too-large learning rate, and
#    whether leaky ReLU and GELU units come back;
# 4. **sigmoid against tanh** — the same functions, trained at different speeds;
# 5. all of them **side by side** on one dataset;
# 6. **a function from pieces** — why ReLU boundaries are polygons and smooth activations' are round;
# 7. a live panel to compare any two;
# 8. **more than two classes** — a softmax output on a three-arm spiral.
#
# As everywhere in this course, the output unit is a sigmoid trained with **binary cross-entropy**
# (the Playground uses squared error on a tanh output) until section 8, which needs one output unit
# per class; only the *hidden* activation changes.
# Every run is seeded, so re-running gives the same numbers.

# %%
import numpy as np
import course_utils as cu
from course_utils import make_dataset, plots, train_test_split
from course_utils import diagnostics as dg
from course_utils.grid import heatmap_grid
from course_utils.plots import flavours

# %% [markdown]
# ## 1 · The flavours at a glance
#
# Each hidden unit computes its **pre-activation** z = w·x + b and outputs a(z):
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
plots.show_figure(flavours.activation_curves_figure(
    curves, z, title="Sigmoid's slope never passes 0.25; every other flavour reaches a slope of about 1")[0])

# %% [markdown]
# The dotted line on the right is 0.25, the **largest slope sigmoid ever has**. The largest slope of
# each flavour, read off the curves (rounded):

# %%
# NBVAL_CHECK_OUTPUT
{name: round(float(der.max()), 2) for name, (value, der) in curves.items()}

# %% [markdown]
# GELU and SiLU dip below zero before flattening out (the table above); their lowest values, read off a
# fine grid:

# %%
# NBVAL_CHECK_OUTPUT
z_fine = np.linspace(-4, 0, 40001)
{name: f"lowest value {value.min():.2f} at z = {z_fine[value.argmin()]:.2f}"
 for name, (value, der) in dg.activation_curves(["gelu", "silu"], z_fine).items()}

# %% [markdown]
# ## 2 · Saturation and vanishing gradients, measured
#
# The **gradient** of the loss with respect to a weight, dLoss/dW, says how fast the loss changes as
# that weight moves; gradient descent steps each weight against it, so a layer whose gradient is
# tiny barely learns. Backpropagation carries the gradient from the output back to the first layer, and at each layer it is
# multiplied twice: by the activation's slope at every unit, and by that layer's weight matrix
# (transposed). With sigmoid every slope is at most 0.25, so across 8 hidden layers the slopes alone
# multiply it by at most 0.25⁸ ≈ 10⁻⁴·⁸ (they shrink it at least 65 000-fold); whether the weights shrink
# it further depends on their size.
# We build a deep network — **8 hidden layers of 8 units** — on the circle data, and measure the norm of
# `dLoss/dW` for each of its 9 weight matrices with `net.loss_and_gradients`, once at initialisation
# and once after 300 epochs of full-batch gradient descent (learning rate 0.1).

# %%
X, y = make_dataset("circle", n_samples=500, noise=0.0, seed=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.5, seed=0)
study = dg.gradient_norm_study(dg.FLAVOURS, X_train, y_train, depth=8, width=8, epochs=300, learning_rate=0.1)
plots.show_figure(flavours.gradient_norms_figure(
    study, title="Sigmoid's gradient shrinks a millionfold on its way back to layer 1; tanh and the ReLU family keep theirs")[0])

# %% [markdown]
# How many times smaller is the gradient at the first layer than at the output layer, at
# initialisation? (As a power of ten, rounded to one decimal: −5 means 100 000 times smaller.)

# %%
# NBVAL_CHECK_OUTPUT
{name: round(float(np.log10(before[0] / before[-1])), 1) for name, (before, after) in study.items()}

# %% [markdown]
# Sigmoid's first layer receives a gradient several orders of magnitude smaller than its last —
# smaller even than the 10⁻⁴·⁸ bound. Where does the rest come from? Here is the mean sigmoid slope in
# each hidden layer of this network at initialisation, and their product as a power of ten:

# %%
# NBVAL_CHECK_OUTPUT
deep_sigmoid = cu.MLP([2] + [8] * 8 + [1], "sigmoid", seed=0)  # the study's network, untrained
mean_slopes = [float(dg.activation_curves(["sigmoid"], z.ravel())["sigmoid"][1].mean())
               for z in dg.pre_activations(deep_sigmoid, X_train)]
print("mean slope per hidden layer:", " ".join(f"{m:.2f}" for m in mean_slopes))
print(f"their product: 10^{np.log10(np.prod(mean_slopes)):.1f}")

# %% [markdown]
# The slopes account for 10⁻⁵·¹ of the 10⁻⁶·² (the first layer, fed the raw coordinates, has the
# widest spread of pre-activations and so the lowest mean slope); the remaining 10⁻¹·¹ comes from the eight weight matrices and from
# forming dW = inputᵀ · δ from each layer's own input (δ is the gradient of the loss with respect to
# the layer's pre-activations z). tanh has slope 1 at zero and the ReLU family has slope 1 for every
# positive input, so their gradients keep roughly the same size through all 9 layers (the dictionary
# above: within a factor of 10⁰·⁷ ≈ 5). The initialisation matters too: the ReLU family starts with
# weights √2 larger to make up for zeroing half their inputs (`Activation.init_gain`).
#
# After 300 epochs the picture on the right is different again: the sigmoid gradient is tiny in
# *every* layer, not only the first. The largest gradient of any layer after training, as a power
# of ten:

# %%
# NBVAL_CHECK_OUTPUT
{name: round(float(np.log10(after.max())), 1) for name, (before, after) in study.items()}

# %% [markdown]
# Sigmoid's largest is more than three orders of magnitude below every other flavour's. Has the
# forward signal collapsed too? Train the study's sigmoid and tanh networks again and measure how
# different the 250 training points still look to each layer: the **spread** of a layer is the
# standard deviation of a unit's pre-activation z over the points, averaged over the layer's 8 units
# (printed as a power of ten). Then the smallest and largest predicted P(class 1), and the accuracy.

# %%
# NBVAL_CHECK_OUTPUT
for name in ["sigmoid", "tanh"]:
    deep = cu.MLP([2] + [8] * 8 + [1], name, seed=0)  # as in the study: same seed, 300 epochs, rate 0.1
    cu.train(deep, X_train, y_train, epochs=300, learning_rate=0.1)
    spread = [np.log10(z.std(axis=0).mean()) for z in dg.pre_activations(deep, X_train)]
    p = deep.predict_proba(X_train)
    print(f"{name:8} spread, layers 1-8: {' '.join(f'{s:.1f}' for s in spread)} | "
          f"P from {p.min():.3f} to {p.max():.3f} | accuracy {np.mean(deep.predict(X_train) == y_train):.0%}")
print(f"share of class 1 among the training points: {y_train.mean():.2f}")

# %% [markdown]
# In the sigmoid network the spread shrinks about five-fold per layer, from 10⁰·⁰ in layer 1 to
# 10⁻⁴·⁷ in layer 8: by then every point gives nearly the same z. The output is P = 0.520 for all
# 250 points - the share of class 1, the best a network that cannot tell the points apart can do -
# so it labels every point class 1 and is right on 52 %. That is also why the loss offers no
# direction: the class-1 points pull P up, the others pull it down, and because every point looks
# the same to the layers, their pulls cancel. tanh's spread never falls below 10⁻⁰·⁵ (about three
# times below its first layer's), and it separates the classes (P from 0.005 to 0.993,
# 100 %).

# %%
from course_utils.checks import MultipleChoice, NumberCheck
NumberCheck(
    "Every sigmoid slope is at most 0.25. Through <b>5</b> sigmoid layers, the slopes alone multiply the "
    "gradient by at most which power of ten? (Type e.g. −2.5 for 10<sup>−2.5</sup>.)",
    answer=-3.0, tolerance=0.05,
    why="0.25⁵ = 1/1024 ≈ 10⁻³·⁰. Each layer multiplies by at most 0.25 = 10⁻⁰·⁶, so n layers give 10⁻⁰·⁶ⁿ.")

# %% [markdown]
# ## 3 · Dead ReLU units
#
# A hidden unit **never fires** when its pre-activation z is ≤ 0 for every training point. For ReLU
# that unit outputs 0 everywhere *and* has slope 0 everywhere, so no gradient reaches its incoming
# weights: it is **dead**. In the first hidden layer, whose inputs are the fixed data, nothing else
# can move it, so it stays dead; a deeper unit can revive if the layers before it change what it
# sees. Leaky ReLU (slope 0.01 below zero) and GELU (a smooth tail) still pass *some* gradient to a
# unit that never fires — but is that enough to bring it back? We measure it: the share of hidden
# units that fire for no training point, after every epoch, with a large learning rate (3).
#
# **Predict first:** a `[2, 16, 16, 1]` network on the circle, three seeds per activation. Will the
# units that fall silent cost it any accuracy?

# %%
wide = dg.silent_unit_study(["relu", "leaky_relu", "gelu"], X_train, y_train, X_test, y_test,
                            hidden=(16, 16), learning_rate=3.0, epochs=300, seeds=(0, 1, 2))
plots.show_figure(flavours.silent_units_figure(
    wide, title="A wide network loses many units to silence - and still learns")[0])

# %%
# At learning rate 3 these runs are chaotic: nudging every starting weight by a billionth moves a
# share by one unit (1 %) and a run's accuracy by a point or two, so this table is not compared
# by the tests and its last digit may differ on another machine. The claims below rest on the
# next cell.
print(dg.format_silent_study(wide))

# %%
# NBVAL_CHECK_OUTPUT
for name, r in wide.items():
    curve = r["silent"].mean(axis=0)
    print(f"{name:10s} some units fire again: {curve[-1] < curve.max()}; some still silent at epoch 300: "
          f"{curve[-1] > 0}; runs below 95 % test accuracy: {int(np.sum(r['accuracy'] < 0.95))} of 3")

# %% [markdown]
# Early in training (the figure, and the table's peak column) nearly half of the 32 ReLU units in
# each network fall silent. A few fire again — they can only be in the second layer, whose inputs
# keep changing, since a silent first-layer ReLU unit gets no gradient — and the rest stay silent to
# epoch 300. Yet no run ends below 95 % test accuracy: the surviving units are enough. Leaky ReLU and
# GELU units fall silent too, and some fire again, but many are still silent at epoch 300 (the
# table's end column: roughly a third of the leaky units, a quarter of the GELU units): below zero a
# leaky unit's slope is 0.01, a hundredth of its slope above zero, too weak here to bring most of
# them back.
#
# Silence costs something when there are no spare units. The circle needs at least three
# straight edges (a triangle), so give the network exactly **three** hidden units, the same
# learning rate 3, and eight seeds. **Predict first:** how many of the eight ReLU runs lose a unit
# for good, and what accuracy does a network with two working units reach?

# %%
# NBVAL_CHECK_OUTPUT
narrow = dg.silent_unit_study(["relu", "leaky_relu", "gelu"], X_train, y_train, X_test, y_test,
                              hidden=(3,), learning_rate=3.0, epochs=300, seeds=range(8))
print(dg.format_silent_study(narrow))

# %%
# NBVAL_CHECK_OUTPUT
# Per ReLU run: test accuracy to the nearest 10 % (a billionth nudge of the starting weights moves one
# run by two test points, so whole percentages would not read the same on every machine), and how
# many of its 3 hidden units never fire at epoch 300.
print("ReLU test accuracy per run:", " ".join(f"{round(a, 1):.0%}" for a in narrow["relu"]["accuracy"]))
print("ReLU silent units per run: ", " ".join(f"{round(3 * s)}" for s in narrow["relu"]["silent"][:, -1]))

# %% [markdown]
# Three of the eight ReLU runs end with one of their three units dead (12 % of all units on
# average) and stall near 80 % test accuracy, while the other five reach about 100 %: two lines can cut a band out of the plane, not a closed region.
# Leaky ReLU and GELU units fall silent too (on average up to 21 % and 17 % of them at the worst
# epoch), but every one of them fires again by epoch 300 (0 % at the end), and every run passes
# 95 %. That is what the small negative slope buys: not immunity from silence, but a way back.

# %%
MultipleChoice(
    "A ReLU unit in the <b>first</b> hidden layer outputs 0 for every training point. What happens to it "
    "during the rest of training (no regularisation)?",
    ["It stays exactly as it is: no gradient reaches its weights.",
     "It slowly comes back, because the output layer keeps changing.",
     "It comes back once the learning rate is lowered."],
    answer=0,
    why="its slope is 0 on every training point, so dLoss/dW and dLoss/db are exactly 0 for its "
        "weights, and its inputs (the data) never change. A deeper unit could revive, because the "
        "layers before it keep changing what it sees.",
    wrong_why={
        "It slowly comes back, because the output layer keeps changing.":
            "the output layer's changes reach the unit only through its slope, which is 0 everywhere.",
        "It comes back once the learning rate is lowered.":
            "any learning rate times a zero gradient is still zero.",
    })

# %% [markdown]
# ## 4 · Sigmoid against tanh: the same functions, trained differently
#
# tanh is a stretched, shifted sigmoid: tanh z = 2·sigmoid(2z) − 1. Doubling a unit's input and
# turning its output s into 2s − 1 are both things the weights and biases around it can do, so **every
# tanh network is also a sigmoid network** of the same shape, with other weights — and the reverse.
# `cu.tanh_as_sigmoid` does that rewrite; the two compute the same logit:

# %%
# NBVAL_CHECK_OUTPUT
tanh_net = cu.MLP([2, 8, 8, 1], "tanh", seed=3)
twin = cu.tanh_as_sigmoid(tanh_net)
print("same logit on 250 points:", np.allclose(tanh_net.logits(X_test), twin.logits(X_test), rtol=0, atol=1e-12))

# %% [markdown]
# So whatever separates sigmoid from tanh in training is **optimisation only**: where gradient descent
# starts and how its steps are scaled, never what the network can express. Same data, same
# `[2, 8, 8, 1]` net, same seed, learning rate 0.3, 500 epochs (right: each hidden layer's mean output):

# %%
pair = dg.compare_activations(["sigmoid", "tanh"], X_train, y_train, X_test, y_test,
                              hidden=(8, 8), epochs=500, learning_rate=0.3)
means = {r.activation: dg.mean_hidden_output(r.net, X_train) for r in pair}
plots.show_figure(flavours.loss_and_means_figure(
    pair, means, title="tanh reaches 97 % test accuracy in about 70 epochs, sigmoid not in 500; its hidden outputs average above 0.5")[0])

# %%
# NBVAL_CHECK_OUTPUT
print(dg.format_table(pair))
for name, m in means.items():
    print(f"{name:8s} mean output of hidden layers 1 and 2: {m[0]:.2f}, {m[1]:.2f}")

# %% [markdown]
# Two differences are candidates. **Slope:** sigmoid′(0) = 0.25, tanh′(0) = 1, so sigmoid's
# gradients are smaller — but a larger learning rate makes up for a constant factor. **Centring:**
# every sigmoid output is positive (here the two hidden layers average 0.53 and 0.59, printed above).
# A weight's gradient for one training example is (its input) × (the unit's δ), so for *one example*
# all the weights into a unit, fed by positive inputs, get gradients of the same sign and must all
# grow or all shrink together; summed over a batch the signs can mix, but the bias towards moving
# together remains. tanh outputs can be negative and average nearer 0 (0.29 and 0.12).
#
# **Predict first:** if the slope were the whole story, raising sigmoid's learning rate 3 to 10 times
# would close the gap. Does it?

# %%
# NBVAL_CHECK_OUTPUT
for lr in (0.3, 1.0, 3.0):
    runs_lr = dg.compare_activations(["sigmoid", "tanh"], X_train, y_train, X_test, y_test,
                                     hidden=(8, 8), epochs=500, learning_rate=lr)
    print(f"learning rate {lr:<3}  epochs to 97 %:",
          "   ".join(f"{r.activation} {dg.epochs_label(r)}" for r in runs_lr))

# %% [markdown]
# No: at its best learning rate of these three (3), sigmoid still needs about 160 epochs, while tanh
# needs about 20 at learning rate 1 — and at every learning rate tanh is faster. A single learning rate
# cannot undo the difference, because the rewrite above rescales each layer differently (×2 in the
# first, ×4 in the middle ones) and shifts every bias: same functions, different coordinates, and
# gradient descent is sensitive to coordinates. This experiment does not split the remainder between
# centring and per-layer scale; it shows that a larger step alone is not the cure.

# %%
MultipleChoice(
    "A [2, 8, 8, 1] tanh network reaches 100 % test accuracy. Could a [2, 8, 8, 1] <b>sigmoid</b> "
    "network compute exactly the same function?",
    ["Yes: tanh z = 2·sigmoid(2z) − 1, and the factors are absorbed into weights and biases.",
     "No: sigmoid outputs are all positive, so it cannot represent tanh's negative values.",
     "Only approximately, with more units."],
    answer=0,
    why="cu.tanh_as_sigmoid builds that network; the two logits agree to 10⁻¹². Their difference in "
        "training is optimisation, not expressive power.",
    wrong_why={
        "No: sigmoid outputs are all positive, so it cannot represent tanh's negative values.":
            "the next layer's bias can subtract the 1 in 2s − 1, so negative values are not lost.",
        "Only approximately, with more units.":
            "the rewrite is exact and keeps the shape [2, 8, 8, 1].",
    })

# %% [markdown]
# ## 5 · Side by side
#
# The same circle data, the same `[2, 8, 8, 1]` network and seed, 1000 epochs of full-batch gradient
# descent at learning rate 0.3 — only the hidden activation changes. Each panel shows the probability of
# the blue class on the test points (the black line is the 0.5 boundary).

# %%
runs = dg.compare_activations(dg.FLAVOURS, X_train, y_train, X_test, y_test,
                              hidden=(8, 8), epochs=1000, learning_rate=0.3)
grids = [heatmap_grid(r.net.predict_proba, 60) for r in runs]
plots.show_figure(flavours.small_multiples_figure(
    runs, grids, X_test, y_test, title="Every flavour learns the circle; sigmoid needs over ten times as many epochs")[0])

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
# ## 6 · A function from pieces
#
# Why do the ReLU family's boundaries above have corners, and sigmoid's and tanh's not? Look at one
# hidden layer on a single input x. Each unit is a **piece**: a ReLU unit relu(x − t) is 0 left of its
# knot t and a straight ramp right of it; a sigmoid unit is a soft step. The output adds the pieces
# with weights. Below, the pieces' knots are spread evenly over [−3, 3] and only the output weights
# are fitted (least squares). The figure fits x² (faint: each weighted piece; bold: their sum); the
# table below also fits sin x.
#
# **Predict first:** with 12 pieces, which fits x² better — ReLU ramps or sigmoid steps?

# %%
from course_utils import pieces as pc
fits = [pc.fit_pieces("x^2", k, unit) for unit in ("relu", "sigmoid") for k in (3, 12)]
plots.show_figure(plots.pieces_figure(fits, "A sum of ReLU ramps is a broken line; a sum of sigmoid steps is a soft staircase")[0])

# %%
# NBVAL_CHECK_OUTPUT
for target in ("sin", "x^2"):
    for unit in ("relu", "sigmoid"):
        errors = "  ".join(f"{k:2d} pieces: {pc.fit_pieces(target, k, unit).max_error:.2f}" for k in (3, 6, 12))
        print(f"{target:4s} {unit:8s} largest error  {errors}")

# %% [markdown]
# More pieces, smaller error, for both kinds: width is what buys a network its flexibility. ReLU
# ramps fit x² far better than sigmoid steps with the same count (0.04 against 0.20 with 12 pieces):
# a parabola is all slope, and each ramp adds a slope, while each step adds only a change of level. In two
# dimensions the same holds for the boundary: a ReLU network is linear on each region where its
# units' on/off pattern is fixed, so its boundary is made of **straight pieces - a polygon**; a
# sigmoid or tanh network's boundary is **round**.
#
# Now build one yourself. The first row sets the number of pieces k (one piece: a single ramp; each
# added piece adds one kink). The second row picks one piece, drawn bold, and moves it: **kink at**
# (a sigmoid's **step at**) and its **weight**. With *fit weights* ticked, least squares picks the
# best weights for the kinks where you put them, so you see what placement alone does: crowd the
# kinks of an x² fit into one half and the other half, left with too few, sets the largest error.
# Untick it and every weight is yours (only the bias is still fitted): set one weight to 0 and its
# piece lies flat; can you bring the largest error back down to the fitted one? Tab and the arrow
# keys move every control.

# %%
from course_utils.widgets import PiecesPanel
PiecesPanel(k=3)

# %% [markdown]
# ## 7 · Compare any two
#
# Pick two activations, a dataset, the noise, the learning rate and the number of epochs; both networks
# (`[2, 8, 8, 1]`, same seed) retrain when you change a control. Left and middle: decision boundaries
# on the test points; right: test loss per epoch. Everything is reachable with the keyboard (Tab between
# controls, arrow keys to change them).
#
# Things to try: sigmoid against tanh at learning rate 0.3, then sigmoid at 1; ReLU against leaky ReLU at
# learning rate 3 or 10; any pair on the spiral.

# %%
from course_utils.widgets import ComparePanel
ComparePanel(dataset="circle", first="sigmoid", second="relu")

# %% [markdown]
# ## 8 · More than two classes
#
# The three-arm spiral has labels 0, 1 and 2. One sigmoid unit can only say "class 1 or not", so the
# network gets **one output unit per class**: three scores z₀, z₁, z₂, turned into probabilities by
# the **softmax**, p_k = e^{z_k} / (e^{z₀} + e^{z₁} + e^{z₂}), and trained with **cross-entropy**,
# −ln p_(true class). A network that learned nothing answers 1/3 for each class and scores
# **ln 3 ≈ 1.099** (two classes: ln 2), and guesses right a third of the time.
#
# With a linear activation the whole network collapses, as in notebook 01, to three affine scores
# z_k = w_k·x + b_k. The predicted class is the one with the largest score, and two classes trade
# places where their scores tie: (w_i − w_j)·x + (b_i − b_j) = 0, **a straight line**. A linear
# network with a softmax therefore splits the plane into **three regions bounded by straight
# lines** (each one convex), however deep it is. The same `[2, 16, 3]` network and seed, 300 epochs
# of Adam at learning rate 0.03, with three hidden activations:
#
# **Predict first:** how far above the 33 % of chance can the linear network get on three spiral arms?

# %%
from course_utils import collapse, experiments as ex
from course_utils.grid import heatmap_points
runs3 = [ex.run_scenario(ex.THREE_ARMS, activation=a) for a in ("linear", "tanh", "relu")]
plots.show_figure(plots.comparison_figure(
    runs3, [ex.probability_grid(r, 100) for r in runs3], [plots.describe(r.settings) for r in runs3],
    takeaway="Linear: three wedges with straight edges; tanh and ReLU wind the boundaries along the arms")[0])

# %%
# NBVAL_CHECK_OUTPUT
for r in runs3:
    print(f"{r.settings.activation:6s} {ex.summary_line(r.history)}")

# %%
# NBVAL_CHECK_OUTPUT
W, b = collapse(runs3[0].net)  # the deep linear network as one layer: three affine scores
X_grid = heatmap_points(100)  # 10,000 points over the square
print(f"W {W.shape}, b {b.shape}; same class as the network at every one of the {len(X_grid):,} grid points:",
      np.array_equal(np.argmax(X_grid @ W + b, axis=1), runs3[0].net.predict(X_grid)))

# %% [markdown]
# The linear network ends at a loss of 0.994, only 0.1 under ln 3 = 1.099, and classifies 38 % of the
# training points and 33 % of the test points correctly: hardly above the 33 % of chance. Its
# picture shows why: three wedges whose edges are straight lines meeting at one point, while every
# arm winds through all three. The collapsed layer, W of shape (2, 3) and b of shape (3,), gives
# the same class as the deep network at every one of the 10,000 grid points. tanh and ReLU follow
# the arms: tanh reaches 100 % (test 100 %) at a loss of 0.019, ReLU 100 % (test 99 %) at 0.027.
# Colour shows the winning class,
# and a paler colour a less sure one.
#
# In the Playground (notebook 06), open `?preset=three_classes` (or pick *spiral3* or *blobs3*): the
# output switches to a softmax over three units by itself.

# %%
MultipleChoice(
    "A network with 10 hidden layers, all with the <b>linear</b> activation, ends in a softmax over "
    "<b>4</b> classes. Its class regions in the input plane are…",
    ["at most 4 convex regions, each bounded by straight lines",
     "any shapes, given enough layers and epochs",
     "two halves split by one straight line, as with two classes"],
    answer=0,
    why="it collapses to 4 affine scores w_k·x + b_k; class k wins where its score beats each of the "
        "others, and each of those comparisons is a half-plane, so each region is an intersection of "
        "half-planes: convex, with straight edges.",
    wrong_why={"any shapes, given enough layers and epochs":
               "layers of linear units multiply into one affine map, whatever their number.",
               "two halves split by one straight line, as with two classes":
               "each pair of classes has its own line where their scores tie, so there are up to 4 regions."})

# %% [markdown]
# ## What to remember
#
# - Sigmoid's slope is at most 0.25, and backpropagation multiplies by a slope and a weight matrix per
#   layer: in a deep sigmoid net the early layers get almost no gradient.
# - tanh and sigmoid networks compute the same set of functions; tanh trains faster here at every
#   learning rate tried, so the difference is in optimisation, not expressive power.
# - ReLU does not saturate for positive inputs, but a unit can fall silent and, in the first layer,
#   stay dead; that costs accuracy only when units are scarce. Leaky ReLU and GELU units fall silent
#   too, but can come back.
# - For K classes the output is a softmax over K units, and chance is a loss of ln K. A linear
#   network with a softmax still draws only straight lines: K convex regions.
#
# ## Exercises
#
# 1. Show that a ReLU network is **piecewise linear**: on each region of the input plane where every
#    unit's on/off state is fixed, the network is one affine map. Why does that make its decision
#    boundary a polygon (possibly open), and a tanh network's boundary smooth?
# 2. In section 4, rewrite `cu.tanh_as_sigmoid` the other way round: which weights and biases turn a
#    sigmoid network into a tanh network? Check your answer numerically with `np.allclose`.
# 3. Run the narrow study of section 3 with `hidden=(4,)`. Do dead ReLU units still cost accuracy?
#    Why does one spare unit change the answer?
#
# <details><summary>Answers</summary>
#
# 1. Fix which units are on. Each on-unit passes z unchanged, each off-unit outputs 0, so every layer
#    is affine and so is their composition. The regions are cut out by the units' lines (and, deeper,
#    by lines bent where earlier units switch), so the set where the logit is 0 is made of straight
#    pieces: a polygon or an open polyline. tanh has no such regions; its boundary curves smoothly.
# 2. sigmoid z = (1 + tanh(z/2)) / 2, so each sigmoid output s is (1 + t) / 2 with t = tanh(z/2). Halve
#    the first layer's weights and biases (its tanh then sees z/2). In every later layer, halve the
#    weights and add half the sum of each unit's incoming weights to its bias (it now reads t, not s);
#    if that layer is hidden, halve its weights and biases once more. `cu.tanh_as_sigmoid` of the
#    result gives back the original weights.
# 3. With four units, losing one still leaves three lines, enough for a triangle around the disc;
#    silence now costs little or nothing. When we ran it, one ReLU network of the eight ended with
#    a silent unit, and every run scored at least 98 % on the test set. Spare units are insurance.
#
# </details>
#
# **Homework:** `hw2` — write the classic activations and their derivatives, do one backpropagation
# step by hand, and train a network that solves the circle (`homework/README.md` says how to get it).
#
# **Summary.** Activations differ in how well they *train*, not in whether they bend the boundary:
# sigmoid saturates, ReLU units can die, and the smooth or leaky variants trade a little compute
# for safety. **Next →** [06 · the Playground](06_playground.ipynb): every knob at once.
