#include "tools/llama2_tokenizer.h"

#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

#include "ir/error.h"

namespace deeploy {

namespace {

constexpr int kByteTokenBase = 3;  // the token of byte b is b + 3
constexpr int kFirstNonSpecial = kByteTokenBase + 256;

bool isContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte a "<0xXX>" piece stands for, or -1.
int byteOfPiece(const std::string& piece) {
  if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return -1;
  const int high = hexDigit(piece[3]), low = hexDigit(piece[4]);
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

// Bounds-checked reads of the file's little-endian fields.
class FieldReader {
 public:
  FieldReader(std::string bytes, std::string path) : bytes_(std::move(bytes)), path_(std::move(path)) {}
  bool atEnd() const { return at_ == bytes_.size(); }
  template <typename T>
  T scalar() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  std::string text(size_t length) { return std::string(take(length), length); }

 private:
  const char* take(size_t length) {
    if (bytes_.size() - at_ < length) throw Error("'" + path_ + "' is truncated: not a llama2.c tokenizer");
    const char* p = bytes_.data() + at_;
    at_ += length;
    return p;
  }
  std::string bytes_, path_;
  size_t at_ = 0;
};

}  // namespace

Llama2Tokenizer Llama2Tokenizer::load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error("cannot read the tokenizer '" + path + "'");
  return parse(std::string(std::istreambuf_iterator<char>(file), {}), path);
}

Llama2Tokenizer Llama2Tokenizer::parse(const std::string& bytes, const std::string& path) {
  FieldReader in(bytes, path);
  const int32_t maxLength = in.scalar<int32_t>();
  Llama2Tokenizer t;
  while (!in.atEnd()) {
    const float score = in.scalar<float>();
    const int32_t length = in.scalar<int32_t>();
    if (length < 0 || length > maxLength) {
      throw Error("'" + path + "': token " + std::to_string(t.pieces_.size()) + " has length " + std::to_string(length) +
                  ", outside 0.." + std::to_string(maxLength) + ": not a llama2.c tokenizer");
    }
    t.pieces_.push_back(in.text(static_cast<size_t>(length)));
    t.scores_.push_back(score);
    t.idOfPiece_.emplace(t.pieces_.back(), static_cast<int>(t.pieces_.size()) - 1);  // run.c finds the first
  }
  if (t.vocabSize() < kFirstNonSpecial) {
    throw Error("'" + path + "' has " + std::to_string(t.vocabSize()) + " tokens; a llama2.c tokenizer has <unk>, BOS, EOS "
                "and the 256 byte tokens first");
  }
  return t;
}

int Llama2Tokenizer::idOf(const std::string& piece) const {
  auto it = idOfPiece_.find(piece);
  return it == idOfPiece_.end() ? -1 : it->second;
}

void Llama2Tokenizer::mergeBestPairs(std::vector<int>& tokens) const {
  for (;;) {
    float bestScore = -1e10f;
    int bestId = -1;
    size_t bestAt = 0;
    for (size_t i = 0; i + 1 < tokens.size(); ++i) {
      const int id = idOf(pieces_[static_cast<size_t>(tokens[i])] + pieces_[static_cast<size_t>(tokens[i + 1])]);
      if (id != -1 && scores_[static_cast<size_t>(id)] > bestScore) {  // the first of equal scores wins
        bestScore = scores_[static_cast<size_t>(id)];
        bestId = id;
        bestAt = i;
      }
    }
    if (bestId == -1) return;
    tokens[bestAt] = bestId;
    tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(bestAt) + 1);
  }
}

std::vector<int> Llama2Tokenizer::encode(const std::string& text) const {
  const std::string characters = text.substr(0, text.find('\0'));  // run.c reads a C string
  std::vector<int> tokens = {kBos};
  if (!characters.empty()) {
    const int space = idOf(" ");
    if (space == -1) throw Error("the llama2.c tokenizer has no \" \" token to start a text with");
    tokens.push_back(space);
  }
  std::string character;
  for (size_t i = 0; i < characters.size(); ++i) {
    if (!isContinuationByte(characters[i])) character.clear();
    character += characters[i];
    // A character is a lead byte and up to three continuation bytes.
    if (i + 1 < characters.size() && isContinuationByte(characters[i + 1]) && character.size() < 4) continue;
    if (const int id = idOf(character); id != -1) {
      tokens.push_back(id);
    } else {
      for (unsigned char byte : character) tokens.push_back(byte + kByteTokenBase);
    }
    character.clear();
  }
  mergeBestPairs(tokens);
  return tokens;
}

std::string Llama2Tokenizer::textAfter(int previous, int token) const {
  if (token < 0 || token >= vocabSize()) throw Error("token " + std::to_string(token) + " is outside the vocabulary");
  std::string piece = pieces_[static_cast<size_t>(token)];
  if (previous == kBos && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
  if (const int byte = byteOfPiece(piece); byte >= 0) piece = std::string(1, static_cast<char>(byte));
  // run.c's safe_printf: a lone byte that is neither printable nor white space prints nothing.
  if (piece.size() == 1) {
    const int byte = static_cast<unsigned char>(piece[0]);
    if (!(std::isprint(byte) || std::isspace(byte))) return "";
  }
  return piece;
}

}  // namespace deeploy
