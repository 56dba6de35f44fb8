// yaml-cpp, for every file of ours that needs it. GCC 12 reports a dangling pointer inside
// yaml-cpp 0.7's node headers once they are inlined; it is a known false positive in the
// library (a temporary that outlives the check), not in our code, so it is silenced for
// those headers only.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/yaml.h>
#endif
