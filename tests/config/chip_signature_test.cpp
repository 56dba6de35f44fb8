// A program's chip signature (its .chip line) is held to the limits of chip configs:
// exactly the ones a chip file is held to, taken from config rather than restated.
#include "config/chip_config.hpp"
#include "config/overrides.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace tpusim::config;
using tpusim::isa::ChipSignature;

namespace {

std::string teaching_yaml() {
    std::ifstream in(std::string(TPUSIM_SOURCE_DIR) + "/configs/teaching-8x8.yaml", std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Whether a chip file with these five values (the rest from the teaching chip) loads.
bool chip_file_accepts(const ChipSignature& s) {
    const std::vector<ParamOverride> values = {
        {"matrix_unit.rows", std::to_string(s.rows), ""},
        {"matrix_unit.cols", std::to_string(s.cols), ""},
        {"unified_buffer.capacity", std::to_string(s.ub_bytes) + "B", ""},
        {"accumulators.entries", std::to_string(s.acc_entries), ""},
        {"weight_memory.capacity", std::to_string(s.weight_bytes) + "B", ""},
    };
    try {
        parse_chip_config(apply_overrides(teaching_yaml(), values), "chip.yaml");
        return true;
    } catch (const ConfigError&) {
        return false;
    }
}

}  // namespace

TEST_CASE("the shipped chips' signatures pass", "[chip_signature]") {
    for (const char* name : {"tpuv1.yaml", "tpuv1-gddr5.yaml", "teaching-8x8.yaml", "edge-64x64-lpddr4.yaml"}) {
        INFO(name);
        CHECK(chip_signature_problem(load_chip_config(std::string(TPUSIM_SOURCE_DIR) + "/configs/" + name).signature())
                  .empty());
    }
}

TEST_CASE("a signature is accepted exactly when a chip file with its values is", "[chip_signature]") {
    const ChipSignature base = load_chip_config(std::string(TPUSIM_SOURCE_DIR) + "/configs/teaching-8x8.yaml").signature();
    struct Field {
        const char* path;
        std::uint64_t ChipSignature::*wide;
        std::uint32_t ChipSignature::*narrow;
    };
    const std::vector<Field> fields = {
        {"matrix_unit.rows", nullptr, &ChipSignature::rows},
        {"matrix_unit.cols", nullptr, &ChipSignature::cols},
        {"unified_buffer.capacity", &ChipSignature::ub_bytes, nullptr},
        {"accumulators.entries", nullptr, &ChipSignature::acc_entries},
        {"weight_memory.capacity", &ChipSignature::weight_bytes, nullptr},
    };
    std::vector<ChipSignature> cases = {base};
    for (const Field& f : fields) {
        const ParamSpec& spec = *find_chip_param(f.path);
        // The edges of the range, and values that trip the checks across keys.
        for (std::uint64_t v : {spec.min - 1, spec.min, spec.min + 1, spec.max - 1, spec.max, spec.max + 1,
                                std::uint64_t{48}, std::uint64_t{63}, std::uint64_t{4096}}) {
            ChipSignature s = base;
            if (f.wide != nullptr) {
                s.*f.wide = v;
            } else {
                if (v > UINT32_MAX) continue;
                s.*f.narrow = static_cast<std::uint32_t>(v);
            }
            cases.push_back(s);
        }
    }
    int rejected = 0;
    for (const ChipSignature& s : cases) {
        INFO("rows=" << s.rows << " cols=" << s.cols << " ub_bytes=" << s.ub_bytes << " acc_entries=" << s.acc_entries
                     << " weight_bytes=" << s.weight_bytes);
        const std::string problem = chip_signature_problem(s);
        INFO(problem);
        CHECK(problem.empty() == chip_file_accepts(s));
        rejected += problem.empty() ? 0 : 1;
    }
    CHECK(rejected >= 10);  // the cases do reach the limits
}

TEST_CASE("a signature's problem names its field and the chip parameter", "[chip_signature]") {
    ChipSignature s{8, 8, 64, 16, 1024};
    CHECK(chip_signature_problem(s).empty());
    s.rows = 0;
    CHECK(chip_signature_problem(s) ==
          "rows=0 breaks a limit of chip configs: matrix_unit.rows: 0 is out of range: " +
              find_chip_param("matrix_unit.rows")->allowed_text());
    s.rows = 8;
    s.ub_bytes = 100;
    CHECK(chip_signature_problem(s) ==
          "ub_bytes=100 breaks a limit of chip configs: unified_buffer.capacity: 100 B (100 bytes) is not a whole "
          "number of 8-byte rows (a UB row is max(matrix_unit.rows, matrix_unit.cols) bytes)");
    s.ub_bytes = 64;
    s.weight_bytes = 63;
    CHECK(chip_signature_problem(s) ==
          "weight_bytes=63 breaks a limit of chip configs: weight_memory.capacity: 63 B cannot hold one 8 x 8 weight "
          "tile (64 bytes)");
}
