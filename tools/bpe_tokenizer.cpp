#include "tools/bpe_tokenizer.h"

#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>

#include "ir/error.h"

namespace deeploy {

BpeTokenizer BpeTokenizer::load(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw Error("cannot read the tokenizer '" + path + "'");
  return parse(std::string(std::istreambuf_iterator<char>(file), {}), path);
}

namespace {

// Bounds that no real tokenizer reaches, so that a corrupt file is an error rather than gigabytes: token ids
// (Llama 3 has 128K tokens) and the bytes of one token (merges can double a token's length each time).
constexpr int kMaxTokenId = 1 << 20;
constexpr size_t kMaxTokenBytes = 1024;

// A JSON integer in [lo, hi]; a float or an integer outside is an error rather than a conversion.
int integerIn(const nlohmann::json& value, int lo, int hi, const std::string& what, const std::string& path) {
  if (!value.is_number_integer()) throw Error("'" + path + "': " + what + " is not an integer");
  const int64_t number = value.get<int64_t>();
  if (number < lo || number > hi) {
    throw Error("'" + path + "': " + what + " is " + value.dump() + ", outside " + std::to_string(lo) + ".." +
                std::to_string(hi));
  }
  return static_cast<int>(number);
}

// libstdc++'s std::regex overflows (undefined behaviour) reading a long number: a repeat count such as
// {2222222222222222222} or a back-reference such as \4444444444444444444. Both are limited to three digits (a
// count builds that many copies of its atom) before the pattern reaches it.
void requireShortNumbers(const std::string& pattern, const std::string& path) {
  size_t digits = 0;
  bool inBraces = false, inBackReference = false;
  char previous = 0;
  for (char c : pattern) {
    if (c == '{') inBraces = true;
    if (c == '}') inBraces = false;
    const bool digit = c >= '0' && c <= '9';
    inBackReference = digit && (inBackReference || previous == '\\');
    digits = digit && (inBraces || inBackReference) ? digits + 1 : 0;
    if (digits > 3) {
      throw Error("'" + path + "': a repeat count or back-reference of pretokenize_regex has more than 3 digits");
    }
    previous = c;
  }
}

}  // namespace

BpeTokenizer BpeTokenizer::parse(const std::string& json, const std::string& path) {
  BpeTokenizer t;
  try {
    nlohmann::json doc = nlohmann::json::parse(json);
    if (doc.at("type") != "byte-level BPE") throw Error("'" + path + "' is not a byte-level BPE tokenizer");
    const std::string pattern = doc.at("pretokenize_regex").get<std::string>();
    requireShortNumbers(pattern, path);
    t.chunkPattern_ = std::regex(pattern, std::regex::ECMAScript);
    // Token ids: the 256 bytes, special tokens (end of text among them), then one per merge.
    t.firstMergeId_ = integerIn(doc.at("first_merge_id"), 257, kMaxTokenId, "first_merge_id", path);
    t.endOfText_ = integerIn(doc.at("end_of_text"), 256, t.firstMergeId_ - 1, "end_of_text", path);
    for (int b = 0; b < t.firstMergeId_; ++b) t.bytes_.push_back(b < 256 ? std::string(1, static_cast<char>(b)) : "");
    int rank = 0;
    for (const auto& merge : doc.at("merges")) {
      const std::string what = "merge " + std::to_string(rank);
      if (t.firstMergeId_ + rank > kMaxTokenId) {
        throw Error("'" + path + "' has more than " + std::to_string(kMaxTokenId) + " tokens");
      }
      const int known = static_cast<int>(t.bytes_.size()) - 1;
      const int left = integerIn(merge.at(0), 0, known, what + "'s first token", path);
      const int right = integerIn(merge.at(1), 0, known, what + "'s second token", path);
      std::string merged = t.bytes_[static_cast<size_t>(left)] + t.bytes_[static_cast<size_t>(right)];
      if (merged.size() > kMaxTokenBytes) {
        throw Error("'" + path + "': " + what + " makes a token of " + std::to_string(merged.size()) + " bytes, more than " +
                    std::to_string(kMaxTokenBytes));
      }
      t.rankOfPair_[{left, right}] = rank++;
      t.bytes_.push_back(std::move(merged));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error("bad tokenizer '" + path + "': " + e.what());
  } catch (const std::regex_error& e) {
    throw Error("bad pretokenize_regex in '" + path + "': " + e.what());
  }
  return t;
}

std::vector<int> BpeTokenizer::encodeChunk(const std::string& chunk) const {
  std::vector<int> word;
  for (unsigned char c : chunk) word.push_back(c);
  while (word.size() > 1) {
    int best = std::numeric_limits<int>::max();
    std::pair<int, int> pair;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      auto it = rankOfPair_.find({word[i], word[i + 1]});
      if (it != rankOfPair_.end() && it->second < best) {
        best = it->second;
        pair = it->first;
      }
    }
    if (best == std::numeric_limits<int>::max()) break;
    std::vector<int> merged;
    for (size_t i = 0; i < word.size(); ++i) {
      if (i + 1 < word.size() && word[i] == pair.first && word[i + 1] == pair.second) {
        merged.push_back(firstMergeId_ + best);
        ++i;
      } else {
        merged.push_back(word[i]);
      }
    }
    word = std::move(merged);
  }
  return word;
}

std::vector<int> BpeTokenizer::encode(const std::string& text) const {
  std::vector<int> ids;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), chunkPattern_); it != std::sregex_iterator(); ++it) {
    std::vector<int> chunk = encodeChunk(it->str());
    ids.insert(ids.end(), chunk.begin(), chunk.end());
  }
  return ids;
}

const std::string& BpeTokenizer::bytesOf(int token) const {
  if (token < 0 || token >= vocabSize()) throw Error("token " + std::to_string(token) + " is outside the vocabulary");
  return bytes_[static_cast<size_t>(token)];
}

std::string BpeTokenizer::textAfter(int, int token) const { return token == endOfText_ ? "\n" : bytesOf(token); }

}  // namespace deeploy
