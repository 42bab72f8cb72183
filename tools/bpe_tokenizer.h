// The byte-level BPE tokenizer of models/fortunes (tokenizer.json, written by its tokenizer.py):
// text is cut into chunks by a regular expression, each chunk's UTF-8 bytes are token ids 0..255, and
// the learned merges apply lowest rank first; token first_merge_id + r is merge r.
#pragma once

#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "tools/tokenizer.h"

namespace deeploy {

class BpeTokenizer final : public Tokenizer {
 public:
  // Throws Error when the file is missing or not such a tokenizer.
  static BpeTokenizer load(const std::string& path);
  // The same for the file's text; `path` names it in error messages.
  static BpeTokenizer parse(const std::string& json, const std::string& path);

  std::vector<int> encode(const std::string& text) const override;
  const std::string& bytesOf(int token) const;  // the token's bytes (not always whole UTF-8 characters)
  std::string textAfter(int previous, int token) const override;  // end of text prints as a new line
  int endOfText() const { return endOfText_; }
  int stopToken() const override { return endOfText_; }
  int vocabSize() const override { return static_cast<int>(bytes_.size()); }

 private:
  std::vector<int> encodeChunk(const std::string& chunk) const;

  std::regex chunkPattern_;
  std::map<std::pair<int, int>, int> rankOfPair_;
  std::vector<std::string> bytes_;
  int firstMergeId_ = 0;
  int endOfText_ = -1;
};

}  // namespace deeploy
