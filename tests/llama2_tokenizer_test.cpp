// llama2.c's tokenizer against upstream llama2.c's own runs of stories260K (../shared/models/stories260K):
// the golden prompts encode to the golden tokens, and the golden runs decode to the text run.c printed.
#include "tools/llama2_tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontend/npz.h"
#include "ir/error.h"

namespace deeploy {
namespace {

const std::string kModelDir = std::string(DEEPLOY_SHARED_DIR) + "/models/stories260K";

Llama2Tokenizer stories260K() { return Llama2Tokenizer::load(kModelDir + "/tok512.bin"); }

TensorData arrayNamed(const NamedArrays& arrays, const std::string& name) {
  for (const auto& [key, array] : arrays) {
    if (key == name) return array;
  }
  throw Error("no array '" + name + "'");
}

std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

struct GoldenRun {
  std::string name, prompt;
};
const GoldenRun kGoldenRuns[] = {{"greedy_once_upon_a_time", "Once upon a time"},
                                 {"greedy_lily_and_ben_were", "Lily and Ben were"}};

TEST(Llama2Tokenizer, EncodesTheGoldenPromptsAsLlama2cDid) {
  Llama2Tokenizer t = stories260K();
  EXPECT_EQ(t.vocabSize(), 512);
  for (const GoldenRun& run : kGoldenRuns) {
    const TensorData golden = arrayNamed(readNpz(kModelDir + "/" + run.name + ".npz"), "tokens");
    std::vector<int> prompt = t.encode(run.prompt);
    ASSERT_GE(prompt.size(), 3u) << run.prompt;
    for (size_t p = 0; p < prompt.size(); ++p) EXPECT_EQ(prompt[p], golden.getInt(static_cast<int64_t>(p))) << run.prompt << " at " << p;
  }
}

// run.c prints each token after the one before it, the token it chose at the last position, then a new line.
TEST(Llama2Tokenizer, DecodesTheGoldenRunsToTheTextLlama2cPrinted) {
  Llama2Tokenizer t = stories260K();
  for (const GoldenRun& run : kGoldenRuns) {
    const NamedArrays golden = readNpz(kModelDir + "/" + run.name + ".npz");
    const TensorData tokens = arrayNamed(golden, "tokens"), logits = arrayNamed(golden, "logits");
    std::vector<int> ids;
    for (int64_t p = 0; p < tokens.size(); ++p) ids.push_back(static_cast<int>(tokens.getInt(p)));
    const int64_t vocab = logits.shape().back(), last = (tokens.size() - 1) * vocab;
    int64_t best = 0;
    for (int64_t i = 1; i < vocab; ++i) {
      if (logits.getDouble(last + i) > logits.getDouble(last + best)) best = i;
    }
    ids.push_back(static_cast<int>(best));
    std::string text;
    for (size_t p = 0; p + 1 < ids.size(); ++p) text += t.textAfter(ids[p], ids[p + 1]);
    EXPECT_EQ(text + "\n", readFile(kModelDir + "/" + run.name + ".txt")) << run.name;
  }
}

TEST(Llama2Tokenizer, FallsBackToBytesAndMergesByScore) {
  Llama2Tokenizer t = stories260K();
  EXPECT_EQ(t.encode(""), std::vector<int>{Llama2Tokenizer::kBos});  // no leading space for empty text
  // A character the vocabulary lacks becomes its UTF-8 bytes + 3 (no merges apply to "<0x..>" pieces).
  const std::vector<int> snowman = t.encode("\xe2\x98\x83");
  ASSERT_EQ(snowman.size(), 5u);
  EXPECT_EQ(std::vector<int>(snowman.begin() + 2, snowman.end()), (std::vector<int>{0xe2 + 3, 0x98 + 3, 0x83 + 3}));
  // Decoding: the byte tokens give their bytes, lone unprintable bytes print nothing (as run.c's
  // safe_printf), and the space after BOS is dropped.
  EXPECT_EQ(t.textAfter(5, 'A' + 3), "A");
  EXPECT_EQ(t.textAfter(5, 0xe2 + 3), "");
  EXPECT_EQ(t.textAfter(5, '\n' + 3), "\n");
  const std::vector<int> once = t.encode("Once");
  std::string decoded;
  for (size_t p = 0; p + 1 < once.size(); ++p) decoded += t.textAfter(once[p], once[p + 1]);
  EXPECT_EQ(decoded, "Once");
  EXPECT_THROW(t.textAfter(0, 512), Error);
}

TEST(Llama2Tokenizer, RejectsMissingTruncatedAndForeignFiles) {
  EXPECT_THROW(Llama2Tokenizer::load("/nonexistent/tok512.bin"), Error);
  const std::string whole = readFile(kModelDir + "/tok512.bin");
  const std::string path = (std::filesystem::temp_directory_path() / "deeploy_tokenizer_test.bin").string();
  for (const std::string& bytes : {whole.substr(0, whole.size() - 3), std::string("{\"type\": \"byte-level BPE\"}")}) {
    std::ofstream(path, std::ios::binary) << bytes;
    EXPECT_THROW(Llama2Tokenizer::load(path), Error);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace deeploy
