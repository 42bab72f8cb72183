// stories260K imported in float (models/tinystories, made by scripts/setup from ../shared): greedy
// generation from upstream llama2.c's two golden prompts prints exactly the text llama2.c printed.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tools/generate.h"
#include "tools/llama2_tokenizer.h"

namespace deeploy {
namespace {

const std::string kStepsDir = std::string(DEEPLOY_SOURCE_DIR) + "/models/tinystories";
const std::string kGoldenDir = std::string(DEEPLOY_SHARED_DIR) + "/models/stories260K";

std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// llama2.c ran 256 positions: the prompt's tokens (BOS first), then its choices, the last one made at
// position 255; it printed the prompt, the generated text and a new line.
void expectGoldenText(const std::string& prompt, const std::string& golden) {
  const size_t promptTokens = Llama2Tokenizer::load(kGoldenDir + "/tok512.bin").encode(prompt).size();
  GenerateCommand cmd;
  cmd.model = kStepsDir + "/float_decode_511";
  cmd.prefill = kStepsDir + "/float_prefill_16";
  cmd.prompt = prompt;
  cmd.tokens = static_cast<int>(256 - promptTokens + 1);
  testing::internal::CaptureStdout();
  const int status = runGenerate(cmd);
  const std::string printed = testing::internal::GetCapturedStdout();
  ASSERT_EQ(status, 0);
  const std::string expected = readFile(kGoldenDir + "/" + golden + ".txt");
  ASSERT_FALSE(expected.empty()) << golden;
  EXPECT_EQ(printed.substr(0, expected.size()), expected) << golden;
}

TEST(TinyStories, FloatGreedyGenerationPrintsLlama2csText) {
  expectGoldenText("Once upon a time", "greedy_once_upon_a_time");
  expectGoldenText("Lily and Ben were", "greedy_lily_and_ben_were");
}

}  // namespace
}  // namespace deeploy
