#include "tools/bpe_tokenizer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/errors.h"

namespace deeploy {
namespace {

using testing::errorOf;
using nlohmann::json;

// A tokenizer with end of text 256 and merges from 257 ("an" is 257, " an" 258).
json tokenizer() {
  return {{"type", "byte-level BPE"}, {"pretokenize_regex", " ?[a-z]+|."}, {"first_merge_id", 257},
          {"end_of_text", 256}, {"merges", {{97, 110}, {32, 257}}}};
}

std::string errorParsing(const json& doc) { return errorOf([&] { BpeTokenizer::parse(doc.dump(), "t.json"); }); }

TEST(BpeTokenizer, ParsesTextAndEncodesWithItsMerges) {
  const BpeTokenizer t = BpeTokenizer::parse(tokenizer().dump(), "t.json");
  EXPECT_EQ(t.encode("an an!"), (std::vector<int>{257, 258, 33}));
  EXPECT_EQ(t.bytesOf(258), " an");
  EXPECT_EQ(t.textAfter(0, 256), "\n");
}

TEST(BpeTokenizer, NumbersOutsideTheirRangeAreErrorsNotConversions) {
  json doc = tokenizer();
  doc["merges"][0][0] = 3.9e68;  // a float far beyond int
  EXPECT_NE(errorParsing(doc).find("merge 0's first token is not an integer"), std::string::npos) << errorParsing(doc);
  doc = tokenizer();
  doc["merges"][1][1] = 259;  // not yet a token
  EXPECT_NE(errorParsing(doc).find("merge 1's second token is 259, outside 0..257"), std::string::npos) << errorParsing(doc);
  doc = tokenizer();
  doc["first_merge_id"] = int64_t{1} << 32;  // would wrap to 0 as an int
  EXPECT_NE(errorParsing(doc).find("first_merge_id is 4294967296, outside 257..1048576"), std::string::npos)
      << errorParsing(doc);
  doc = tokenizer();
  doc["end_of_text"] = 300;
  EXPECT_NE(errorParsing(doc).find("end_of_text is 300, outside 256..256"), std::string::npos) << errorParsing(doc);
}

TEST(BpeTokenizer, NumbersTooLongForTheRegexLibraryAreErrors) {
  const std::string error = "a repeat count or back-reference of pretokenize_regex has more than 3 digits";
  json doc = tokenizer();
  doc["pretokenize_regex"] = "a{2222222222222222222}";
  EXPECT_NE(errorParsing(doc).find(error), std::string::npos) << errorParsing(doc);
  doc["pretokenize_regex"] = "(a)\\4444444444444444444";
  EXPECT_NE(errorParsing(doc).find(error), std::string::npos) << errorParsing(doc);
  doc["pretokenize_regex"] = "(a)\\1{1,999}[0-9]+ 12345";
  EXPECT_EQ(errorParsing(doc), "");
}

TEST(BpeTokenizer, MergesDoublingATokenStopAtItsLengthLimit) {
  // "aa", then each merge doubles the last token: the 11th is 2048 bytes.
  json doc = tokenizer();
  doc["merges"] = json::array({{97, 97}});
  for (int id = 257; id < 267; ++id) doc["merges"].push_back({id, id});
  EXPECT_NE(errorParsing(doc).find("merge 10 makes a token of 2048 bytes, more than 1024"), std::string::npos)
      << errorParsing(doc);
}

}  // namespace
}  // namespace deeploy
