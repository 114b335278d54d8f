// CRM mappings: what each column of a CRM's CSV export becomes in a leadscore lead.
//
// A CrmMapping names the column that holds the lead id and, for other columns, the attribute
// each one becomes (or that it is dropped). Two presets are built in, `hubspot` (a contacts
// export) and `salesforce` (a Lead export, from a report or from Data Loader); a mapping file
// (YAML) starts from a preset or from nothing and overrides it. PlanColumns applies a mapping to
// one CSV header. Header names match ignoring ASCII case and surrounding spaces, because both
// CRMs let users rename labels and switch between labels and internal names.
//
// This is the one ingest file that calls yaml-cpp: its exceptions stop here. Values are plain
// data, thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ingest/record_source.h"

namespace leadscore::ingest {

// The CRMs leadscore has presets for.
enum class Crm : uint8_t { kHubSpot, kSalesforce };

// "hubspot", "salesforce".
std::string_view CrmName(Crm crm);
// The Crm named `name` (any case), or nullopt.
std::optional<Crm> CrmFromName(std::string_view name);
// Every Crm, in the order help texts list them.
std::span<const Crm> AllCrms();

// What happens to a column the mapping does not name.
enum class Unmapped : uint8_t {
  kKeep,  // kept under SnakeCase(header)
  kDrop,
};

// One column the mapping names.
struct ColumnMapping {
  std::string column;                    // a CSV header name
  std::optional<std::string> attribute;  // nullopt: the column is dropped
};

struct CrmMapping {
  std::string name;                     // "hubspot", "salesforce" or the mapping file's path
  std::vector<std::string> id_columns;  // the lead id: the first of these the header holds
  std::vector<ColumnMapping> columns;   // at most one entry per column (ignoring case)
  Unmapped unmapped = Unmapped::kKeep;

  // The entry for header name `column` (ignoring ASCII case and surrounding spaces), or null.
  const ColumnMapping* Find(std::string_view column) const;
};

// The built-in mapping for `crm`.
CrmMapping PresetMapping(Crm crm);

// Reads a mapping file's text (`file` names it in messages):
//
//   preset: hubspot                     # optional: start from a preset
//   id: Record ID                       # or a list of candidates; replaces the preset's
//   columns: {"Company size": company_size, "Lead Score": null}   # null drops the column
//   unmapped: keep                      # keep (default) | drop
//
// `preset`, when given, is the starting point if the file names none; a file naming a different
// preset is an error. Fails with kInvalidArgument whose message holds one `file:line:col: what`
// line per problem (all of them, not just the first): invalid YAML, unknown keys, unknown
// preset, a target that is not an attribute name or is `lead_id`, a column named twice, no id.
Result<CrmMapping> ParseCrmMapping(std::string_view yaml, const std::string& file,
                                   std::optional<Crm> preset = std::nullopt);

// Reads the mapping file at `path` (see ParseCrmMapping). Fails with kNotFound when it cannot be
// opened.
Result<CrmMapping> LoadCrmMapping(const std::string& path,
                                  std::optional<Crm> preset = std::nullopt);

// The attribute name an unmapped header becomes: ASCII letters lowered, every run of other ASCII
// characters made one `_`, none at either end (`Country/Region` -> `country_region`, `No. of
// Employees` -> `no_of_employees`, `HubSpot Score` -> `hubspot_score`). A header without spaces
// is taken for an API name and also split before an upper case letter that follows a lower case
// one or a digit (`NumberOfEmployees` -> `number_of_employees`). Bytes of UTF-8 sequences are
// kept. Empty when nothing is left.
std::string SnakeCase(std::string_view header);

// True for a name the condition language can use as an attribute: ASCII letters, digits, `_`
// and `.`, not starting with a digit or `.`.
bool IsAttributeName(std::string_view name);

// What one CSV column becomes.
enum class ColumnRole : uint8_t {
  kId,       // the lead id
  kMapped,   // the attribute the mapping names
  kKept,     // an unmapped column, kept under SnakeCase(header)
  kDropped,  // see PlannedColumn::why
};

struct PlannedColumn {
  std::string header;  // as the file spells it
  ColumnRole role = ColumnRole::kDropped;
  std::string attribute;  // kMapped, kKept: the attribute name
  std::string why;        // kDropped: "mapped to null", "unmapped: drop", ...
};

// A mapping applied to one header. Several columns may give the same attribute (a HubSpot
// export with both `Company size` and `Number of Employees`): in each row the first of them,
// in header order, with a non-empty cell counts.
struct ColumnPlan {
  size_t id_column = 0;
  std::vector<PlannedColumn> columns;  // one per header column, in order

  size_t Count(ColumnRole role) const;
};

// Applies `mapping` to `header`, the columns read at `header_at` ("export.csv:1", named in
// messages). Fails with kInvalidArgument when the header holds none of the mapping's id
// columns. A column whose name a later one repeats (the CSV reader reads the last, as `score`
// does), or that would become `lead_id`, is dropped.
Result<ColumnPlan> PlanColumns(const CrmMapping& mapping, const std::vector<std::string>& header,
                               const std::string& header_at);

// One warning (at `file`:`header_line`, field: the attribute) per attribute that columns of
// different names give, unless each of them is the mapping's own alias of it: "columns 3
// (`First Name`) and 4 (`first name`) both become this attribute; column 3 is read, and column
// 4 where column 3 is empty".
std::vector<RowError> SharedAttributeWarnings(const ColumnPlan& plan, const std::string& file,
                                              uint64_t header_line);

}  // namespace leadscore::ingest
