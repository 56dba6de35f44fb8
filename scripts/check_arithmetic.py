#!/usr/bin/env python3
"""Checks docs/arithmetic.md against the reference interpreter, bit for bit.

The numpy model below is written from docs/arithmetic.md alone. Random elementwise cases
(requantization and activation functions, vector ops, pooling) and random whole programs are
fed to `arithmetic_dump` (tests/reference/arithmetic_dump.cpp), which prints what the C++
reference computes; every output must match the model exactly. The sigmoid/tanh snippet in
the document is executed and compared, like the tables the document lists, with the
reference's tables, and the document's claim about their distance from rounding boundaries
is re-measured.

usage: check_arithmetic.py PATH_TO_ARITHMETIC_DUMP [--seed N] [--scale F]
"""

import argparse
import pathlib
import re
import subprocess
import sys

import numpy as np

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "arithmetic.md"


# ---------------------------------------------------------------------------------------
# The document's tables

def doc_block(text, marker):
    """The fenced code block that follows `<!-- check_arithmetic: marker -->`."""
    match = re.search(r"<!-- check_arithmetic: " + re.escape(marker) + r" -->\s*```[a-z]*\n(.*?)```",
                      text, re.S)
    if not match:
        sys.exit(f"check_arithmetic: {DOC}: no block marked '{marker}'")
    return match.group(1)


def doc_tables(text):
    scope = {}
    exec(doc_block(text, "table snippet"), scope)  # the document's own snippet, run as written
    tables = {"sigmoid": np.asarray(scope["sigmoid_table"], dtype=np.int64),
              "tanh": np.asarray(scope["tanh_table"], dtype=np.int64)}
    listed = {}
    for name in tables:
        values = []
        for line in doc_block(text, name + " table").strip().splitlines():
            label, numbers = line.split(":")
            if int(label) != len(values) - 128:
                sys.exit(f"check_arithmetic: {DOC}: {name} table line '{label}' is out of order")
            values += [int(v) for v in numbers.split()]
        listed[name] = np.asarray(values, dtype=np.int64)
    return tables, listed


def rounding_margin():
    """Smallest distance of any unrounded table value 128*f(x/16) from a .5 boundary."""
    x = np.arange(-128, 128) / 16.0
    margin = np.inf
    for v in (128.0 / (1.0 + np.exp(-x)), 128.0 * np.tanh(x)):
        margin = min(margin, float(np.min(np.abs(v - np.floor(v) - 0.5))))
    return margin


# ---------------------------------------------------------------------------------------
# The model, from docs/arithmetic.md

def wrap32(v):
    return ((v + 2**31) % 2**32) - 2**31


def round_shift(v, s):
    return (v + ((1 << (s - 1)) if s > 0 else 0)) >> s


def sat8(v):
    return np.clip(v, -128, 127)


class Tables:
    sigmoid = None
    tanh = None


def apply_function(function, v):
    x = sat8(v)
    if function == 0:
        return x
    if function == 1:
        return sat8(np.maximum(v, 0))
    table = Tables.sigmoid if function == 2 else Tables.tanh
    return table[x + 128]


def requantize(a, m, s):
    return round_shift(np.asarray(a, dtype=np.int64) * np.int64(m), s)


def pool(values, kind, k, s, width):
    """values: (n, C) int64 -> (out_h * out_w, C)."""
    n, cols = values.shape
    grid = values.reshape(n // width, width, cols)
    out_h = (grid.shape[0] - k) // s + 1
    out_w = (width - k) // s + 1
    out = np.zeros((out_h * out_w, cols), dtype=np.int64)
    for oy in range(out_h):
        for ox in range(out_w):
            window = grid[oy * s:oy * s + k, ox * s:ox * s + k, :]
            if kind == 1:
                out[oy * out_w + ox] = window.max(axis=(0, 1))
            else:
                total = window.sum(axis=(0, 1))
                q = (2 * np.abs(total) + k * k) // (2 * k * k)
                out[oy * out_w + ox] = np.sign(total) * q
    return out


def vector_element(op, a, b, shift):
    p = np.int64(a) + np.int64(b) if op == 0 else np.int64(a) * np.int64(b)
    return sat8(round_shift(p, shift))


def to_signed64(u):
    return u - 2**64 if u >= 2**63 else u


class Machine:
    def __init__(self, R, C, ub_rows, acc_entries, wcap, weights, host):
        self.R, self.C, self.W = R, C, max(R, C)
        self.ub = np.zeros((ub_rows, self.W), dtype=np.int64)
        self.acc = np.zeros((acc_entries, C), dtype=np.int64)
        self.weights = np.zeros(wcap, dtype=np.int64)
        self.weights[:len(weights)] = np.frombuffer(bytes(weights), dtype=np.int8)
        self.host = np.frombuffer(bytes(host), dtype=np.uint8).copy()
        self.fifo = []
        self.tile = None
        self.cfg = {0: 1, 1: 0, 2: 1, 3: 1, 4: 1, 5: 0}

    def run(self, program):
        for name, f in program:
            if name == "halt":
                break
            getattr(self, "op_" + name, lambda f: None)(f)

    def op_read_host_memory(self, f):
        rows, ha, ua = f["rows"], f["host_addr"], f["ub_addr"]
        chunk = self.host[ha:ha + rows * self.W].view(np.int8).astype(np.int64)
        self.ub[ua:ua + rows] = chunk.reshape(rows, self.W)

    def op_write_host_memory(self, f):
        rows, ha, ua = f["rows"], f["host_addr"], f["ub_addr"]
        self.host[ha:ha + rows * self.W] = self.ub[ua:ua + rows].astype(np.int8).view(np.uint8).ravel()

    def op_read_weights(self, f):
        tr, tc = f["tile_rows"], f["tile_cols"]
        for k in range(f["count"]):
            start = f["weight_addr"] + k * tr * tc
            tile = np.zeros((self.R, self.C), dtype=np.int64)
            tile[:tr, :tc] = self.weights[start:start + tr * tc].reshape(tr, tc)
            self.fifo.append(tile)

    def op_matrix_multiply(self, f, outer=1, step=1, pitch=0):
        if f["switch_weights"]:
            self.tile = self.fifo.pop(0)
        rows = f["rows"]
        ub_rows = [f["ub_addr"] + o * pitch + i * step for o in range(outer) for i in range(rows)]
        if not ub_rows:
            return
        y = wrap32(self.ub[ub_rows, :self.R] @ self.tile)
        target = slice(f["acc_addr"], f["acc_addr"] + len(ub_rows))
        self.acc[target] = wrap32(self.acc[target] + y) if f["accumulate"] else y

    def op_convolve(self, f):
        self.op_matrix_multiply(f, f["outer"], f["step"], f["pitch"])

    def op_activate(self, f):
        n = f["rows"]
        a = self.acc[f["acc_addr"]:f["acc_addr"] + n]
        out = apply_function(f["function"], requantize(a, self.cfg[0], self.cfg[1]))
        if f["pool"]:
            out = pool(out, f["pool"], self.cfg[2], self.cfg[3], self.cfg[4])
        ua = f["ub_addr"]
        self.ub[ua:ua + len(out), :self.C] = out
        self.ub[ua:ua + len(out), self.C:] = 0

    def op_vector(self, f):
        for i in range(f["rows"]):
            a, b = self.ub[f["ub_addr"] + i], self.ub[f["ub_addr2"] + i]
            p = a + b if f["vector_op"] == 0 else a * b
            self.ub[f["ub_dst"] + i] = sat8(round_shift(p, self.cfg[5]))

    def op_set_config(self, f):
        self.cfg[f["reg"]] = to_signed64(f["value"]) if f["reg"] == 0 else f["value"]

    def dump(self):
        def hexed(a):
            return a.tobytes().hex() or "-"
        return ("ub=" + hexed(self.ub.astype(np.int8)) + " acc=" + ",".join(str(v) for v in self.acc.ravel())
                + " host=" + hexed(self.host))


# ---------------------------------------------------------------------------------------
# Random cases

INT32_EDGES = [-2**31, -2**31 + 1, -2**30, -65536, -129, -128, -1, 0, 1, 127, 128, 65535, 2**30, 2**31 - 1]


def random_int32(rng):
    pick = rng.integers(4)
    if pick == 0:
        return int(rng.choice(INT32_EDGES))
    if pick == 1:
        return int(rng.integers(-300, 301))
    return int(rng.integers(-2**31, 2**31))


def random_int8(rng):
    return int(rng.choice([-128, 127, -1, 0])) if rng.integers(5) == 0 else int(rng.integers(-128, 128))


def requant_cases(rng, count):
    cases = []
    for _ in range(count):
        if rng.integers(4) == 0:  # an exact half: a = q * 2^S + 2^(S-1), multiplier 1
            s = int(rng.integers(1, 25))
            q = int(rng.integers(-(2**30) >> s, (2**30) >> s))
            a, m = q * 2**s + 2**(s - 1), 1
        else:
            a, m, s = random_int32(rng), random_int32(rng), int(rng.integers(0, 63))
        cases.append((a, m, s, int(rng.integers(4))))
    return cases


def vector_cases(rng, count):
    return [(int(rng.integers(2)), random_int8(rng), random_int8(rng), int(rng.integers(0, 31)))
            for _ in range(count)]


def pool_cases(rng, count):
    cases = []
    for _ in range(count):
        k, s = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        width, height, cols = int(rng.integers(k, 7)), int(rng.integers(k, 7)), int(rng.integers(1, 4))
        values = [random_int8(rng) for _ in range(width * height * cols)]
        cases.append((int(rng.integers(1, 3)), k, s, width, cols, values))
    return cases


class ProgramGenerator:
    """Random valid programs; each instruction respects every range docs/arithmetic.md sets."""

    def __init__(self, rng):
        self.rng = rng
        r = rng
        self.R, self.C = int(r.integers(1, 9)), int(r.integers(1, 9))
        self.W = max(self.R, self.C)
        self.ub_rows, self.acc_entries = int(r.integers(8, 25)), int(r.integers(6, 21))
        self.wcap = int(r.integers(64, 400))
        self.weights = r.integers(0, 256, int(r.integers(0, self.wcap + 1))).astype(np.uint8).tobytes()
        self.host = r.integers(0, 256, self.W * int(r.integers(4, 13))).astype(np.uint8).tobytes()
        self.fifo = 0
        self.active = False
        self.code = []

    def below(self, n):
        return int(self.rng.integers(0, n)) if n > 0 else 0

    def emit(self, name, **fields):
        self.code.append((name, fields))

    def span(self, limit, most=None):
        """(addr, count) with addr + count <= limit."""
        count = self.below((limit if most is None else min(limit, most)) + 1)
        return self.below(limit - count + 1), count

    def host_transfer(self):
        ua, rows = self.span(self.ub_rows, len(self.host) // self.W)
        ha = self.below(len(self.host) - rows * self.W + 1)
        name = "read_host_memory" if self.rng.integers(3) else "write_host_memory"
        self.emit(name, host_addr=ha, ub_addr=ua, rows=rows)

    def read_weights(self):
        tr, tc = int(self.rng.integers(1, self.R + 1)), int(self.rng.integers(1, self.C + 1))
        count = min(int(self.rng.integers(0, 4)), self.wcap // (tr * tc))
        wa = self.below(self.wcap - count * tr * tc + 1)
        self.emit("read_weights", weight_addr=wa, tile_rows=tr, tile_cols=tc, count=count)
        self.fifo += count

    def matrix(self):
        while self.fifo == 0 and not self.active:
            self.read_weights()
        switch = 1 if (self.fifo > 0 and (not self.active or self.rng.integers(2))) else 0
        self.fifo -= switch
        self.active = True
        flags = dict(switch_weights=switch, accumulate=int(self.rng.integers(2)))
        if self.rng.integers(2):
            aa, rows = self.span(self.acc_entries, self.ub_rows)
            ua = self.below(self.ub_rows - rows + 1)
            # outer/step/pitch hold junk: the plain form must ignore them
            self.emit("matrix_multiply", ub_addr=ua, acc_addr=aa, rows=rows, outer=self.below(9),
                      step=self.below(9), pitch=self.below(9), **flags)
        else:
            rows, outer = int(self.rng.integers(1, 4)), int(self.rng.integers(1, 4))
            while rows * outer > self.acc_entries:
                outer -= 1
            step, pitch = self.below(4), self.below(6)
            last = (outer - 1) * pitch + (rows - 1) * step
            while last >= self.ub_rows:
                step, pitch = step // 2, pitch // 2
                last = (outer - 1) * pitch + (rows - 1) * step
            self.emit("convolve", ub_addr=self.below(self.ub_rows - last), rows=rows, outer=outer,
                      step=step, pitch=pitch, acc_addr=self.below(self.acc_entries - rows * outer + 1),
                      **flags)

    def requant_config(self):
        r = self.rng
        m = random_int32(r) if r.integers(3) == 0 else int(r.integers(-4096, 4097))
        s = int(r.integers(0, 63)) if r.integers(2) == 0 else int(r.integers(6, 20))
        self.emit("set_config", reg=0, value=m % 2**64)
        self.emit("set_config", reg=1, value=s)

    def activate(self):
        r = self.rng
        if r.integers(2):
            self.requant_config()
        kind = int(r.integers(3))
        if kind:
            k, s = int(r.integers(1, 4)), int(r.integers(1, 4))
            width = int(r.integers(k, 6))
            height = int(r.integers(k, max(k, self.acc_entries // width) + 1))
            n = width * height
            out = ((height - k) // s + 1) * ((width - k) // s + 1)
            if n > self.acc_entries or out > self.ub_rows:
                k, s, width, height, n, out = 1, 1, 1, 1, 1, 1
            for reg, value in ((2, k), (3, s), (4, width)):
                self.emit("set_config", reg=reg, value=value)
        else:
            n = self.below(min(self.acc_entries, self.ub_rows) + 1)
            out = n
        self.emit("activate", acc_addr=self.below(self.acc_entries - n + 1),
                  ub_addr=self.below(self.ub_rows - out + 1), rows=n, function=int(r.integers(4)),
                  pool=kind)

    def vector(self):
        if self.rng.integers(2):
            self.emit("set_config", reg=5, value=int(self.rng.integers(0, 12)))
        rows = self.below(self.ub_rows + 1)
        addrs = [self.below(self.ub_rows - rows + 1) for _ in range(3)]
        self.emit("vector", vector_op=int(self.rng.integers(2)), ub_addr=addrs[0], ub_addr2=addrs[1],
                  ub_dst=addrs[2], rows=rows)

    def other(self):
        if self.rng.integers(2):
            self.emit("nop", cycles=self.below(5))
        else:
            self.emit("sync", unit_mask=15)

    def program(self, length):
        self.host_transfer()
        self.emit("read_host_memory", host_addr=0, ub_addr=0, rows=min(self.ub_rows, len(self.host) // self.W))
        steps = [self.host_transfer, self.read_weights, self.matrix, self.matrix, self.matrix,
                 self.activate, self.activate, self.vector, self.other]
        for _ in range(length):
            steps[int(self.rng.integers(len(steps)))]()
        self.emit("write_host_memory", host_addr=0, ub_addr=0, rows=min(self.ub_rows, len(self.host) // self.W))
        if self.rng.integers(2):
            self.emit("halt")
            self.matrix()  # after the halt: must not run
        return self.code

    def text(self):
        header = (f"program {self.R} {self.C} {self.ub_rows} {self.acc_entries} {self.wcap} "
                  f"{self.weights.hex() or '-'} {self.host.hex() or '-'}")
        body = [" ".join([name] + [f"{k}={v}" for k, v in fields.items()]) for name, fields in self.code]
        return " ; ".join([header] + body)


# ---------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", help="path to the arithmetic_dump executable")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every case count")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    failures = []
    text = DOC.read_text()
    tables, listed = doc_tables(text)
    Tables.sigmoid, Tables.tanh = tables["sigmoid"], tables["tanh"]
    margin = rounding_margin()
    if margin < 1e-3:
        failures.append(f"a table value lies {margin:.3g} from a rounding boundary; the document claims 0.0015")
    for name in tables:
        if not np.array_equal(tables[name], listed[name]):
            failures.append(f"the {name} table listed in the document differs from its snippet")

    def scaled(n):
        return max(1, int(n * args.scale))

    lines, expected = [], []
    for name in ("sigmoid", "tanh"):
        lines.append(f"table {name}")
        expected.append(" ".join(str(v) for v in tables[name]))
    for a, m, s, fn in requant_cases(rng, scaled(4000)):
        lines.append(f"requant {a} {m} {s} {fn}")
        v = int(requantize(a, m, s))
        expected.append(f"{v} {int(apply_function(fn, np.int64(v)))}")
    for op, a, b, s in vector_cases(rng, scaled(3000)):
        lines.append(f"vector {op} {a} {b} {s}")
        expected.append(str(int(vector_element(op, a, b, s))))
    for kind, k, s, width, cols, values in pool_cases(rng, scaled(400)):
        lines.append(f"pool {kind} {k} {s} {width} {cols} " + " ".join(map(str, values)))
        out = pool(np.asarray(values, dtype=np.int64).reshape(-1, cols), kind, k, s, width)
        expected.append(" ".join(str(v) for v in out.ravel()))
    for _ in range(scaled(250)):
        gen = ProgramGenerator(rng)
        code = gen.program(int(rng.integers(5, 30)))
        lines.append(gen.text())
        model = Machine(gen.R, gen.C, gen.ub_rows, gen.acc_entries, gen.wcap, gen.weights, gen.host)
        model.run(code)
        expected.append(model.dump())

    result = subprocess.run([args.dump], input="\n".join(lines) + "\n", capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"check_arithmetic: {args.dump} failed ({result.returncode}): {result.stderr.strip()}")
    got = result.stdout.splitlines()
    if len(got) != len(lines):
        sys.exit(f"check_arithmetic: {len(lines)} cases sent, {len(got)} answers received")
    for line, want, have in zip(lines, expected, got):
        if want != have:
            failures.append(f"case: {line}\n  model (docs/arithmetic.md): {want}\n  reference:                  {have}")

    for failure in failures[:10]:
        print(failure)
    if failures:
        print(f"check_arithmetic: {len(failures)} mismatches out of {len(lines)} cases (seed {args.seed})")
        return 1
    print(f"check_arithmetic: {len(lines)} cases agree bit for bit (seed {args.seed}); "
          f"table rounding margin {margin:.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
