#include "tools/bpe_tokenizer.h"

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "ir/error.h"

namespace deeploy {

BpeTokenizer BpeTokenizer::load(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw Error("cannot read the tokenizer '" + path + "'");
  BpeTokenizer t;
  try {
    nlohmann::json doc = nlohmann::json::parse(file);
    if (doc.at("type") != "byte-level BPE") throw Error("'" + path + "' is not a byte-level BPE tokenizer");
    t.chunkPattern_ = std::regex(doc.at("pretokenize_regex").get<std::string>(), std::regex::ECMAScript);
    t.firstMergeId_ = doc.at("first_merge_id").get<int>();
    t.endOfText_ = doc.at("end_of_text").get<int>();
    for (int b = 0; b < t.firstMergeId_; ++b) t.bytes_.push_back(b < 256 ? std::string(1, static_cast<char>(b)) : "");
    int rank = 0;
    for (const auto& merge : doc.at("merges")) {
      int left = merge.at(0).get<int>(), right = merge.at(1).get<int>();
      if (left < 0 || right < 0 || left >= static_cast<int>(t.bytes_.size()) || right >= static_cast<int>(t.bytes_.size())) {
        throw Error("merge " + std::to_string(rank) + " of '" + path + "' names an unknown token");
      }
      t.rankOfPair_[{left, right}] = rank++;
      t.bytes_.push_back(t.bytes_[static_cast<size_t>(left)] + t.bytes_[static_cast<size_t>(right)]);
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
