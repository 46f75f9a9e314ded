import numpy as np
import pytest

from course_utils import DATASETS, FEATURES, REGRESSION_DATASETS, featurize, make_dataset, train_test_split


@pytest.mark.parametrize("name", list(DATASETS))
def test_shapes_dtypes_and_labels(name):
    X, y = make_dataset(name, n_samples=301, noise=0.2, seed=3)
    assert X.shape == (301, 2) and X.dtype == np.float64
    assert y.shape == (301,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(DATASETS[name].n_classes))  # labels 0 ... K-1, each one used
    assert np.isfinite(X).all()
    assert np.abs(X).max() < 8  # Playground units: within about [-6, 6]


@pytest.mark.parametrize("name", list(DATASETS) + list(REGRESSION_DATASETS))
def test_same_seed_same_data_and_different_seed_differs(name):
    a = make_dataset(name, seed=7, noise=0.1)
    b = make_dataset(name, seed=7, noise=0.1)
    c = make_dataset(name, seed=8, noise=0.1)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_circle_shape_matches_playground():
    X, y = make_dataset("circle", n_samples=1000, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() <= 2.5 and r[y == 0].min() >= 3.5 and r.max() <= 5
    assert (y == 1).sum() == 500


def test_circle_noise_flips_labels_near_the_boundary_only():
    X0, y0 = make_dataset("circle", n_samples=2000, noise=0.0, seed=1)
    assert ((np.hypot(*X0.T) < 2.5) == (y0 == 1)).all()
    X1, y1 = make_dataset("circle", n_samples=2000, noise=0.1, seed=1)
    r = np.hypot(*X1.T)
    wrong = (r < 2.5) != (y1 == 1)
    assert wrong.any()  # noise does flip some labels
    # A jitter of at most 0.5 per coordinate moves a point at most 0.71 radially, so only
    # disc points within 0.71 of its edge can be mislabelled (the ring starts at 3.5).
    assert (r[wrong] > 2.5 - 0.71).all() and (r[wrong] <= 2.5).all()


def test_xor_labels_and_padding():
    X, y = make_dataset("xor", n_samples=800, seed=2)
    assert np.all(np.abs(X) >= 0.3)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))


def test_gauss_noise_widens_clusters():
    tight, _ = make_dataset("gauss", n_samples=2000, noise=0.0, seed=0)
    wide, _ = make_dataset("gauss", n_samples=2000, noise=0.5, seed=0)
    # within-cluster variance 0.5 -> 4
    assert np.var(tight[:1000, 0]) == pytest.approx(0.5, rel=0.15)
    assert np.var(wide[:1000, 0]) == pytest.approx(4.0, rel=0.15)


def test_spiral_noise_free_follows_the_formula():
    X, y = make_dataset("spiral", n_samples=200, seed=0)
    i = np.arange(100)
    r, t = 5 * i / 100, 1.75 * 2 * np.pi * i / 100
    np.testing.assert_allclose(X[:100], np.column_stack([r * np.sin(t), r * np.cos(t)]), atol=1e-12)


def test_regression_targets():
    X, y = make_dataset("plane", n_samples=100, seed=0)
    np.testing.assert_allclose(y, X.sum(axis=1) / 10)
    X, y = make_dataset("multi_gauss", n_samples=500, seed=0)
    assert y.dtype == np.float64 and y.min() >= -1 and y.max() <= 1 and (y > 0.5).any() and (y < -0.5).any()


@pytest.mark.parametrize("kwargs, words", [
    (dict(name="circles"), "circle"),
    (dict(name="circle", noise=0.9), "noise"),
    (dict(name="circle", noise=-0.1), "noise"),
    (dict(name="circle", n_samples=0), "n_samples"),
    (dict(name="circle", n_samples=2.5), "n_samples"),
])
def test_bad_arguments_are_explained(kwargs, words):
    with pytest.raises(ValueError, match=words):
        make_dataset(**kwargs)


def test_split_is_a_partition_and_does_not_touch_inputs():
    X, y = make_dataset("xor", n_samples=101, seed=0)
    X0, y0 = X.copy(), y.copy()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_fraction=0.3, seed=5)
    assert len(Xte) == 30 and len(Xtr) == 71
    assert sorted(map(tuple, np.vstack([Xtr, Xte]))) == sorted(map(tuple, X))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    again = train_test_split(X, y, test_fraction=0.3, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(again, (Xtr, Xte, ytr, yte)))
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(X, y, test_fraction=1.0)


def test_features_table_and_featurize():
    assert list(FEATURES) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    F = featurize(X, ["x1^2", "x1*x2", "sin(x2)"])
    np.testing.assert_allclose(F, [[1, 2, np.sin(2)], [9, -1.5, np.sin(0.5)]])
    with pytest.raises(ValueError, match="x1\\^2"):
        featurize(X, ["x3"])


def test_the_multiclass_sets_are_listed_with_their_class_count():
    assert {n: d.n_classes for n, d in DATASETS.items() if d.n_classes != 2} == {"spiral3": 3, "blobs3": 3}
    assert all(d.n_classes is None for d in REGRESSION_DATASETS.values())
    for name in ("spiral3", "blobs3"):
        _, y = make_dataset(name, n_samples=301, seed=0)
        assert np.bincount(y).tolist() == [101, 100, 100]  # as even as 301 points allow
    with pytest.raises(ValueError, match="at least 3"):
        make_dataset("spiral3", n_samples=2)


def test_spiral3_arms_are_rotated_copies_of_each_other():
    X, y = make_dataset("spiral3", n_samples=300, seed=0)  # noise 0: the arms exactly
    turn = 2 * np.pi / 3
    R = np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])  # x = r sin t, y = r cos t
    np.testing.assert_allclose(X[y == 0] @ R.T, X[y == 1], atol=1e-12)
    np.testing.assert_allclose(np.hypot(*X[y == 2].T).max(), 5.0)


def test_blobs3_centres_sit_on_a_circle_of_radius_3():
    X, y = make_dataset("blobs3", n_samples=3000, seed=0)
    centres = np.array([X[y == k].mean(axis=0) for k in range(3)])
    np.testing.assert_allclose(np.hypot(*centres.T), 3.0, atol=0.1)
    assert centres[0, 1] > 2.8  # class 0 straight up
