# Importing this package registers every primitive (see STYLE.md rule 1).
from . import conv, elementwise, indexing, linalg, random, reduction, shape  # noqa: F401
