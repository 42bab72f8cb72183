#include "tools/tokenizer.h"

#include <filesystem>

#include "tools/bpe_tokenizer.h"
#include "tools/llama2_tokenizer.h"

namespace deeploy {

namespace {

bool isBpeTokenizerPath(const std::string& path) { return std::filesystem::path(path).extension() == ".json"; }

}  // namespace

std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path) {
  if (isBpeTokenizerPath(path)) return std::make_unique<BpeTokenizer>(BpeTokenizer::load(path));
  return std::make_unique<Llama2Tokenizer>(Llama2Tokenizer::load(path));
}

std::unique_ptr<Tokenizer> parseTokenizer(const std::string& contents, const std::string& path) {
  if (isBpeTokenizerPath(path)) return std::make_unique<BpeTokenizer>(BpeTokenizer::parse(contents, path));
  return std::make_unique<Llama2Tokenizer>(Llama2Tokenizer::parse(contents, path));
}

}  // namespace deeploy
