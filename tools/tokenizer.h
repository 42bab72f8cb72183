// What `deeploy generate` and `deeploy score` need of a tokenizer, whichever format it comes in: the
// byte-level BPE of models/fortunes (tokenizer.json) or llama2.c's (tokenizer.bin, as tok512.bin).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace deeploy {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // The tokens a model reads for `text` from position 0 (with llama2.c's: BOS first).
  virtual std::vector<int> encode(const std::string& text) const = 0;
  // What is printed for `token` read after `previous`.
  virtual std::string textAfter(int previous, int token) const = 0;
  // The token after which a generation stops.
  virtual int stopToken() const = 0;
  virtual int vocabSize() const = 0;
};

// A .json file is a models/fortunes tokenizer, any other a llama2.c tokenizer. Throws Error when the
// file is missing or malformed.
std::unique_ptr<Tokenizer> loadTokenizer(const std::string& path);
// The same for a file's contents; `path` picks the format and names it in error messages.
std::unique_ptr<Tokenizer> parseTokenizer(const std::string& contents, const std::string& path);

}  // namespace deeploy
