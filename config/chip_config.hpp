// Typed chip parameters, one struct per hardware unit. Each struct is read from its own
// section of the chip YAML by its own function (config/chip_config.cpp), which marks every
// key required or defaulted and gives it a description and a unit; nothing downstream ever
// sees a string key. All quantities are exact integers in base units (bytes, Hz, bytes per
// second, picoseconds) so that cycle arithmetic is exact. docs/config.md is the reference.
#pragma once

#include "config/param_reader.hpp"
#include "isa/program.hpp"

#include <cstdint>
#include <string>

namespace tpusim::config {

/// Operand widths of the matrix unit. 16-bit modes run at half and quarter speed.
enum class OperandMode { Int8x8, Int8x16, Int16x16 };

/// "int8", "int8x16", "int16": the words chip files use.
const char* operand_mode_name(OperandMode mode);

struct MatrixUnitParams {
    std::uint32_t rows = 0;  // array rows: input-vector length (weight tile rows)
    std::uint32_t cols = 0;  // array columns: output-vector length (weight tile columns)
    OperandMode operand_mode = OperandMode::Int8x8;
    /// Cycles each input vector occupies the array: 1, 2 or 4 by operand_mode.
    std::uint32_t cycles_per_vector() const;
};

struct UnifiedBufferParams {
    std::uint64_t capacity_bytes = 0;  // a whole number of rows of ChipConfig::ub_row_bytes()
    std::uint32_t read_ports = 0;      // each moves one UB row per cycle out of the buffer
    std::uint32_t write_ports = 0;     // each moves one UB row per cycle into it
};

struct AccumulatorParams {
    std::uint32_t entries = 0;  // rows of `cols` 32-bit values
};

struct WeightFifoParams {
    std::uint32_t depth_tiles = 0;
};

struct WeightMemoryParams {
    std::uint64_t capacity_bytes = 0;
    std::uint64_t bandwidth_bytes_per_s = 0;  // aggregate over all channels
    std::uint64_t latency_ps = 0;
    std::uint32_t channels = 0;
    std::uint64_t interleave_bytes = 0;  // bytes of one channel stripe

    /// Bytes of [addr, addr + bytes) that live on `channel`: byte b is on channel
    /// (b / interleave) mod channels. Closed form, O(1) (docs/timing-model.md, "Transfers").
    std::uint64_t channel_bytes(std::uint64_t addr, std::uint64_t bytes, std::uint32_t channel) const;
};

struct HostInterfaceParams {
    std::uint64_t bandwidth_bytes_per_s = 0;  // each direction
    std::uint64_t latency_ps = 0;
};

struct ActivationParams {
    std::uint32_t bytes_per_cycle = 0;  // accumulator-to-UB throughput, in output bytes
    std::uint32_t latency_cycles = 0;   // pipeline depth of the activation path
};

struct ChipConfig {
    std::string name;
    std::string source_file;  // where it was read from, for messages
    std::uint64_t clock_hz = 0;
    MatrixUnitParams matrix;
    UnifiedBufferParams ub;
    AccumulatorParams acc;
    WeightFifoParams fifo;
    WeightMemoryParams weight_memory;
    HostInterfaceParams host;
    ActivationParams activation;

    /// What a program compiled for this chip depends on (addresses and tile shapes).
    isa::ChipSignature signature() const;

    // Derived figures. Integer ones are exact; the doubles are for display and are
    // computed from exact integer numerators. Formulas are in docs/config.md.

    /// Width of a UB row: max(rows, cols) bytes. The matrix unit reads the first `rows`
    /// bytes of a row, the activation unit writes the first `cols` bytes.
    std::uint64_t ub_row_bytes() const;
    std::uint64_t ub_rows() const;            // capacity / ub_row_bytes
    std::uint64_t tile_bytes() const;         // rows * cols
    /// rows * cols * clock / cycles_per_vector, rounded down (exact for every shipped chip;
    /// loading checks that rows * cols * clock fits in 64 bits).
    std::uint64_t peak_macs_per_s() const;
    double peak_tops() const;                 // 2 * rows * cols * clock / cycles_per_vector / 1e12
    double weight_bytes_per_cycle() const;    // weight bandwidth / clock
    /// Cycles to move one full tile stored at address 0 over idle channels: its bytes on
    /// the busiest channel at that channel's share of the bandwidth,
    /// ceil(max_c channel_bytes(0, tile_bytes, c) * channels * clock / bandwidth). Equal to
    /// transfer_cycles(tile_bytes, bandwidth) when the tile is whole stripes on every channel.
    std::uint64_t tile_transfer_cycles() const;
    /// Cycles from issuing a fetch of one full tile to its last byte arriving:
    /// latency_cycles(weight latency) + tile_transfer_cycles().
    std::uint64_t tile_fetch_cycles() const;
    double ridge_macs_per_weight_byte() const;  // peak MACs/s / weight bandwidth

    /// ceil(latency * clock): a latency in whole cycles of this chip's clock.
    std::uint64_t latency_cycles(std::uint64_t latency_ps) const;
    /// ceil(bytes * share * clock / bytes_per_s): cycles to move `bytes` at a bandwidth, or
    /// at its 1/share part (one of `share` channels). Computed in 128-bit integers, so no
    /// rounding happens before the final ceiling. A result beyond 64 bits (or a zero
    /// bandwidth) saturates at the largest value.
    std::uint64_t transfer_cycles(std::uint64_t bytes, std::uint64_t bytes_per_s, std::uint32_t share = 1) const;
};

/// Reads a chip file. Throws ConfigError (file:line:column, key, what was expected) for
/// any problem, including a file that cannot be read.
ChipConfig load_chip_config(const std::string& path);

/// Reads chip YAML from memory; `source_name` stands for the file in messages.
ChipConfig parse_chip_config(const std::string& yaml_text, const std::string& source_name);

/// Whether a program's chip signature (its `.chip` line) describes a chip a chip file could:
/// each value in the range of its chip parameter, and the checks across keys that involve
/// only these values, made exactly as for a chip file. "" when it does; otherwise one
/// message naming the signature's field and the chip parameter: "rows=0 breaks a limit of
/// chip configs: matrix_unit.rows: 0 is out of range: allowed 1 to 256 (...)".
std::string chip_signature_problem(const isa::ChipSignature& signature);

/// Every section and key a chip file may contain, with unit, range, default and meaning.
const Schema& chip_config_schema();

/// Every parameter of `chip` with its value, in schema order (for reports).
std::vector<ParamValue> chip_config_values(const ChipConfig& chip);

/// Binds every parameter of the chip to `reader`: reads, describes or shows them
/// depending on its mode. One function per unit does the work; this calls them in order.
void bind_chip_params(ParamReader& reader, ChipConfig& chip);

}  // namespace tpusim::config
