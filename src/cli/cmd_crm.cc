// leadscore crm import | export: CRM CSV exports in as leads, scores out as the CSV each CRM
// imports (docs/crm.md). Parses options, calls service::ConvertCrmCsv or
// service::ExportCrmScores, prints bad rows and a summary on stderr.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/same_file.h"
#include "core/print_stderr.h"
#include "ingest/crm_mapping.h"
#include "ingest/record_source.h"
#include "service/crm_export.h"
#include "service/crm_import.h"

namespace leadscore::cli {
namespace {

struct CrmArgs {
  std::string preset;
  // import
  std::string mapping, in, out, errors;
  bool show_mapping = false;
  // export
  std::string scores, export_out, empty_as;
};

// `mapping` (from --mapping, starting from --preset if given), or the --preset alone.
std::optional<ingest::CrmMapping> MappingOrReport(const CrmArgs& args) {
  std::optional<ingest::Crm> preset;
  if (!args.preset.empty()) preset = ingest::CrmFromName(args.preset);
  if (args.mapping.empty()) return ingest::PresetMapping(*preset);
  auto mapping = ingest::LoadCrmMapping(args.mapping, preset);
  if (!mapping) {
    PrintToStderr("{}\n", mapping.error().message());
    PrintToStderr("crm import: the mapping file {} was not loaded\n", args.mapping);
    return std::nullopt;
  }
  return *mapping;
}

void PrintPlan(const ingest::ColumnPlan& plan) {
  for (const ingest::PlannedColumn& c : plan.columns) {
    switch (c.role) {
      case ingest::ColumnRole::kId:
        PrintToStderr("  {:<28} -> lead_id\n", c.header);
        break;
      case ingest::ColumnRole::kMapped:
        PrintToStderr("  {:<28} -> {}\n", c.header, c.attribute);
        break;
      case ingest::ColumnRole::kKept:
        PrintToStderr("  {:<28} -> {} (unmapped, kept)\n", c.header, c.attribute);
        break;
      case ingest::ColumnRole::kDropped:
        PrintToStderr("  {:<28}    dropped: {}\n", c.header, c.why);
        break;
    }
  }
}

int RunImport(const CrmArgs& args) {
  if (args.preset.empty() && args.mapping.empty()) {
    PrintToStderr("crm import: give --preset hubspot|salesforce, --mapping FILE, or both\n");
    return kExitUsage;
  }
  if (!OutputsAreDistinctOrReport("crm import", {{"--in", args.in}, {"--mapping", args.mapping}},
                                  {{"--out", args.out}, {"--errors", args.errors}})) {
    return kExitUsage;
  }
  auto mapping = MappingOrReport(args);
  if (!mapping) return kExitFailure;

  ErrorReporter errors;
  errors.set_hint("--errors FILE writes every one");
  if (!args.errors.empty() && !errors.WriteAllTo(args.errors)) return kExitUsage;
  Progress progress;
  service::ImportStats stats;
  NoteTerminalInput("crm import", {{"--in", args.in}});
  Status status = service::ConvertCrmCsv(
      args.in, *mapping, args.out, stats,
      [&](const ingest::RowError& e) {
        progress.Finish();
        errors.Report(e);
      },
      [&](uint64_t done, uint64_t total) { progress.Update(args.in, done, total); });
  progress.Finish();
  if (!status.ok()) {
    PrintToStderr("crm import: {}\n", status.message());
    return ExitCodeFor(status);
  }
  const bool errors_written = errors.Finish();
  const ingest::ColumnPlan& plan = stats.plan;
  PrintToStderr("{} mapping: lead id from `{}`; {} mapped, {} kept as snake_case, {} dropped\n",
                mapping->name, plan.columns[plan.id_column].header,
                Plural(plan.Count(ingest::ColumnRole::kMapped), "column"),
                plan.Count(ingest::ColumnRole::kKept), plan.Count(ingest::ColumnRole::kDropped));
  if (args.show_mapping) PrintPlan(plan);
  PrintToStderr("{}: {} read, {} written, {} skipped{}\n", ingest::InputName(args.in),
                Plural(stats.rows_read, "row"), stats.rows_written, stats.rows_skipped,
                stats.warnings ? fmt::format(", {} read with a warning", stats.warnings) : "");
  return errors_written ? kExitOk : kExitFailure;
}

int RunExport(const CrmArgs& args) {
  if (!OutputsAreDistinctOrReport("crm export", {{"--scores", args.scores}},
                                  {{"--out", args.export_out}})) {
    return kExitUsage;
  }
  const ingest::Crm crm = *ingest::CrmFromName(args.preset);
  ErrorReporter errors;
  service::ExportOptions options;
  options.empty_as = args.empty_as;
  service::ExportStats stats;
  Status status = service::ExportCrmScores(args.scores, crm, args.export_out, options, stats,
                                           [&](const ingest::RowError& e) { errors.Report(e); });
  if (!status.ok()) {
    PrintToStderr("crm export: {}\n", status.message());
    return ExitCodeFor(status);
  }
  errors.Finish();
  PrintToStderr("{}: {} read, {} written for {}, {} skipped\n", ingest::InputName(args.scores),
                Plural(stats.rows_read, "row"), stats.rows_written, ingest::CrmName(crm),
                stats.rows_skipped);
  return kExitOk;
}

// The preset tables, as `crm import --help` shows them.
std::string PresetHelp() {
  std::string out =
      "Presets (header names match ignoring case; unmapped columns are kept under a snake_case "
      "name, `First Name` -> first_name):\n";
  for (ingest::Crm crm : ingest::AllCrms()) {
    const ingest::CrmMapping m = ingest::PresetMapping(crm);
    out += fmt::format("  {}: lead id from {}\n", m.name, fmt::join(m.id_columns, " | "));
    std::string line;
    for (const ingest::ColumnMapping& c : m.columns) {
      std::string item = fmt::format("{} -> {}", c.column, c.attribute.value_or("(dropped)"));
      if (!line.empty() && line.size() + item.size() > 94) {
        out += "    " + line + ";\n";
        line.clear();
      }
      line += (line.empty() ? "" : "; ") + item;
    }
    out += "    " + line + "\n";
  }
  return out;
}

constexpr const char* kPresetChoices = "hubspot or salesforce";

}  // namespace

std::function<int()> SetupCrm(CLI::App& sub) {
  auto args = std::make_shared<CrmArgs>();
  sub.require_subcommand(1);
  sub.footer(
      "Round trip: `crm import` a CRM's CSV export as leads, `score` them, `crm export` the "
      "scores as the CSV the CRM imports to update its records. See docs/crm.md.");

  CLI::App* import = sub.add_subcommand(
      "import",
      "Convert a HubSpot contacts or Salesforce leads CSV export into leads (JSON Lines)");
  import
      ->add_option("--preset,-p", args->preset, std::string("Built-in mapping: ") + kPresetChoices)
      ->check(CLI::IsMember({"hubspot", "salesforce"}, CLI::ignore_case));
  import->add_option(
      "--mapping,-m", args->mapping,
      "Mapping file (YAML) overriding the preset, or standing alone with its own id");
  import
      ->add_option("--in,-i", args->in,
                   "The CRM's CSV export (.csv or .csv.gz); - for standard input")
      ->required();
  import->add_option("--out,-o", args->out, "Leads file to write (JSON Lines); - for stdout")
      ->required();
  import->add_option("--errors", args->errors,
                     "Write every skipped row's problem here (stderr shows the first 50); - for "
                     "stderr");
  import->add_flag("--show-mapping", args->show_mapping,
                   "Also print what each column became (attribute, kept, dropped and why)");
  import->footer(
      PresetHelp() +
      "Mapping file:\n"
      "  preset: hubspot                 # optional starting point\n"
      "  id: Record ID                   # the lead id column (or a list of candidates)\n"
      "  columns: {\"Company size\": company_size, \"Lead Score\": null}   # null drops it\n"
      "  unmapped: keep                  # keep (default) | drop\n"
      "Output: one {\"lead_id\": ..., attribute: value} object per row, empty cells left out, "
      "decimals as numbers (not `+` phone numbers or zero-led codes), for `score --leads`.\n"
      "Rows without an id, repeating an id or with the wrong number of cells are reported "
      "(file:line) and skipped; a summary of rows read, written and skipped ends the run.\n"
      "Exit codes: 0 ok (even with skipped rows), 1 failure (bad mapping file, no id column, "
      "unreadable file), 2 usage.");

  CLI::App* export_cmd = sub.add_subcommand(
      "export",
      "Write `score` output as the CSV HubSpot or Salesforce imports (score, grade, ...)");
  export_cmd->add_option("--preset,-p", args->preset, std::string("Target CRM: ") + kPresetChoices)
      ->required()
      ->check(CLI::IsMember({"hubspot", "salesforce"}, CLI::ignore_case));
  export_cmd
      ->add_option("--scores,-s", args->scores,
                   "Output of `leadscore score` (CSV or JSON Lines; --explain reasons ignored)")
      ->required();
  export_cmd->add_option("--out,-o", args->export_out, "CSV to write; - for stdout")->required();
  export_cmd->add_option("--empty-as", args->empty_as,
                         "Text for an empty grade or stage (CRM imports never clear a field "
                         "from an empty cell). Default: empty");
  export_cmd->footer(
      "Layouts (create the custom properties/fields once, see docs/crm.md):\n"
      "  hubspot:    " +
      service::CrmExportHeader(ingest::Crm::kHubSpot) +
      "\n"
      "  salesforce: " +
      service::CrmExportHeader(ingest::Crm::kSalesforce) +
      "\n"
      "Leads whose id cannot be a record id of the CRM (HubSpot: digits; Salesforce: 15 or 18 "
      "letters and digits), such as leads known only from events, are reported and skipped.\n"
      "Exit codes: 0 ok, 1 failure (not a score output, unreadable file), 2 usage.");

  return [args, import, export_cmd] {
    if (import->parsed()) return RunImport(*args);
    if (export_cmd->parsed()) return RunExport(*args);
    return kExitUsage;
  };
}

}  // namespace leadscore::cli
