// llama2.c's tokenizer (the tokenizer.bin of its run.c, e.g. stories260K's tok512.bin): an int32 maximum
// token length, then per token a float32 score, an int32 length and the bytes. Tokens 0, 1, 2 are <unk>,
// BOS and EOS, 3..258 the bytes <0x00>..<0xFF>. Encoding and decoding follow run.c exactly: BOS, a " "
// token before non-empty text, whole UTF-8 characters looked up (their bytes + 3 when absent), then the
// adjacent pair whose joined text is the token of highest score merged until none is; decoding drops the
// space after BOS, turns <0xXX> into its byte and prints nothing for a lone unprintable byte.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "tools/tokenizer.h"

namespace deeploy {

class Llama2Tokenizer final : public Tokenizer {
 public:
  static constexpr int kBos = 1;

  // Throws Error when the file is missing, truncated or not such a tokenizer.
  static Llama2Tokenizer load(const std::string& path);
  // The same for the file's bytes; `path` names them in error messages.
  static Llama2Tokenizer parse(const std::string& bytes, const std::string& path);

  std::vector<int> encode(const std::string& text) const override;
  std::string textAfter(int previous, int token) const override;
  int stopToken() const override { return kBos; }  // run.c: BOS starts the next sequence
  int vocabSize() const override { return static_cast<int>(pieces_.size()); }

 private:
  int idOf(const std::string& piece) const;  // -1 when not a token
  void mergeBestPairs(std::vector<int>& tokens) const;

  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::unordered_map<std::string, int> idOfPiece_;
};

}  // namespace deeploy
