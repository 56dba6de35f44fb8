#!/usr/bin/python3
"""report.json against its schema, the tables of docs/reports.md read from the file itself
so that the document and the output cannot drift apart: `tpusim run --out DIR` on teaching
workloads, then every documented key must be in the report.json it wrote, with the
documented type, and no top-level key may be undocumented. Where a string's meaning lists
its values in backticks (`bound`, `stall`; not a list ending in "..."), the value must be
one of them.

usage: report_schema_test.py PATH/TO/tpusim SOURCE_DIR
"""

import json
import pathlib
import re
import subprocess
import sys
import tempfile
import unittest

TPUSIM = None  # set from the command line
SOURCE = None

TYPES = {"string": str, "number": (int, float), "object": dict, "array": list}
# The tables of the report.json section, by the object they describe: "Keys of the
# top-level object:", "Keys of `breakdown`...", "Keys of each entry of `layers`:", ...
SCOPES = {"top-level": "top", "`breakdown`": "breakdown", "`layers`": "layers",
          "`instructions`": "instructions", "`stats`": "stats"}


def schema():
    """{scope: {key: (type name, meaning)}} from the report.json section of docs/reports.md."""
    text = (SOURCE / "docs/reports.md").read_text(encoding="utf-8")
    section = text.split("\n## report.json\n", 1)[1].split("\n## ", 1)[0]
    tables, scope, last_text = {}, None, ""
    for line in section.splitlines():
        if not line.startswith("|"):
            if line.strip():
                last_text = line
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "key":  # a table starts: its scope is in the line before it
            if not last_text.startswith("Keys of "):
                raise AssertionError(f"docs/reports.md: a table follows \"{last_text}\", not \"Keys of ...\"")
            scope = next((v for k, v in SCOPES.items() if k in last_text.split(":")[0]), None)
            if scope is None or scope in tables:
                raise AssertionError(f"docs/reports.md: cannot tell which object \"{last_text}\" describes")
            tables[scope] = {}
            continue
        if set(cells[0]) <= set("-"):
            continue
        keys = re.findall(r"`([^`]+)`", cells[0])
        if not keys or cells[1] not in TYPES:
            raise AssertionError(f"docs/reports.md: cannot read the schema row {line!r}")
        for key in keys:
            tables[scope][key] = (cells[1], cells[2])
    missing = set(SCOPES.values()) - set(tables)
    if missing:
        raise AssertionError(f"docs/reports.md: no table of the keys of {sorted(missing)}")
    return tables


def documented_values(meaning):
    """The backticked words of a string key's meaning: its possible values."""
    return set(re.findall(r"`([a-z_]+)`", meaning))


class ReportSchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schema = schema()
        cls.dir = tempfile.TemporaryDirectory(prefix="tpusim-schema-")
        cls.reports = {}
        for workload in ("tiny_cnn", "tiny_lstm"):
            out = pathlib.Path(cls.dir.name) / workload
            result = subprocess.run(
                [TPUSIM, "run", "--config", str(SOURCE / "configs/teaching-8x8.yaml"),
                 "--workload", str(SOURCE / f"workloads/teaching/{workload}.yaml"), "--out", str(out)],
                capture_output=True, text=True)
            if result.returncode != 0:
                raise AssertionError(f"tpusim run {workload} failed: {result.stderr}")
            cls.reports[workload] = json.loads((out / "report.json").read_text(encoding="utf-8"))

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def check_object(self, obj, scope, where):
        self.assertIsInstance(obj, dict, where)
        for key, (type_name, meaning) in self.schema[scope].items():
            self.assertIn(key, obj, f"{where}: documented key \"{key}\" is missing")
            value = obj[key]
            self.assertIsInstance(value, TYPES[type_name], f"{where}.{key}: documented as {type_name}")
            self.assertNotIsInstance(value, bool, f"{where}.{key}")
            values = documented_values(meaning)
            if type_name == "string" and len(values) > 1 and "..." not in meaning:
                self.assertIn(value, values, f"{where}.{key}: \"{value}\" is not a documented value")

    def test_the_schema_tables_are_read(self):
        # A sanity check of the parser, not of the output: the required keys.
        top = self.schema["top"]
        for key in ("cycles", "seconds", "tops", "peak_tops", "ops_per_weight_byte", "roofline_tops",
                    "breakdown", "layers"):
            self.assertIn(key, top)
        self.assertEqual(len(self.schema["breakdown"]), 8)
        self.assertIn("macs", self.schema["layers"])
        self.assertIn("stall", self.schema["instructions"])

    def test_every_documented_key_with_its_type(self):
        for workload, report in self.reports.items():
            self.check_object(report, "top", workload)
            self.check_object(report["breakdown"], "breakdown", f"{workload}.breakdown")
            self.assertGreater(len(report["layers"]), 0, workload)
            for i, layer in enumerate(report["layers"]):
                self.check_object(layer, "layers", f"{workload}.layers[{i}]")
            self.assertGreater(len(report["instructions"]), 0, workload)
            for i, instruction in enumerate(report["instructions"]):
                self.check_object(instruction, "instructions", f"{workload}.instructions[{i}]")
            self.assertIn("matrix_unit", report["stats"])
            for component, counters in report["stats"].items():
                self.assertIsInstance(counters, dict)
                for name, counter in counters.items():
                    self.check_object(counter, "stats", f"{workload}.stats.{component}.{name}")

    def test_no_undocumented_key(self):
        for workload, report in self.reports.items():
            self.assertEqual(set(report) - set(self.schema["top"]), set(), workload)
            self.assertEqual(set(report["breakdown"]) - set(self.schema["breakdown"]), set(), workload)
            for layer in report["layers"]:
                self.assertEqual(set(layer) - set(self.schema["layers"]), set(), workload)
            for instruction in report["instructions"]:
                self.assertEqual(set(instruction) - set(self.schema["instructions"]), set(), workload)

    def test_layers_carry_the_figures_of_layers_csv(self):
        import csv
        for workload, report in self.reports.items():
            with open(pathlib.Path(self.dir.name) / workload / "layers.csv", newline="") as f:
                rows = list(csv.DictReader(f))
            self.assertEqual([r["layer"] for r in rows], [layer["layer"] for layer in report["layers"]])
            for row, layer in zip(rows, report["layers"]):
                self.assertEqual(set(row), set(layer), workload)
                for key, text in row.items():
                    if isinstance(layer[key], str):
                        self.assertEqual(layer[key], text, f"{workload} {row['layer']}.{key}")
                    else:
                        self.assertEqual(layer[key], float(text), f"{workload} {row['layer']}.{key}")


if __name__ == "__main__":
    TPUSIM = sys.argv.pop(1)
    SOURCE = pathlib.Path(sys.argv.pop(1))
    unittest.main(verbosity=1)
