#include "learn/trees_check.h"

#include <gtest/gtest.h>

#include <string>

namespace leadscore::learn {
namespace {

// A model as XGBoost writes it, cut down to what the check reads: one tree of three nodes (a
// categorical split on feature 1 at the root, two leaves), over two features.
std::string Model(const std::string& left = "[1,-1,-1]", const std::string& right = "[2,-1,-1]",
                  const std::string& split = "[1,0,0]", const std::string& num_nodes = "3") {
  return R"({"learner":{"learner_model_param":{"num_feature":"2"},)"
         R"("gradient_booster":{"model":{"gbtree_model_param":{"num_trees":"1"},)"
         R"("tree_info":[0],"trees":[{"tree_param":{"num_nodes":")" +
         num_nodes + R"("},"left_children":)" + left + R"(,"right_children":)" + right +
         R"(,"split_indices":)" + split +
         R"(,"split_conditions":[NaN,-1.5E-2,2E-2],"default_left":[1,0,0],)"
         R"("base_weights":[0.1,-0.2,0.3],"parents":[2147483647,0,0],"split_type":[1,0,0],)"
         R"("categories":[0,2],"categories_nodes":[0],"categories_segments":[0],)"
         R"("categories_sizes":[2]}]}},"attributes":{"note":"NaN in a string stays"}},)"
         R"("version":[2,0,3]})";
}

std::string MessageOf(const std::string& bytes) {
  const Status s = CheckTreesJson(bytes);
  return s.ok() ? "ok" : s.message();
}

TEST(TreesCheck, AcceptsAModelAsXgboostWritesIt) { EXPECT_EQ(MessageOf(Model()), "ok"); }

TEST(TreesCheck, RefusesAChildOutOfRange) {
  EXPECT_EQ(MessageOf(Model("[999999,-1,-1]")), "tree 0, node 0: child 999999 out of range");
  // A split node needs both children: a walk going right would read node -1.
  EXPECT_EQ(MessageOf(Model("[1,-1,-1]", "[-1,-1,-1]")), "tree 0, node 0: child -1 out of range");
}

TEST(TreesCheck, RefusesACycleAndASharedNode) {
  EXPECT_EQ(MessageOf(Model("[1,0,-1]", "[2,-1,-1]")),
            "tree 0, node 1: child 0 reached twice (a cycle?)");
  EXPECT_EQ(MessageOf(Model("[1,-1,-1]", "[1,-1,-1]")),
            "tree 0, node 0: child 1 reached twice (a cycle?)");
}

TEST(TreesCheck, RefusesArraysOfAnotherLength) {
  EXPECT_EQ(MessageOf(Model("[1,-1]")), "tree 0: `left_children` holds 2 entries for 3 nodes");
  EXPECT_EQ(MessageOf(Model("[1,-1,-1]", "[2,-1,-1]", "[1,0,0]", "4")),
            "tree 0: `left_children` holds 3 entries for 4 nodes");
}

TEST(TreesCheck, RefusesASplitOnAFeatureTheModelLacks) {
  EXPECT_EQ(MessageOf(Model("[1,-1,-1]", "[2,-1,-1]", "[7,0,0]")),
            "tree 0, node 0: split on feature 7, but the model has 2");
}

TEST(TreesCheck, RefusesCategoriesOutsideTheirArray) {
  std::string model = Model();
  const std::string sizes = R"("categories_sizes":[2])";
  model.replace(model.find(sizes), sizes.size(), R"("categories_sizes":[5])");
  EXPECT_EQ(MessageOf(model), "tree 0, node 0: categories 0..5 outside the 2 stored");
}

TEST(TreesCheck, SaysWhereAFileIsCutShort) {
  const std::string model = Model();
  EXPECT_EQ(MessageOf(model.substr(0, 100)),
            "the JSON stops at byte 100 before it is complete (cut short?)");
  EXPECT_EQ(MessageOf("{\"learner\": ]"), "not JSON: syntax error at byte 13");
}

TEST(TreesCheck, RefusesJsonThatIsNoModel) {
  EXPECT_EQ(MessageOf("{}"), "no `learner` object (not an XGBoost model?)");
  EXPECT_EQ(MessageOf(R"({"learner":{"learner_model_param":{"num_feature":"2"}}})"),
            "no trees (learner.gradient_booster.model.trees)");
}

}  // namespace
}  // namespace leadscore::learn
