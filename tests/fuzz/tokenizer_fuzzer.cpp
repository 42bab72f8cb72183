// Both tokenizer formats: a tokenizer file, then a text encoded with it and the tokens decoded again.
// Input layout: one byte whose low bit picks the format (1: byte-level BPE JSON, 0: llama2.c binary), one
// byte giving the text's length n, n bytes of text, and the rest is the tokenizer file.
#include <algorithm>

#include "tests/fuzz/fuzz_input.h"
#include "tools/tokenizer.h"

namespace {

void encodeAndDecode(const deeploy::Tokenizer& tokenizer, const std::string& text) {
  int previous = tokenizer.stopToken();
  for (int token : tokenizer.encode(text)) {
    if (token < 0 || token >= tokenizer.vocabSize()) __builtin_trap();  // encode gave a token outside its vocabulary
    tokenizer.textAfter(previous, token);
    previous = token;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string path = data[0] & 1 ? "fuzz.json" : "fuzz.bin";
  const size_t textLength = std::min<size_t>(data[1], size - 2);
  const std::string text = deeploy::fuzz::bytesOf(data + 2, textLength);
  const std::string file = deeploy::fuzz::bytesOf(data + 2 + textLength, size - 2 - textLength);
  deeploy::fuzz::acceptOrReject([&] { encodeAndDecode(*deeploy::parseTokenizer(file, path), text); });
  return 0;
}
