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
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Why activation functions matter
#
# Welcome. This course answers one question by letting you watch it happen:
# **why does a neural network need a nonlinear activation function?**
#
# A layer of a network computes an affine map, `W x + b`, and then applies an activation.
# Take the activation away (make it *linear*) and stacking layers gains you nothing:
# two affine maps in a row are one affine map, so a deep linear network can only ever draw a
# straight line through your data. The lessons show this in algebra, in numbers and in
# pictures, then show what each kind of nonlinearity buys you.
#
# | lesson | what you will see |
# |---|---|
# | [01 Composite linear functions](01_composite_linear_functions.ipynb) | a stack of linear layers collapses into one; a grid pushed through them stays straight |
# | [02 Scenario 1](02_scenario1_gauss.ipynb) | separable clusters: a linear network is all you need |
# | [03 Scenario 2](03_scenario2_circle_linear.ipynb) | a circle: the linear network is stuck at a loss of ln 2 - try to beat it |
# | [04 Scenario 3](04_scenario3_circle_sigmoid.ipynb) | the same circle with a sigmoid activation: the boundary bends around it |
# | [05 Activation flavours](05_activation_flavours.ipynb) | sigmoid, tanh, ReLU, leaky ReLU, GELU: what each fixes and what it costs |
# | [06 The Playground](06_playground.ipynb) | everything at once, as a dashboard |
#
# Every network in the course ends in one **sigmoid output unit trained with binary
# cross-entropy** (the TensorFlow Playground uses squared error on a tanh output instead).
# Every idea comes three ways: a short explanation, a static figure, and a live panel of
# controls that retrains the network while you move them.
#
# **How to work through it:** open each notebook in order and run it from the top
# (*Run > Run All Cells*). The library behind the lessons is `course_utils`; you never need
# to read it, but it is short and commented if you want to.
#

# %% [markdown]
# ## Check your set-up
#
# Run the two cells below. The first prints the library's version. The second shows a slider:
# drag it (or click it and use the arrow keys) and the text beside it should change.
# If you see a slider, interactive widgets work and the live panels in the lessons will too.
# If you see `IntSlider(...)` as plain text instead, your Jupyter is missing `ipywidgets`:
# run `make lab` from the course folder, which installs everything.
#

# %%
# NBVAL_CHECK_OUTPUT
import course_utils

print(f"course_utils {course_utils.__version__}: "
      f"{len(course_utils.ACTIVATIONS)} activations, {len(course_utils.DATASETS)} datasets")

# %%
import ipywidgets as widgets

slider = widgets.IntSlider(value=3, min=0, max=10, description="Hidden layers")
echo = widgets.Label()
widgets.dlink((slider, "value"), (echo, "value"), lambda v: f"a network with {v} hidden layer(s)")
widgets.HBox([slider, echo])
