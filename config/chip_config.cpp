#include "config/chip_config.hpp"

#include "isa/forms.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>

namespace tpusim::config {
namespace {

__extension__ typedef unsigned __int128 u128;

constexpr std::uint64_t kKilo = 1000;
constexpr std::uint64_t kMega = kKilo * kKilo;
constexpr std::uint64_t kGiga = kMega * kKilo;
constexpr std::uint64_t kTera = kGiga * kKilo;
constexpr std::uint64_t kPeta = kTera * kKilo;
constexpr std::uint64_t kTiB = std::uint64_t{1} << 40;
constexpr std::uint64_t kPsPerSecond = kTera;

// Plausibility bounds. They are not properties of any design; they catch a unit slip
// ("700GHz" for "700MHz") and keep the 128-bit cycle arithmetic far from overflow.
constexpr std::uint64_t kMinClock = kKilo;            // 1 kHz
constexpr std::uint64_t kMaxClock = 100 * kGiga;      // 100 GHz
constexpr std::uint64_t kMinBandwidth = kMega;        // 1 MB/s
constexpr std::uint64_t kMaxBandwidth = kPeta;        // 1 PB/s
constexpr std::uint64_t kMaxLatency = kPsPerSecond;   // 1 s
constexpr std::uint64_t kMaxFifoTiles = 1024;
constexpr std::uint64_t kMaxChannels = 1024;
constexpr std::uint64_t kMaxInterleave = std::uint64_t{1} << 20;  // 1 MiB; DRAM pages are a few KiB
constexpr std::uint64_t kMaxActivationBytesPerCycle = 65536;
constexpr std::uint64_t kMaxActivationLatency = 1000000;  // cycles
constexpr std::uint64_t kMaxUbPorts = 16;

const std::vector<std::string>& operand_mode_words() {
    static const std::vector<std::string> words = {"int8", "int8x16", "int16"};  // OperandMode order
    return words;
}

// The limits that come from the instruction set are read from its form table, so a
// change of a field width there moves the accepted range here.
const isa::Field& isa_field(const char* mnemonic, const char* name) {
    if (const isa::Form* form = isa::find_form(mnemonic)) {
        for (const isa::Field& f : form->fields)
            if (std::strcmp(f.name, name) == 0) return f;
    }
    throw std::logic_error(fmt::format("the instruction set has no field {}.{}", mnemonic, name));
}

std::string isa_reason(const char* mnemonic, const char* name) {
    return fmt::format("the {} field of {} is {} bits", name, mnemonic, isa_field(mnemonic, name).width);
}

/// Rows of the unified buffer an instruction can name: an address must reach every row and
/// a row count must cover all of them.
std::uint64_t max_ub_rows() {
    return std::min(isa_field("matrix_multiply", "ub_addr").max() + 1,
                    isa_field("matrix_multiply", "rows").max());
}

// ---------------------------------------------------------------------------------------
// One function per unit, each reading (or describing, or showing) its own section.

void bind_top(ParamReader& r, ChipConfig& c) {
    auto s = r.section("", "The chip as a whole.");
    s.param("name").describe("Name of the chip, shown in reports.").text().required(c.name);
    s.param("clock")
        .describe("Clock of the whole chip. Every unit runs on it and every cycle count the "
                  "simulator reports is in it.")
        .quantity(QuantityKind::Frequency)
        .range(kMinClock, kMaxClock)
        .required(c.clock_hz);
}

void bind_matrix_unit(ParamReader& r, MatrixUnitParams& p) {
    auto s = r.section("matrix_unit",
                       "The systolic array of multiply-accumulate cells. A weight tile stays in "
                       "it while input vectors flow through.");
    s.param("rows")
        .describe("Rows of the array: the length of an input vector and the rows of a weight "
                  "tile. The matrix unit reads this many bytes of each UB row.")
        .count("rows")
        .range(1, isa_field("read_weights", "tile_rows").max(), isa_reason("read_weights", "tile_rows"))
        .required(p.rows);
    s.param("cols")
        .describe("Columns of the array: the length of an output vector of partial sums and "
                  "the columns of a weight tile. The activation unit writes this many bytes "
                  "of each UB row.")
        .count("columns")
        .range(1, isa_field("read_weights", "tile_cols").max(), isa_reason("read_weights", "tile_cols"))
        .required(p.cols);
    auto mode = static_cast<std::uint32_t>(p.operand_mode);
    s.param("operand_mode")
        .describe("Operand widths: int8 (8 x 8 bits, one input vector per cycle), int8x16 "
                  "(8 x 16 bits, half speed) or int16 (16 x 16 bits, quarter speed).")
        .choice(operand_mode_words())
        .or_default("int8", mode);
    p.operand_mode = static_cast<OperandMode>(mode);
}

void bind_unified_buffer(ParamReader& r, UnifiedBufferParams& p) {
    auto s = r.section("unified_buffer",
                       "On-chip SRAM for activations, the inputs and outputs of layers. It is "
                       "addressed in rows of max(matrix_unit.rows, matrix_unit.cols) bytes.");
    s.param("capacity")
        .describe("Size of the unified buffer: a whole number of rows, no more rows than the "
                  "instructions' 24-bit UB address and row-count fields can name.")
        .quantity(QuantityKind::Size)
        .range(1, kTiB)
        .required(p.capacity_bytes);
    // The default is TPUv1's as configs/tpuv1.yaml argues it: one read port for the matrix
    // unit and one for the host, one write port for the activation path and one for the host.
    s.param("read_ports")
        .describe("Read ports, each moving one UB row per cycle. The matrix unit holds one while "
                  "it streams input vectors, a UB-to-host transfer one while its data moves, a "
                  "Vector two (one with a single port, at half speed) (docs/timing-model.md).")
        .count("ports")
        .range(1, kMaxUbPorts)
        .or_default("2", p.read_ports);
    s.param("write_ports")
        .describe("Write ports, each moving one UB row per cycle. Activate and Vector hold one "
                  "while their results leave the pipeline, a host-to-UB transfer one while its "
                  "data moves (docs/timing-model.md).")
        .count("ports")
        .range(1, kMaxUbPorts)
        .or_default("2", p.write_ports);
}

void bind_accumulators(ParamReader& r, AccumulatorParams& p) {
    auto s = r.section("accumulators",
                       "SRAM of 32-bit partial sums between the matrix unit and the activation unit.");
    s.param("entries")
        .describe("Accumulator entries, each one row of `matrix_unit.cols` 32-bit values.")
        .count("entries")
        .range(1, isa_field("matrix_multiply", "acc_addr").max() + 1,
               isa_reason("matrix_multiply", "acc_addr"))
        .required(p.entries);
}

void bind_weight_fifo(ParamReader& r, WeightFifoParams& p) {
    auto s = r.section("weight_fifo", "Queue of weight tiles between weight memory and the matrix unit.");
    s.param("depth")
        .describe("Weight tiles in flight between weight memory and the array: a tile takes a "
                  "slot when its read is requested and frees it once it has shifted into the array.")
        .count("tiles")
        .range(1, kMaxFifoTiles)
        .required(p.depth_tiles);
}

void bind_weight_memory(ParamReader& r, WeightMemoryParams& p) {
    auto s = r.section("weight_memory",
                       "Off-chip memory holding the model's weights, read-only during inference.");
    s.param("capacity")
        .describe("Size of weight memory.")
        .quantity(QuantityKind::Size)
        .range(1, isa_field("read_weights", "weight_addr").max() + 1,
               isa_reason("read_weights", "weight_addr"))
        .required(p.capacity_bytes);
    s.param("bandwidth")
        .describe("Sustained read bandwidth, the total over all channels.")
        .quantity(QuantityKind::Bandwidth)
        .range(kMinBandwidth, kMaxBandwidth)
        .required(p.bandwidth_bytes_per_s);
    s.param("latency")
        .describe("Time from a read request to the first byte of its data arriving.")
        .quantity(QuantityKind::Time)
        .range(0, kMaxLatency)
        .required(p.latency_ps);
    s.param("channels")
        .describe("Independent channels, each with `bandwidth` / `channels` and the full "
                  "`latency`, each serving its requests in order. Addresses are interleaved "
                  "over them in stripes of `interleave` bytes (docs/timing-model.md).")
        .count("channels")
        .range(1, kMaxChannels)
        .or_default("1", p.channels);
    // 64 bytes: one burst of a 64-bit DDR3/DDR4 channel (8 transfers x 8 bytes), the
    // smallest unit a memory controller moves and a common interleaving granule.
    s.param("interleave")
        .describe("Bytes of each channel stripe: byte address a is on channel "
                  "(a / interleave) mod channels. A tile smaller than channels x interleave "
                  "uses only some channels (docs/timing-model.md). The default is one burst "
                  "of a 64-bit DDR channel.")
        .quantity(QuantityKind::Size)
        .range(1, kMaxInterleave)
        .or_default("64B", p.interleave_bytes);
}

void bind_host_interface(ParamReader& r, HostInterfaceParams& p) {
    auto s = r.section("host_interface",
                       "Link between host memory and the unified buffer (PCIe on TPUv1).");
    s.param("bandwidth")
        .describe("Sustained transfer rate in each direction.")
        .quantity(QuantityKind::Bandwidth)
        .range(kMinBandwidth, kMaxBandwidth)
        .required(p.bandwidth_bytes_per_s);
    s.param("latency")
        .describe("Time from the start of a transfer to its first byte arriving.")
        .quantity(QuantityKind::Time)
        .range(0, kMaxLatency)
        .required(p.latency_ps);
}

void bind_activation(ParamReader& r, ActivationParams& p) {
    auto s = r.section("activation",
                       "Path from the accumulators through requantization, the nonlinearity "
                       "and pooling into the unified buffer.");
    s.param("throughput")
        .describe("Output bytes written into the unified buffer per cycle.")
        .count("bytes/cycle")
        .range(1, kMaxActivationBytesPerCycle)
        .required(p.bytes_per_cycle);
    s.param("latency")
        .describe("Pipeline depth of the activation path: cycles from reading an accumulator "
                  "row to writing its result.")
        .count("cycles")
        .range(0, kMaxActivationLatency)
        .required(p.latency_cycles);
}

// ---------------------------------------------------------------------------------------
// Checks that involve more than one key.

/// A check across keys that failed: the key it is placed at, and what is wrong.
struct CrossProblem {
    std::string section;
    std::string key;
    std::string message;
};

/// The checks across keys among the values a program's chip signature holds (array shape,
/// UB and weight-memory capacity): made for chip files and `.chip` lines alike.
std::optional<CrossProblem> layout_problem(const ChipConfig& c) {
    const std::uint64_t row = c.ub_row_bytes();
    const std::uint64_t ub = c.ub.capacity_bytes;
    if (ub % row != 0) {
        return CrossProblem{"unified_buffer", "capacity",
               fmt::format("{} ({} bytes) is not a whole number of {}-byte rows (a UB row is "
                           "max(matrix_unit.rows, matrix_unit.cols) bytes)",
                           format_quantity(ub, QuantityKind::Size), ub, row)};
    }
    if (c.ub_rows() > max_ub_rows()) {
        return CrossProblem{"unified_buffer", "capacity",
               fmt::format("{} is {} rows of {} bytes, more than the {} that instructions can "
                           "address (the ub_addr and rows fields of matrix_multiply are {} bits)",
                           format_quantity(ub, QuantityKind::Size), c.ub_rows(), row,
                           max_ub_rows(), isa_field("matrix_multiply", "ub_addr").width)};
    }
    if (c.weight_memory.capacity_bytes < c.tile_bytes()) {
        return CrossProblem{"weight_memory", "capacity",
               fmt::format("{} cannot hold one {} x {} weight tile ({} bytes)",
                           format_quantity(c.weight_memory.capacity_bytes, QuantityKind::Size),
                           c.matrix.rows, c.matrix.cols, c.tile_bytes())};
    }
    return std::nullopt;
}

void check_chip(const ChipConfig& c, const ParamReader& r) {
    if (const auto p = layout_problem(c)) r.fail(p->section, p->key, p->message);
    const u128 macs_per_s = u128{c.tile_bytes()} * c.clock_hz;
    if (macs_per_s > std::numeric_limits<std::uint64_t>::max()) {
        r.fail("", "clock",
               fmt::format("{} x {} cells at {} exceed 2^64 multiply-accumulates per second, "
                           "beyond the simulator's 64-bit counters",
                           c.matrix.rows, c.matrix.cols, format_quantity(c.clock_hz, QuantityKind::Frequency)));
    }
}

}  // namespace

const char* operand_mode_name(OperandMode mode) {
    return operand_mode_words().at(static_cast<std::size_t>(mode)).c_str();
}

std::uint32_t MatrixUnitParams::cycles_per_vector() const {
    switch (operand_mode) {
    case OperandMode::Int8x8: return 1;
    case OperandMode::Int8x16: return 2;
    case OperandMode::Int16x16: return 4;
    }
    return 1;
}

isa::ChipSignature ChipConfig::signature() const {
    isa::ChipSignature s;
    s.rows = matrix.rows;
    s.cols = matrix.cols;
    s.ub_bytes = ub.capacity_bytes;
    s.acc_entries = acc.entries;
    s.weight_bytes = weight_memory.capacity_bytes;
    return s;
}

std::uint64_t ChipConfig::ub_row_bytes() const { return std::max(matrix.rows, matrix.cols); }

std::uint64_t ChipConfig::ub_rows() const {
    const std::uint64_t row = ub_row_bytes();
    return row == 0 ? 0 : ub.capacity_bytes / row;
}

std::uint64_t ChipConfig::tile_bytes() const { return std::uint64_t{matrix.rows} * matrix.cols; }

std::uint64_t ChipConfig::peak_macs_per_s() const {
    const u128 per_s = u128{tile_bytes()} * clock_hz / matrix.cycles_per_vector();
    return static_cast<std::uint64_t>(std::min<u128>(per_s, std::numeric_limits<std::uint64_t>::max()));
}

double ChipConfig::peak_tops() const {
    const u128 macs_per_s_times_cpv = u128{tile_bytes()} * clock_hz;
    return 2.0 * static_cast<double>(macs_per_s_times_cpv) / matrix.cycles_per_vector() / 1e12;
}

double ChipConfig::weight_bytes_per_cycle() const {
    return static_cast<double>(weight_memory.bandwidth_bytes_per_s) / static_cast<double>(clock_hz);
}

std::uint64_t ChipConfig::latency_cycles(std::uint64_t latency_ps) const {
    const u128 scaled = u128{latency_ps} * clock_hz;
    return static_cast<std::uint64_t>((scaled + kPsPerSecond - 1) / kPsPerSecond);
}

std::uint64_t ChipConfig::transfer_cycles(std::uint64_t bytes, std::uint64_t bytes_per_s, std::uint32_t share) const {
    if (bytes_per_s == 0) return std::numeric_limits<std::uint64_t>::max();  // never completes
    const u128 scaled = u128{bytes} * share * clock_hz;
    const u128 cycles = (scaled + bytes_per_s - 1) / bytes_per_s;
    return static_cast<std::uint64_t>(std::min<u128>(cycles, std::numeric_limits<std::uint64_t>::max()));
}

std::uint64_t WeightMemoryParams::channel_bytes(std::uint64_t addr, std::uint64_t bytes,
                                                std::uint32_t channel) const {
    // Bytes of [0, x) on the channel: I for every whole round of channels * I bytes, plus
    // the part of the last, partial round that falls in the channel's stripe.
    const u128 stripe = interleave_bytes, round = stripe * channels, first = stripe * channel;
    const auto below = [&](u128 x) {
        const u128 rest = x % round;
        return x / round * stripe + (rest > first ? std::min(rest - first, stripe) : 0);
    };
    return static_cast<std::uint64_t>(below(u128{addr} + bytes) - below(addr));
}

std::uint64_t ChipConfig::tile_transfer_cycles() const {
    const WeightMemoryParams& m = weight_memory;
    std::uint64_t busiest = 0;
    for (std::uint32_t c = 0; c < m.channels; ++c) busiest = std::max(busiest, m.channel_bytes(0, tile_bytes(), c));
    return transfer_cycles(busiest, m.bandwidth_bytes_per_s, m.channels);
}

std::uint64_t ChipConfig::tile_fetch_cycles() const {
    return latency_cycles(weight_memory.latency_ps) + tile_transfer_cycles();
}

double ChipConfig::ridge_macs_per_weight_byte() const {
    const u128 macs_per_s_times_cpv = u128{tile_bytes()} * clock_hz;
    return static_cast<double>(macs_per_s_times_cpv) / matrix.cycles_per_vector() /
           static_cast<double>(weight_memory.bandwidth_bytes_per_s);
}

void bind_chip_params(ParamReader& reader, ChipConfig& chip) {
    bind_top(reader, chip);
    bind_matrix_unit(reader, chip.matrix);
    bind_unified_buffer(reader, chip.ub);
    bind_accumulators(reader, chip.acc);
    bind_weight_fifo(reader, chip.fifo);
    bind_weight_memory(reader, chip.weight_memory);
    bind_host_interface(reader, chip.host);
    bind_activation(reader, chip.activation);
}

const Schema& chip_config_schema() {
    static const Schema schema = [] {
        ParamReader reader = ParamReader::describe();
        ChipConfig unused;
        bind_chip_params(reader, unused);
        return reader.schema();
    }();
    return schema;
}

std::vector<ParamValue> chip_config_values(const ChipConfig& chip) {
    ParamReader reader = ParamReader::show();
    ChipConfig copy = chip;  // Show mode only reads the fields, but binding takes them by reference
    bind_chip_params(reader, copy);
    return reader.values();
}

ChipConfig parse_chip_config(const std::string& yaml_text, const std::string& source_name) {
    ParamReader reader = ParamReader::read(yaml_text, source_name);
    reader.check_known_keys(chip_config_schema());
    ChipConfig chip;
    chip.source_file = source_name;
    bind_chip_params(reader, chip);
    reader.finish();
    check_chip(chip, reader);
    return chip;
}

std::string chip_signature_problem(const isa::ChipSignature& s) {
    // Each field of the signature is the value of one chip parameter.
    struct Field {
        const char* name;
        const char* section;
        const char* key;
        std::uint64_t value;
    };
    const Field fields[] = {
        {"rows", "matrix_unit", "rows", s.rows},
        {"cols", "matrix_unit", "cols", s.cols},
        {"ub_bytes", "unified_buffer", "capacity", s.ub_bytes},
        {"acc_entries", "accumulators", "entries", s.acc_entries},
        {"weight_bytes", "weight_memory", "capacity", s.weight_bytes},
    };
    const auto problem = [](const Field& f, const std::string& message) {
        return fmt::format("{}={} breaks a limit of chip configs: {}.{}: {}", f.name, f.value, f.section, f.key,
                           message);
    };
    for (const Field& f : fields) {
        const ParamSpec& spec = *chip_config_schema().find(f.section, f.key);
        if (!spec.in_range(f.value))
            return problem(f, fmt::format("{} is out of range: {}", f.value, spec.allowed_text()));
    }
    ChipConfig c;
    c.matrix.rows = s.rows;
    c.matrix.cols = s.cols;
    c.ub.capacity_bytes = s.ub_bytes;
    c.acc.entries = s.acc_entries;
    c.weight_memory.capacity_bytes = s.weight_bytes;
    if (const auto p = layout_problem(c)) {
        for (const Field& f : fields)
            if (p->section == f.section && p->key == f.key) return problem(f, p->message);
    }
    return "";
}

ChipConfig load_chip_config(const std::string& path) { return parse_chip_config(ParamReader::read_file(path), path); }

}  // namespace tpusim::config
