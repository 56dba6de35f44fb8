// File helpers for the CLI: whole-file reads with one-line errors, and writes that never
// replace a file the user did not ask to replace.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tpusim::cli {

/// Whole-file reads of inputs through isa/input_file (regular files only, size-capped);
/// `noun` says in messages what the file was to be ("assembly source").
std::string read_text_file(const std::string& path, const std::string& noun);
std::vector<std::uint8_t> read_binary_file(const std::string& path, const std::string& noun);
/// Writes `data` to `path`; an existing file is an error unless `overwrite`.
void write_file(const std::string& path, const std::string& data, bool overwrite);
/// Throws if `path` exists and `overwrite` is false (checked before a run, so that a long
/// run does not end in a refusal).
void refuse_existing(const std::string& path, bool overwrite);

/// An output directory is created; an existing non-empty one is used only with `force`
/// (the files written into it then replace earlier results of the same names).
void prepare_out_dir(const std::string& dir, bool force);

}  // namespace tpusim::cli
