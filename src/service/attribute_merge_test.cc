#include "service/attribute_merge.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadscore::service {
namespace {

// The merge of `upsert` into `stored`, both JSON texts, as compact JSON text.
std::string Merged(const std::string& stored, const std::string& upsert,
                   std::vector<std::string>* paths = nullptr) {
  std::vector<std::string> set_paths;
  RecordJson out = MergeAttributes(RecordJson::parse(stored), RecordJson::parse(upsert), set_paths);
  if (paths) *paths = set_paths;
  return out.dump();
}

TEST(MergeAttributes, ANestedFieldSentLaterKeepsItsStoredSibling) {
  std::vector<std::string> paths;
  EXPECT_EQ(Merged(R"({"utm":{"source":"a"}})", R"({"utm":{"medium":"b"}})", &paths),
            R"({"utm":{"source":"a","medium":"b"}})");
  EXPECT_EQ(paths, std::vector<std::string>{"utm.medium"});
}

TEST(MergeAttributes, ADottedKeyAndTheSamePathThroughAnObjectAreOneField) {
  EXPECT_EQ(Merged(R"({"utm":{"source":"bing"}})", R"({"utm.source":"yahoo"})"),
            R"({"utm":{"source":"yahoo"}})");
  EXPECT_EQ(Merged(R"({"utm.source":"yahoo"})", R"({"utm":{"source":"google"}})"),
            R"({"utm.source":"google"})");
  // Within one upsert the later spelling counts, as batch reads a record.
  EXPECT_EQ(Merged("{}", R"({"utm":{"source":"a"},"utm.source":"b"})"), R"({"utm.source":"b"})");
}

TEST(MergeAttributes, StoredFieldsKeepTheirPlaceAndNewOnesFollow) {
  EXPECT_EQ(Merged(R"({"a":1,"b":2,"c":{"d":3}})", R"({"a":3,"e":null,"c":{"f":[1]}})"),
            R"({"a":3,"b":2,"c":{"d":3,"f":[1]},"e":null})");
}

TEST(MergeAttributes, FlatObjectsMergeByKeyFewOrMany) {
  std::vector<std::string> paths;
  EXPECT_EQ(Merged(R"({"a":1,"b":2})", R"({"b":3,"c":4})", &paths), R"({"a":1,"b":3,"c":4})");
  EXPECT_EQ(paths, (std::vector<std::string>{"b", "c"}));
  // Past the keys a scan looks through, by an index.
  RecordJson stored = RecordJson::object(), upsert = RecordJson::object(), expected;
  for (int i = 0; i < 40; ++i) stored["k" + std::to_string(i)] = i;
  expected = stored;
  for (int i = 30; i < 50; ++i) upsert["k" + std::to_string(i)] = -i;
  for (int i = 30; i < 50; ++i) expected["k" + std::to_string(i)] = -i;
  EXPECT_EQ(Merged(stored.dump(), upsert.dump()), expected.dump());
}

TEST(MergeAttributes, AFieldWhereAnObjectIsStoredFlattensEveryField) {
  // `utm` and `utm.source` are two fields: only dotted keys hold both.
  EXPECT_EQ(Merged(R"({"x":1,"utm":{"source":"a"}})", R"({"utm":"y"})"),
            R"({"x":1,"utm.source":"a","utm":"y"})");
  // The other way round the stored field stays and the new one takes a dotted key.
  EXPECT_EQ(Merged(R"({"utm":"y"})", R"({"utm":{"source":"a","medium":"b"}})"),
            R"({"utm":"y","utm.source":"a","utm.medium":"b"})");
}

TEST(MergeAttributes, AnEmptyObjectSetsNoField) {
  EXPECT_EQ(Merged(R"({"utm":{"source":"a"}})", R"({"utm":{}})"), R"({"utm":{"source":"a"}})");
}

}  // namespace
}  // namespace leadscore::service
