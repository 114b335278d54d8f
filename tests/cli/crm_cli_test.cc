// `leadscore crm import | export` run as a user runs them, on the example CRM exports in
// examples/crm/: the leads they write are scored by `leadscore score` with the example model
// (so the mapped attributes reach the fit rules), and the export has each CRM's exact layout.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "testutil/cli_runner.h"

namespace leadscore {
namespace {

using testutil::RunLeadscore;
using testutil::TempDir;

const std::string kSource = LEADSCORE_SOURCE_DIR;
const std::string kModel = kSource + "/examples/saas/model.yaml";
const std::string kHubSpot = kSource + "/examples/crm/hubspot-contacts.csv";
const std::string kSalesforce = kSource + "/examples/crm/salesforce-leads.csv";

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

bool HasLine(const std::string& text, const std::string& line) {
  std::stringstream s(text);
  for (std::string l; std::getline(s, l);) {
    if (l == line) return true;
  }
  return false;
}

class CrmCli : public testing::Test {
 protected:
  // `score` with the example model on `leads`, as of 2025-01-01; returns the batch output.
  std::string Score(const std::string& leads, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"score", "--model", kModel,      "--leads",
                                     leads,   "--as-of", "2025-01-01"};
    args.insert(args.end(), more.begin(), more.end());
    auto r = RunLeadscore(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(" 0 skipped"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("not converted"), std::string::npos) << r.err;
    return r.out;
  }

  TempDir dir_;
};

TEST_F(CrmCli, HubSpotContactsImportIsScoredByTheExampleModel) {
  auto r = RunLeadscore({"crm", "import", "--preset", "hubspot", "--in", kHubSpot, "--out",
                         dir_.File("leads.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(kHubSpot + ":7: field `Record ID`: no Record ID; row skipped"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(kHubSpot + ": 11 rows read, 10 written, 1 skipped"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("hubspot mapping: lead id from `Record ID`; 9 columns mapped"),
            std::string::npos)
      << r.err;
  const std::string leads = dir_.Read("leads.jsonl");
  // Quoted cells with commas, empty cells left out, `+` phone numbers kept as text.
  EXPECT_EQ(FirstLine(leads),
            R"({"lead_id":"40110001","first_name":"Camille","last_name":"Durand",)"
            R"("email":"camille.durand@orbitplan.example","phone_number":"+33 1 99 00 20 10",)"
            R"("company_name":"OrbitPlan","job_title":"Head of Operations","company_size":45,)"
            R"("industry":"Software","country":"FR","city":"Lyon","annual_revenue":4200000,)"
            R"("lifecycle_stage":"Marketing Qualified Lead","lead_status":"OPEN",)"
            R"("contact_owner":"ines.martin@vendor.example","created_at":"2024-11-04 09:12",)"
            R"("last_activity_date":"2024-12-18 16:40","hubspot_score":61})");
  EXPECT_NE(leads.find(R"("company_name":"Hafen Logistik GmbH, Hamburg")"), std::string::npos);

  const std::string scores = Score(dir_.File("leads.jsonl"));
  EXPECT_EQ(FirstLine(scores), "lead_id,score,fit,engagement,grade,stage");
  // company_size 45 (sme 20) + industry Software (15) + country FR (10).
  EXPECT_TRUE(HasLine(scores, "40110001,45.00,45.00,0.00,A,")) << scores;
  // company_size 12 and SaaS, but United States: 35.
  EXPECT_TRUE(HasLine(scores, "40110003,35.00,35.00,0.00,A,")) << scores;
  // The empty Company size cell: no sme points.
  EXPECT_TRUE(HasLine(scores, "40110010,25.00,25.00,0.00,B,")) << scores;
  EXPECT_TRUE(HasLine(scores, "40110002,0.00,0.00,0.00,C,")) << scores;
}

TEST_F(CrmCli, SalesforceLeadsImportIsScoredByTheExampleModel) {
  auto r = RunLeadscore({"crm", "import", "--preset", "salesforce", "--in", kSalesforce, "--out",
                         dir_.File("leads.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(kSalesforce + ":7: field `Lead ID`: no Lead ID; row skipped"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(kSalesforce + ": 10 rows read, 9 written, 1 skipped"), std::string::npos)
      << r.err;
  const std::string leads = dir_.Read("leads.jsonl");
  EXPECT_NE(leads.find(R"("job_title":"Head of IT, \"DACH\"","company":"Brenner AG")"),
            std::string::npos)
      << leads;

  const std::string scores = Score(dir_.File("leads.jsonl"));
  // No. of Employees 35 + Software + FR.
  EXPECT_TRUE(HasLine(scores, "00Q7R00000Xa1bC,45.00,45.00,0.00,A,")) << scores;
  // 230 employees, Software, Japan: industry only.
  EXPECT_TRUE(HasLine(scores, "00Q7R00000Xa1bJ,15.00,15.00,0.00,C,")) << scores;
  // Only a country.
  EXPECT_TRUE(HasLine(scores, "00Q7R00000Xa1bL,10.00,10.00,0.00,C,")) << scores;
}

TEST_F(CrmCli, MappingFileOverridesThePreset) {
  auto r =
      RunLeadscore({"crm", "import", "--mapping", kSource + "/examples/crm/hubspot-mapping.yaml",
                    "--in", kHubSpot, "--out", dir_.File("leads.jsonl"), "--show-mapping"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("HubSpot Score                   dropped: mapped to null"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("First Name                      dropped: unmapped: drop"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(
      FirstLine(dir_.Read("leads.jsonl")),
      R"({"lead_id":"40110001","email":"camille.durand@orbitplan.example",)"
      R"("job_title":"Head of Operations","company_size":45,"industry":"Software",)"
      R"("country":"FR","annual_revenue":4200000,"lifecycle_stage":"Marketing Qualified Lead",)"
      R"("lead_status":"OPEN","owner":"ines.martin@vendor.example",)"
      R"("created_at":"2024-11-04 09:12","last_activity_at":"2024-12-18 16:40"})");
  const std::string scores = Score(dir_.File("leads.jsonl"));
  EXPECT_TRUE(HasLine(scores, "40110001,45.00,45.00,0.00,A,")) << scores;
}

TEST_F(CrmCli, BadMappingFileIsReportedWithLineAndColumn) {
  std::string mapping = dir_.Write("bad.yaml",
                                   "preset: hubspot\n"
                                   "columns:\n"
                                   "  Company size: Company Size\n"
                                   "unmaped: drop\n");
  auto r = RunLeadscore(
      {"crm", "import", "--mapping", mapping, "--in", kHubSpot, "--out", dir_.File("leads.jsonl")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(mapping + ":3:17: `Company Size` is not an attribute name"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(mapping + ":4:1: unknown key `unmaped`"), std::string::npos) << r.err;
  EXPECT_EQ(dir_.Read("leads.jsonl"), "");
}

TEST_F(CrmCli, WrongPresetForTheFileFailsNamingTheIdColumns) {
  auto r = RunLeadscore({"crm", "import", "--preset", "salesforce", "--in", kHubSpot, "--out",
                         dir_.File("leads.jsonl")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(kHubSpot +
                       ":1: no lead id column: the salesforce mapping looks for `Lead ID` or `Id`"),
            std::string::npos)
      << r.err;
}

// A stray quote in an export takes lines into one cell, as Python's csv reads it, and says so.
TEST_F(CrmCli, AStrayQuoteIsReportedWithTheLinesItTook) {
  const std::string in = dir_.Write("export.csv",
                                    "Record ID,Email,Industry\n"
                                    "1,a@b.com,\"IT\n"
                                    "2,c@d.com,Retail\n"
                                    "3,e@f.com,\"x\"\n"
                                    "4,g@h.com,IT\n");
  auto r = RunLeadscore({"crm", "import", "--preset", "hubspot", "--in", in, "--out", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"lead_id\":\"1\",\"email\":\"a@b.com\",\"industry\":\"IT\\n2,c@d.com,Retail\\n3,"
            "e@f.com,x\\\"\"}\n"
            "{\"lead_id\":\"4\",\"email\":\"g@h.com\",\"industry\":\"IT\"}\n");
  EXPECT_NE(
      r.err.find(in + ":2: field `Industry`: a quoted cell runs over lines 2-4 and has text "
                      "after its closing quote (a stray quote?): lines 3-4 were read into it"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(in + ": 2 rows read, 2 written, 0 skipped, 1 read with a warning"),
            std::string::npos)
      << r.err;
}

// `--in -` reads the export from standard input (`curl ... | leadscore crm import`); what it
// holds must be CSV, as a file's name must say.
TEST_F(CrmCli, ImportReadsStandardInput) {
  auto r = testutil::RunLeadscoreWithStdin(
      {"crm", "import", "--preset", "hubspot", "--in", "-", "--out", "-"}, kHubSpot);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto from_file =
      RunLeadscore({"crm", "import", "--preset", "hubspot", "--in", kHubSpot, "--out", "-"});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_EQ(r.out, from_file.out);
  EXPECT_NE(r.err.find("\nstdin: "), std::string::npos) << r.err;
  const std::string jsonl = dir_.Write("leads.jsonl", "{\"Record ID\":1}\n");
  r = testutil::RunLeadscoreWithStdin(
      {"crm", "import", "--preset", "hubspot", "--in", "-", "--out", "-"}, jsonl);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("stdin: a CRM export is read as CSV; this one holds JSON Lines"),
            std::string::npos)
      << r.err;
  r = RunLeadscore({"crm", "import", "--preset", "hubspot", "--in", jsonl, "--out", "-"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("the file name must end in .csv"), std::string::npos) << r.err;
  // Its header and rows are named `stdin` in messages, at their own lines.
  const std::string no_id = dir_.Write("no_id.csv", "\nEmail,Title\na@x.io,CTO\n");
  r = testutil::RunLeadscoreWithStdin(
      {"crm", "import", "--preset", "hubspot", "--in", "-", "--out", "-"}, no_id);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("stdin:2: no lead id column"), std::string::npos) << r.err;
  const std::string bad_row = dir_.Write("bad_row.csv", "Record ID,Email\n1,a@x.io\n,b@x.io\n");
  r = testutil::RunLeadscoreWithStdin(
      {"crm", "import", "--preset", "hubspot", "--in", "-", "--out", "-"}, bad_row);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("stdin:3: field `Record ID`"), std::string::npos) << r.err;
}

// Every skipped row can be had with --errors; a semicolon export whose header quotes a label
// holding a comma is read with its semicolons; numbers keep the digits the cell has, so a long
// id declared a string scores as the CSV itself does.
TEST_F(CrmCli, ImportKeepsWhatTheExportHolds) {
  std::string rows = "Record ID;\"Revenue (EUR, est.)\";Ext Id\n";
  for (int i = 1; i <= 59; ++i) rows += ";x;1\n";  // no id: each skipped
  rows += "\"8\n9\";x;1\n";                        // an id over two lines: skipped
  rows += "7;\"1,5\";1234567890123456789\n";
  const std::string in = dir_.Write("semi.csv", rows);
  const std::string errors = dir_.File("errors.txt");
  const std::string out = dir_.File("leads.jsonl");
  auto r = RunLeadscore(
      {"crm", "import", "--preset", "hubspot", "--in", in, "--out", out, "--errors", errors});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("... and 10 more problems not shown here (every one is in " + errors + ")"),
            std::string::npos)
      << r.err;
  const std::string all = dir_.Read("errors.txt");
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 60);
  EXPECT_NE(all.find(in + ":61: field `Record ID`: the id holds a line break or a NUL character; "
                          "row skipped"),
            std::string::npos)
      << all;
  EXPECT_EQ(dir_.Read("leads.jsonl"),
            "{\"lead_id\":\"7\",\"revenue_eur_est\":\"1,5\",\"ext_id\":1234567890123456789}\n");
  const std::string model =
      dir_.Write("m.yaml",
                 "version: 1\nfields: {ext_id: string}\nfit:\n  rules:\n"
                 "    - {id: known, when: ext_id == \"1234567890123456789\", points: 16}\n");
  auto scored = RunLeadscore({"score", "--model", model, "--leads", out, "--as-of", "2025-01-01"});
  EXPECT_EQ(scored.out, "lead_id,score,fit,engagement,grade,stage\n7,16.00,16.00,0.00,,\n")
      << scored.err;
}

TEST_F(CrmCli, UsageErrors) {
  auto no_preset =
      RunLeadscore({"crm", "import", "--in", kHubSpot, "--out", dir_.File("leads.jsonl")});
  EXPECT_EQ(no_preset.exit_code, 2);
  EXPECT_NE(no_preset.err.find("give --preset"), std::string::npos) << no_preset.err;
  auto unknown = RunLeadscore(
      {"crm", "export", "--preset", "pipedrive", "--scores", "x.csv", "--out", dir_.File("o.csv")});
  EXPECT_EQ(unknown.exit_code, 2);
  auto bare = RunLeadscore({"crm"});
  EXPECT_EQ(bare.exit_code, 2);
}

TEST_F(CrmCli, ExportWritesEachCrmsLayoutFromScoreOutput) {
  ASSERT_EQ(RunLeadscore({"crm", "import", "--preset", "hubspot", "--in", kHubSpot, "--out",
                          dir_.File("leads.jsonl")})
                .exit_code,
            0);
  // A quote request the day before: 50 points at a 30-day half-life, enough for MQL.
  std::string events =
      dir_.Write("events.jsonl",
                 R"({"lead_id":"40110001","type":"quote_request","ts":"2024-12-31T00:00:00Z"})"
                 "\n"
                 R"({"lead_id":"web-visitor-9","type":"page_view","ts":"2024-12-30T00:00:00Z"})"
                 "\n");
  Score(dir_.File("leads.jsonl"),
        {"--events", events, "--explain", "--output", dir_.File("scores.csv")});

  auto hubspot = RunLeadscore({"crm", "export", "--preset", "hubspot", "--scores",
                               dir_.File("scores.csv"), "--out", dir_.File("hubspot.csv")});
  ASSERT_EQ(hubspot.exit_code, 0) << hubspot.err;
  const std::string h = dir_.Read("hubspot.csv");
  EXPECT_EQ(FirstLine(h),
            "Record ID,leadscore_score,leadscore_grade,leadscore_stage,leadscore_fit,"
            "leadscore_engagement");
  EXPECT_TRUE(HasLine(h, "40110001,93.86,A,MQL,45.00,48.86")) << h;
  EXPECT_TRUE(HasLine(h, "40110005,20.00,B,,20.00,0.00")) << h;
  // The lead known only from events has no HubSpot record: reported and left out.
  EXPECT_EQ(h.find("web-visitor-9"), std::string::npos);
  EXPECT_NE(hubspot.err.find("field `lead_id`: \"web-visitor-9\" is not a hubspot record id"),
            std::string::npos)
      << hubspot.err;
  EXPECT_NE(hubspot.err.find(": 11 rows read, 10 written for hubspot, 1 skipped"),
            std::string::npos)
      << hubspot.err;

  ASSERT_EQ(RunLeadscore({"crm", "import", "--preset", "salesforce", "--in", kSalesforce, "--out",
                          dir_.File("sf.jsonl")})
                .exit_code,
            0);
  Score(dir_.File("sf.jsonl"), {"--output", dir_.File("sf-scores.jsonl")});
  auto salesforce =
      RunLeadscore({"crm", "export", "--preset", "salesforce", "--scores",
                    dir_.File("sf-scores.jsonl"), "--out", "-", "--empty-as", "none"});
  ASSERT_EQ(salesforce.exit_code, 0) << salesforce.err;
  EXPECT_EQ(FirstLine(salesforce.out),
            "Id,Leadscore_Score__c,Leadscore_Grade__c,Leadscore_Stage__c,Leadscore_Fit__c,"
            "Leadscore_Engagement__c");
  EXPECT_TRUE(HasLine(salesforce.out, "00Q7R00000Xa1bC,45.00,A,none,45.00,0.00")) << salesforce.out;
}

TEST_F(CrmCli, ExportRejectsAFileThatIsNotScoreOutput) {
  auto r = RunLeadscore(
      {"crm", "export", "--preset", "hubspot", "--scores", kHubSpot, "--out", dir_.File("o.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(kHubSpot + ":1: the header has no `lead_id` column"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace leadscore
