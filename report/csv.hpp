// CSV output shared by the run reports and the sweep results (RFC 4180 quoting).
#pragma once

#include <string>

namespace tpusim::report {

/// A CSV field: quoted (with quotes doubled) when it holds a comma, quote or line break,
/// as a layer name may.
std::string csv_field(const std::string& text);

}  // namespace tpusim::report
