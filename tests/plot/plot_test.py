#!/usr/bin/python3
"""scripts/plot on the fixtures (tests/plot/fixtures, written by tests/plot/make_fixtures):
each plot is drawn as SVG and PNG, the files are real images of a sensible size, and the
SVG carries the labels the plot is for. Bad input fails with one line and status 1.

usage: plot_test.py PATH/TO/scripts/plot
"""

import pathlib
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree

PLOT = None  # set from the command line
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
REPORTS = sorted(str(p) for p in (FIXTURES / "reports").glob("*/report.json"))


def plot(*args):
    return subprocess.run(["/usr/bin/python3", PLOT, *args], capture_output=True, text=True)


def png_size(path):
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise AssertionError(f"{path}: not a PNG")
    return struct.unpack(">II", data[16:24])


def svg_texts(path):
    """Every text in the SVG (matplotlib writes text as <text> with svg.fonttype none)."""
    return [text for text, _ in svg_text_positions(path)]


def svg_text_positions(path):
    """(text, x) of every text in the SVG, x being where it is anchored."""
    root = ElementTree.parse(path).getroot()
    return [("".join(e.itertext()), float(e.get("x", "nan"))) for e in root.iter() if e.tag.endswith("}text")]


def right_of_every_tick(path, labels, ticks):
    """Whether every text in `labels` lies to the right of every tick label in `ticks`: a
    legend outside the axes, not over the lines."""
    positions = svg_text_positions(path)
    tick_x = max(x for text, x in positions if text in ticks)
    label_x = [x for text, x in positions if text in labels]
    return bool(label_x) and min(label_x) > tick_x


class PlotTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="tpusim-plot-")
        self.out = pathlib.Path(self.dir.name)

    def tearDown(self):
        self.dir.cleanup()

    def draw(self, kind, *args, name):
        result = plot(kind, *args, "-o", str(self.out / name))
        self.assertEqual(result.returncode, 0, result.stderr)
        svg, png = self.out / (name + ".svg"), self.out / (name + ".png")
        self.assertEqual(result.stdout.split(), [str(svg), str(png)])
        width, height = png_size(png)
        self.assertGreater(width, 600)
        self.assertGreater(height, 400)
        self.assertGreater(png.stat().st_size, 20000)  # a drawing, not an empty canvas
        return " | ".join(svg_texts(svg))

    def test_fixtures_present(self):
        self.assertEqual(len(REPORTS), 6)

    def test_roofline(self):
        text = self.draw("roofline", *REPORTS, name="roofline")
        # Runs are labelled by workload, and by chip when there are several.
        for label in ("mlp0 (TPUv1)", "lstm1 (TPUv1)", "mlp0 (TPUv1-GDDR5)", "tiny_mlp (teaching-8x8)"):
            self.assertIn(label, text)
        # One roof per distinct chip, each with its ridge point (TPUv1: 65536 x 700 MHz / 34 GB/s).
        for ridge in ("ridge 1349", "ridge 250", "ridge 16"):
            self.assertIn(ridge, text)
        self.assertIn("TPUv1: 91.75 TOPS peak, 34 GB/s weights", text)
        self.assertIn("MACs per weight byte", text)

    def test_runs_on_one_spot_share_a_label(self):
        # CNN0 is compute-bound on both TPUv1 chips: the same intensity and TOPS.
        text = self.draw("roofline", str(FIXTURES / "reports/cnn0-tpuv1/report.json"),
                         str(FIXTURES / "reports/cnn0-tpuv1-gddr5/report.json"), name="shared")
        self.assertIn("cnn0 (TPUv1)", text)
        self.assertIn("cnn0 (TPUv1-GDDR5)", text)

    def test_breakdown(self):
        text = self.draw("breakdown", *REPORTS, name="breakdown")
        for category in ("useful MACs", "weight stall", "weight shift", "non-matrix: input stall"):
            self.assertIn(category, text)
        self.assertIn("percent of cycles", text)
        self.assertIn("mlp0 | TPUv1-GDDR5", text)  # workload and chip, as there are several chips

    def test_sweep_one_at_a_time(self):
        text = self.draw("sweep", str(FIXTURES / "sweep-whatif"), name="whatif")
        for axis in ("memory", "clock", "clock+", "matrix", "matrix+"):
            self.assertIn(f"{axis} (factor of the base value)", text)
        for workload in ("mlp0", "lstm1", "cnn1"):
            self.assertIn(workload, text)
        self.assertIn("0.25x", text)
        self.assertIn("tpuv1-whatif: speedup over the base chip", text)
        # One legend of the workloads, beside the panels, not over their lines.
        self.assertEqual(text.count(" | mlp0 | "), 1)
        self.assertTrue(right_of_every_tick(self.out / "whatif.svg", {"mlp0", "cnn1"}, {"4x"}))

    def test_sweep_product_with_failed_points(self):
        text = self.draw("sweep", str(FIXTURES / "sweep-product"), name="product")
        self.assertIn("(15 of 30 rows not ok, not drawn)", text)
        self.assertIn("tiny_mlp, UB capacity 64KiB", text)  # a line per setting of the other axis
        self.assertIn("UB capacity", text)
        # two_layer_mlp has the same speedup at 2x and 4x the bandwidth: one line, one label.
        self.assertIn("two_layer_mlp, weight_memory.bandwidth 2x, 4x", text)
        self.assertNotIn("two_layer_mlp, weight_memory.bandwidth 4x", text)
        # Each panel's legend is to the right of its axes.
        self.assertTrue(right_of_every_tick(self.out / "product.svg", {"tiny_mlp, UB capacity 64KiB"}, {"4x"}))

    def test_sweep_whose_base_point_failed(self):
        # Speedups are relative to the base point; when it failed there are none, and the
        # picture says why instead of showing empty axes.
        name = "base-failed"
        result = plot("sweep", str(FIXTURES / "sweep-base-failed"), "-o", str(self.out / name))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("no speedup of tiny_mlp: its run on the base point base failed: tiny_mlp: compile-failed",
                      result.stderr)
        width, height = png_size(self.out / (name + ".png"))
        self.assertGreater(width, 600)
        self.assertGreater(height, 150)
        text = " ".join(" ".join(svg_texts(self.out / (name + ".svg"))).split())  # lines wrapped
        self.assertIn("plot-fixture-base-failed: no speedup over the base chip", text)
        self.assertIn("No speedup can be drawn: speedups are relative to the base point (base)", text)
        self.assertIn("tiny_mlp: compile-failed", text)
        self.assertIn("needs 32 bytes", text)  # the compiler's reason
        self.assertIn("but chip 'teaching-8x8-tiny-ub' has 8 bytes", text)
        self.assertNotIn("not drawn", text)

    def test_existing_pictures_are_kept_unless_forced(self):
        report = str(REPORTS[0])
        self.draw("roofline", report, name="kept")
        before = (self.out / "kept.svg").read_bytes()
        result = plot("roofline", report, "-o", str(self.out / "kept"), "--title", "another")
        self.assertEqual(result.returncode, 1)
        self.assertIn("kept.svg: exists; pass --force", result.stderr)
        self.assertEqual((self.out / "kept.svg").read_bytes(), before)
        result = plot("roofline", report, "-o", str(self.out / "kept"), "--title", "another", "--force")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotEqual((self.out / "kept.svg").read_bytes(), before)

    def test_bad_input_is_one_line_and_status_1(self):
        bad = self.out / "old.json"
        bad.write_text('{"chip": "x", "tops": 1, "peak_tops": 2, "ops_per_weight_byte": 3}')
        result = plot("roofline", str(bad), "-o", str(self.out / "r"))
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr.count("\n"), 1)
        self.assertIn('has no "weight_bandwidth_bytes_per_s"', result.stderr)
        result = plot("sweep", str(self.out), "-o", str(self.out / "s"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("sweep.json: cannot read", result.stderr)
        self.assertFalse((self.out / "s.svg").exists())


if __name__ == "__main__":
    PLOT = sys.argv.pop(1)
    unittest.main(verbosity=1)
