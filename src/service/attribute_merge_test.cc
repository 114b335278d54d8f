#include "service/attribute_merge.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
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

// New top-level fields grow the stored object's entries before a nested field is merged:
// the object it goes into must be found where it is then (this crashed the live service).
TEST(MergeAttributes, ANestedFieldAfterNewTopLevelFieldsGoesIntoItsObject) {
  EXPECT_EQ(Merged(R"({"lead_id":"A","utm":{"medium":"g"}})",
                   R"({"lead_id":"A","a":1,"b":2,"c":3,"d":4,"utm":{"source":"g"}})"),
            R"({"lead_id":"A","utm":{"medium":"g","source":"g"},"a":1,"b":2,"c":3,"d":4})");
  std::string stored = R"({"x":{"y":{"z":1}}})";
  std::string upsert = "{";
  for (int i = 0; i < 100; ++i)
    upsert += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  upsert += R"("x":{"y":{"w":2},"v":3}})";
  const std::string merged = Merged(stored, upsert);
  EXPECT_EQ(merged.substr(0, 36), R"({"x":{"y":{"z":1,"w":2},"v":3},"k0":)") << merged;
}

// Every field of a path, the later counting, as scoring reads an object (dotted paths).
void FlattenInto(const RecordJson& object, const std::string& path,
                 std::map<std::string, RecordJson>& out) {
  for (const auto& item : object.items()) {
    const std::string child = path.empty() ? item.key() : path + "." + item.key();
    if (item.value().is_object()) {
      FlattenInto(item.value(), child, out);
    } else {
      out[child] = item.value();
    }
  }
}

RecordJson RandomObject(std::mt19937& rng, int depth) {
  static const char* kKeys[] = {"a", "b", "c", "a.b", "b.c"};
  RecordJson out = RecordJson::object();
  const int n = static_cast<int>(rng() % 6);
  for (int i = 0; i < n; ++i) {
    const std::string key = kKeys[rng() % 5];
    if (depth > 0 && rng() % 3 == 0) {
      out[key] = RandomObject(rng, depth - 1);
    } else {
      out[key] = static_cast<int>(rng() % 100);
    }
  }
  return out;
}

// Random nested objects, merged: every field the upsert gives reads back with its value, and
// (under AddressSanitizer in CI) nothing is touched after it moved.
TEST(MergeAttributes, RandomNestedMergesKeepEveryFieldSent) {
  std::mt19937 rng(20261207);
  for (int round = 0; round < 3000; ++round) {
    RecordJson stored = RandomObject(rng, 3);
    RecordJson upsert = RandomObject(rng, 3);
    std::vector<std::string> set_paths;
    RecordJson merged = MergeAttributes(stored, upsert, set_paths);
    std::map<std::string, RecordJson> sent, got;
    FlattenInto(upsert, "", sent);
    FlattenInto(merged, "", got);
    for (const auto& [path, value] : sent) {
      ASSERT_TRUE(got.count(path)) << "lost " << path << " merging " << upsert.dump() << " into "
                                   << stored.dump() << ": " << merged.dump();
      EXPECT_EQ(got[path], value) << path << " merging " << upsert.dump() << " into "
                                  << stored.dump() << ": " << merged.dump();
    }
  }
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
