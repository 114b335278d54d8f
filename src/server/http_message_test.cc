#include "server/http_message.h"

#include <gtest/gtest.h>

namespace leadscore::server {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndPlusOnlyWhereAsked) {
  EXPECT_EQ(PercentDecode("a%2Fb%20c+d", false), "a/b c+d");
  EXPECT_EQ(PercentDecode("a%2Fb%20c+d", true), "a/b c d");
  EXPECT_EQ(PercentDecode("%41%7a", false), "Az");
}

TEST(PercentDecodeTest, KeepsAMalformedEscapeAsItIs) {
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%4", false), "%4");
  EXPECT_EQ(PercentDecode("%zz1", false), "%zz1");
  EXPECT_EQ(PercentDecode("%%41", false), "%A");
}

TEST(ParseTargetTest, SplitsThePathFromTheQueryAndDecodesBoth) {
  HttpRequest req;
  ParseTarget("/v1/leads/a%2Fb?stage=MQL&min_score=5&attribute=city:New+York&flag&=x&&", req);
  EXPECT_EQ(req.path, "/v1/leads/a/b");
  ASSERT_EQ(req.params.size(), 5u);
  EXPECT_EQ(req.param("stage"), "MQL");
  EXPECT_EQ(req.param("min_score"), "5");
  EXPECT_EQ(req.param("attribute"), "city:New York");
  EXPECT_EQ(req.param("flag"), "");
  EXPECT_EQ(req.param(""), "x");
  EXPECT_EQ(req.param("missing"), std::nullopt);
}

TEST(ParseTargetTest, APlusInThePathStaysAPlus) {
  HttpRequest req;
  ParseTarget("/v1/leads/a+b", req);
  EXPECT_EQ(req.path, "/v1/leads/a+b");
  EXPECT_TRUE(req.params.empty());
}

TEST(HttpRequestTest, HeaderNamesCompareWithoutCaseAndTheFirstValueWins) {
  HttpRequest req;
  req.headers = {{"authorization", "Bearer one"}, {"AUTHORIZATION", "Bearer two"}};
  EXPECT_EQ(req.header("Authorization"), "Bearer one");
  EXPECT_EQ(req.header("Content-Type"), "");
  EXPECT_EQ(req.header("Authorizatio"), "");
}

}  // namespace
TEST(ParseTargetTest, AnAbsoluteTargetIsReadAsItsPath) {
  HttpRequest req;
  ParseTarget("http://localhost:8080/v1/leads/a%2Fb?stage=MQL", req);
  EXPECT_EQ(req.path, "/v1/leads/a/b");
  EXPECT_EQ(req.param("stage"), "MQL");
  HttpRequest upper;
  ParseTarget("HTTPS://example.com/health", upper);
  EXPECT_EQ(upper.path, "/health");
  HttpRequest bare;
  ParseTarget("http://example.com", bare);
  EXPECT_EQ(bare.path, "/");
  HttpRequest query;
  ParseTarget("http://example.com?limit=5", query);
  EXPECT_EQ(query.path, "/");
  EXPECT_EQ(query.param("limit"), "5");
  HttpRequest relative;  // no scheme: a path that merely holds one
  ParseTarget("/v1/leads/http://x", relative);
  EXPECT_EQ(relative.path, "/v1/leads/http://x");
}

}  // namespace leadscore::server
