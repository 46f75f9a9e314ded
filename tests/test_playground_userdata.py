"""The Playground with the learner's own data (CSV upload, ``data=(X, y)``) and the hidden-space
view, driven through the real widgets' callbacks (as in tests/test_playground.py)."""
import base64
import datetime
import re

import numpy as np
import pytest

from course_utils import featurize
from course_utils import inspection as ins
from course_utils.userdata import parse_csv
from course_utils.widgets.playground import Playground

from test_userdata import CORPUS

CSV = b"x1,x2,label\n" + b"".join(f"{np.cos(t):.4f},{np.sin(t):.4f},{int(i % 3 == 0)}\n".encode()
                                  for i, t in enumerate(np.linspace(0, 6, 60)))


def small(**values):
    values.setdefault("epochs", 20)
    return Playground(resolution=40, node_resolution=10, **values)


def upload(pg, content: bytes, name: str = "mine.csv"):
    """What the browser sends when a file is chosen (ipywidgets 8: a list of dicts)."""
    pg.data_upload.upload.value = [{"name": name, "type": "text/csv", "size": len(content),
                                    "content": memoryview(content),
                                    "last_modified": datetime.datetime.now(datetime.timezone.utc)}]


def points_of(run):
    return np.concatenate([run.X_train, run.X_test]), np.concatenate([run.y_train, run.y_test])


def same_points(run, data):
    X, y = points_of(run)
    order, ref = np.lexsort(X.T), np.lexsort(data.X.T)
    return np.array_equal(X[order], data.X[ref]) and np.array_equal(y[order], data.y[ref])


@pytest.fixture(scope="module")
def loaded():
    pg = small()
    upload(pg, CSV)
    return pg


def test_an_uploaded_file_is_trained_on_and_said_where_it_came_from(loaded):
    pg = loaded
    assert pg.errors == []
    data = parse_csv(CSV, "mine.csv")
    assert same_points(pg.run, data)
    assert pg.run.epoch == 20 and "final loss" in pg.status.value
    assert pg.data_source() == "uploaded: mine.csv, 60 rows, 2 classes"
    assert "uploaded: mine.csv, 60 rows" in pg.data_upload.source.value
    assert "scaled" in pg.data_upload.source.value  # the unit circle was fitted into the view
    assert pg.export_dict()["data"] == "uploaded: mine.csv, 60 rows, 2 classes"
    assert pg.data_upload.upload.value == ()  # the file is not kept in the page
    assert pg.data_upload.back_button.layout.display is None


@pytest.mark.parametrize("case", list(CORPUS))
def test_a_bad_file_shows_its_message_and_the_data_stays(loaded, case):
    pg = loaded
    content, task, words = CORPUS[case]
    pg.data_upload.labels.value = task  # (re-reads mine.csv that way: the data in use now)
    run, data, png = pg.run, pg.user_data, pg.image.value
    errors = len(pg.errors)
    upload(pg, content, "f.csv")
    assert len(pg.errors) == errors + 1
    status = pg.status.value
    assert "Error: f.csv" in status and "Traceback" not in status and "Something went wrong" not in status
    for word in words:
        assert word.replace("'", "&#x27;") in status, (case, status)
    assert pg.run is run and pg.user_data is data and pg.image.value == png
    pg.data_upload.labels.value = "auto"  # re-reads the file in use, not the bad one
    assert pg.user_data.name == "mine.csv" and len(pg.errors) == errors + 1


def test_export_writes_the_data_and_uploading_it_gives_the_same_run(loaded):
    pg = loaded
    pg.export()
    m = re.search(r'download="mine.csv" href="data:text/csv;base64,([^"]+)"', pg.export_links.value)
    assert m, pg.export_links.value
    exported = base64.b64decode(m.group(1))
    assert exported == pg.data_csv()
    again = small()
    upload(again, exported, "mine.csv")
    assert again.errors == []
    assert again.user_data.X.tobytes() == pg.user_data.X.tobytes()
    assert again.user_data.y.tobytes() == pg.user_data.y.tobytes()
    assert again.final() == pg.final()  # same data, same settings: the same numbers
    assert "share the CSV too" in pg.export_links.value


def test_generated_data_is_exported_too():
    pg = small()
    pg.export()
    assert 'download="circle.csv"' in pg.export_links.value
    back = parse_csv(pg.data_csv(), "circle.csv")
    assert back.rows == 500 and back.n_classes == 2


def test_data_in_the_kernel_trains_and_bad_arrays_raise():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(80, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    pg = small(data=(X, y), activation="linear", learning_rate=0.3)
    assert pg.errors == [] and pg.data_source() == "uploaded: your data, 80 rows, 2 classes"
    assert same_points(pg.run, pg.user_data)
    assert pg.final()["train_accuracy"] > 0.9  # a linear problem
    with pytest.raises(ValueError, match="row 3, column 1"):
        X[2, 0] = np.inf
        small(data=(X, y))


def test_a_regression_file_trains_a_linear_output():
    content = b"".join(f"{i % 10},{i // 10},{(i % 10 + i // 10) * 3}\n".encode() for i in range(100))
    pg = small(learning_rate=0.01)
    upload(pg, content, "plane.csv")
    assert pg.errors == [] and pg.run.net.task == "regression"
    assert pg.user_data.task == "regression" and np.abs(pg.user_data.y).max() == 1.0
    assert "squared error" in pg.loss_note.value


def test_the_labels_choice_rereads_the_file():
    content = b"0,0,0\n1,0,1\n0,1,1\n1,1,0\n2,2,1\n"
    pg = small()
    upload(pg, content, "c.csv")
    assert pg.run.net.task == "classification"
    pg.data_upload.labels.value = "regression"
    assert pg.errors == [] and pg.run.net.task == "regression"
    assert pg.data_source() == "uploaded: c.csv, 5 rows, numbers (regression)"


def test_choosing_a_dataset_or_the_button_goes_back_to_generated_data():
    pg = small()
    upload(pg, CSV)
    pg.set(dataset="xor")
    assert pg.user_data is None and pg.run.settings.dataset == "xor" and len(points_of(pg.run)[0]) == 500
    upload(pg, CSV)
    assert pg.user_data is not None
    pg.data_upload.back_button.click()
    assert pg.user_data is None and len(points_of(pg.run)[0]) == 500
    assert pg.data_upload.back_button.layout.display == "none"
    assert "generated: xor, 500 points" in pg.data_upload.source.value


def test_new_data_draws_a_new_split_of_the_uploaded_points(loaded):
    pg = loaded
    before = pg.run.X_train.copy()
    pg.regenerate()
    assert not np.array_equal(before, pg.run.X_train) and same_points(pg.run, pg.user_data)


THREE = b"".join(f"{np.cos(2 * k)},{np.sin(2 * k)},{k}\n".encode() for k in range(3)) * 5


def test_three_classes_train_a_softmax_output_and_click_in_any_class():
    pg = small(activation="tanh", learning_rate=0.3, epochs=60)
    upload(pg, THREE, "three.csv")
    assert pg.errors == [] and pg.data_source() == "uploaded: three.csv, 15 rows, 3 classes"
    assert pg.run.net.output.name == "softmax" and pg.run.net.layer_sizes[-1] == 3
    assert "ln 3" in pg.loss_note.value
    assert [v for _, v in pg.data_upload.click_class.options] == [None, 0, 1, 2]
    pg.add_point(1.0, -1.0, 2)
    assert pg.user_data.rows == 16 and pg.user_data.y[-1] == 2 and pg.errors == []
    pg.hidden_space.toggle.value = True
    assert pg.errors == [] and pg.hidden_space.space.line is None  # three classes: no single line
    assert "3 classes" in pg.hidden_space.view.artists["title"].get_text()
    labels = [t.get_text() for t in pg.hidden_space.view.ax.get_legend().get_texts()]
    assert labels == ["class 0", "class 1", "class 2"]
    pg.export()
    back = parse_csv(pg.data_csv(), "three.csv")
    assert back.n_classes == 3 and back.rows == 16


def test_hide_covers_the_new_controls():
    pg = small(hide=("upload", "hidden_space"))
    assert pg.is_hidden("upload") and pg.is_hidden("hidden_space")
    assert not small().is_hidden("upload")


# ------------------------------------------------------------------ the hidden space
def test_hidden_space_is_off_until_toggled_then_shows_the_last_layer_with_its_line():
    pg = small(hidden=(4, 2), activation="tanh", learning_rate=0.3)
    hs = pg.hidden_space
    assert hs.space is None and hs.body.layout.display == "none"  # nothing computed while off
    hs.toggle.value = True
    assert pg.errors == [] and hs.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert hs.layer.value == 1 and (hs.unit_x.value, hs.unit_y.value) == (0, 1)
    run = pg.run
    H = run.net.hidden_outputs(featurize(run.X_train, run.settings.features))[1]  # (n, 2)
    np.testing.assert_array_equal(hs.space.coords, H)  # coordinates = the layer's activations
    w, b = hs.space.line  # the output reads these two units only: its line is exact
    np.testing.assert_allclose(hs.space.coords @ w + b, run.net.logits(featurize(run.X_train, ("x1", "x2"))),
                               atol=1e-12)
    assert hs.view.artists["line"].get_visible()


def test_hidden_space_moves_live_during_play_with_the_same_artists():
    pg = small(hidden=(4, 2), epochs=0, learning_rate=0.3)
    hs = pg.hidden_space
    hs.toggle.value = True
    points, png = hs.view.artists["points"], hs.image.value
    before = hs.space.coords.copy()
    pg.play()
    pg.tick()
    pg.tick()
    assert pg.run.epoch == 2 * pg.epochs_per_frame
    assert hs.view.artists["points"] is points and hs.image.value != png
    assert not np.allclose(hs.space.coords, before)
    H = pg.run.net.hidden_outputs(featurize(pg.run.X_train, ("x1", "x2")))[1]
    np.testing.assert_array_equal(hs.space.coords, H)
    pg.pause()
    hs.toggle.value = False
    shown = hs.space
    pg.step()
    assert hs.space is shown  # off: not computed


def test_a_wider_layer_offers_two_units_and_draws_no_line():
    pg = small(hidden=(4, 2))
    hs = pg.hidden_space
    hs.toggle.value = True
    hs.layer.value = 0
    assert [v for _, v in hs.unit_x.options] == [0, 1, 2, 3]
    hs.unit_y.value = 3
    run = pg.run
    H = run.net.hidden_outputs(featurize(run.X_train, ("x1", "x2")))[0]
    np.testing.assert_array_equal(hs.space.coords, H[:, [0, 3]])
    assert hs.space.line is None and not hs.view.artists["line"].get_visible()
    assert "does not read these units" in hs.view.artists["title"].get_text()
    assert pg.errors == []
    pg.set(hidden=(3,))  # the layer choice follows the network
    assert [v for _, v in hs.layer.options] == [0] and len(hs.unit_x.options) == 3
    assert hs.space.coords.shape == (len(pg.run.X_train), 2) and hs.space.line is None  # 2 of 3 units
    pg.set(hidden=())
    assert "no hidden layer" in hs.note.value and pg.errors == []


def test_hidden_space_works_on_uploaded_and_regression_data():
    pg = small(hidden=(2,))
    upload(pg, CSV)
    pg.hidden_space.toggle.value = True
    assert pg.errors == [] and pg.hidden_space.space.line is not None
    pg.set(dataset="plane")
    assert pg.errors == [] and pg.hidden_space.space.line is None  # regression: no decision line
    assert "regression" in pg.hidden_space.view.artists["title"].get_text()


def test_hidden_space_values_match_inspection(loaded):
    pg = loaded
    pg.hidden_space.toggle.value = True
    space = ins.hidden_space(pg.run, pg.run.X_train, method="units", layer=-1, units=(0, 1))
    np.testing.assert_array_equal(pg.hidden_space.space.coords, space.coords)
    pg.hidden_space.toggle.value = False


# ------------------------------------------------------------------ click to add a point
def _pixel_of(view, x1, x2):
    """The PNG pixel (from its top-left corner) showing the input point (x1, x2)."""
    px, py = view.ax_boundary.transData.transform((x1, x2))
    return px, view.fig.get_figheight() * view.fig.dpi - py


def test_a_click_on_the_picture_adds_a_point_of_the_chosen_class():
    pg = small()
    assert pg.clicks is not None and pg.clicks.watched_events == ["click"]
    px, py = _pixel_of(pg.view, 2.0, -3.0)
    pg.on_click({"dataX": px, "dataY": py})  # "off": nothing happens
    assert pg.user_data is None
    pg.data_upload.click_class.value = 1
    pg.on_click({"dataX": px, "dataY": py})
    assert pg.errors == []
    np.testing.assert_allclose(pg.user_data.X[-1], [2.0, -3.0], atol=0.05)  # within a pixel
    assert pg.user_data.y[-1] == 1 and pg.user_data.rows == 501
    assert pg.data_source() == "generated: circle, 501 rows (1 added by clicking), 2 classes"
    assert same_points(pg.run, pg.user_data)
    pg.on_click({"dataX": 2, "dataY": 2})  # the margin, outside the picture: nothing
    assert pg.user_data.rows == 501
    pg.add_point(0.0, 0.0, 0)
    assert pg.user_data.rows == 502 and "2 added by clicking" in pg.data_upload.source.value
    assert parse_csv(pg.data_csv(), "x.csv").rows == 502  # exported with the clicked points


def test_clicking_on_regression_data_says_why_not():
    pg = small(dataset="plane")
    assert [v for _, v in pg.data_upload.click_class.options] == [None]  # no class to offer
    with pytest.raises(ValueError, match="regression"):
        pg._generated_data().with_point(0, 0, 1)


def test_on_the_default_circle_the_hidden_space_line_separates_every_point_by_epoch_100():
    pg = small(epochs=100)  # the Playground's defaults: tanh, hidden 4,2, lr 0.03, batch 10
    pg.hidden_space.toggle.value = True
    space = pg.hidden_space.space
    w, b = space.line
    assert np.mean((space.coords @ w + b > 0) == pg.run.y_train) == 1.0
