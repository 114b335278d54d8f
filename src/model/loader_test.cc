#include "model/loader.h"

#include <gtest/gtest.h>

#include "core/time.h"

namespace leadscore::model {
namespace {

LoadResult Parse(const std::string& yaml) { return ParseModel(yaml, "m.yaml"); }

std::string Errors(const LoadResult& r) { return FormatDiagnostics(r.diagnostics); }

TEST(Loader, ReadsEverySection) {
  auto r = Parse(R"(version: 1
name: saas
fields: {company_size: number, industry: string, signup: time, vip: bool}
lists:
  free_email: [gmail.com, yahoo.com]
  sizes: [1, 2.5, "3"]
fit:
  max: 90
  groups: {geo: {max: 12}, misc: }
  rules:
    - {id: sme, when: company_size between 10 and 100, points: 20}
    - {id: fr, when: 'country == "FR"', points: 10, group: geo}
    - {id: base, points: 1}
engagement:
  max: 80
  decay: {half_life: 30d}
  groups: {events: {max: 25}}
  rules:
    - {id: pv, event: page_view, points: 5, max: 25}
    - {id: burst, event: page_view, count: 3, within: 7d, points: 15}
    - {id: unsub, event: unsubscribe, points: -30, decay: none}
    - {id: web, event: webinar, points: 15, once: true, group: events, decay: {expire_after: 2w}}
score: {formula: fit + engagement, max: 100}
grades:
  - {id: A, when: fit >= 40}
stages:
  - {id: MQL, when: score >= 65}
accounts: {key: domain(email), aggregate: top_mean, top: 2}
)");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const ModelSpec& m = *r.spec;
  EXPECT_EQ(m.name, "saas");
  EXPECT_EQ(m.fields.size(), 4u);
  EXPECT_EQ(m.DeclaredType("signup"), ValueType::kTime);
  EXPECT_EQ(m.lists.at("free_email")[1].str(), "yahoo.com");
  EXPECT_TRUE(m.lists.at("sizes")[1].is_number());
  EXPECT_TRUE(m.lists.at("sizes")[2].is_string());
  EXPECT_EQ(m.fit.max, 90);
  EXPECT_EQ(m.fit.rules.size(), 3u);
  EXPECT_FALSE(m.fit.rules[2].when.has_value());
  EXPECT_EQ(m.fit.groups[0].max, 12);
  EXPECT_FALSE(m.fit.groups[1].max.has_value());
  EXPECT_EQ(m.engagement.decay.kind, DecayKind::kHalfLife);
  EXPECT_EQ(m.engagement.decay.micros, 30 * kMicrosPerDay);
  EXPECT_EQ(m.engagement.rules[1].count, 3);
  EXPECT_EQ(m.engagement.rules[1].within_micros, 7 * kMicrosPerDay);
  EXPECT_EQ(m.engagement.rules[2].decay->kind, DecayKind::kNone);
  EXPECT_EQ(m.engagement.rules[3].decay->kind, DecayKind::kExpireAfter);
  EXPECT_TRUE(m.engagement.rules[3].once);
  EXPECT_EQ(m.accounts->aggregate, Aggregate::kTopMean);
  EXPECT_EQ(m.accounts->top, 2);
  EXPECT_EQ(m.stages[0].id, "MQL");
}

TEST(Loader, ExpressionPositionSkipsTheQuote) {
  auto r = Parse("fit:\n  rules:\n    - id: a\n      when: 'x == 1'\n      points: 1\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.spec->fit.rules[0].when->pos.line, 4);
  EXPECT_EQ(r.spec->fit.rules[0].when->pos.column, 14);
}

TEST(Loader, UnknownKeyGetsLineColumnAndSuggestion) {
  auto r = Parse("version: 1\nfit:\n  rules:\n    - {id: a, when: x > 1, pionts: 3}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Errors(r).find("m.yaml:4:28: unknown key `pionts` in a fit rule; did you mean "
                           "`points`?"),
            std::string::npos)
      << Errors(r);
}

TEST(Loader, RejectsWhatScoringForbids) {
  struct Case {
    const char* yaml;
    const char* message;
  } cases[] = {
      {"engagement:\n  rules:\n    - {id: a, event: e, points: 1, once: true, count: 2}\n",
       "both `once` and `count`"},
      {"engagement:\n  rules:\n    - {id: a, event: e, points: 1, within: 7d}\n",
       "`within` without `count`"},
      {"engagement:\n  rules:\n    - {id: a, event: e, points: 1, decay: {half_life: 30}}\n",
       "is not a duration"},
      {"engagement:\n  rules:\n    - {id: a, event: e, points: 1, decay: {half_life: 0d}}\n",
       "is not a duration"},
      {"engagement:\n  decay: {expire_after: 20000000w}\n",
       "`20000000w` is too long; a duration is at most 1e12 seconds"},
      {"fit:\n  rules:\n    - {id: a, points: 1}\n    - {id: a, points: 2}\n", "already used"},
      {"fit:\n  rules:\n    - {id: a, points: 1, group: g}\n", "does not declare"},
      {"version: 2\n", "unsupported model version 2"},
      {"version: 1\n---\nfit: {max: 5}\n", "a model file holds one YAML document"},
      {"bogus: 1\n", "unknown key `bogus`"},
      {"fit:\n  rules:\n    - {id: a, points: lots}\n", "points must be a number"},
      {"fit:\n  rules:\n    - {id: a, points: 1e307}\n",
       "points must be between -1e15 and 1e15, got `1e307`"},
      {"score:\n  max: -2e15\n", "score.max must be between 0 and 1e15, got `-2e15`"},
      {"score:\n  max: -1\n", "score.max must be between 0 and 1e15, got `-1`"},
      {"fit:\n  max: -5\n", "fit.max must be between 0 and 1e15"},
      {"engagement:\n  max: -5\n", "engagement.max must be between 0 and 1e15"},
      {"engagement:\n  groups: {g: {max: -1}}\n", "group max must be between 0 and 1e15"},
      {"engagement:\n  rules:\n    - {id: a, event: e, points: 1, max: -1}\n",
       "max must be between 0 and 1e15"},
      {"score:\n  max: null\n", "score.max must be a number, got nothing"},
      {"fields: {co: string}\naccounts: {key: co, aggregate: top_mean, top: 1000001}\n",
       "top must be a whole number from 1 to 1000000, got `1000001`"},
      {"fields: {co: string}\naccounts: {key: co, aggregate: top_mean, top: null}\n",
       "top must be a number, got nothing"},
      {"accounts: {key: null}\n", "accounts.key must be a single value, got nothing"},
      {"fields: {x: integer}\n", "unknown type `integer`"},
      {"fit: [1, 2\n", "invalid YAML"},
      {"fit:\n  rules:\n    - {id: a, when: contains(title, \"VP\"), points: 1}\n",
       "quote an expression that holds a comma"},
      {"engagement:\n  rules:\n    - {id: a, points: 1}\n", "needs `event`"},
      {"fields: {x: number}\nfit:\n  rules:\n    - {id: a, when: coalesce(x, 1) > 0, points: 1}\n",
       "unknown key `1) > 0` in a fit rule; a comma split an expression: in a { } map, quote an "
       "expression that holds a comma"},
      {"stages:\n  - {id: MQL}\n", "needs a `when`"},
  };
  for (const auto& c : cases) {
    auto r = Parse(c.yaml);
    EXPECT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(Errors(r).find(c.message), std::string::npos) << c.yaml << "\n" << Errors(r);
  }
}

TEST(Loader, SaysWhenTheYamlIsNestedTooDeeplyToRead) {
  // yaml-cpp's own message for its nesting limit is "bad file".
  auto r = Parse("fit: " + std::string(1000, '[') + std::string(1000, ']') + "\n");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(Errors(r).find("m.yaml:1:"), std::string::npos) << Errors(r);
  EXPECT_NE(Errors(r).find("invalid YAML: nested too deeply"), std::string::npos) << Errors(r);
}

// A reserved key declared with another type still names the record's id, type or time: a note
// says so, for those declarations only.
TEST(Loader, NotesAReservedKeyDeclaredWithAnotherType) {
  auto r = Parse(
      "fields:\n  ts: number\n  type: number\n  lead_id: string\n  event_id: bool\n"
      "  signed_up: time\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.spec->notes.size(), 3u);
  EXPECT_NE(r.spec->notes[0].ToString().find("m.yaml:2:7: `ts` is declared number: conditions "
                                             "read it so (null where it does not convert), but "
                                             "a record's time is still read as a time"),
            std::string::npos)
      << r.spec->notes[0].ToString();
  EXPECT_NE(r.spec->notes[1].message.find("`type` is still taken as written"), std::string::npos);
  EXPECT_NE(r.spec->notes[2].message.find("`event_id` is declared bool"), std::string::npos);
}

TEST(Loader, IgnoresWithANoteWhatScoringSaysDoesNotApply) {
  auto r = Parse(
      "engagement:\n  rules:\n    - {id: a, event: e, points: 1, once: true, max: 3}\n"
      "    - {id: b, event: e, points: 1, count: 2, max: 3, decay: none}\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.spec->notes.size(), 3u);
  EXPECT_NE(r.spec->notes[0].ToString().find("m.yaml:3:"), std::string::npos);
  EXPECT_NE(r.spec->notes[0].message.find("is ignored"), std::string::npos);
}

// A grade is the first that holds and a stage the last: one that another always overrides is
// most likely listed in the wrong order.
TEST(Loader, NotesGradesAndStagesThatCanNeverBeGiven) {
  auto r = Parse(
      "grades:\n  - {id: B, when: fit >= 25}\n  - {id: A, when: fit >= 40}\n"
      "  - {id: C, when: \"true\"}\n  - {id: D, when: fit > 100}\n"
      "stages:\n  - {id: SQL, when: score >= 80}\n  - {id: MQL, when: score >= 50}\n"
      "  - {id: hot, when: score >= 95 and grade == \"A\"}\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.spec->notes.size(), 3u);
  EXPECT_EQ(r.spec->notes[0].ToString(),
            "m.yaml:3:5: grade `A` (fit >= 40) is never given: grade `B` (fit >= 25), before it, "
            "holds whenever it does (the grade is the first whose condition holds: list grades "
            "from the highest)");
  EXPECT_NE(r.spec->notes[1].message.find("grade `D` (fit > 100) is never given: grade `B`"),
            std::string::npos);
  EXPECT_EQ(r.spec->notes[2].ToString(),
            "m.yaml:7:5: stage `SQL` (score >= 80) is never reached: stage `MQL` (score >= 50), "
            "after it, holds whenever it does (the stage is the last whose condition holds: list "
            "stages from the lowest)");
  // In order, or on different values, or of other forms: nothing to say.
  EXPECT_TRUE(Parse("grades:\n  - {id: A, when: fit >= 40}\n  - {id: B, when: fit > 25}\n"
                    "  - {id: C, when: engagement >= 50}\n  - {id: D, when: \"true\"}\n"
                    "stages:\n  - {id: MQL, when: score >= 50}\n  - {id: SQL, when: score > 50}\n"
                    "  - {id: hot, when: score >= 40 and grade == \"A\"}\n")
                  .spec->notes.empty());
}

TEST(Loader, NotesATopThatItsAggregateIgnores) {
  auto r = Parse("fields: {co: string}\naccounts: {key: co, aggregate: max, top: 5}\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.spec->notes.size(), 1u);
  EXPECT_EQ(r.spec->notes[0].ToString(),
            "m.yaml:2:42: `top` is read only with `aggregate: top_mean`; ignored here");
  EXPECT_TRUE(Parse("fields: {co: string}\naccounts: {key: co, aggregate: top_mean, top: 5}\n")
                  .spec->notes.empty());
}

TEST(Loader, ReportsEveryProblemNotJustTheFirst) {
  auto r = Parse("fit:\n  rules:\n    - {id: a, points: x}\n    - {id: b, points: y}\n");
  EXPECT_EQ(r.diagnostics.size(), 2u) << Errors(r);
}

// `~` in a named list is null, as `null` there and in a list written in an expression are.
TEST(Loader, ANamedListMayHoldNullWrittenAnyWay) {
  auto r = Parse("lists:\n  d: [~, 1, null]\n  e:\n    - \n    - 2\n");
  ASSERT_TRUE(r.spec) << Errors(r);
  ASSERT_EQ(r.spec->lists.at("d").size(), 3u);
  EXPECT_TRUE(r.spec->lists.at("d")[0].is_null());
  EXPECT_TRUE(r.spec->lists.at("d")[2].is_null());
  EXPECT_TRUE(r.spec->lists.at("e")[0].is_null());
}

// A plain item is a number exactly when a CSV cell written alike would be one (model-file.md),
// so that `size in @sizes` finds a cell `+5`; a quoted one is a string.
TEST(Loader, ANamedListReadsNumbersAsACsvCellIs) {
  auto r =
      Parse("lists:\n  n: [+5, -3.5, .5, 5., 007, 1e3, \"+5\", 1e400, +-5, inf, nan, 0x1F, +]\n");
  ASSERT_TRUE(r.spec) << Errors(r);
  const auto& n = r.spec->lists.at("n");
  ASSERT_EQ(n.size(), 13u);
  const std::vector<double> numbers = {5, -3.5, 0.5, 5, 7, 1000};
  for (size_t i = 0; i < numbers.size(); ++i) {
    ASSERT_TRUE(n[i].is_number()) << i;
    EXPECT_EQ(n[i].number(), numbers[i]) << i;
  }
  for (size_t i = numbers.size(); i < n.size(); ++i) EXPECT_TRUE(n[i].is_string()) << i;
}

// Points written with a plus sign are points; `+-5` is no number.
TEST(Loader, PointsMayBeWrittenWithAPlusSign) {
  const std::string rule = "fit:\n  rules:\n    - {id: a, when: 'x == 1', points: ";
  auto plus = Parse(rule + "+5}\n");
  ASSERT_TRUE(plus.spec) << Errors(plus);
  EXPECT_EQ(plus.spec->fit.rules.at(0).points, 5);
  auto both = Parse(rule + "+-5}\n");
  EXPECT_FALSE(both.ok());
  EXPECT_NE(Errors(both).find("points must be a number, got `+-5`"), std::string::npos)
      << Errors(both);
}

// A quoted number or one tagged text (`!!str 5`) is text: refused where a number goes, and
// the message shows the quotes that make it so. `!!int` is a number.
TEST(Loader, AQuotedOrTextTaggedNumberIsText) {
  auto quoted = Parse("version: \"1\"\n");
  EXPECT_FALSE(quoted.ok());
  EXPECT_NE(Errors(quoted).find("version must be a number, got the text `\"1\"`"),
            std::string::npos)
      << Errors(quoted);
  const std::string rule = "fit:\n  rules:\n    - {id: a, when: 'x == 1', points: ";
  EXPECT_FALSE(Parse(rule + "!!str 5}\n").ok());
  EXPECT_FALSE(Parse(rule + "!foo 5}\n").ok());
  auto tagged = Parse(rule + "!!int 5}\n");
  ASSERT_TRUE(tagged.ok()) << Errors(tagged);
  EXPECT_EQ(tagged.spec->fit.rules.at(0).points, 5);
  auto list = Parse("lists:\n  l: [!!str 5, !!str true, 5, true]\n");
  ASSERT_TRUE(list.ok()) << Errors(list);
  const auto& l = list.spec->lists.at("l");
  EXPECT_TRUE(l[0].is_string());
  EXPECT_TRUE(l[1].is_string());
  EXPECT_TRUE(l[2].is_number());
  EXPECT_TRUE(l[3].is_bool());
}

// A YAML alias repeats its anchor's nodes: a problem in them is one line, not one per use.
TEST(Loader, AProblemReachedThroughAliasesIsReportedOnce) {
  auto r = Parse(
      "lists:\n"
      "  a: &a [x, y]\n"
      "  b: [*a, *a, *a]\n");
  EXPECT_EQ(Errors(r), "m.yaml:2:6: list `b` may hold only single values\n");
}

// A merge key (`<<: *name`) takes the keys of the map it names that the map does not write
// itself, as YAML 1.1 defines it; of a list of maps, the first that has a key gives it.
TEST(Loader, MergeKeysShareARulesSettings) {
  auto r = Parse(R"(engagement:
  rules:
    - &views {id: views, event: page_view, points: 5, max: 25, decay: {half_life: 7d}}
    - <<: *views
      id: pricing
      when: contains(url, "/pricing")
      points: 10
    - &weekly {id: weekly, event: page_view, points: 1, group: g}
    - <<: [*weekly, *views]
      id: both
  groups:
    g: {max: 50}
)");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const auto& rules = r.spec->engagement.rules;
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[1].id, "pricing");
  EXPECT_EQ(rules[1].event, "page_view");
  EXPECT_EQ(rules[1].points, 10);
  EXPECT_EQ(rules[1].max, 25);
  ASSERT_TRUE(rules[1].decay.has_value());
  EXPECT_EQ(rules[1].decay->micros, static_cast<double>(7 * kMicrosPerDay));
  ASSERT_TRUE(rules[1].when.has_value());
  EXPECT_EQ(rules[1].when->text, "contains(url, \"/pricing\")");
  EXPECT_EQ(rules[3].id, "both");
  EXPECT_EQ(rules[3].points, 1);  // from *weekly, listed first
  EXPECT_EQ(rules[3].group, "g");
  EXPECT_EQ(rules[3].max, 25);              // only *views has it
  EXPECT_FALSE(rules[0].when.has_value());  // the anchor's own map is not changed
}

TEST(Loader, AMergeKeyThatNamesNoMapIsAnError) {
  auto r = Parse("fit:\n  rules:\n    - {id: a, points: 1, <<: 5}\n");
  EXPECT_EQ(Errors(r),
            "m.yaml:3:30: invalid YAML: `<<` (a merge key) takes a map, such as an alias "
            "`*defaults`, or a list of maps\n");
  r = Parse("fit:\n  rules:\n    - &a {id: a, points: 1}\n    - {<<: [*a, x], id: b}\n");
  EXPECT_EQ(Errors(r),
            "m.yaml:4:17: invalid YAML: a list after `<<` (a merge key) may hold only maps\n");
  // Quoted, "<<" is a key like any other.
  r = Parse("fit:\n  rules:\n    - &a {id: a, points: 1}\n    - {\"<<\": *a, id: b}\n");
  EXPECT_NE(Errors(r).find("m.yaml:4:8: unknown key `<<` in a fit rule"), std::string::npos)
      << Errors(r);
}

// Aliases of aliases name 2^40 maps here; each one is expanded once.
TEST(Loader, MergeKeysThroughAChainOfAliasesLoadAtOnce) {
  std::string yaml = "fit:\n  rules:\n    - &m0 {id: r0, points: 1}\n";
  for (int i = 1; i <= 40; ++i) {
    yaml += "    - &m" + std::to_string(i) + " {<<: [*m" + std::to_string(i - 1) + ", *m" +
            std::to_string(i - 1) + "], id: r" + std::to_string(i) + "}\n";
  }
  auto r = Parse(yaml);
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.spec->fit.rules.size(), 41u);
  EXPECT_EQ(r.spec->fit.rules[40].points, 1);
}

// yaml-cpp reads a quote that never closes to the end of the file: the model would load with
// every line after it in one string and no rules. It reports a NUL on another line.
TEST(Loader, AQuoteThatNeverClosesOrAControlCharacterIsAnErrorWhereItIs) {
  auto r = Parse("version: 1\nname: \"saas\nfit:\n  rules:\n    - {id: a, points: 1}\n");
  EXPECT_EQ(Errors(r),
            "m.yaml:2:7: invalid YAML: this quoted text never ends: no closing \" before the end "
            "of the file\n");
  r = Parse(std::string("version: 1\nname: t\0x\n", 19));
  EXPECT_EQ(Errors(r),
            "m.yaml:2:8: invalid YAML: a NUL byte, which YAML does not allow (is the file UTF-16 "
            "without a byte-order mark, or binary?)\n");
  r = Parse("version: 1\nname: t\x07x\n");
  EXPECT_EQ(Errors(r),
            "m.yaml:2:8: invalid YAML: a control character (byte 0x07), which YAML does not "
            "allow (is this a binary file?)\n");
  r = Parse("version: 1\nname: 'it''s\n");
  EXPECT_EQ(Errors(r),
            "m.yaml:2:7: invalid YAML: this quoted text never ends: no closing ' before the end "
            "of the file\n");
  // Closed quotes, with escaped and doubled quotes inside and a key quoted, load.
  r = Parse(
      "version: 1\nname: 'it''s'\nfit:\n  rules:\n    - {\"id\": a, when: 'x == \"a\\\"\"', "
      "points: 1}\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.spec->name, "it's");
}

// A model in another encoding would load with text that never matches the data (a Latin-1
// "ç"), or not load for a reason it does not say (UTF-16); a tab in the indentation is named.
TEST(Loader, SaysWhenTheFileIsNotUtf8OrIndentedWithTabs) {
  auto r = Parse(
      "version: 1\nfit:\n  rules:\n    - {id: fr, when: country == \"Fran\xE7"
      "ais\", points: 1}\n");
  EXPECT_EQ(Errors(r),
            "m.yaml:4:38: invalid YAML: bytes that are not UTF-8 (is the file Latin-1 or "
            "Windows-1252? convert it: iconv -f latin1 -t utf-8)\n");
  r = Parse(std::string("\xFF\xFEv\0e\0r\0", 8));
  EXPECT_NE(Errors(r).find("m.yaml:1:1: invalid YAML: the file is UTF-16 or UTF-32"),
            std::string::npos)
      << Errors(r);
  r = Parse("fit:\n\trules: []\n");
  EXPECT_NE(Errors(r).find("m.yaml:2:7: invalid YAML: "), std::string::npos) << Errors(r);
  EXPECT_NE(Errors(r).find("; this line is indented with a tab, and YAML indents with spaces only"),
            std::string::npos)
      << Errors(r);
  r = Parse(
      "\xEF\xBB\xBFversion: 1\r\nname: \"Fran\xC3\xA7"
      "ais\"\r\n");  // a UTF-8 BOM, CRLF
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.spec->name,
            "Fran\xC3\xA7"
            "ais");
}

TEST(Loader, MissingFileIsOneDiagnostic) {
  auto r = LoadModelFile("/nonexistent/model.yaml");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].ToString(),
            "/nonexistent/model.yaml: cannot open a model file: No such file or directory");
}

}  // namespace
}  // namespace leadscore::model
