// CRM presets, the mapping-file reader and header planning (see crm_mapping.h).
//
// The preset tables list each CRM's export header names as the CRM spells them, labels first,
// then the internal/API names a user gets when exporting with those (HubSpot's "internal name"
// option, Salesforce Data Loader). Matching ignores case, so `Job Title` also covers HubSpot's
// newer sentence-case `Job title`.
#include "ingest/crm_mapping.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/read_file.h"
#include "core/yaml_load.h"
#include "core/yaml_problem.h"
#include "ingest/convert.h"

namespace leadscore::ingest {
namespace {

constexpr Crm kAllCrms[] = {Crm::kHubSpot, Crm::kSalesforce};

struct PresetColumn {
  const char* column;
  const char* attribute;
};

constexpr const char* kHubSpotIds[] = {"Record ID", "Contact ID", "hs_object_id"};
constexpr PresetColumn kHubSpotColumns[] = {
    {"Company size", "company_size"},
    {"Number of Employees", "company_size"},
    {"numemployees", "company_size"},
    {"Industry", "industry"},
    {"Country/Region", "country"},
    {"Country", "country"},
    {"Job Title", "job_title"},
    {"jobtitle", "job_title"},
    {"Email", "email"},
    {"Email Address", "email"},
    {"Annual Revenue", "annual_revenue"},
    {"annualrevenue", "annual_revenue"},
    {"Lifecycle Stage", "lifecycle_stage"},
    {"lifecyclestage", "lifecycle_stage"},
    {"Lead Status", "lead_status"},
    {"hs_lead_status", "lead_status"},
    {"Create Date", "created_at"},
    {"createdate", "created_at"},
};

constexpr const char* kSalesforceIds[] = {"Lead ID", "Id"};
constexpr PresetColumn kSalesforceColumns[] = {
    {"NumberOfEmployees", "company_size"},
    {"No. of Employees", "company_size"},
    {"Employees", "company_size"},
    {"Industry", "industry"},
    {"Country", "country"},
    {"Title", "job_title"},
    {"Email", "email"},
    {"AnnualRevenue", "annual_revenue"},
    {"Annual Revenue", "annual_revenue"},
    {"LeadSource", "lead_source"},
    {"Lead Source", "lead_source"},
    {"Status", "status"},
    {"Lead Status", "status"},
    {"Company", "company"},
    {"Company / Account", "company"},
    {"CreatedDate", "created_at"},
    {"Created Date", "created_at"},
    {"Create Date", "created_at"},
};

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAsciiAlnum(char c) { return IsUpper(c) || IsLowerOrDigit(c); }

// Header names equal for the mapping's purposes.
bool SameColumn(std::string_view a, std::string_view b) {
  a = TrimBlanks(a);
  b = TrimBlanks(b);
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string QuotedList(const std::vector<std::string>& names, std::string_view last_joiner) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? last_joiner : ", ";
    out += "`" + names[i] + "`";
  }
  return out;
}

// Reads a mapping file's YAML tree into a CrmMapping, collecting every problem.
class MappingReader {
 public:
  MappingReader(std::string file, std::optional<Crm> preset)
      : file_(std::move(file)), preset_(preset) {}

  Result<CrmMapping> Run(std::string_view yaml);

 private:
  void Report(const YAML::Mark& mark, const std::string& message) {
    const int line = mark.line < 0 ? 1 : mark.line + 1;
    const int column = mark.column < 0 ? 1 : mark.column + 1;
    problems_.push_back({line, column, message});
  }
  void Report(const YAML::Node& node, const std::string& message) { Report(node.Mark(), message); }

  // A non-empty plain string, or nullopt after reporting why not.
  std::optional<std::string> Text(const YAML::Node& node, std::string_view what);
  void ReadPreset(const YAML::Node& node);
  void ReadId(const YAML::Node& node, CrmMapping& mapping);
  void ReadColumns(const YAML::Node& node, CrmMapping& mapping);
  void ReadUnmapped(const YAML::Node& node, CrmMapping& mapping);

  struct Problem {
    int line;
    int column;
    std::string message;
  };

  std::string file_;
  std::optional<Crm> preset_;
  std::vector<Problem> problems_;
};

std::optional<std::string> MappingReader::Text(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    Report(node, std::string(what) + " must be a text, not " +
                     (node.IsMap()        ? "a map"
                      : node.IsSequence() ? "a list"
                                          : "null"));
    return std::nullopt;
  }
  std::string text(TrimBlanks(node.Scalar()));
  if (text.empty()) {
    Report(node, std::string(what) + " is empty");
    return std::nullopt;
  }
  return text;
}

void MappingReader::ReadPreset(const YAML::Node& node) {
  auto name = Text(node, "preset");
  if (!name) return;
  auto crm = CrmFromName(*name);
  if (!crm) {
    std::vector<std::string> names;
    for (Crm c : AllCrms()) names.emplace_back(CrmName(c));
    Report(node, "unknown preset `" + *name + "`; the presets are " + QuotedList(names, " and "));
    return;
  }
  if (preset_ && *preset_ != *crm) {
    Report(node, "the file starts from preset `" + *name + "` but `" +
                     std::string(CrmName(*preset_)) + "` was asked for");
    return;
  }
  preset_ = crm;
}

void MappingReader::ReadId(const YAML::Node& node, CrmMapping& mapping) {
  std::vector<std::string> ids;
  if (node.IsSequence()) {
    if (node.size() == 0) Report(node, "id: the list is empty");
    for (const auto& item : node) {
      if (auto id = Text(item, "id")) ids.push_back(*id);
    }
  } else if (auto id = Text(node, "id")) {
    ids.push_back(*id);
  }
  if (!ids.empty()) mapping.id_columns = std::move(ids);
}

void MappingReader::ReadColumns(const YAML::Node& node, CrmMapping& mapping) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    Report(node, "columns must be a map of CSV column -> attribute name (or null to drop it)");
    return;
  }
  std::vector<std::pair<std::string, YAML::Mark>> seen;
  for (const auto& entry : node) {
    auto column = Text(entry.first, "a column name");
    if (!column) continue;
    auto earlier = std::find_if(seen.begin(), seen.end(),
                                [&](const auto& s) { return SameColumn(s.first, *column); });
    if (earlier != seen.end()) {
      Report(entry.first, "column `" + *column + "` is already mapped at line " +
                              std::to_string(earlier->second.line + 1));
      continue;
    }
    seen.emplace_back(*column, entry.first.Mark());
    std::optional<std::string> attribute;
    const YAML::Node& target = entry.second;
    if (!target.IsNull()) {
      auto name = Text(target, "the attribute for `" + *column + "`");
      if (!name) continue;
      if (*name == "lead_id") {
        Report(target, "`lead_id` is the lead id; choose its column with `id:`");
        continue;
      }
      if (!IsAttributeName(*name)) {
        Report(target, "`" + *name +
                           "` is not an attribute name (ASCII letters, digits and `_`, in parts "
                           "joined by `.`, none empty or starting with a digit)");
        continue;
      }
      attribute = *name;
    }
    auto rule = std::find_if(mapping.columns.begin(), mapping.columns.end(),
                             [&](const ColumnMapping& c) { return SameColumn(c.column, *column); });
    if (rule != mapping.columns.end()) {
      rule->attribute = std::move(attribute);
    } else {
      mapping.columns.push_back({*column, std::move(attribute)});
    }
  }
}

void MappingReader::ReadUnmapped(const YAML::Node& node, CrmMapping& mapping) {
  auto value = Text(node, "unmapped");
  if (!value) return;
  if (*value == "keep") {
    mapping.unmapped = Unmapped::kKeep;
  } else if (*value == "drop") {
    mapping.unmapped = Unmapped::kDrop;
  } else {
    Report(node, "unmapped must be `keep` or `drop`, not `" + *value + "`");
  }
}

Result<CrmMapping> MappingReader::Run(std::string_view yaml) {
  CrmMapping mapping;
  try {
    YAML::Node root = LoadYaml(std::string(yaml));
    if (!root.IsMap()) {
      Report(root.IsNull() ? YAML::Mark() : root.Mark(),
             "a mapping file must be a YAML map (preset, id, columns, unmapped)");
    } else {
      // yaml-cpp keeps both; a look-up sees the first, so a second `unmapped:` would go unread.
      for (const YAML::Node& key : RepeatedKeys(root)) {
        Report(key, "duplicate key `" + key.Scalar() + "` in a mapping file");
      }
      static const std::vector<std::string> kKeys = {"preset", "id", "columns", "unmapped"};
      for (const auto& entry : root) {
        const std::string& key = entry.first.Scalar();
        if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
          Report(entry.first,
                 "unknown key `" + key + "`; a mapping file has " + QuotedList(kKeys, " and "));
        }
      }
      // The preset first: `id` and `columns` override it.
      if (root["preset"]) ReadPreset(root["preset"]);
      if (preset_) mapping = PresetMapping(*preset_);
      mapping.name = file_;
      if (root["id"]) ReadId(root["id"], mapping);
      if (root["columns"]) ReadColumns(root["columns"], mapping);
      if (root["unmapped"]) ReadUnmapped(root["unmapped"], mapping);
      if (mapping.id_columns.empty() && !root["id"]) {
        Report(root.Mark(),
               "no id column: give `id:` (the column holding the lead id) or a `preset:`");
      }
    }
  } catch (const YAML::Exception& e) {
    Report(e.mark, "invalid YAML: " + YamlProblem(e));
  }
  if (problems_.empty()) return mapping;
  std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
    return a.line < b.line || (a.line == b.line && a.column < b.column);
  });
  std::string message;
  for (const Problem& p : problems_) {
    if (!message.empty()) message += '\n';
    message +=
        file_ + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + p.message;
  }
  return Error(InvalidArgument(std::move(message)));
}

}  // namespace

std::string_view CrmName(Crm crm) {
  switch (crm) {
    case Crm::kHubSpot:
      return "hubspot";
    case Crm::kSalesforce:
      return "salesforce";
  }
  return "?";
}

std::optional<Crm> CrmFromName(std::string_view name) {
  for (Crm crm : kAllCrms) {
    if (SameColumn(name, CrmName(crm))) return crm;
  }
  return std::nullopt;
}

std::span<const Crm> AllCrms() { return kAllCrms; }

const ColumnMapping* CrmMapping::Find(std::string_view column) const {
  for (const ColumnMapping& c : columns) {
    if (SameColumn(c.column, column)) return &c;
  }
  return nullptr;
}

CrmMapping PresetMapping(Crm crm) {
  CrmMapping mapping;
  mapping.name = std::string(CrmName(crm));
  auto fill = [&](std::span<const char* const> ids, std::span<const PresetColumn> columns) {
    mapping.id_columns.assign(ids.begin(), ids.end());
    for (const PresetColumn& c : columns) mapping.columns.push_back({c.column, c.attribute});
  };
  switch (crm) {
    case Crm::kHubSpot:
      fill(kHubSpotIds, kHubSpotColumns);
      break;
    case Crm::kSalesforce:
      fill(kSalesforceIds, kSalesforceColumns);
      break;
  }
  return mapping;
}

Result<CrmMapping> ParseCrmMapping(std::string_view yaml, const std::string& file,
                                   std::optional<Crm> preset) {
  return MappingReader(file, preset).Run(yaml);
}

Result<CrmMapping> LoadCrmMapping(const std::string& path, std::optional<Crm> preset) {
  LS_ASSIGN_OR_RETURN(const std::string yaml, ReadWholeFile(path, "a mapping file"));
  return ParseCrmMapping(yaml, path, preset);
}

std::string SnakeCase(std::string_view header) {
  // Labels (`HubSpot Score`) are words already; only API names (`NumberOfEmployees`) are split.
  const bool api_name = TrimBlanks(header).find(' ') == std::string_view::npos;
  std::string out;
  bool pending_separator = false;
  char previous = 0;
  for (char c : header) {
    const bool utf8 = static_cast<unsigned char>(c) >= 0x80;
    if (!IsAsciiAlnum(c) && !utf8) {
      pending_separator = true;
    } else {
      if (api_name && IsUpper(c) && IsLowerOrDigit(previous)) pending_separator = true;
      if (pending_separator && !out.empty()) out += '_';
      pending_separator = false;
      out += Lower(c);
    }
    previous = c;
  }
  return out;
}

bool IsAttributeName(std::string_view name) {
  // Parts joined by `.`, as a condition names a nested field: none empty (`b.`, `x..y`), none
  // led by a digit.
  size_t part = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (i == part) return false;
      part = i + 1;
    } else if (!(IsAsciiAlnum(name[i]) || name[i] == '_') ||
               (i == part && name[i] >= '0' && name[i] <= '9')) {
      return false;
    }
  }
  return true;
}

size_t ColumnPlan::Count(ColumnRole role) const {
  return static_cast<size_t>(std::count_if(columns.begin(), columns.end(),
                                           [&](const PlannedColumn& c) { return c.role == role; }));
}

Result<ColumnPlan> PlanColumns(const CrmMapping& mapping, const std::vector<std::string>& header,
                               const std::string& header_at) {
  ColumnPlan plan;
  std::optional<size_t> id_column;
  for (const std::string& candidate : mapping.id_columns) {
    auto it = std::find_if(header.begin(), header.end(),
                           [&](const std::string& h) { return SameColumn(h, candidate); });
    if (it != header.end()) {
      id_column = static_cast<size_t>(it - header.begin());
      break;
    }
  }
  if (!id_column) {
    constexpr size_t kShown = 12;
    std::vector<std::string> shown(header.begin(),
                                   header.begin() + std::min(header.size(), kShown));
    std::string has = header.empty() ? "no columns" : "the header has " + QuotedList(shown, ", ");
    if (header.size() > kShown) has += ", ... (" + std::to_string(header.size()) + " columns)";
    return Error(InvalidArgument(header_at + ": no lead id column: the " + mapping.name +
                                 " mapping looks for " + QuotedList(mapping.id_columns, " or ") +
                                 "; " + has));
  }
  plan.id_column = *id_column;
  for (size_t i = 0; i < header.size(); ++i) {
    PlannedColumn column;
    column.header = header[i];
    // A name given twice: the CSV reader reads the last such column, as `score` does.
    const auto last = std::find(header.rbegin(), header.rend(), header[i]);
    const size_t last_column = static_cast<size_t>(header.rend() - last) - 1;
    const ColumnMapping* rule = mapping.Find(header[i]);
    if (i == *id_column) {
      column.role = ColumnRole::kId;
      column.attribute = "lead_id";
    } else if (last_column != i) {
      column.why = "column " + std::to_string(last_column + 1) + " has the same name and is read";
    } else if (rule != nullptr) {
      if (rule->attribute) {
        column.role = ColumnRole::kMapped;
        column.attribute = *rule->attribute;
      } else {
        column.why = "mapped to null";
      }
    } else if (mapping.unmapped == Unmapped::kDrop) {
      column.why = "unmapped: drop";
    } else {
      column.attribute = SnakeCase(header[i]);
      if (column.attribute.empty()) column.attribute = "column_" + std::to_string(i + 1);
      if (column.attribute == "lead_id") {
        column.attribute.clear();
        column.why = "would be lead_id";
      } else {
        column.role = ColumnRole::kKept;
      }
    }
    plan.columns.push_back(std::move(column));
  }
  return plan;
}

std::vector<RowError> SharedAttributeWarnings(const ColumnPlan& plan, const std::string& file,
                                              uint64_t header_line) {
  std::vector<RowError> warnings;
  std::vector<bool> reported(plan.columns.size(), false);
  auto gives = [](const PlannedColumn& c) {
    return c.role == ColumnRole::kMapped || c.role == ColumnRole::kKept;
  };
  for (size_t i = 0; i < plan.columns.size(); ++i) {
    if (reported[i] || !gives(plan.columns[i])) continue;
    std::vector<size_t> same = {i};
    bool any_kept = plan.columns[i].role == ColumnRole::kKept;
    for (size_t j = i + 1; j < plan.columns.size(); ++j) {
      if (!gives(plan.columns[j]) || plan.columns[j].attribute != plan.columns[i].attribute) {
        continue;
      }
      same.push_back(j);
      reported[j] = true;
      any_kept |= plan.columns[j].role == ColumnRole::kKept;
    }
    // The mapping's own aliases of one attribute (HubSpot's `Company size` and `Number of
    // Employees`) are meant to share it; a header that only its spelling makes the same is not.
    if (same.size() == 1 || !any_kept) continue;
    std::string list;
    for (size_t k = 0; k < same.size(); ++k) {
      list += k == 0 ? "" : k + 1 == same.size() ? " and " : ", ";
      list += std::to_string(same[k] + 1) + " (`" + plan.columns[same[k]].header + "`)";
    }
    const std::string first = std::to_string(same[0] + 1);
    warnings.push_back(
        {file, header_line, plan.columns[i].attribute,
         "columns " + list + (same.size() == 2 ? " both" : "") + " become this attribute; column " +
             first + " is read, and " +
             (same.size() == 2 ? "column " + std::to_string(same[1] + 1) : "the next of them") +
             " where column " + first + " is empty"});
  }
  return warnings;
}

}  // namespace leadscore::ingest
