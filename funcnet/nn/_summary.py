# nn.summary (Keras-style table), nn.plot_model (Graphviz DOT), nn.count_params.
from __future__ import annotations

import math
import os
import shutil
import subprocess
import warnings
from collections.abc import Callable

from .. import tree as tree_util
from ..errors import ConcretizationError, TracerLeakError
from ._layer import (
    _restore_batch,
    _scope,
    abstract_init,
    apply_aval,
    default_input_dtype,
    normalize_shape,
)
from ._sequential import Sequential


def count_params(tree) -> int:
    """The number of scalars in a pytree of arrays (params, state, or their ShapedArrays).

    Example:
        >>> import funcnet
        >>> from funcnet import nn
        >>> params, _ = nn.Dense(10).init(funcnet.random.key(0), (None, 5))
        >>> nn.count_params(params)
        60
    """
    return sum(math.prod(x.shape) for x in tree_util.leaves(tree))


def _fmt_shape(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + (
        ",)" if len(shape) == 1 else ")")


def _layer_init_avals(layer, shape):
    try:
        return abstract_init(layer, shape)
    except (ConcretizationError, TracerLeakError):
        import funcnet
        return layer.init(funcnet.random.key(0), shape)


def _rows(model, input_shape):
    """One row per layer: (name, type, in shape, out shape, trainable, non-trainable)."""
    if isinstance(model, Sequential):
        layers, names = model.layers, model.layer_names
        if input_shape is None:
            input_shape = model.batch_input_shape
    else:
        layers = [model]
        names = [getattr(model, "name", None) or type(model).__name__.lower()]
        if input_shape is None:
            input_shape = getattr(model, "batch_input_shape", None)
    if input_shape is None:
        raise ValueError("nn.summary: no input_shape given and the model declares none; call "
                         "summary(model, input_shape=(None, features))")
    shape = normalize_shape(input_shape)
    dtype = default_input_dtype(layers[0]) if layers else None
    rows = []
    for name, layer in zip(names, layers, strict=True):
        with _scope(name):
            p, s = _layer_init_avals(layer, shape)
            out = apply_aval(layer, p, s, shape, dtype)
        out_shape = _restore_batch(shape, out.shape)
        trainable = getattr(layer, "trainable", True)
        n_p, n_s = count_params(p), count_params(s)
        rows.append((name, type(layer).__name__, shape, out_shape,
                     n_p if trainable else 0, n_s + (0 if trainable else n_p)))
        shape, dtype = out_shape, out.dtype
    return rows, shape


def _bytes(n_params: int) -> str:
    b = 4 * n_params
    for unit in ("B", "KB", "MB", "GB"):
        if b < 1024 or unit == "GB":
            return f"{b:.2f} {unit}" if unit != "B" else f"{b} B"
        b /= 1024
    return ""  # pragma: no cover


def summary(model, input_shape=None, print_fn: Callable[[str], None] | None = print,
            line_length: int = 80) -> str:
    """Prints and returns a Keras-style summary table of a layer or Sequential.

    Columns: ``Layer (type)``, ``Output Shape``, ``Param #``; then total, trainable and
    non-trainable parameter counts (BatchNorm running statistics are non-trainable). Shapes
    come from abstract evaluation: nothing is computed.

    Args:
        model: a Sequential or any layer.
        input_shape: input shape with batch dim (may be None); optional when the first layer
            declares ``input_shape=`` / ``input_dim=``.
        print_fn: where to print (``None``: do not print).
        line_length: table width.

    Returns:
        The table as a string.

    Example:
        >>> from funcnet import nn
        >>> model = nn.Sequential([nn.Dense(64, activation="relu", input_dim=100),
        ...                        nn.Dense(10, activation="softmax")])
        >>> _ = nn.summary(model)  # doctest: +NORMALIZE_WHITESPACE
        Model: "sequential"
        ________________________________________________________________________________
         Layer (type)                         Output Shape                      Param #
        ================================================================================
         dense (Dense)                        (None, 64)                          6,464
        ________________________________________________________________________________
         dense_1 (Dense)                      (None, 10)                            650
        ================================================================================
        Total params: 7,114 (27.79 KB)
        Trainable params: 7,114 (27.79 KB)
        Non-trainable params: 0 (0 B)
        ________________________________________________________________________________
    """
    rows, _ = _rows(model, input_shape)
    w = max(int(line_length), 60)
    labels = [f"{n} ({t})" for n, t, *_ in rows]
    shapes = [_fmt_shape(r[3]) for r in rows]
    c1 = max(int(w * 0.45), max(map(len, labels), default=0) + 3)
    c2 = max(int(w * 0.35), max(map(len, shapes), default=0) + 2)
    c3 = max(w - int(w * 0.45) - int(w * 0.35), 12)
    w = c1 + c2 + c3
    name = getattr(model, "name", None) or type(model).__name__
    lines = [f'Model: "{name}"', "_" * w,
             f" {'Layer (type)':<{c1 - 1}}{'Output Shape':<{c2}}{'Param #':>{c3}}", "=" * w]
    for i, (label, shape, row) in enumerate(zip(labels, shapes, rows, strict=True)):
        lines.append(f" {label:<{c1 - 1}}{shape:<{c2}}{row[4] + row[5]:>{c3},}")
        lines.append("=" * w if i == len(rows) - 1 else "_" * w)
    trainable = sum(r[4] for r in rows)
    non = sum(r[5] for r in rows)
    lines += [f"Total params: {trainable + non:,} ({_bytes(trainable + non)})",
              f"Trainable params: {trainable:,} ({_bytes(trainable)})",
              f"Non-trainable params: {non:,} ({_bytes(non)})", "_" * w]
    text = "\n".join(lines)
    if print_fn is not None:
        print_fn(text)
    return text


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _label(parts) -> str:
    return "\\n".join(_dot_escape(p) for p in parts)  # DOT line break: backslash-n


def plot_model(model, input_shape=None, to_file: str = "model.dot", show_shapes: bool = True,
               rankdir: str = "TB", dpi: int = 96) -> str:
    """Writes the model's layer graph as Graphviz DOT, and renders an image when the Graphviz
    ``dot`` program is installed.

    ``to_file`` ending in ``.dot`` / ``.gv`` gets the DOT text (and a ``.png`` next to it when
    ``dot`` exists); ending in ``.png`` / ``.svg`` / ``.pdf`` (Keras' habit) gets the image and
    the DOT text goes next to it (a UserWarning says so when ``dot`` is missing).

    Args:
        model: a Sequential or any layer.
        input_shape: as in :func:`summary`.
        to_file: output path.
        show_shapes: put input / output shapes in the nodes.
        rankdir: Graphviz direction (``"TB"`` top-bottom, ``"LR"`` left-right).
        dpi: image resolution.

    Returns:
        The DOT source.

    Example:
        >>> import os, tempfile
        >>> from funcnet import nn
        >>> model = nn.Sequential([nn.Dense(4, input_dim=3)])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.dot")
        >>> print(nn.plot_model(model, to_file=path).splitlines()[0])
        digraph "sequential" {
    """
    rows, _ = _rows(model, input_shape)
    name = getattr(model, "name", None) or type(model).__name__
    out = [f'digraph "{_dot_escape(name)}" {{', f"  rankdir={rankdir};",
           f"  graph [dpi={int(dpi)}];",
           '  node [shape=box, style="rounded", fontname="Helvetica"];']
    first_in = rows[0][2] if rows else ()
    parts = ["Input"] + ([_fmt_shape(first_in)] if show_shapes else [])
    out.append(f'  input [label="{_label(parts)}", shape=oval];')
    prev = "input"
    for i, (n, t, sin, sout, _, _) in enumerate(rows):
        parts = [f"{n} ({t})"]
        if show_shapes:
            parts += [f"in: {_fmt_shape(sin)}", f"out: {_fmt_shape(sout)}"]
        out.append(f'  n{i} [label="{_label(parts)}"];')
        out.append(f"  {prev} -> n{i};")
        prev = f"n{i}"
    out.append("}")
    dot = "\n".join(out) + "\n"

    root, ext = os.path.splitext(to_file)
    ext = ext.lower()
    image_exts = (".png", ".svg", ".pdf", ".jpg", ".jpeg")
    dot_path = to_file if ext not in image_exts else root + ".dot"
    with open(dot_path, "w", encoding="utf-8") as f:
        f.write(dot)
    image = to_file if ext in image_exts else root + ".png"
    exe = shutil.which("dot")
    if exe is not None:
        fmt = os.path.splitext(image)[1][1:].replace("jpg", "jpeg")
        subprocess.run([exe, f"-T{fmt}", dot_path, "-o", image], check=True,
                       capture_output=True)
    elif ext in image_exts:
        warnings.warn(f"nn.plot_model: Graphviz 'dot' is not installed, so {to_file} was not "
                      f"rendered; the graph is in {dot_path} (install graphviz, or render it "
                      f"with any DOT viewer)", UserWarning, stacklevel=2)
    return dot
