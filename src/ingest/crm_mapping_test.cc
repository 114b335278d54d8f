// CrmMapping: the presets, mapping files that override them (and their errors with
// file:line:col), SnakeCase, and PlanColumns on real-looking headers.
#include "ingest/crm_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace leadscore::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// "header -> attribute" / "header (dropped: why)" per column, for readable expectations.
std::vector<std::string> Describe(const ColumnPlan& plan) {
  std::vector<std::string> out;
  for (const PlannedColumn& c : plan.columns) {
    switch (c.role) {
      case ColumnRole::kId:
        out.push_back(c.header + " -> id");
        break;
      case ColumnRole::kMapped:
        out.push_back(c.header + " -> " + c.attribute);
        break;
      case ColumnRole::kKept:
        out.push_back(c.header + " -> " + c.attribute + " (kept)");
        break;
      case ColumnRole::kDropped:
        out.push_back(c.header + " (dropped: " + c.why + ")");
        break;
    }
  }
  return out;
}

TEST(Crm, NamesReadBackAnyCase) {
  EXPECT_EQ(CrmName(Crm::kHubSpot), "hubspot");
  EXPECT_EQ(CrmFromName("Salesforce"), Crm::kSalesforce);
  EXPECT_EQ(CrmFromName("HUBSPOT"), Crm::kHubSpot);
  EXPECT_EQ(CrmFromName("pipedrive"), std::nullopt);
  EXPECT_EQ(AllCrms().size(), 2u);
}

TEST(SnakeCase, LowersSplitsCamelCaseAndSqueezesPunctuation) {
  EXPECT_EQ(SnakeCase("First Name"), "first_name");
  EXPECT_EQ(SnakeCase("Country/Region"), "country_region");
  EXPECT_EQ(SnakeCase("No. of Employees"), "no_of_employees");
  EXPECT_EQ(SnakeCase("NumberOfEmployees"), "number_of_employees");
  EXPECT_EQ(SnakeCase("Custom_Field__c"), "custom_field_c");
  EXPECT_EQ(SnakeCase("  Last Activity Date (UTC) "), "last_activity_date_utc");
  EXPECT_EQ(SnakeCase("hs_object_id"), "hs_object_id");
  EXPECT_EQ(SnakeCase("utm2Source"), "utm2_source");
  EXPECT_EQ(SnakeCase("HubSpot Score"), "hubspot_score");
  EXPECT_EQ(SnakeCase("Lead ID"), "lead_id");
  EXPECT_EQ(SnakeCase("Société"), "société");
  EXPECT_EQ(SnakeCase("???"), "");
}

TEST(IsAttributeName, AcceptsIdentifiersWithDots) {
  EXPECT_TRUE(IsAttributeName("company_size"));
  EXPECT_TRUE(IsAttributeName("utm.source"));
  EXPECT_TRUE(IsAttributeName("_x9"));
  EXPECT_FALSE(IsAttributeName("Company size"));
  EXPECT_FALSE(IsAttributeName("9lives"));
  EXPECT_FALSE(IsAttributeName(".x"));
  EXPECT_FALSE(IsAttributeName(""));
  // Each part of a dotted name is a name: a condition could not read these.
  EXPECT_FALSE(IsAttributeName("b."));
  EXPECT_FALSE(IsAttributeName("x..y"));
  EXPECT_FALSE(IsAttributeName("utm.9x"));
  EXPECT_TRUE(IsAttributeName("utm.x9._y"));
}

TEST(PresetMapping, HubSpotMapsAContactsExportHeader) {
  CrmMapping hubspot = PresetMapping(Crm::kHubSpot);
  EXPECT_EQ(hubspot.name, "hubspot");
  auto plan = PlanColumns(
      hubspot,
      {"Record ID", "First Name", "Email", "Company size", "Industry", "Country/Region",
       "Job title", "Annual Revenue", "Lifecycle Stage", "Create Date", "Number of Employees"},
      "contacts.csv");
  ASSERT_TRUE(plan) << plan.error().ToString();
  EXPECT_EQ(plan->id_column, 0u);
  EXPECT_THAT(Describe(*plan),
              ElementsAre("Record ID -> id", "First Name -> first_name (kept)", "Email -> email",
                          "Company size -> company_size", "Industry -> industry",
                          "Country/Region -> country", "Job title -> job_title",
                          "Annual Revenue -> annual_revenue", "Lifecycle Stage -> lifecycle_stage",
                          "Create Date -> created_at", "Number of Employees -> company_size"));
  EXPECT_EQ(plan->Count(ColumnRole::kMapped), 9u);
  EXPECT_EQ(plan->Count(ColumnRole::kKept), 1u);
}

TEST(PresetMapping, HubSpotAcceptsContactIdAndInternalNames) {
  auto plan = PlanColumns(PresetMapping(Crm::kHubSpot),
                          {"email", "hs_object_id", "numemployees", "jobtitle"}, "c.csv");
  ASSERT_TRUE(plan) << plan.error().ToString();
  EXPECT_EQ(plan->id_column, 1u);
  EXPECT_THAT(Describe(*plan),
              ElementsAre("email -> email", "hs_object_id -> id", "numemployees -> company_size",
                          "jobtitle -> job_title"));
  auto by_contact_id = PlanColumns(PresetMapping(Crm::kHubSpot), {"Contact ID", "Email"}, "c.csv");
  ASSERT_TRUE(by_contact_id);
  EXPECT_EQ(by_contact_id->id_column, 0u);
}

TEST(PresetMapping, SalesforceMapsReportLabelsAndApiNames) {
  auto report = PlanColumns(
      PresetMapping(Crm::kSalesforce),
      {"Lead ID", "First Name", "Title", "Company / Account", "Email", "Lead Source", "Lead Status",
       "Industry", "No. of Employees", "Annual Revenue", "Country", "Create Date"},
      "leads.csv");
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_THAT(
      Describe(*report),
      ElementsAre("Lead ID -> id", "First Name -> first_name (kept)", "Title -> job_title",
                  "Company / Account -> company", "Email -> email", "Lead Source -> lead_source",
                  "Lead Status -> status", "Industry -> industry",
                  "No. of Employees -> company_size", "Annual Revenue -> annual_revenue",
                  "Country -> country", "Create Date -> created_at"));
  auto data_loader = PlanColumns(PresetMapping(Crm::kSalesforce),
                                 {"ID", "FIRSTNAME", "NUMBEROFEMPLOYEES", "LEADSOURCE", "STATUS",
                                  "CREATEDDATE", "ANNUALREVENUE", "RATING"},
                                 "extract.csv");
  ASSERT_TRUE(data_loader) << data_loader.error().ToString();
  EXPECT_THAT(
      Describe(*data_loader),
      ElementsAre("ID -> id", "FIRSTNAME -> firstname (kept)", "NUMBEROFEMPLOYEES -> company_size",
                  "LEADSOURCE -> lead_source", "STATUS -> status", "CREATEDDATE -> created_at",
                  "ANNUALREVENUE -> annual_revenue", "RATING -> rating (kept)"));
}

TEST(PlanColumns, NoIdColumnNamesTheCandidatesAndTheHeader) {
  auto plan = PlanColumns(PresetMapping(Crm::kSalesforce), {"Email", "Title"}, "x.csv:1");
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(plan.error().message(),
            "x.csv:1: no lead id column: the salesforce mapping looks for `Lead ID` or `Id`; the "
            "header has `Email`, `Title`");
}

// A name given twice: the CSV reader reads the last column of that name, as `score` does.
TEST(PlanColumns, DropsRepeatedColumnsAndOnesThatWouldBeLeadId) {
  auto plan = PlanColumns(PresetMapping(Crm::kHubSpot),
                          {"Record ID", "Notes", "Lead ID", "Notes", "%%"}, "c.csv");
  ASSERT_TRUE(plan);
  EXPECT_THAT(
      Describe(*plan),
      ElementsAre("Record ID -> id", "Notes (dropped: column 4 has the same name and is read)",
                  "Lead ID (dropped: would be lead_id)", "Notes -> notes (kept)",
                  "%% -> column_5 (kept)"));
}

// Headers that only their spelling makes one attribute are reported; the mapping's own aliases
// of one attribute are not (in each row the first of them with a value counts, as documented).
TEST(SharedAttributeWarnings, NameTheColumnsAndWhichIsRead) {
  auto plan = PlanColumns(PresetMapping(Crm::kHubSpot),
                          {"Record ID", "First Name", "first name", "Company size",
                           "Number of Employees", "first-name"},
                          "c.csv:1");
  ASSERT_TRUE(plan);
  const std::vector<RowError> warnings = SharedAttributeWarnings(*plan, "c.csv", 1);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(FormatRowError(warnings[0]),
            "c.csv:1: field `first_name`: columns 2 (`First Name`), 3 (`first name`) and 6 "
            "(`first-name`) become this attribute; column 2 is read, and the next of them where "
            "column 2 is empty");
  plan = PlanColumns(PresetMapping(Crm::kHubSpot), {"Record ID", "First Name", "first name"},
                     "c.csv:1");
  ASSERT_TRUE(plan);
  EXPECT_EQ(FormatRowError(SharedAttributeWarnings(*plan, "c.csv", 1).at(0)),
            "c.csv:1: field `first_name`: columns 2 (`First Name`) and 3 (`first name`) both "
            "become this attribute; column 2 is read, and column 3 where column 2 is empty");
}

TEST(ParseCrmMapping, OverridesAPresetAndDropsUnmapped) {
  auto mapping = ParseCrmMapping(R"(preset: hubspot
id: Contact ID
columns:
  "Company size": headcount
  "Lead Score": null
  Favourite colour: colour
unmapped: drop
)",
                                 "m.yaml");
  ASSERT_TRUE(mapping) << mapping.error().ToString();
  EXPECT_EQ(mapping->name, "m.yaml");
  EXPECT_THAT(mapping->id_columns, ElementsAre("Contact ID"));
  auto plan = PlanColumns(
      *mapping,
      {"Contact ID", "company size", "Lead Score", "Industry", "Favourite Colour", "First Name"},
      "c.csv");
  ASSERT_TRUE(plan) << plan.error().ToString();
  EXPECT_THAT(Describe(*plan),
              ElementsAre("Contact ID -> id", "company size -> headcount",
                          "Lead Score (dropped: mapped to null)", "Industry -> industry",
                          "Favourite Colour -> colour", "First Name (dropped: unmapped: drop)"));
}

TEST(ParseCrmMapping, IdListWithoutPresetAndThePresetGivenByTheCaller) {
  auto plain = ParseCrmMapping("id: [Key, Other Key]\ncolumns: {Size: company_size}\n", "m.yaml");
  ASSERT_TRUE(plain) << plain.error().ToString();
  EXPECT_THAT(plain->id_columns, ElementsAre("Key", "Other Key"));
  ASSERT_EQ(plain->columns.size(), 1u);
  EXPECT_EQ(plain->unmapped, Unmapped::kKeep);

  auto from_caller = ParseCrmMapping("columns: {Rating: null}\n", "m.yaml", Crm::kSalesforce);
  ASSERT_TRUE(from_caller) << from_caller.error().ToString();
  EXPECT_THAT(from_caller->id_columns, ElementsAre("Lead ID", "Id"));
  ASSERT_NE(from_caller->Find("rating"), nullptr);
  EXPECT_EQ(from_caller->Find("rating")->attribute, std::nullopt);
  ASSERT_NE(from_caller->Find("Title"), nullptr);
  EXPECT_EQ(from_caller->Find("Title")->attribute, "job_title");
}

TEST(ParseCrmMapping, ReportsEveryProblemWithLineAndColumn) {
  auto mapping = ParseCrmMapping(R"(preset: hubspot
colums: {}
columns:
  Company size: Company Size
  Owner: lead_id
  Email: email
  email: mail
unmapped: sometimes
unmapped: keep
)",
                                 "bad.yaml");
  ASSERT_FALSE(mapping);
  EXPECT_EQ(mapping.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mapping.error().message(),
            "bad.yaml:2:1: unknown key `colums`; a mapping file has `preset`, `id`, `columns` "
            "and `unmapped`\n"
            "bad.yaml:4:17: `Company Size` is not an attribute name (ASCII letters, digits and "
            "`_`, in parts joined by `.`, none empty or starting with a digit)\n"
            "bad.yaml:5:10: `lead_id` is the lead id; choose its column with `id:`\n"
            "bad.yaml:7:3: column `email` is already mapped at line 6\n"
            "bad.yaml:8:11: unmapped must be `keep` or `drop`, not `sometimes`\n"
            "bad.yaml:9:1: duplicate key `unmapped` in a mapping file");
}

TEST(ParseCrmMapping, UnknownPresetAndConflictingPreset) {
  auto unknown = ParseCrmMapping("\n\npreset: pipedrive\n", "m.yaml");
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message(),
              HasSubstr("m.yaml:3:9: unknown preset `pipedrive`; the presets are `hubspot` and "
                        "`salesforce`"));
  auto conflict = ParseCrmMapping("preset: hubspot\n", "m.yaml", Crm::kSalesforce);
  ASSERT_FALSE(conflict);
  EXPECT_THAT(conflict.error().message(),
              HasSubstr("m.yaml:1:9: the file starts from preset `hubspot` but `salesforce` was "
                        "asked for"));
}

TEST(ParseCrmMapping, NoIdAndNoPresetIsAnError) {
  auto mapping = ParseCrmMapping("columns: {A: a}\n", "m.yaml");
  ASSERT_FALSE(mapping);
  EXPECT_EQ(mapping.error().message(),
            "m.yaml:1:1: no id column: give `id:` (the column holding the lead id) or a "
            "`preset:`");
}

TEST(ParseCrmMapping, InvalidYamlAndWrongShapes) {
  auto broken = ParseCrmMapping("preset: hubspot\ncolumns: {a: b\n", "m.yaml");
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.error().message(), HasSubstr("m.yaml:3:1: invalid YAML: "));

  auto not_map = ParseCrmMapping("- hubspot\n", "m.yaml");
  ASSERT_FALSE(not_map);
  EXPECT_THAT(not_map.error().message(),
              HasSubstr("m.yaml:1:1: a mapping file must be a YAML map"));

  auto shapes = ParseCrmMapping("id: {a: b}\ncolumns: [a, b]\n", "m.yaml");
  ASSERT_FALSE(shapes);
  EXPECT_THAT(shapes.error().message(), HasSubstr("m.yaml:1:5: id must be a text, not a map"));
  EXPECT_THAT(shapes.error().message(), HasSubstr("m.yaml:2:10: columns must be a map"));
}

TEST(LoadCrmMapping, ReadsAFileAndReportsAMissingOne) {
  testing::TempDir dir;
  std::string path = dir.Write("m.yaml", "preset: salesforce\nunmapped: drop\n");
  auto mapping = LoadCrmMapping(path);
  ASSERT_TRUE(mapping) << mapping.error().ToString();
  EXPECT_EQ(mapping->unmapped, Unmapped::kDrop);
  EXPECT_EQ(mapping->name, path);
  auto missing = LoadCrmMapping(dir.path() + "/nope.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace leadscore::ingest
