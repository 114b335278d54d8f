// Tests for UTF-8 case mapping and code point counting.
#include "expr/utf8.h"

#include <gtest/gtest.h>

namespace leadscore::expr {
namespace {

std::string Lower(std::string_view s) {
  std::string out;
  AppendLower(s, out);
  return out;
}
std::string Upper(std::string_view s) {
  std::string out;
  AppendUpper(s, out);
  return out;
}

TEST(Utf8, AsciiCase) {
  EXPECT_EQ(Lower("Hello, World 42!"), "hello, world 42!");
  EXPECT_EQ(Upper("Hello, World 42!"), "HELLO, WORLD 42!");
}

TEST(Utf8, Latin1Case) {
  EXPECT_EQ(Lower("SOCIÉTÉ GÉNÉRALE"), "société générale");
  EXPECT_EQ(Upper("société générale"), "SOCIÉTÉ GÉNÉRALE");
  EXPECT_EQ(Lower("ÀÞ×"), "àþ×");        // × has no case
  EXPECT_EQ(Upper("àþ÷"), "ÀÞ÷");        // nor ÷
  EXPECT_EQ(Upper("straße"), "STRAßE");  // ß has no one-letter upper case
  EXPECT_EQ(Upper("ÿ"), "Ÿ");
  EXPECT_EQ(Lower("Ÿ"), "ÿ");
}

TEST(Utf8, LatinExtendedACase) {
  EXPECT_EQ(Lower("ŁÓDŹ ĄČĘ ŐŰ"), "łódź ąčę őű");
  EXPECT_EQ(Upper("łódź ąčę őű"), "ŁÓDŹ ĄČĘ ŐŰ");
  EXPECT_EQ(Lower("İ"), "i");
  EXPECT_EQ(Upper("ı"), "I");
}

TEST(Utf8, GreekAndCyrillicCase) {
  EXPECT_EQ(Lower("ΑΘΗΝΑ Ά"), "αθηνα ά");
  EXPECT_EQ(Upper("αθηνα ς"), "ΑΘΗΝΑ Σ");
  EXPECT_EQ(Lower("МОСКВА ЁЖ"), "москва ёж");
  EXPECT_EQ(Upper("москва ёж"), "МОСКВА ЁЖ");
  EXPECT_EQ(Upper("їѣ"), "ЇѢ");
}

// Every script Unicode gives a case: the letters the Latin-1, Greek and Cyrillic blocks hold
// beyond their runs, Latin Extended Additional (Vietnamese), Armenian, Georgian, full-width
// Latin, and the letters outside the basic plane.
TEST(Utf8, EveryCasedScriptMapsAsUnicodeDoes) {
  EXPECT_EQ(Upper("µ"), "Μ");
  EXPECT_EQ(Lower("ϴ"), "θ");
  EXPECT_EQ(Upper("ϐ"), "Β");
  EXPECT_EQ(Upper("công ty ạ ế"), "CÔNG TY Ạ Ế");
  EXPECT_EQ(Lower("ԱՐԱՄ"), "արամ");
  EXPECT_EQ(Upper("ა"), "Ა");
  EXPECT_EQ(Lower("ＡＢＣ"), "ａｂｃ");
  EXPECT_EQ(Lower("𐐀"), "𐐨");  // Deseret, four bytes
  EXPECT_EQ(Lower("ǅ"), "ǆ");  // a title-case letter
  EXPECT_EQ(Upper("ǅ"), "Ǆ");
  EXPECT_EQ(Lower("K"), "k");  // KELVIN SIGN
}

TEST(Utf8, OtherScriptsPassThrough) {
  EXPECT_EQ(Lower("東京 😀"), "東京 😀");
  EXPECT_EQ(Upper("東京 😀"), "東京 😀");
}

TEST(Utf8, InvalidBytesPassThrough) {
  std::string bad = "A\xC3(\xFF\xE2\x82";
  EXPECT_EQ(Lower(bad), "a\xC3(\xFF\xE2\x82");
  EXPECT_EQ(Lower("\xC0\x81"), "\xC0\x81");  // overlong encoding stays bytes
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("société"), 7u);
  EXPECT_EQ(CountCodePoints("東京😀"), 3u);
  EXPECT_EQ(CountCodePoints("a\xFF"), 2u);  // an invalid byte counts as one
}

}  // namespace
}  // namespace leadscore::expr
