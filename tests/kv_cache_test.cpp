// The KV-cache step (passes/kv_cache, codegen/runtime_length) against the fixed-length network it comes
// from, on the shipped language model with caches of random contents; the tokenizer it generates with and
// the likelihood deeploy score measures with it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "frontend/npz.h"
#include "ops/interpreter.h"
#include "targets/host_target.h"
#include "tools/bpe_tokenizer.h"
#include "tools/driver.h"
#include "tools/generate.h"
#include "tools/score.h"
#include "tools/work_dir.h"

namespace deeploy {
namespace {

const std::string kModelDir = std::string(DEEPLOY_SOURCE_DIR) + "/models/fortunes";
const std::string kStep = kModelDir + "/decode_255/network.onnx";

const std::string kPrefill = kModelDir + "/prefill_16/network.onnx";

NamedArrays typingInputs() { return readNpz(kModelDir + "/decode_255/inputs.npz"); }
NamedArrays prefillTypingInputs() { return readNpz(kModelDir + "/prefill_16/inputs.npz"); }

size_t occurrences(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// Inputs of the fixed-length network at `cached` rows: random caches, token 65 at that position.
std::vector<TensorData> fixedInputs(const Graph& graph, const KVCacheSignature& sig, int64_t cached, std::mt19937& random) {
  std::vector<TensorData> inputs;
  for (TensorId id : graph.inputs) inputs.emplace_back(graph.tensor(id).dtype, graph.tensor(id).shape);
  for (size_t i : sig.cacheInputs) {
    for (int64_t e = 0; e < inputs[i].size(); ++e) inputs[i].setInt(e, static_cast<int64_t>(random() % 256) - 128);
  }
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const std::string& name = graph.tensor(graph.inputs[i]).name;
    if (name == "token") inputs[i].setInt(0, 65);
    if (name == "position") inputs[i].setInt(0, cached);
  }
  return inputs;
}

TEST(KVCache, FindsTheCachesOfTheShippedStep) {
  CompiledModel model = compileKVCacheModel(kStep, typingInputs(), 16, false);
  ASSERT_TRUE(model.kvCache.has_value());
  EXPECT_EQ(model.kvCache->cacheInputs.size(), 16u);
  EXPECT_EQ(model.kvCache->newRows, 1);
  ASSERT_TRUE(model.graph.kvCache.has_value());
  // Not exposed: the caches are neither inputs nor outputs; cache_length is the last input.
  EXPECT_EQ(model.graph.inputs.size(), 4u);
  EXPECT_EQ(model.graph.outputs.size(), 1u);
  EXPECT_EQ(model.graph.tensor(model.graph.inputs.back()).name, "cache_length");
  for (TensorId s : model.graph.kvCache->states) EXPECT_EQ(model.graph.tensor(s).shape, (Shape{1, 16, 16, 4}));
  EXPECT_NE(model.network.source.find("network_filled_rows"), std::string::npos);
}

TEST(KVCache, RejectsAContextNoLongerThanOneStep) {
  EXPECT_THROW(compileKVCacheModel(kStep, typingInputs(), 1, false), Error);
}

TEST(KVCache, StepEqualsTheFixedLengthNetworkAtEveryCacheLength) {
  for (int cores : {1, 3}) {
    CompiledModel step = compileKVCacheModel(kStep, typingInputs(), 6, true, hostPlatform(), cores);
    WorkDir dir(std::nullopt);
    writeNetworkSources(dir.path(), step.network);
    std::string exe = buildHostProgram(dir.path(), {});
    std::mt19937 random(7);
    const Graph typed = loadTypedModel(kStep, typingInputs());
    for (int64_t cached = 0; cached < 6; ++cached) {
      Graph fixed = fixedLengthGraph(typed, *step.kvCache, cached);
      std::vector<TensorData> inputs = fixedInputs(fixed, *step.kvCache, cached, random);
      std::vector<TensorData> want = interpretGraph(fixed, inputs);
      CompiledModel atLength = step;
      atLength.kvCache->cachedRows = cached;
      std::vector<TensorData> got =
          fixedLengthOutputs(atLength, runHostProgram(exe, step.graph, kvStepInputs(atLength, inputs), 60));
      ASSERT_EQ(got.size(), want.size());
      for (size_t o = 0; o < want.size(); ++o) {
        EXPECT_EQ(got[o].shape(), want[o].shape()) << "output " << o << " at " << cached << " cached rows";
        EXPECT_EQ(got[o].toInts(), want[o].toInts()) << "output " << o << " at " << cached << " cached rows, " << cores
                                                     << " cores";
      }
    }
  }
}

TEST(KVCache, DecodeAndPrefillShareWeightsCachesAndArenaInOneProgram) {
  CompiledModel decode = compileKVCacheModel(kStep, typingInputs(), 32, false);
  CompiledModel prefill = compileKVCacheModel(kPrefill, prefillTypingInputs(), 32, false);
  GeneratedProgram both =
      generateProgram({{"decode", &decode.graph}, {"prefill", &prefill.graph}}, codegenOptionsFor(decode, "test"));
  // The prefill reads 16 tokens with the decode's weights: nothing but a few small tables is added.
  EXPECT_GE(both.constantBytes, decode.network.constantBytes);
  EXPECT_LT(both.constantBytes, decode.network.constantBytes + 4096);
  EXPECT_EQ(occurrences(both.source, "static uint64_t network_state_key_cache_0_words["), 1u);
  EXPECT_EQ(occurrences(both.source, "void network_decode_run("), 1u);
  EXPECT_EQ(occurrences(both.source, "void network_prefill_run("), 1u);
  EXPECT_NE(both.header.find("#define NETWORK_PREFILL_NEW_ROWS 16"), std::string::npos);
  EXPECT_NE(both.header.find("#define NETWORK_CACHE_CAPACITY 32"), std::string::npos);
  EXPECT_EQ(both.arenaBytes, std::max(decode.network.memory.plan.arenaSize, prefill.network.memory.plan.arenaSize));
}

TEST(KVCache, StepsOverCachesOfOtherSizesAreNotOneProgram) {
  CompiledModel decode = compileKVCacheModel(kStep, typingInputs(), 32, false);
  CompiledModel prefill = compileKVCacheModel(kPrefill, prefillTypingInputs(), 24, false);
  EXPECT_THROW(generateProgram({{"decode", &decode.graph}, {"prefill", &prefill.graph}}, codegenOptionsFor(decode, "test")),
               Error);
}

// A prompt of more than one prefill run where the second does not fit the context: one prefill run,
// then decode runs for the rest of the prompt, then generation; the reference replays the same runs.
TEST(Generate, PrefillThenDecodeGivesTheReferenceInterpretersTokens) {
  GenerateCommand cmd;
  cmd.model = kModelDir + "/decode_255";
  cmd.prefill = kModelDir + "/prefill_16";
  cmd.prompt = "It is a truth universally acknowledged, that";
  cmd.tokens = 4;
  cmd.context = 30;
  cmd.ignoreEnd = true;
  cmd.checkReference = true;
  const size_t promptTokens = BpeTokenizer::load(kModelDir + "/tokenizer.json").encode(cmd.prompt).size();
  ASSERT_GT(promptTokens, 16u);
  ASSERT_LT(promptTokens + cmd.tokens, 30u);
  EXPECT_EQ(runGenerate(cmd), 0);
}

// Two sequences of text encoded by the model's tokenizer, padded with -1 to 24 tokens, in an npz.
std::string writeScoreTokens() {
  const BpeTokenizer t = BpeTokenizer::load(kModelDir + "/tokenizer.json");
  std::vector<int> first = t.encode("The best way to predict the future is to invent it."), second = t.encode("Be kind.");
  first.resize(24, -1);
  second.resize(24, -1);
  TensorData tokens(DType::Int32, {2, 24});
  for (int64_t p = 0; p < 24; ++p) {
    tokens.setInt(p, first[static_cast<size_t>(p)]);
    tokens.setInt(24 + p, second[static_cast<size_t>(p)]);
  }
  const std::string path = (std::filesystem::temp_directory_path() / "deeploy_score_tokens.npz").string();
  writeNpz(path, {{"tokens", tokens}});
  return path;
}

// Teacher forcing through prefill runs and through decode runs alone reads the same integer logits, so
// the same likelihood; the model predicts its own text better than a uniform guess over 512 tokens.
TEST(Score, PrefillAndDecodeRunsGiveTheSameLikelihood) {
  ScoreCommand cmd;
  cmd.model = kModelDir + "/decode_255";
  cmd.tokens = writeScoreTokens();
  const ScoreResult decodeOnly = scoreSequences(cmd);
  cmd.prefill = kModelDir + "/prefill_16";
  const ScoreResult withPrefill = scoreSequences(cmd);
  EXPECT_GT(decodeOnly.predicted, 10);
  EXPECT_EQ(decodeOnly.predicted, withPrefill.predicted);
  EXPECT_EQ(decodeOnly.negativeLogLikelihood, withPrefill.negativeLogLikelihood);
  EXPECT_LT(decodeOnly.mean(), std::log(512.0));
  cmd.last = 1;
  EXPECT_LT(scoreSequences(cmd).predicted, decodeOnly.predicted);
  cmd.last.reset();
  cmd.context = 8;  // fewer rows than a sequence needs
  EXPECT_THROW(scoreSequences(cmd), Error);
  std::filesystem::remove(cmd.tokens);
}

TEST(Score, RejectsTokensOutsideTheVocabulary) {
  TensorData tokens(DType::Int32, {1, 3});
  tokens.setInt(0, 5);
  tokens.setInt(1, 512);
  tokens.setInt(2, -1);
  ScoreCommand cmd;
  cmd.model = kModelDir + "/decode_255";
  cmd.tokens = (std::filesystem::temp_directory_path() / "deeploy_score_bad_tokens.npz").string();
  writeNpz(cmd.tokens, {{"tokens", tokens}});
  EXPECT_THROW(scoreSequences(cmd), Error);
  std::filesystem::remove(cmd.tokens);
}

TEST(BpeTokenizer, EncodesAsTheTrainingScriptDoes) {
  BpeTokenizer t = BpeTokenizer::load(kModelDir + "/tokenizer.json");
  EXPECT_EQ(t.vocabSize(), 512);
  EXPECT_EQ(t.encode("The best way to"), (std::vector<int>{317, 271, 399, 265, 319, 282}));
  // Ids from models/fortunes/tokenizer.py for text with UTF-8, digits, newlines, a tab and spaces.
  EXPECT_EQ(t.encode("\xC3\x87" "a va? 42 ways\n\n\tend  "),
            (std::vector<int>{195, 135, 97, 480, 97, 63, 32, 52, 50, 265, 319, 115, 435, 9, 427, 314}));
  std::string text = "Fortune favours the bold.\n\t\t-- Terence";
  std::string decoded;
  for (int id : t.encode(text)) decoded += t.bytesOf(id);
  EXPECT_EQ(decoded, text);
}

TEST(BpeTokenizer, RejectsAMissingFile) { EXPECT_THROW(BpeTokenizer::load("/nonexistent/tokenizer.json"), Error); }

}  // namespace
}  // namespace deeploy
