# Small data sets bundled with funcnet (stored under _datasets/, loaded offline).
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

_DATA_DIR = Path(__file__).with_name("_datasets")

_DIGITS_DESCR = """\
Optical Recognition of Handwritten Digits (UCI Machine Learning Repository)
---------------------------------------------------------------------------

1797 grey-level images of the handwritten digits 0-9, each an 8x8 grid of
integer pixel values from 0 (white) to 16 (fully inked): 64 features per
image, 10 classes of about 180 images each, no missing values.

Each image started as a 32x32 black-and-white bitmap scanned from forms filled
in by 13 writers. The bitmap was cut into 64 non-overlapping 4x4 blocks and each
pixel value counts the inked bits in one block, which smooths out small
distortions.

Creators: E. Alpaydin and C. Kaynak, Bogazici University (1998). This copy is
the test part of the UCI data set, as bundled with scikit-learn
(``sklearn.datasets.load_digits``); licence CC BY 4.0. See
funcnet/data/_datasets/SOURCE.md for provenance and conversion.
"""


class Bunch(dict):
    """A dict whose keys are also attributes (``b.data is b["data"]``), like scikit-learn's.

    Example:
        >>> from funcnet.data import Bunch
        >>> b = Bunch(data=[1, 2])
        >>> b.data, sorted(b)
        ([1, 2], ['data'])
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.keys()))


def load_digits(*, n_class: int = 10, return_X_y: bool = False
                ) -> Bunch | tuple[np.ndarray, np.ndarray]:
    """Loads the UCI handwritten digits (1797 images of 8x8 pixels valued 0..16, 10 classes).

    The data ships inside funcnet, so this works offline. Semantics follow
    ``sklearn.datasets.load_digits``; the arrays are plain NumPy arrays (pass them to
    ``fnp.asarray`` or straight into funcnet functions), with funcnet's default dtypes.

    Args:
        n_class: keep only the digits ``0 .. n_class - 1`` (1 to 10).
        return_X_y: return ``(data, target)`` instead of a :class:`Bunch`.

    Returns:
        A :class:`Bunch` with ``data`` (float32 ``[n, 64]``, one flattened image per row),
        ``target`` (int32 ``[n]``, the digit), ``images`` (float32 ``[n, 8, 8]``),
        ``target_names`` (int32 ``[n_class]``), ``feature_names`` (``"pixel_<row>_<col>"``)
        and ``DESCR`` (a description of the data set); or the tuple ``(data, target)``.

    Raises:
        ValueError: ``n_class`` outside 1..10.

    Example:
        >>> from funcnet.data import load_digits
        >>> digits = load_digits()
        >>> digits.data.shape, digits.data.dtype, digits.images.shape
        ((1797, 64), dtype('float32'), (1797, 8, 8))
        >>> digits.target[:10].tolist()
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        >>> X, y = load_digits(n_class=2, return_X_y=True)
        >>> X.shape, sorted(set(y.tolist()))
        ((360, 64), [0, 1])
    """
    if isinstance(n_class, bool) or not isinstance(n_class, (int, np.integer)) \
            or not 1 <= n_class <= 10:
        raise ValueError(f"funcnet.data.load_digits: n_class must be an int in 1..10, got "
                         f"{n_class!r}")
    with np.load(_DATA_DIR / "digits.npz", allow_pickle=False) as f:
        pixels, target = f["pixels"], f["target"]
    if n_class < 10:
        keep = target < n_class
        pixels, target = pixels[keep], target[keep]
    data = pixels.astype(np.float32)
    target = target.astype(np.int32)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=data.reshape(-1, 8, 8).copy(),
        target_names=np.arange(n_class, dtype=np.int32),
        feature_names=[f"pixel_{r}_{c}" for r in range(8) for c in range(8)],
        DESCR=_DIGITS_DESCR,
    )
