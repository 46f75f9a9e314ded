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
# # 6. The Playground
#
# Everything at once, left to right: data, features, network, output. Press **Play**; how to
# read each picture is explained below the dashboard.

# %%
from course_utils.widgets.playground import page_playground

page_playground()

# %% [markdown]
# ## What it is
#
# The TensorFlow Playground's experience inside Jupyter (served as a dashboard by Voila:
# `make dashboard`), plus what it lacks: every activation of this course (leaky ReLU and GELU
# too), a choice of optimizer, accuracy beside the loss, the gradient reaching each layer, a
# **rewind** slider, **Reset to the same initial weights**, presets from the URL, and exports.
#
# **What you see.** The big picture is the network's output over the whole input square:
# orange means class 0, blue class 1, white undecided (for the regression datasets *plane* and
# *multi_gauss*: orange negative, blue positive). Circles are training points, triangles test
# points (tick *show test data*). Beneath it: train (solid) and test (dashed) loss and accuracy.
# In the middle, the network itself: every neuron draws its own output over the input square, every
# weight is a line (blue positive, orange negative, thicker when larger) and every bias is a
# small square at its neuron's corner - the output unit's bias is written out. The bar chart
# under it shows how large the gradient reaching each weight matrix is, on a log scale: each
# step up the axis is ten times larger, so bars several steps shorter near the input are
# vanishing gradients.
#
# **Which loss?** Classification uses a sigmoid output with binary cross-entropy (a network
# that learned nothing scores ln 2 = 0.693); regression a linear output with squared error. The
# three-class datasets *spiral3* and *blobs3* get three output units with a softmax and
# cross-entropy (chance: ln 3 = 1.099): the picture then colours each point by its most probable
# class, paler where the network is less sure, and the network diagram labels each output unit with
# its class.
# The TensorFlow Playground uses squared error on a tanh output instead; the boundaries look
# the same.

# %% [markdown]
# **How to use it.** Every change of a control rebuilds the data and the network from their
# seeds and trains *train epochs* epochs (0: stay at epoch 0, then press Play). **Play** keeps
# training until **Pause**; **Step** trains a few epochs; **Reset** goes back to epoch 0 with
# exactly the same initial weights; **New data** draws a new sample. Drag **rewind** to see the
# boundary as it was earlier in training. **Export** makes download links for the settings and
# weights (JSON) and for the pictures (PNG), and prints a share link. If training diverges
# (try the `linear` activation at learning rate 10: it blows up in the first epoch) the dashboard
# says so in words and keeps the last good weights. Not every bad learning rate diverges: the
# default tanh network at learning rate 10 just trains badly, its training loss staying above
# the 0.693 of a network that learned nothing.

# %% [markdown]
# **Presets for a lesson.** Add settings to the dashboard's URL, and list the controls to
# hide, e.g. `…/06_playground.ipynb?dataset=circle&activation=linear&hide=activation`:
# circle data with a linear activation that learners cannot change. Parameters:
# `dataset`, `noise` (0-50), `train` (10-90), `features` (e.g. `x1,x2,x1^2`), `hidden`
# (e.g. `4,2`), `activation`, `learning_rate` (or `lr`), `optimizer`, `batch_size`,
# `regularization` (`none`, `l1`, `l2`), `reg_rate`, `epochs`, `seed`, `data_seed`,
# `show_test`, `discretize`, `hide` (any of those names, plus `play`, `rewind`,
# `export`, `network`, `gradients`, `regenerate`, `upload`, `hidden_space`), and `preset` (a named set of settings:
# `three_classes` is the three-arm spiral with tanh, `three_classes_linear` the same with a linear
# activation that cannot be changed; further parameters go on top). A wrong value is reported at the top of
# the dashboard with the valid choices; the rest of the preset still applies.
#
# Things to try: *circle* with `linear` (a straight line, loss stuck near 0.693); the same with
# the `x1^2` and `x2^2` inputs (solved without any nonlinearity); *spiral* with `relu` and
# six layers; `sigmoid` in six layers (watch the gradient bars near the input shrink); *spiral3*
# with `linear`, then `tanh` (three straight-edged regions, then three arms).

# %% [markdown]
# **Your own data.** *Upload CSV* reads a file of `x1,x2,label` rows (a header line is
# optional). With *labels are: auto*, whole numbers 0 to 4 are classes and anything else is
# a number to predict (regression); choose *classes* or *numbers* to decide yourself. The
# points are moved and scaled to fill the picture, and the line under the button says where
# the data came from. A file that cannot be read is explained in the status line, naming the
# line and the problem, and the data you had stays. Choose a class in *click adds* and click
# on the picture to add points of that class; *Use the dataset* goes back to the generated
# data. In code, give your arrays to the cell at the top: `page_playground(data=(X, y))`, with
# `X` of shape (n, 2) and `y` of shape (n,).
#
# **The hidden space.** Press *Hidden space* to see the training points as a hidden layer
# sees them: each point placed at the outputs of two units of that layer. In the last hidden
# layer of `hidden=4,2` the output unit reads just these two numbers, so its decision boundary
# is the straight line drawn there. Press Play on the circle (the default settings): by epoch
# 100 the hidden layers have pulled the two classes apart so that the line separates every
# training point - the curved boundary in the big picture is that line, seen through the
# hidden layers.
