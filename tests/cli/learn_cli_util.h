// Helpers of the `train`/`evaluate`/`predict` CLI suites: reading a column of a CSV output and
// the AUC of scored leads counted pair by pair (no library to trust).
#pragma once

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace leadscore {

// The cells of a CSV line that quotes none.
inline std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (std::istringstream l(line); std::getline(l, cell, ',');) cells.push_back(cell);
  return cells;
}

// Leads of a `score` or `predict` CSV output: lead_id (its first column) -> the cell of column
// `name`.
inline std::map<std::string, std::string> ColumnOf(const std::string& csv,
                                                   const std::string& name) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = Cells(line);
  const size_t at = std::find(header.begin(), header.end(), name) - header.begin();
  std::map<std::string, std::string> out;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = Cells(line);
    if (at < cells.size()) out[cells[0]] = cells[at];
  }
  return out;
}

// Each lead of a `score` CSV output as (score, its label in `label`), for PairAuc.
inline std::vector<std::pair<double, int>> ScoresWithLabels(
    const std::string& csv, const std::map<std::string, int>& label) {
  std::vector<std::pair<double, int>> out;
  for (const auto& [id, score] : ColumnOf(csv, "score")) {
    out.emplace_back(std::stod(score), label.at(id));
  }
  return out;
}

// The AUCs `train --kind scorecard` prints, "training AUC: A (model), B (the written points)";
// {-1, -1} when the line is missing.
inline std::pair<double, double> TrainingAucs(const std::string& out) {
  double model = -1, points = -1;
  const size_t at = out.find("training AUC: ");
  if (at == std::string::npos ||
      std::sscanf(out.c_str() + at, "training AUC: %lf (model), %lf", &model, &points) != 2) {
    return {-1, -1};
  }
  return {model, points};
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
