"""funcnet.data: input pipelines and small bundled data sets.

Example:
    >>> from funcnet.data import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> X.shape, y.shape
    ((1797, 64), (1797,))
"""

from ._datasets import Bunch as Bunch
from ._datasets import load_digits as load_digits

__all__ = ["Bunch", "load_digits"]
