"""Tests for the bundled digits data set (funcnet.data.load_digits)."""

import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pytest

import funcnet.data as data

NPZ = Path(data.__file__).parent / "_datasets" / "digits.npz"
# per-class counts of the 1797 samples (digits 0..9), as in scikit-learn's copy
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_bunch_fields_shapes_and_dtypes(digits):
    assert set(digits) >= {"data", "target", "images", "target_names", "DESCR", "feature_names"}
    assert digits.data.shape == (1797, 64) and digits.data.dtype == np.float32
    assert digits.target.shape == (1797,) and digits.target.dtype == np.int32
    assert digits.images.shape == (1797, 8, 8) and digits.images.dtype == np.float32
    assert digits.target_names.tolist() == list(range(10))
    assert len(digits.feature_names) == 64 and digits.feature_names[9] == "pixel_1_1"
    assert "Alpaydin" in digits.DESCR and "CC BY 4.0" in digits.DESCR
    assert digits.data is digits["data"]
    np.testing.assert_array_equal(digits.images.reshape(1797, 64), digits.data)


def test_values_are_integer_pixels_0_to_16(digits):
    x = digits.data
    assert x.min() == 0 and x.max() == 16
    assert np.array_equal(x, np.round(x))
    # every pixel position is used by some image except a few border pixels
    assert (x.max(axis=0) > 0).sum() >= 60


def test_class_counts(digits):
    counts = np.bincount(digits.target, minlength=10)
    assert counts.tolist() == CLASS_COUNTS
    assert counts.sum() == 1797 and all(170 <= c <= 190 for c in counts)


def test_return_X_y(digits):
    X, y = data.load_digits(return_X_y=True)
    assert isinstance(X, np.ndarray) and isinstance(y, np.ndarray)
    np.testing.assert_array_equal(X, digits.data)
    np.testing.assert_array_equal(y, digits.target)


def test_n_class():
    X, y = data.load_digits(n_class=3, return_X_y=True)
    assert X.shape == (sum(CLASS_COUNTS[:3]), 64)
    assert sorted(set(y.tolist())) == [0, 1, 2]
    assert data.load_digits(n_class=3).target_names.tolist() == [0, 1, 2]
    for bad in (0, 11, 2.5, True):
        with pytest.raises(ValueError, match="n_class"):
            data.load_digits(n_class=bad)


def test_results_are_independent_copies():
    a = data.load_digits()
    a.data[0, 0] = 99.0
    assert data.load_digits().data[0, 0] == 0.0


def test_npz_is_plain_arrays_without_pickle():
    with zipfile.ZipFile(NPZ) as z:
        assert sorted(z.namelist()) == ["pixels.npy", "target.npy"]
    with np.load(NPZ, allow_pickle=False) as f:
        pixels, target = f["pixels"], f["target"]
    assert pixels.dtype == np.uint8 and pixels.shape == (1797, 64)
    assert target.dtype == np.uint8 and target.shape == (1797,)
    # the digests recorded in funcnet/data/_datasets/SOURCE.md
    assert hashlib.sha256(pixels.tobytes()).hexdigest() == (
        "8f26b2bd9d135c256808f68f14fdabddde6d9c7f869ae419704b051f0f14b3b3")
    assert hashlib.sha256(target.tobytes()).hexdigest() == (
        "8ba4f891220f5e4c9c819638d1602d74b83618f167043c6da52a2a247841ddf0")


def test_source_notes_ship_with_the_data():
    text = (NPZ.parent / "SOURCE.md").read_text()
    assert "CC BY 4.0" in text and "scikit-learn" in text and "Alpaydin" in text
