#include "tools/tokenizer.h"

#include <filesystem>

#include "tools/bpe_tokenizer.h"
#include "tools/llama2_tokenizer.h"

namespace deeploy {

std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path) {
  if (std::filesystem::path(path).extension() == ".json") return std::make_unique<BpeTokenizer>(BpeTokenizer::load(path));
  return std::make_unique<Llama2Tokenizer>(Llama2Tokenizer::load(path));
}

}  // namespace deeploy
