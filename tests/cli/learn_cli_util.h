// Helpers of the `train`/`evaluate`/`predict` CLI suites: reading a column of a CSV output and
// the AUC of scored leads counted pair by pair (no library to trust).
#pragma once

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace leadscore {

// Leads of a `score` or `predict` CSV output: lead_id -> the cell of column `name`.
inline std::map<std::string, std::string> ColumnOf(const std::string& csv,
                                                   const std::string& name) {
  std::istringstream in(csv);
  std::string line, cell;
  std::getline(in, line);
  std::vector<std::string> header;
  for (std::istringstream h(line); std::getline(h, cell, ',');) header.push_back(cell);
  const size_t at = std::find(header.begin(), header.end(), name) - header.begin();
  std::map<std::string, std::string> out;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    for (std::istringstream l(line); std::getline(l, cell, ',');) cells.push_back(cell);
    if (at < cells.size()) out[cells[0]] = cells[at];
  }
  return out;
}

inline double PairAuc(const std::vector<std::pair<double, int>>& scored) {
  double won = 0, pairs = 0;
  for (const auto& [sp, yp] : scored) {
    if (!yp) continue;
    for (const auto& [sn, yn] : scored) {
      if (yn) continue;
      won += sp > sn ? 1 : sp == sn ? 0.5 : 0;
      pairs += 1;
    }
  }
  return won / pairs;
}

}  // namespace leadscore
