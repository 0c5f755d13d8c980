#!/usr/bin/env python3
"""Generate the optax reference fixtures that tests/test_optim.py compares funcnet.optim with.

Run from the repository root:

    python3 scripts/gen_optax_fixtures.py            # makes /tmp/optaxvenv if needed

JAX and optax are never dependencies of funcnet: this script creates a scratch virtual
environment outside the repository (``--venv``, default /tmp/optaxvenv), installs the pinned
optax and jax there, and re-runs itself with that interpreter. It writes

    tests/fixtures/optax/rows.json         the row table (specs, steps, versions) + schedules
    tests/fixtures/optax/reference.npz     arrays only (no pickle)

For each row it runs the optimizer for 10 steps from fixed float32 params over a fixed
sequence of gradients (``{'b': (4,), 'w': (3, 4)}``), eagerly on CPU, and stores the params
after every step (so step 1 and step 10 are both there), the flattened state leaves after
steps 1 and 10, and a description of the state tree (NamedTuple type and field names,
dtypes, shapes). Rows are written in a tiny JSON spec language that both this script (with
``lib = optax``) and the test (with ``lib = funcnet.optim``) evaluate, since the names agree:

    {"call": "adam", "args": [0.1], "kwargs": {"b1": 0.8}}   ->  lib.adam(0.1, b1=0.8)
    {"ref": "sgd"}                                           ->  lib.sgd (a function object)
    {"call": <spec>, ...}                                    ->  call what <spec> evaluates to
    any other dict / list                                    ->  built element-wise

A row may carry ``optax_spec`` when funcnet's spelling has no optax equivalent (sgd's
``weight_decay`` extension): that spec is what optax runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

OPTAX_PIN = os.environ.get("OPTAX_PIN", "optax==0.2.8")
JAX_PIN = os.environ.get("JAX_PIN", "jax==0.10.2")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, os.pardir, "tests", "fixtures", "optax"))
N_STEPS = 10
SEED = 20240601


# --------------------------------------------------------------------------------------------
# The row table
# --------------------------------------------------------------------------------------------


def C(fn, *args, **kwargs):
    return {"call": fn, "args": list(args), "kwargs": kwargs}


def R(name):
    return {"ref": name}


MASK = {"b": False, "w": True}
LABELS = {"b": "bias", "w": "weights"}


def rows():
    r = []

    def add(rid, spec, nan_steps=(), optax_spec=None):
        row = {"id": rid, "spec": spec, "nan_steps": list(nan_steps)}
        if optax_spec is not None:
            row["optax_spec"] = optax_spec
        r.append(row)

    # --- aliases, default and non-default hyper-parameters ---
    add("sgd", C("sgd", 0.1))
    add("sgd_momentum", C("sgd", 0.05, momentum=0.9))
    add("sgd_nesterov", C("sgd", 0.05, momentum=0.9, nesterov=True))
    add("sgd_sched", C("sgd", C("exponential_decay", 0.1, 3, 0.5), momentum=0.8))
    lr, wd = 0.1, 0.01
    add(
        "sgd_weight_decay",
        C("sgd", lr, momentum=0.9, weight_decay=wd),
        optax_spec=C(
            "chain",
            C("trace", 0.9),
            C("scale_by_learning_rate", lr),
            C("add_decayed_weights", -(lr * wd)),
        ),
    )
    add(
        "sgd_weight_decay_sched",
        C("sgd", C("cosine_decay_schedule", 0.1, 10), weight_decay=0.05),
        optax_spec=C(
            "chain",
            C("identity"),
            C("scale_by_learning_rate", C("cosine_decay_schedule", 0.1, 10)),
            C("add_decayed_weights", C("cosine_decay_schedule", -(0.1 * 0.05), 10)),
        ),
    )
    add("adam", C("adam", 1e-3))
    add("adam_lr", C("adam", 0.05))
    add("adam_hparams", C("adam", 0.05, b1=0.8, b2=0.99, eps=1e-6, eps_root=1e-8))
    add("adam_nesterov", C("adam", 0.05, nesterov=True))
    add("adam_sched", C("adam", C("warmup_cosine_decay_schedule", 0.0, 0.1, 3, 10, end_value=0.01)))
    add("adamw", C("adamw", 1e-3))
    add("adamw_hparams", C("adamw", 0.05, b1=0.85, weight_decay=0.1))
    add("adamw_mask", C("adamw", 0.05, weight_decay=0.1, mask=MASK))
    add("adamw_wd_sched", C("adamw", 0.05, weight_decay=C("linear_schedule", 0.1, 0.0, 8)))
    add("rmsprop", C("rmsprop", 0.01))
    add("rmsprop_hparams", C("rmsprop", 0.02, decay=0.8, eps=1e-6, initial_scale=0.1))
    add("rmsprop_centered_momentum", C("rmsprop", 0.01, centered=True, momentum=0.9, nesterov=True))
    add(
        "rmsprop_bias_correction",
        C("rmsprop", 0.01, eps_in_sqrt=False, bias_correction=True, momentum=0.5),
    )
    add("rmsprop_centered_bias", C("rmsprop", 0.01, centered=True, bias_correction=True))
    add("adagrad", C("adagrad", 0.1))
    add("adagrad_hparams", C("adagrad", 0.05, initial_accumulator_value=0.5, eps=1e-5))
    add("adadelta", C("adadelta"))
    add("adadelta_hparams", C("adadelta", 1.0, rho=0.95, eps=1e-5, weight_decay=0.01))
    add("adadelta_mask", C("adadelta", 0.5, weight_decay=0.1, weight_decay_mask=MASK))
    add("adamax", C("adamax", 0.05))
    add("adamax_hparams", C("adamax", 0.02, b1=0.8, b2=0.9, eps=1e-5))
    add("nadam", C("nadam", 0.05))
    add("nadam_hparams", C("nadam", 0.01, b1=0.85, b2=0.95))
    add("lamb", C("lamb", 0.05))
    add("lamb_hparams", C("lamb", 0.02, b1=0.8, eps=1e-4, weight_decay=0.01, mask=MASK))
    add("lion", C("lion", 0.01))
    add("lion_hparams", C("lion", 0.01, b1=0.8, b2=0.95, weight_decay=0.1))

    # --- schedules as learning rates ---
    add("sched_constant", C("sgd", C("constant_schedule", 0.07)))
    add(
        "sched_exp_staircase",
        C(
            "adam",
            C("exponential_decay", 0.1, 2, 0.7, transition_begin=2, staircase=True, end_value=0.04),
        ),
    )
    add(
        "sched_piecewise",
        C("sgd", C("piecewise_constant_schedule", 0.1, {"3": 0.5, "6": 0.2}), momentum=0.9),
    )
    add("sched_linear", C("rmsprop", C("linear_schedule", 0.05, 0.005, 6, transition_begin=2)))
    add("sched_polynomial", C("adagrad", C("polynomial_schedule", 0.2, 0.01, 2.0, 8)))
    add(
        "sched_join",
        C(
            "adam",
            C(
                "join_schedules",
                [C("constant_schedule", 0.01), C("linear_schedule", 0.1, 0.0, 6)],
                [3],
            ),
        ),
    )
    add("sched_warmup_exp", C("lion", C("warmup_exponential_decay_schedule", 0.0, 0.05, 3, 2, 0.5)))
    add(
        "sched_cosine_alpha",
        C("adamax", C("cosine_decay_schedule", 0.1, 7, alpha=0.1, exponent=2.0)),
    )

    # --- clipping chains, weight decay, building blocks ---
    add("clip_global_norm_adam", C("chain", C("clip_by_global_norm", 1.0), C("adam", 0.05)))
    add("clip_global_norm_notrigger", C("chain", C("clip_by_global_norm", 1e3), C("sgd", 0.1)))
    add("clip_sgd", C("chain", C("clip", 0.3), C("sgd", 0.1, momentum=0.9)))
    add("clip_block_rms", C("chain", C("clip_by_block_rms", 0.5), C("sgd", 0.1)))
    add("add_decayed_weights_sgd", C("chain", C("add_decayed_weights", 0.01), C("sgd", 0.1)))
    add("add_decayed_weights_mask", C("chain", C("add_decayed_weights", 0.05, MASK), C("sgd", 0.1)))
    add(
        "add_decayed_weights_sched",
        C("chain", C("add_decayed_weights", C("exponential_decay", 0.1, 2, 0.5)), C("adam", 0.05)),
    )
    add("scale_by_adam_scale", C("chain", C("scale_by_adam", b1=0.7), C("scale", -0.02)))
    add("scale_by_rms_scale", C("chain", C("scale_by_rms", decay=0.5), C("scale", -0.01)))
    add(
        "scale_by_stddev_scale",
        C("chain", C("scale_by_stddev", decay=0.6, initial_scale=1.0), C("scale", -0.01)),
    )
    add("scale_by_rss_scale", C("chain", C("scale_by_rss"), C("scale", -0.1)))
    add("scale_by_adamax_scale", C("chain", C("scale_by_adamax"), C("scale", -0.05)))
    add("scale_by_adadelta_scale", C("chain", C("scale_by_adadelta", rho=0.5), C("scale", -1.0)))
    add("scale_by_belief", C("chain", C("scale_by_belief"), C("scale_by_learning_rate", 0.05)))
    add(
        "scale_by_belief_nesterov",
        C(
            "chain",
            C("scale_by_belief", b1=0.8, eps=1e-8, nesterov=True),
            C("scale_by_learning_rate", 0.05),
        ),
    )
    add(
        "scale_by_lion_smooth",
        C(
            "chain",
            C("scale_by_lion", mode="smooth", smooth_beta=2.0),
            C("scale_by_learning_rate", 0.02),
        ),
    )
    add(
        "scale_by_lion_refined",
        C("chain", C("scale_by_lion", b1=0.5, mode="refined"), C("scale_by_learning_rate", 0.02)),
    )
    add(
        "trust_ratio",
        C(
            "chain",
            C("scale_by_adam"),
            C("scale_by_trust_ratio", min_norm=0.5, trust_coefficient=0.3, eps=1e-3),
            C("scale_by_learning_rate", 0.05),
        ),
    )
    add("trace_nesterov", C("chain", C("trace", 0.7, nesterov=True), C("scale", -0.05)))
    add(
        "scale_by_schedule",
        C(
            "chain",
            C("scale_by_schedule", C("piecewise_constant_schedule", -0.1, {"4": 0.5})),
        ),
    )
    add(
        "scale_by_learning_rate_noflip",
        C("chain", C("scale_by_learning_rate", -0.03, flip_sign=False)),
    )
    add("identity_chain", C("chain", C("identity"), C("sgd", 0.1)))
    add("set_to_zero", C("set_to_zero"))
    add("named_chain", C("named_chain", ["clip", C("clip", 0.5)], ["opt", C("adam", 0.05)]))

    # --- wrappers ---
    add("masked_adam", C("masked", C("adam", 0.1), MASK))
    add("masked_sgd_momentum", C("masked", C("sgd", 0.1, momentum=0.9), {"b": True, "w": False}))
    add(
        "multi_transform",
        C(
            "multi_transform",
            {"weights": C("adam", 0.05), "bias": C("sgd", 0.1, momentum=0.9)},
            LABELS,
        ),
    )
    add(
        "multi_transform_freeze",
        C("multi_transform", {"weights": C("lamb", 0.05), "bias": C("set_to_zero")}, LABELS),
    )
    add("inject_adam", C(C("inject_hyperparams", R("adam")), learning_rate=0.05, b1=0.85))
    add(
        "inject_sgd_sched",
        C(
            C("inject_hyperparams", R("sgd")),
            learning_rate=C("exponential_decay", 0.1, 3, 0.5),
            momentum=0.9,
        ),
    )
    add(
        "inject_rmsprop_static",
        C(
            C("inject_hyperparams", R("rmsprop"), static_args=["momentum"]),
            learning_rate=0.01,
            decay=0.8,
            momentum=0.5,
        ),
    )
    add(
        "inject_adamw_wd_sched",
        C(
            C("inject_hyperparams", R("adamw")),
            learning_rate=C("cosine_decay_schedule", 0.05, 10),
            weight_decay=C("linear_schedule", 0.1, 0.0, 5),
        ),
    )
    add("apply_if_finite_nan", C("apply_if_finite", C("adam", 0.05), 2), nan_steps=[2])
    add(
        "apply_if_finite_exceeded",
        C("apply_if_finite", C("sgd", 0.1, momentum=0.9), 1),
        nan_steps=[5, 6],
    )
    add("multisteps_adam", C("MultiSteps", C("adam", 0.05), every_k_schedule=3))
    add("multisteps_sum", C("MultiSteps", C("sgd", 0.1, momentum=0.9), 2, use_grad_mean=False))
    add(
        "multisteps_skip_nan",
        C("MultiSteps", C("adam", 0.05), 2, should_skip_update_fn=R("skip_not_finite")),
        nan_steps=[3],
    )
    return r


SCHEDULE_STEPS = [0, 1, 2, 3, 4, 5, 7, 10, 13, 20, 50, 100]


def schedules():
    return [
        {"id": "constant", "spec": C("constant_schedule", 0.3)},
        {"id": "exponential", "spec": C("exponential_decay", 0.1, 5, 0.9)},
        {
            "id": "exponential_staircase_begin",
            "spec": C("exponential_decay", 0.1, 3, 0.5, transition_begin=4, staircase=True),
        },
        {
            "id": "exponential_end_value",
            "spec": C("exponential_decay", 0.1, 2, 0.5, end_value=0.02),
        },
        {
            "id": "exponential_growth_cap",
            "spec": C("exponential_decay", 0.1, 2, 1.5, end_value=0.5),
        },
        {"id": "cosine", "spec": C("cosine_decay_schedule", 0.1, 20)},
        {
            "id": "cosine_alpha_exponent",
            "spec": C("cosine_decay_schedule", 0.5, 13, alpha=0.2, exponent=1.5),
        },
        {
            "id": "warmup_cosine",
            "spec": C("warmup_cosine_decay_schedule", 0.0, 1.0, 5, 50, end_value=1e-3),
        },
        {
            "id": "piecewise",
            "spec": C("piecewise_constant_schedule", 1.0, {"3": 0.5, "10": 0.1, "20": 2.0}),
        },
        {"id": "linear", "spec": C("linear_schedule", 1.0, 0.1, 10, transition_begin=3)},
        {"id": "polynomial", "spec": C("polynomial_schedule", 1.0, 0.0, 3.0, 20)},
        {
            "id": "polynomial_begin",
            "spec": C("polynomial_schedule", 0.5, 0.1, 0.5, 7, transition_begin=2),
        },
        {
            "id": "join",
            "spec": C(
                "join_schedules",
                [
                    C("constant_schedule", 0.1),
                    C("linear_schedule", 0.1, 0.0, 10),
                    C("constant_schedule", 0.0),
                ],
                [5, 15],
            ),
        },
        {
            "id": "warmup_exponential",
            "spec": C(
                "warmup_exponential_decay_schedule",
                0.0,
                0.2,
                4,
                3,
                0.8,
                transition_begin=2,
                staircase=True,
            ),
        },
        {"id": "warmup_constant", "spec": C("warmup_constant_schedule", 0.01, 0.1, 4)},
    ]


# --------------------------------------------------------------------------------------------
# Shared helpers (the test file has its own copies: it must not import this script)
# --------------------------------------------------------------------------------------------


def build(spec, lib):
    """Evaluates a JSON spec against ``lib`` (optax or funcnet.optim)."""
    if isinstance(spec, dict):
        if "call" in spec:
            fn = spec["call"]
            fn = getattr(lib, fn) if isinstance(fn, str) else build(fn, lib)
            args = [build(a, lib) for a in spec.get("args", [])]
            kwargs = {k: build(v, lib) for k, v in spec.get("kwargs", {}).items()}
            return fn(*args, **kwargs)
        if "ref" in spec:
            return getattr(lib, spec["ref"])
        # JSON object keys are strings; schedules want int boundaries
        return {(int(k) if k.isdigit() else k): build(v, lib) for k, v in spec.items()}
    if isinstance(spec, list):
        if len(spec) == 2 and isinstance(spec[0], str) and isinstance(spec[1], dict):
            return (spec[0], build(spec[1], lib))  # named_chain pairs
        return [build(x, lib) for x in spec]
    return spec


def describe(x):
    """A canonical string of a state tree: NamedTuple types/fields, containers, dtype[shape]."""
    import numpy as np

    if x is None:
        return "None"
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        inner = ", ".join(f"{k}={describe(v)}" for k, v in zip(x._fields, x, strict=True))
        return f"{type(x).__name__}({inner})"
    if isinstance(x, tuple):
        return "(" + "".join(describe(v) + ", " for v in x) + ")"
    if isinstance(x, list):
        return "[" + ", ".join(describe(v) for v in x) + "]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {describe(x[k])}" for k in sorted(x)) + "}"
    a = np.asarray(x)
    return f"{a.dtype}{list(a.shape)}"


# --------------------------------------------------------------------------------------------
# Running optax
# --------------------------------------------------------------------------------------------


def make_inputs():
    import numpy as np

    rng = np.random.default_rng(SEED)
    params = {
        "b": rng.normal(size=(4,)).astype(np.float32),
        "w": rng.normal(size=(3, 4)).astype(np.float32),
    }
    grads = {
        "b": rng.normal(size=(N_STEPS, 4)).astype(np.float32),
        "w": rng.normal(size=(N_STEPS, 3, 4)).astype(np.float32),
    }
    return params, grads


def grads_at(grads, t, nan_steps):
    import numpy as np

    g = {"b": grads["b"][t].copy(), "w": grads["w"][t].copy()}
    if t in nan_steps:
        g["w"][0, 0] = np.nan
    return g


def run_optax():
    import jax

    jax.config.update("jax_platforms", "cpu")
    import jax.numpy as jnp
    import numpy as np
    import optax

    params0, grads = make_inputs()
    arrays = {
        "inputs/params/b": params0["b"],
        "inputs/params/w": params0["w"],
        "inputs/grads/b": grads["b"],
        "inputs/grads/w": grads["w"],
    }
    table = rows()
    for row in table:
        spec = row.get("optax_spec", row["spec"])
        opt = build(spec, optax)
        params = jax.tree.map(jnp.asarray, params0)
        state = opt.init(params)
        traj = []
        for t in range(N_STEPS):
            g = jax.tree.map(jnp.asarray, grads_at(grads, t, row["nan_steps"]))
            updates, state = opt.update(g, state, params)
            params = optax.apply_updates(params, updates)
            traj.append(np.concatenate([np.asarray(x).ravel() for x in jax.tree.leaves(params)]))
            if t in (0, N_STEPS - 1):
                tag = "state1" if t == 0 else "state10"
                leaves = jax.tree.leaves(state)
                for i, leaf in enumerate(leaves):
                    arrays[f"{row['id']}/{tag}/{i:03d}"] = np.asarray(leaf)
                row[f"n_{tag}_leaves"] = len(leaves)
                if t == 0:
                    row["state_structure"] = describe(state)
        arrays[f"{row['id']}/traj"] = np.stack(traj).astype(np.float32)
        print(f"  {row['id']:32s} ok", flush=True)
    sched_table = schedules()
    for s in sched_table:
        fn = build(s["spec"], optax)
        vals = [np.asarray(fn(jnp.asarray(step, jnp.int32)), np.float32) for step in SCHEDULE_STEPS]
        arrays[f"sched/{s['id']}"] = np.stack(vals)
    meta = {
        "generator": "scripts/gen_optax_fixtures.py",
        "optax_version": optax.__version__,
        "jax_version": jax.__version__,
        "n_steps": N_STEPS,
        "seed": SEED,
        "rows": table,
        "schedule_steps": SCHEDULE_STEPS,
        "schedules": sched_table,
    }
    os.makedirs(OUT_DIR, exist_ok=True)
    np.savez_compressed(os.path.join(OUT_DIR, "reference.npz"), **arrays)
    with open(os.path.join(OUT_DIR, "rows.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=False)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(OUT_DIR, n)) for n in os.listdir(OUT_DIR))
    print(
        f"wrote {len(table)} rows and {len(sched_table)} schedules to {OUT_DIR} "
        f"({size / 1024:.0f} KiB) with optax {optax.__version__}, jax {jax.__version__}"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--venv",
        default="/tmp/optaxvenv",
        help="scratch virtual environment for optax + jax (outside the repo)",
    )
    ap.add_argument("--in-venv", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    try:
        import optax  # noqa: F401

        have = True
    except ImportError:
        have = False
    if have or args.in_venv:
        run_optax()
        return
    py = os.path.join(args.venv, "bin", "python")
    if not os.path.exists(py):
        print(f"creating {args.venv} and installing {OPTAX_PIN} {JAX_PIN} ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", args.venv])
    check = subprocess.run([py, "-c", "import optax, jax"], capture_output=True)
    if check.returncode != 0:
        subprocess.check_call([py, "-m", "pip", "install", "-q", OPTAX_PIN, JAX_PIN])
    os.execv(py, [py, os.path.abspath(__file__), "--venv", args.venv, "--in-venv"])


if __name__ == "__main__":
    main()
