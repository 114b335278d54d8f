#include "core/utf8.h"

#include <gtest/gtest.h>

namespace leadscore {
namespace {

TEST(Utf8, FindsTheFirstByteThatIsNotUtf8) {
  EXPECT_EQ(FirstInvalidUtf8(""), std::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("plain, Fran\xC3\xA7"
                             "ais, \xE2\x82\xAC, \xF0\x9F\x98\x80"),
            std::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("Fran\xE7"
                             "ais"),
            4u);                                           // Latin-1
  EXPECT_EQ(FirstInvalidUtf8("ab\xC3"), 2u);               // cut short
  EXPECT_EQ(FirstInvalidUtf8("a\xC0\xAF"), 1u);            // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("\xED\xA0\x80"), 0u);         // a surrogate
  EXPECT_EQ(FirstInvalidUtf8("ok \xF4\x90\x80\x80"), 3u);  // past U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("\xE2\x82\xAC\x80"), 3u);     // a lone continuation byte
}

TEST(Utf8, EncodesWhatItDecodes) {
  for (uint32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F600u, 0x10FFFFu}) {
    std::string text;
    AppendUtf8(cp, text);
    size_t len = 0;
    EXPECT_EQ(DecodeUtf8(text, 0, len), static_cast<int32_t>(cp));
    EXPECT_EQ(len, text.size());
  }
}

}  // namespace
}  // namespace leadscore
