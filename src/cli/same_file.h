// Whether two paths of a command line name one file, and the check every command that writes
// files makes before it opens anything: no output may name an input or another output (an
// output opened first empties the input it names; one written last replaces it).
#pragma once

#include <initializer_list>
#include <string_view>

namespace leadscore::cli {

// True when `a` and `b` name the same regular file, or the same file-to-be when neither exists
// yet. Both are made absolute (against the current directory) and resolved through symbolic
// links, their own included when dangling, as far as the file system has them; two files that
// exist compare by device and inode, so a hard link is the file it links. Devices, FIFOs and
// directories are never "the same file": reading one and writing another loses nothing stored
// (`--output /dev/null --accounts /dev/null`).
bool SameFile(std::string_view a, std::string_view b);

// A path given to a command-line flag. An empty path (the flag was not given) and "-" (standard
// input or output) name no file.
struct PathFlag {
  std::string_view flag;  // "--events", as the user types it
  std::string_view path;
};

// Run before a command reads or writes anything. True when no output names the same file as
// an input or as another output; otherwise prints, for the first clash found,
//   "<command>: --errors and --events name the same file, e.jsonl; nothing was read or written"
// (the output's flag first) and returns false: a usage error. Two inputs of standard input
// (`-`) are refused the same way.
bool OutputsAreDistinctOrReport(std::string_view command, std::initializer_list<PathFlag> inputs,
                                std::initializer_list<PathFlag> outputs);

}  // namespace leadscore::cli
