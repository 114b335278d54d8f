// leadscore evaluate: cross-validated accuracy of the scorecard and the trees, side by side on
// the same folds, with calibration and lift by decile.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/table_flags.h"
#include "core/print_stderr.h"
#include "learn/evaluate.h"
#include "learn/threshold.h"

namespace leadscore::cli {
namespace {

struct EvaluateFlags {
  TableFlags table;
  int folds = 5;
  std::string folds_file;
  double holdout_last = 0;
  std::vector<std::string> kinds = {"scorecard", "trees"};
  std::string format = "text";
  bool learning_curve = false;
  double capacity = 0;         // leads a month sales can work
  double leads_per_month = 0;  // leads arriving a month
  double target_precision = 0;
};

// The MQL threshold recommended on the best learner's held-out predictions.
struct Recommendation {
  std::string learner;
  std::string basis;  // what it was asked from, for people
  learn::ThresholdAdvice advice;
};

std::optional<Recommendation> Recommend(const EvaluateFlags& flags,
                                        const std::vector<learn::LearnerResult>& results,
                                        const learn::LabeledTable& table) {
  if (flags.capacity <= 0 && flags.target_precision <= 0) return std::nullopt;
  const learn::LearnerResult* best = &results.front();
  for (const auto& r : results) {
    if (r.mean.auc > best->mean.auc) best = &r;
  }
  std::vector<double> probability;
  std::vector<uint8_t> label;
  for (size_t i = 0; i < best->out_of_fold.size(); ++i) {
    if (std::isnan(best->out_of_fold[i])) continue;
    probability.push_back(best->out_of_fold[i]);
    label.push_back(table.label[i]);
  }
  Recommendation rec;
  rec.learner = best->name;
  if (flags.capacity > 0) {
    const double share = std::min(1.0, flags.capacity / flags.leads_per_month);
    rec.basis = fmt::format("sales capacity of {} leads a month out of {} ({:.1f} %)",
                            flags.capacity, flags.leads_per_month, 100 * share);
    rec.advice = learn::ThresholdForShare(probability, label, share);
    return rec;
  }
  auto advice = learn::ThresholdForPrecision(probability, label, flags.target_precision);
  if (!advice) {
    PrintToStderr(
        "--target-precision {}: no threshold reaches it on the held-out leads (the best "
        "group converts less)\n",
        flags.target_precision);
    return std::nullopt;
  }
  rec.basis = fmt::format("a target conversion of {:.1f} % above the threshold",
                          100 * flags.target_precision);
  rec.advice = *advice;
  return rec;
}

void PrintRecommendation(const EvaluateFlags& flags, const Recommendation& rec) {
  const learn::ThresholdAdvice& a = rec.advice;
  fmt::print("\nMQL threshold for {} ({}, held-out predictions):\n", rec.basis, rec.learner);
  fmt::print("  MQL when the predicted probability is >= {:.4f}: {:.1f} % of leads", a.probability,
             100 * a.share_above);
  if (flags.leads_per_month > 0) {
    fmt::print(", about {:.0f} MQLs a month", a.share_above * flags.leads_per_month);
  }
  fmt::print(
      "\n  conversion above: {:.1f} % ({:.1f} - {:.1f} %); below: {:.1f} % ({:.1f} - "
      "{:.1f} %); {:.1f} % of all conversions are above\n",
      100 * a.rate_above, 100 * a.rate_above_low, 100 * a.rate_above_high, 100 * a.rate_below,
      100 * a.rate_below_low, 100 * a.rate_below_high, 100 * a.recall);
}

nlohmann::json RecommendationJson(const EvaluateFlags& flags, const Recommendation& rec) {
  const learn::ThresholdAdvice& a = rec.advice;
  nlohmann::json j = {{"model", rec.learner},
                      {"basis", rec.basis},
                      {"probability", a.probability},
                      {"share_above", a.share_above},
                      {"rate_above", a.rate_above},
                      {"rate_above_interval", {a.rate_above_low, a.rate_above_high}},
                      {"rate_below", a.rate_below},
                      {"rate_below_interval", {a.rate_below_low, a.rate_below_high}},
                      {"recall", a.recall}};
  if (flags.leads_per_month > 0) j["mqls_per_month"] = a.share_above * flags.leads_per_month;
  return j;
}

nlohmann::json MetricsJson(const learn::Metrics& m) {
  return {{"auc", m.auc}, {"pr_auc", m.pr_auc}, {"log_loss", m.log_loss}, {"brier", m.brier}};
}

nlohmann::json BandsJson(const std::vector<learn::Band>& bands) {
  nlohmann::json out = nlohmann::json::array();
  for (const learn::Band& b : bands) {
    out.push_back({{"decile", b.index},
                   {"rows", b.rows},
                   {"positives", b.positives},
                   {"mean_predicted", b.mean_probability},
                   {"rate", b.rate},
                   {"rate_low", b.rate_low},
                   {"rate_high", b.rate_high},
                   {"lift", b.lift},
                   {"cumulative_gain", b.cumulative_gain}});
  }
  return out;
}

// The rows and labels that some fold held out (a time holdout leaves the training part out).
struct Scored {
  std::vector<double> probability;
  std::vector<uint8_t> label;
};
Scored HeldOut(const learn::LearnerResult& r, const learn::LabeledTable& table) {
  Scored s;
  for (size_t i = 0; i < r.out_of_fold.size(); ++i) {
    if (std::isnan(r.out_of_fold[i])) continue;
    s.probability.push_back(r.out_of_fold[i]);
    s.label.push_back(table.label[i]);
  }
  return s;
}

using Curves = std::vector<std::pair<std::string, std::vector<learn::LearningCurvePoint>>>;

// A ranking metric in a column `width` wide: "n/a" when it is undefined (NaN), as it is on a
// held-out fold without a converted row or without an unconverted one (no pair to rank).
std::string RankingCell(double value, int width) {
  return std::isnan(value) ? fmt::format("{:>{}}", "n/a", width)
                           : fmt::format("{:>{}.4f}", value, width);
}

// Why AUC and PR-AUC are undefined, or "" when every held-out fold has both classes: "AUC and
// PR-AUC: undefined: folds 1, 2 and 4 hold no converted row (1 positive for 5 folds)." and how
// to mend it.
std::string UndefinedRankingNote(const learn::LearnerResult& r, const learn::LabeledTable& table,
                                 const learn::Folds& folds) {
  std::vector<std::string> none_converted, all_converted;
  for (const learn::FoldResult& f : r.folds) {
    if (f.test_positives == 0) none_converted.push_back(std::to_string(folds.Id(f.fold)));
    if (f.test_rows > 0 && f.test_positives == f.test_rows) {
      all_converted.push_back(std::to_string(folds.Id(f.fold)));
    }
  }
  if (none_converted.empty() && all_converted.empty()) return "";
  auto which = [&](const std::vector<std::string>& ids) {
    if (folds.holdout) return std::string("the held-out rows hold");
    if (ids.size() == 1) return "fold " + ids[0] + " holds";
    std::string list = ids.front();
    for (size_t i = 1; i + 1 < ids.size(); ++i) list += ", " + ids[i];
    return "folds " + list + " and " + ids.back() + " hold";
  };
  std::string why = !none_converted.empty() ? which(none_converted) + " no converted row"
                                            : which(all_converted) + " no unconverted row";
  if (!none_converted.empty() && !all_converted.empty()) {
    why += ", " + which(all_converted) + " no unconverted row";
  }
  const std::string counts =
      folds.holdout
          ? Plural(table.positives(), "positive")
          : fmt::format("{} for {} folds", Plural(table.positives(), "positive"), folds.k);
  return fmt::format(
      "AUC and PR-AUC: undefined: {} ({}).\nA fold needs converted and unconverted rows to "
      "rank{}.\n",
      why, counts,
      folds.holdout       ? ""
      : folds.ids.empty() ? ": use fewer folds (--folds) or more outcomes"
                          : ": deal the converted rows among the folds file's folds, or use fewer "
                            "of them");
}

void PrintText(const EvaluateFlags& flags, const learn::LabeledTable& table,
               const learn::Folds& folds, const std::vector<learn::LearnerResult>& results,
               const Curves& curves, const std::optional<Recommendation>& rec) {
  fmt::print("{}: {} rows, {} positive ({:.1f} %); {}\n\n", SourceOf(flags.table), table.rows(),
             table.positives(), 100.0 * table.positives() / table.rows(),
             folds.holdout ? fmt::format("time holdout: trained on the first {:.0f} % of the rows, "
                                         "tested on the last {:.0f} %",
                                         100 * (1 - flags.holdout_last), 100 * flags.holdout_last)
                           : fmt::format("{}-fold cross-validation", folds.k));
  fmt::print("{:<10} {:>7} {:>7} {:>9} {:>7} {:>9}\n", "model", "AUC", "PR-AUC", "log loss",
             "Brier", "seconds");
  for (const auto& r : results) {
    fmt::print("{:<10} {} {} {:>9.4f} {:>7.4f} {:>9.1f}\n", r.name, RankingCell(r.mean.auc, 7),
               RankingCell(r.mean.pr_auc, 7), r.mean.log_loss, r.mean.brier, r.seconds);
  }
  // Every learner is held out on the same folds: one note says for all.
  const std::string undefined = UndefinedRankingNote(results.front(), table, folds);
  if (!undefined.empty()) fmt::print("{}", undefined);
  if (results.front().folds.size() > 1) {
    fmt::print("\nAUC by fold:\n{:<10}", "model");
    for (const auto& f : results.front().folds)
      fmt::print(" {:>7}", fmt::format("fold {}", folds.Id(f.fold)));
    fmt::print("\n");
    for (const auto& r : results) {
      fmt::print("{:<10}", r.name);
      for (const auto& f : r.folds) fmt::print(" {}", RankingCell(f.metrics.auc, 7));
      fmt::print("\n");
    }
  }
  for (const auto& r : results) {
    const Scored s = HeldOut(r, table);
    fmt::print(
        "\n{}: held-out rows by decile of predicted probability (conversion with its 95 % "
        "interval)\n",
        r.name);
    fmt::print("{:>6} {:>7} {:>10} {:>10} {:>17} {:>6} {:>9}\n", "decile", "rows", "predicted",
               "converted", "95 % interval", "lift", "cum. gain");
    for (const learn::Band& b : learn::BandsByProbability(s.probability, s.label)) {
      fmt::print("{:>6} {:>7} {:>9.1f}% {:>9.1f}% {:>7.1f}% - {:>5.1f}% {:>6.2f} {:>8.1f}%\n",
                 b.index, b.rows, 100 * b.mean_probability, 100 * b.rate, 100 * b.rate_low,
                 100 * b.rate_high, b.lift, 100 * b.cumulative_gain);
    }
  }
  for (const auto& [name, curve] : curves) {
    fmt::print("\n{}: learning curve (AUC on the held-out folds by share of the training rows)\n",
               name);
    for (const auto& p : curve) {
      fmt::print("  {:>3.0f} % ({:>7} rows): {}\n", 100 * p.share, p.train_rows,
                 RankingCell(p.auc, 6));
    }
    if (curve.size() >= 2) {
      const double gain = curve.back().auc - curve[curve.size() - 2].auc;
      fmt::print("  {}\n",
                 gain > 0.005
                     ? fmt::format("still rising ({:+.4f} from 75 to 100 %): more outcomes "
                                   "would likely help",
                                   gain)
                     : fmt::format("flat ({:+.4f} from 75 to 100 %): more outcomes of the same "
                                   "kind are unlikely to help much",
                                   gain));
    }
  }
  if (rec) PrintRecommendation(flags, *rec);
}

void PrintJson(const EvaluateFlags& flags, const learn::LabeledTable& table,
               const learn::Folds& folds, const std::vector<learn::LearnerResult>& results,
               const Curves& curves, const std::optional<Recommendation>& rec) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json model = MetricsJson(r.mean);
    model["name"] = r.name;
    model["seconds"] = r.seconds;
    nlohmann::json per_fold = nlohmann::json::array();
    for (const auto& f : r.folds) {
      nlohmann::json j = MetricsJson(f.metrics);
      j["fold"] = folds.Id(f.fold);
      j["train_rows"] = f.train_rows;
      j["test_rows"] = f.test_rows;
      j["test_positives"] = f.test_positives;
      j["seconds"] = f.seconds;
      per_fold.push_back(std::move(j));
    }
    model["folds"] = std::move(per_fold);
    const Scored s = HeldOut(r, table);
    model["deciles"] = BandsJson(learn::BandsByProbability(s.probability, s.label));
    for (const auto& [name, curve] : curves) {
      if (name != r.name) continue;
      nlohmann::json points = nlohmann::json::array();
      for (const auto& p : curve) {
        points.push_back({{"share", p.share}, {"train_rows", p.train_rows}, {"auc", p.auc}});
      }
      model["learning_curve"] = std::move(points);
    }
    models.push_back(std::move(model));
  }
  nlohmann::json out = {{"table", SourceOf(flags.table)},
                        {"label", flags.table.label},
                        {"positive", flags.table.positive},
                        {"rows", table.rows()},
                        {"positives", table.positives()},
                        {"validation", folds.holdout ? "time_holdout" : "k_fold"},
                        // How many folds were held out: a time holdout holds out one.
                        {"folds", folds.holdout ? 1 : folds.k},
                        {"models", std::move(models)}};
  if (rec) out["threshold"] = RecommendationJson(flags, *rec);
  // A path is bytes, not always UTF-8: such a byte is printed as U+FFFD, not a failure.
  fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

int RunEvaluate(const EvaluateFlags& flags) {
  learn::EvaluateOptions options;
  options.learners.clear();
  for (const std::string& k : flags.kinds) {
    if (k == "scorecard") {
      options.learners.push_back(learn::LearnerKind::kScorecard);
    } else if (k == "trees") {
      options.learners.push_back(learn::LearnerKind::kTrees);
    } else {
      PrintToStderr("--kind: scorecard or trees, not \"{}\"\n", k);
      return kExitUsage;
    }
  }
  if (flags.capacity > 0 && flags.leads_per_month <= 0) {
    PrintToStderr("--capacity needs --leads-per-month: how many leads arrive in a month\n");
    return kExitUsage;
  }
  if (flags.format != "text" && flags.format != "json") {
    PrintToStderr("--format: text or json, not \"{}\"\n", flags.format);
    return kExitUsage;
  }
  std::optional<TrainingTable> training = LoadTableOrReport(flags.table);
  if (!training) return kExitFailure;
  const learn::LabeledTable* table = &training->table;
  if (!flags.table.model.empty()) {
    options.rule_scores = training->rule_scores;
    options.learners.insert(options.learners.begin(), learn::LearnerKind::kRules);
  }

  learn::Folds folds;
  if (!flags.folds_file.empty()) {
    auto read = learn::ReadFoldsFile(flags.folds_file, table->row_index, table->data_rows);
    if (!read) {
      PrintToStderr("{}\n", read.error().message());
      return kExitFailure;
    }
    folds = std::move(*read);
  } else if (flags.holdout_last > 0) {
    folds = learn::TimeHoldout(table->rows(), flags.holdout_last);
  } else {
    if (static_cast<size_t>(flags.folds) > table->rows()) {
      PrintToStderr(
          "--folds {}: the table has {} usable rows, and every fold needs one; use "
          "--folds {} or fewer\n",
          flags.folds, table->rows(), table->rows());
      return kExitUsage;
    }
    folds = learn::StratifiedFolds(table->label, flags.folds, flags.table.seed);
  }

  options.scorecard.seed = options.trees.seed = flags.table.seed;
  options.scorecard.threads = options.trees.threads = LearnerThreads(flags.table.threads);
  const bool terminal = ::isatty(STDERR_FILENO);
  options.on_progress = [terminal](std::string_view learner, int fold, int k) {
    if (terminal) {
      PrintToStderr("\r{}: training on fold {} of {}   ", learner, fold + 1, k);
    } else if (fold == 0) {
      PrintToStderr("{}: training on {} folds\n", learner, k);
    }
    std::fflush(stderr);
  };
  auto results = learn::CrossValidate(*table, folds, options);
  if (terminal) PrintToStderr("\r{:40}\r", "");
  if (!results) {
    PrintToStderr("{}\n", results.error().message());
    return ExitCodeFor(results.error());
  }
  Curves curves;
  if (flags.learning_curve) {
    options.on_progress = nullptr;
    for (learn::LearnerKind kind : options.learners) {
      PrintToStderr("learning curve: {}\n", learn::LearnerName(kind));
      auto curve = learn::LearningCurve(*table, folds, kind, options);
      if (!curve) {
        PrintToStderr("{}\n", curve.error().message());
        return ExitCodeFor(curve.error());
      }
      curves.emplace_back(std::string(learn::LearnerName(kind)), std::move(*curve));
    }
  }
  const std::optional<Recommendation> rec = Recommend(flags, *results, *table);
  if (flags.format == "json") {
    PrintJson(flags, *table, folds, *results, curves, rec);
  } else {
    PrintText(flags, *table, folds, *results, curves, rec);
  }
  return kExitOk;
}

}  // namespace

std::function<int()> SetupEvaluate(CLI::App& sub) {
  auto flags = std::make_shared<EvaluateFlags>();
  sub.footer(
      "Example:\n  leadscore evaluate --table Leads.csv --label Converted --positive 1 \\\n"
      "      --drop 'Prospect ID,Lead Number,Tags,Lead Quality,Last Activity,Last Notable "
      "Activity' \\\n"
      "      --missing Select --folds 5\n"
      "Drop the ids and every column filled in after the outcome (it leaks it: sales' Tags and "
      "Lead Quality, the last activity).\n"
      "Every learner trains and predicts on the same folds; the metrics are means over them.");
  AddTableOptions(sub, flags->table);
  auto* k = sub.add_option("--folds", flags->folds, "Stratified k-fold cross-validation")
                ->default_val(5)
                ->check(CLI::Range(2, 100));
  auto* file = sub.add_option("--folds-file", flags->folds_file,
                              "CSV with columns row (0-based data row of the table) and fold: "
                              "the same splits as another tool");
  auto* holdout =
      sub.add_option("--holdout-last", flags->holdout_last,
                     "Time-based holdout: train on the earlier rows, test on this share of the "
                     "last rows of the file (rows in time order), e.g. 0.2")
          ->check(CLI::Range(0.01, 0.9));
  file->excludes(k);
  holdout->excludes(k)->excludes(file);
  sub.add_option("--kind", flags->kinds, "Learners to compare, comma-separated: scorecard,trees")
      ->delimiter(',')
      ->default_str("scorecard,trees");
  sub.add_option("--format", flags->format, "text or json")->default_val("text");
  sub.add_flag("--learning-curve", flags->learning_curve,
               "Also train on 25, 50, 75 and 100 % of each training fold: would more outcomes "
               "help?");
  auto* capacity = sub.add_option("--capacity", flags->capacity,
                                  "Recommend the MQL threshold from sales capacity: the leads a "
                                  "month sales can work")
                       ->check(CLI::PositiveNumber);
  sub.add_option("--leads-per-month", flags->leads_per_month,
                 "Leads arriving a month (for --capacity, and MQL volume)")
      ->check(CLI::PositiveNumber);
  sub.add_option("--target-precision", flags->target_precision,
                 "Recommend the lowest MQL threshold whose leads convert at this rate, e.g. 0.6")
      ->check(CLI::Range(0.0, 1.0))
      ->excludes(capacity);
  return [flags] { return RunEvaluate(*flags); };
}

}  // namespace leadscore::cli
