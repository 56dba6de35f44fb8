// File helpers for the CLI: whole-file reads with one-line errors, and writes that never
// replace a file the user did not ask to replace.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tpusim::cli {

/// Whole-file reads of inputs through isa/input_file (regular files only, size-capped);
/// `noun` says in messages what the file was to be ("assembly source").
std::string read_text_file(const std::string& path, const std::string& noun);
std::vector<std::uint8_t> read_binary_file(const std::string& path, const std::string& noun);
/// Writes `data` to `path`; an existing file is an error unless `overwrite`.
void write_file(const std::string& path, const std::string& data, bool overwrite);
/// Throws if `path` cannot be written: it exists and `overwrite` is false, it is a
/// directory, or its folder is missing or not writable. Checked before a run, so that a
/// long run does not end in a refusal.
void check_output_file(const std::string& path, bool overwrite);

/// Throws unless prepare_out_dir(dir, force) would succeed, touching nothing: called before
/// a run, so that a long run does not end in a refusal and a failed one leaves no folder.
void check_out_dir(const std::string& dir, bool force);
/// An output directory is created; an existing non-empty one is used only with `force`
/// (write_outputs then replaces the files of the earlier command there).
void prepare_out_dir(const std::string& dir, bool force);

/// The list of the files a command wrote into its output directory, kept there, so that a
/// later command with --force can remove exactly them (an old fc4.npy must not sit beside
/// new results) and never a file tpusim did not write.
inline constexpr const char* kOutputList = "tpusim-outputs.txt";

/// An output file: its name in the output directory and how to write it to a path.
using Output = std::pair<std::string, std::function<void(const std::string&)>>;
/// An Output that writes `data`.
Output text_output(std::string name, std::string data);

/// Removes the files the list in `dir` names (plain names of regular files only; any other
/// line is left alone, with a note), then writes the list of `outputs` and the outputs.
/// Call once the command has succeeded, on a directory prepare_out_dir accepted.
void write_outputs(const std::string& dir, const std::vector<Output>& outputs);

}  // namespace tpusim::cli
