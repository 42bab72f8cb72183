#include "frontend/npz.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <string_view>

#include "ir/error.h"

namespace deeploy {

namespace {

// ---------------------------------------------------------------------------------------------
// Bounds-checked little-endian reading
// ---------------------------------------------------------------------------------------------

// Reads little-endian fields from a byte buffer; every read is bounds-checked so a truncated or
// corrupt file ends in a deeploy::Error instead of an out-of-bounds read.
class ByteCursor {
 public:
  ByteCursor(std::string_view bytes, uint64_t offset, std::string context)
      : bytes_(bytes), offset_(offset), context_(std::move(context)) {}

  uint16_t u16() { return static_cast<uint16_t>(readLittleEndian(2)); }
  uint32_t u32() { return static_cast<uint32_t>(readLittleEndian(4)); }
  uint64_t u64() { return readLittleEndian(8); }

  std::string_view take(uint64_t length) {
    require(length);
    std::string_view out = bytes_.substr(static_cast<size_t>(offset_), static_cast<size_t>(length));
    offset_ += length;
    return out;
  }
  void skip(uint64_t length) { take(length); }
  uint64_t offset() const { return offset_; }

 private:
  void require(uint64_t length) const {
    if (offset_ > bytes_.size() || length > bytes_.size() - offset_) throw Error(context_ + ": file is truncated");
  }

  uint64_t readLittleEndian(int byteCount) {
    std::string_view raw = take(static_cast<uint64_t>(byteCount));
    uint64_t value = 0;
    for (int i = byteCount; i-- > 0;) value = (value << 8) | static_cast<uint8_t>(raw[static_cast<size_t>(i)]);
    return value;
  }

  std::string_view bytes_;
  uint64_t offset_;
  std::string context_;
};

void appendLittleEndian(std::string& out, uint64_t value, int byteCount) {
  for (int i = 0; i < byteCount; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}
void appendU16(std::string& out, uint64_t value) { appendLittleEndian(out, value, 2); }
void appendU32(std::string& out, uint64_t value) { appendLittleEndian(out, value, 4); }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + quoted(path));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error("cannot read " + quoted(path));
  return bytes;
}

void writeWholeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("cannot create " + quoted(path));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error("cannot write " + quoted(path));
}

uint32_t crc32Of(std::string_view bytes) {
  return static_cast<uint32_t>(crc32_z(0L, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

// ---------------------------------------------------------------------------------------------
// Element types and byte order
// ---------------------------------------------------------------------------------------------

constexpr bool kHostIsLittleEndian = std::endian::native == std::endian::little;

void reverseEachElement(std::byte* data, size_t elementCount, size_t elementSize) {
  if (elementSize < 2) return;
  for (size_t i = 0; i < elementCount; ++i) std::reverse(data + i * elementSize, data + (i + 1) * elementSize);
}

struct NpyElementType {
  DType dtype;
  bool fileIsLittleEndian;
};

// Maps a NumPy type string such as '<f4' or '|b1' to our element type.
NpyElementType parseDescr(const std::string& descr, const std::string& context) {
  auto unsupported = [&](const std::string& why) {
    return Error(context + ": unsupported array type " + quoted(descr) + " (" + why + ")");
  };
  std::string_view rest = descr;
  bool littleEndian = kHostIsLittleEndian;  // '=', '|' and no prefix mean native order
  if (!rest.empty() && std::string_view("<>=|").find(rest.front()) != std::string_view::npos) {
    if (rest.front() == '<') littleEndian = true;
    if (rest.front() == '>') littleEndian = false;
    rest.remove_prefix(1);
  }
  if (rest.empty()) throw unsupported("not a NumPy type string");
  char kind = rest.front();
  std::string_view width = rest.substr(1);
  auto is = [&](char k, std::string_view w) { return kind == k && width == w; };

  static const struct {
    char kind;
    std::string_view width;
    DType dtype;
  } kSupported[] = {
      {'b', "1", DType::Bool},   {'i', "1", DType::Int8},    {'u', "1", DType::UInt8},   {'i', "2", DType::Int16},
      {'u', "2", DType::UInt16}, {'i', "4", DType::Int32},   {'u', "4", DType::UInt32},  {'i', "8", DType::Int64},
      {'u', "8", DType::UInt64}, {'f', "4", DType::Float32}, {'f', "8", DType::Float64},
  };
  for (const auto& entry : kSupported) {
    if (is(entry.kind, entry.width)) return {entry.dtype, littleEndian};
  }
  if (is('f', "2")) throw unsupported("float16 arrays are not supported; convert them to float32");
  if (kind == 'c') throw unsupported("complex arrays are not supported");
  if (kind == 'O') throw unsupported("object arrays are not supported");
  if (kind == 'U' || kind == 'S' || kind == 'a') throw unsupported("string arrays are not supported");
  if (kind == 'M' || kind == 'm') throw unsupported("datetime arrays are not supported");
  if (width.empty()) throw unsupported("not a NumPy type string");
  throw unsupported("only bool, integer, float32 and float64 arrays are supported");
}

std::string_view npyDescrFor(DType dtype) {
  switch (dtype) {
    case DType::Bool: return "|b1";
    case DType::Int8: return "|i1";
    case DType::UInt8: return "|u1";
    case DType::Int16: return "<i2";
    case DType::UInt16: return "<u2";
    case DType::Int32: return "<i4";
    case DType::UInt32: return "<u4";
    case DType::Int64: return "<i8";
    case DType::UInt64: return "<u8";
    case DType::BFloat16:  // written as float32
    case DType::Float32: return "<f4";
    case DType::Float64: return "<f8";
    case DType::Undefined: break;
  }
  throw Error("cannot write a .npy array of undefined element type");
}

// ---------------------------------------------------------------------------------------------
// .npy header dictionary: a tiny parser for the Python literal NumPy writes, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// ---------------------------------------------------------------------------------------------

struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  Shape shape;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& context) : text_(text), context_(context) {}

  NpyHeader parse() {
    NpyHeader header;
    std::set<std::string> seenKeys;
    expect('{');
    while (!consumeIf('}')) {
      std::string key = parseString();
      if (!seenKeys.insert(key).second) fail("key " + quoted(key) + " appears twice");
      expect(':');
      if (key == "descr") {
        header.descr = parseDescrValue();
      } else if (key == "fortran_order") {
        header.fortranOrder = parseBool();
      } else if (key == "shape") {
        header.shape = parseShape();
      } else {
        fail("unexpected key " + quoted(key));
      }
      if (!consumeIf(',')) {
        expect('}');
        break;
      }
    }
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected text after the dictionary");
    for (const char* key : {"descr", "fortran_order", "shape"}) {
      if (!seenKeys.count(key)) fail("missing key " + quoted(key));
    }
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(context_ + ": malformed .npy header: " + what); }

  void skipSpace() {
    while (pos_ < text_.size() && std::string_view(" \t\r\n").find(text_[pos_]) != std::string_view::npos) ++pos_;
  }
  bool consumeIf(char c) {
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consumeIf(c)) fail(std::string("expected '") + c + "'");
  }
  bool consumeWord(std::string_view word) {
    skipSpace();
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  std::string parseString() {
    skipSpace();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail("expected a quoted string");
    char quote = text_[pos_++];
    size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }

  std::string parseDescrValue() {
    skipSpace();
    if (pos_ < text_.size() && (text_[pos_] == '[' || text_[pos_] == '{')) {
      throw Error(context_ + ": structured arrays (record dtypes) are not supported");
    }
    return parseString();
  }

  bool parseBool() {
    if (consumeWord("True")) return true;
    if (consumeWord("False")) return false;
    fail("expected True or False");
  }

  int64_t parseDimension() {
    skipSpace();
    size_t start = pos_;
    int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      int digit = text_[pos_++] - '0';
      if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) fail("dimension too large");
      value = value * 10 + digit;
    }
    if (pos_ == start) fail("expected a non-negative integer dimension");
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 long suffix
    return value;
  }

  Shape parseShape() {
    Shape shape;
    expect('(');
    while (!consumeIf(')')) {
      shape.push_back(parseDimension());
      if (!consumeIf(',')) {
        expect(')');
        break;
      }
    }
    return shape;
  }

  std::string_view text_;
  const std::string& context_;
  size_t pos_ = 0;
};

// Reads the magic, version and header dictionary; returns the header and where the data starts.
std::pair<NpyHeader, uint64_t> readNpyPreamble(std::string_view bytes, const std::string& context) {
  static constexpr std::string_view kMagic = "\x93NUMPY";
  if (bytes.substr(0, kMagic.size()) != kMagic) throw Error(context + ": not a .npy array (bad magic bytes)");
  ByteCursor cursor(bytes, kMagic.size(), context);
  auto major = static_cast<uint8_t>(cursor.take(1)[0]);
  auto minor = static_cast<uint8_t>(cursor.take(1)[0]);
  if (major < 1 || major > 3 || minor != 0) {
    throw Error(context + ": unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
  }
  uint64_t headerLength = major == 1 ? cursor.u16() : cursor.u32();
  std::string_view headerText = cursor.take(headerLength);
  return {HeaderParser(headerText, context).parse(), cursor.offset()};
}

uint64_t checkedByteCount(const Shape& shape, size_t elementSize, const std::string& context) {
  uint64_t count = 1;
  for (int64_t dim : shape) {
    auto d = static_cast<uint64_t>(dim);
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / elementSize / d) {
      throw Error(context + ": array shape " + shapeToString(shape) + " is too large");
    }
    count *= d;
  }
  return count * elementSize;
}

// Fortran (column-major) data to the row-major layout TensorData uses.
void copyFortranToRowMajor(std::string_view source, TensorData& target) {
  const Shape& shape = target.shape();
  const size_t elementSize = dtypeSize(target.dtype());
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t rowMajor = 0; rowMajor < target.size(); ++rowMajor) {
    int64_t columnMajor = 0;
    for (size_t d = shape.size(); d-- > 0;) columnMajor = columnMajor * shape[d] + index[d];
    std::memcpy(target.data() + rowMajor * static_cast<int64_t>(elementSize),
                source.data() + columnMajor * static_cast<int64_t>(elementSize), elementSize);
    for (size_t d = shape.size(); d-- > 0;) {  // advance the row-major multi-index
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Zip reading (central directory based, stored and deflated members, zip64 sizes)
// ---------------------------------------------------------------------------------------------

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndOfCentralDirectorySignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflated = 8;
constexpr uint16_t kFlagEncrypted = 0x0001;
constexpr uint16_t kFlagUtf8Name = 0x0800;
constexpr uint64_t kEndRecordSize = 22;
constexpr uint64_t kMaxCommentLength = 0xFFFF;
constexpr uint64_t kZip64LocatorSize = 20;
constexpr uint32_t kMax32 = 0xFFFFFFFF;
constexpr uint16_t kMax16 = 0xFFFF;
// Deflate cannot expand data by more than about 1032:1; a larger claim means a corrupt header,
// and checking it keeps us from allocating absurd buffers.
constexpr uint64_t kMaxDeflateRatio = 1032;

struct CentralDirectoryLocation {
  uint64_t entryCount;
  uint64_t offset;
  uint64_t size;
};

struct ZipMember {
  std::string name;
  uint16_t flags;
  uint16_t method;
  uint32_t crc;
  uint64_t compressedSize;
  uint64_t uncompressedSize;
  uint64_t localHeaderOffset;
};

uint64_t findEndOfCentralDirectory(std::string_view archive, const std::string& context) {
  if (archive.size() >= kEndRecordSize) {
    uint64_t lowest =
        archive.size() - kEndRecordSize > kMaxCommentLength ? archive.size() - kEndRecordSize - kMaxCommentLength : 0;
    static constexpr std::string_view kSignatureBytes = "PK\x05\x06";
    for (uint64_t at = archive.size() - kEndRecordSize + 1; at-- > lowest;) {
      if (archive.substr(static_cast<size_t>(at), kSignatureBytes.size()) != kSignatureBytes) continue;
      ByteCursor cursor(archive, at + kEndRecordSize - 2, context);
      if (at + kEndRecordSize + cursor.u16() <= archive.size()) return at;  // comment fits in the file
    }
  }
  throw Error(context + ": not a zip archive, or truncated (no end-of-central-directory record)");
}

CentralDirectoryLocation readZip64EndRecord(std::string_view archive, uint64_t endRecordOffset,
                                            const std::string& context) {
  if (endRecordOffset < kZip64LocatorSize) throw Error(context + ": zip64 end-of-central-directory locator missing");
  ByteCursor locator(archive, endRecordOffset - kZip64LocatorSize, context);
  if (locator.u32() != kZip64LocatorSignature)
    throw Error(context + ": zip64 end-of-central-directory locator missing");
  locator.skip(4);  // disk with the zip64 record
  ByteCursor record(archive, locator.u64(), context);
  if (record.u32() != kZip64EndSignature) throw Error(context + ": zip64 end-of-central-directory record is corrupt");
  record.skip(8 + 2 + 2);  // record size, versions
  uint32_t disk = record.u32();
  uint32_t directoryDisk = record.u32();
  uint64_t entriesOnDisk = record.u64();
  uint64_t entryCount = record.u64();
  uint64_t size = record.u64();
  uint64_t offset = record.u64();
  if (disk != 0 || directoryDisk != 0 || entriesOnDisk != entryCount) {
    throw Error(context + ": multi-disk zip archives are not supported");
  }
  return {entryCount, offset, size};
}

CentralDirectoryLocation locateCentralDirectory(std::string_view archive, const std::string& context) {
  uint64_t endOffset = findEndOfCentralDirectory(archive, context);
  ByteCursor cursor(archive, endOffset + 4, context);
  uint16_t disk = cursor.u16();
  uint16_t directoryDisk = cursor.u16();
  uint16_t entriesOnDisk = cursor.u16();
  CentralDirectoryLocation location;
  location.entryCount = cursor.u16();
  location.size = cursor.u32();
  location.offset = cursor.u32();
  if (location.entryCount == kMax16 || location.size == kMax32 || location.offset == kMax32) {
    location = readZip64EndRecord(archive, endOffset, context);
  } else if (disk != 0 || directoryDisk != 0 || entriesOnDisk != location.entryCount) {
    throw Error(context + ": multi-disk zip archives are not supported");
  }
  if (location.offset > archive.size() || location.size > archive.size() - location.offset) {
    throw Error(context + ": central directory lies outside the file (truncated or corrupt)");
  }
  return location;
}

// Replaces 0xFFFFFFFF size/offset placeholders with the 64-bit values of the zip64 extra field,
// which lists only the placeholder fields, in this order.
void applyZip64Extra(std::string_view extra, ZipMember& member, const std::string& context) {
  ByteCursor cursor(extra, 0, context + ": extra field of member " + quoted(member.name));
  while (cursor.offset() < extra.size()) {
    uint16_t id = cursor.u16();
    uint16_t length = cursor.u16();
    std::string_view body = cursor.take(length);
    if (id != kZip64ExtraId) continue;
    ByteCursor fields(body, 0, context + ": zip64 field of member " + quoted(member.name));
    if (member.uncompressedSize == kMax32) member.uncompressedSize = fields.u64();
    if (member.compressedSize == kMax32) member.compressedSize = fields.u64();
    if (member.localHeaderOffset == kMax32) member.localHeaderOffset = fields.u64();
    return;
  }
  if (member.uncompressedSize == kMax32 || member.compressedSize == kMax32 || member.localHeaderOffset == kMax32) {
    throw Error(context + ": member " + quoted(member.name) + " has zip64 sizes but no zip64 extra field");
  }
}

ZipMember readCentralHeader(ByteCursor& cursor, const std::string& context) {
  if (cursor.u32() != kCentralHeaderSignature) throw Error(context + ": central directory is corrupt");
  ZipMember member;
  cursor.skip(2 + 2);  // version made by, version needed
  member.flags = cursor.u16();
  member.method = cursor.u16();
  cursor.skip(2 + 2);  // modification time and date
  member.crc = cursor.u32();
  member.compressedSize = cursor.u32();
  member.uncompressedSize = cursor.u32();
  uint16_t nameLength = cursor.u16();
  uint16_t extraLength = cursor.u16();
  uint16_t commentLength = cursor.u16();
  cursor.skip(2 + 2 + 4);  // disk number, internal and external attributes
  member.localHeaderOffset = cursor.u32();
  member.name = std::string(cursor.take(nameLength));
  applyZip64Extra(cursor.take(extraLength), member, context);
  cursor.skip(commentLength);
  return member;
}

std::vector<ZipMember> readCentralDirectory(std::string_view archive, const std::string& context) {
  CentralDirectoryLocation location = locateCentralDirectory(archive, context);
  std::string_view directory = archive.substr(static_cast<size_t>(location.offset), static_cast<size_t>(location.size));
  ByteCursor cursor(directory, 0, context + ": central directory");
  std::vector<ZipMember> members;
  for (uint64_t i = 0; i < location.entryCount; ++i) members.push_back(readCentralHeader(cursor, context));
  return members;
}

// The member's compressed bytes; their start is known only from the local header.
std::string_view compressedData(std::string_view archive, const ZipMember& member, const std::string& context) {
  ByteCursor cursor(archive, member.localHeaderOffset, context);
  if (cursor.u32() != kLocalHeaderSignature) {
    throw Error(context + ": local header of member " + quoted(member.name) + " is missing or corrupt");
  }
  cursor.skip(2 + 2 + 2 + 2 + 2 + 4 + 4 + 4);  // version .. uncompressed size (central values rule)
  uint16_t nameLength = cursor.u16();
  uint16_t extraLength = cursor.u16();
  cursor.skip(static_cast<uint64_t>(nameLength) + extraLength);
  return cursor.take(member.compressedSize);
}

std::string inflateRaw(std::string_view compressed, uint64_t expectedSize, const std::string& context) {
  if (expectedSize > compressed.size() * kMaxDeflateRatio + 64) {
    throw Error(context + ": declared size " + std::to_string(expectedSize) + " is impossible for " +
                std::to_string(compressed.size()) + " compressed bytes (corrupt archive)");
  }
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw Error(context + ": cannot initialise zlib");
  // A spare byte keeps the buffer non-empty for zero-length members and lets an overlong stream
  // show itself as output beyond the declared size.
  std::string output(static_cast<size_t>(expectedSize) + 1, '\0');
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  size_t remainingIn = compressed.size();
  size_t remainingOut = output.size();
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  int status = Z_OK;
  while (status == Z_OK) {  // Z_BUF_ERROR ends the loop: input exhausted or output buffer full
    if (stream.avail_in == 0 && remainingIn > 0) {
      stream.avail_in = static_cast<uInt>(std::min<size_t>(remainingIn, UINT_MAX));
      remainingIn -= stream.avail_in;
    }
    if (stream.avail_out == 0 && remainingOut > 0) {
      stream.avail_out = static_cast<uInt>(std::min<size_t>(remainingOut, UINT_MAX));
      remainingOut -= stream.avail_out;
    }
    status = inflate(&stream, Z_NO_FLUSH);
  }
  uint64_t produced = stream.total_out;
  std::string zlibMessage = stream.msg ? stream.msg : "";
  inflateEnd(&stream);
  if (status != Z_STREAM_END) {
    std::string why = status == Z_BUF_ERROR ? "stream ends early or is longer than declared"
                      : zlibMessage.empty() ? "zlib status " + std::to_string(status)
                                            : zlibMessage;
    throw Error(context + ": corrupt deflate data (" + why + ")");
  }
  if (produced != expectedSize) {
    throw Error(context + ": inflated to " + std::to_string(produced) + " bytes, but the archive declares " +
                std::to_string(expectedSize));
  }
  output.resize(static_cast<size_t>(produced));
  return output;
}

std::string extractMember(std::string_view archive, const ZipMember& member, const std::string& context) {
  std::string memberContext = context + " member " + quoted(member.name);
  if (member.flags & kFlagEncrypted) throw Error(memberContext + ": encrypted members are not supported");
  std::string_view compressed = compressedData(archive, member, context);
  std::string contents;
  if (member.method == kMethodStored) {
    if (member.compressedSize != member.uncompressedSize) {
      throw Error(memberContext + ": stored member has different compressed and uncompressed sizes");
    }
    contents = std::string(compressed);
  } else if (member.method == kMethodDeflated) {
    contents = inflateRaw(compressed, member.uncompressedSize, memberContext);
  } else {
    throw Error(memberContext + ": unsupported compression method " + std::to_string(member.method) +
                " (only stored and deflated are supported)");
  }
  if (crc32Of(contents) != member.crc) throw Error(memberContext + ": CRC-32 mismatch (corrupt archive)");
  return contents;
}

std::string arrayNameOf(const ZipMember& member, const std::string& context) {
  static constexpr std::string_view kSuffix = ".npy";
  std::string_view name = member.name;
  if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) {
    throw Error(context + ": member " + quoted(member.name) + " is not a .npy array");
  }
  return std::string(name.substr(0, name.size() - kSuffix.size()));
}

// ---------------------------------------------------------------------------------------------
// Zip writing
// ---------------------------------------------------------------------------------------------

constexpr uint16_t kVersionNeeded = 20;                         // 2.0: deflate
constexpr uint16_t kDosDate1980Jan1 = (0 << 9) | (1 << 5) | 1;  // fixed so output is reproducible
constexpr uint16_t kDosTimeMidnight = 0;

std::string deflateRaw(std::string_view input, const std::string& context) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw Error(context + ": cannot initialise zlib");
  }
  std::string output(deflateBound(&stream, static_cast<uLong>(input.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  int status = deflate(&stream, Z_FINISH);
  uint64_t produced = stream.total_out;
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw Error(context + ": zlib deflate failed");
  output.resize(static_cast<size_t>(produced));
  return output;
}

struct WrittenMember {
  std::string name;
  uint16_t flags;
  uint32_t crc;
  uint64_t compressedSize;
  uint64_t uncompressedSize;
  uint64_t localHeaderOffset;
};

// Common part of local and central headers, from "version needed" to the name length.
void appendMemberFields(std::string& out, const WrittenMember& member) {
  appendU16(out, kVersionNeeded);
  appendU16(out, member.flags);
  appendU16(out, kMethodDeflated);
  appendU16(out, kDosTimeMidnight);
  appendU16(out, kDosDate1980Jan1);
  appendU32(out, member.crc);
  appendU32(out, member.compressedSize);
  appendU32(out, member.uncompressedSize);
  appendU16(out, member.name.size());
}

void appendLocalHeader(std::string& out, const WrittenMember& member) {
  appendU32(out, kLocalHeaderSignature);
  appendMemberFields(out, member);
  appendU16(out, 0);  // extra field length
  out += member.name;
}

void appendCentralHeader(std::string& out, const WrittenMember& member) {
  constexpr uint16_t kMadeByUnixVersion20 = (3 << 8) | kVersionNeeded;
  constexpr uint32_t kRegularFileMode0644 = 0100644u << 16;
  appendU32(out, kCentralHeaderSignature);
  appendU16(out, kMadeByUnixVersion20);
  appendMemberFields(out, member);
  appendU16(out, 0);  // extra field length
  appendU16(out, 0);  // comment length
  appendU16(out, 0);  // disk number
  appendU16(out, 0);  // internal attributes
  appendU32(out, kRegularFileMode0644);
  appendU32(out, member.localHeaderOffset);
  out += member.name;
}

void appendEndOfCentralDirectory(std::string& out, uint64_t entryCount, uint64_t directoryOffset,
                                 uint64_t directorySize) {
  appendU32(out, kEndOfCentralDirectorySignature);
  appendU16(out, 0);  // this disk
  appendU16(out, 0);  // disk with the central directory
  appendU16(out, entryCount);
  appendU16(out, entryCount);
  appendU32(out, directorySize);
  appendU32(out, directoryOffset);
  appendU16(out, 0);  // comment length
}

// This writer emits no zip64 records, so every size, offset and count must fit the classic fields.
void requireBelow(uint64_t value, uint64_t limit, const std::string& what, const std::string& context) {
  if (value >= limit) {
    throw Error(context + ": " + what + " (" + std::to_string(value) + ") exceeds the zip limit; zip64 is not written");
  }
}

bool hasNonAsciiByte(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string npyHeaderDictionary(std::string_view descr, const Shape& shape) {
  std::string shapeText = "(";
  for (size_t i = 0; i < shape.size(); ++i) shapeText += (i ? ", " : "") + std::to_string(shape[i]);
  shapeText += shape.size() == 1 ? ",)" : ")";
  return "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
}

// The tensor's elements as little-endian bytes, the order every descr we write declares.
std::string littleEndianPayload(const TensorData& array) {
  std::string payload(reinterpret_cast<const char*>(array.data()), array.byteSize());
  if (!kHostIsLittleEndian) {
    reverseEachElement(reinterpret_cast<std::byte*>(payload.data()), static_cast<size_t>(array.size()),
                       dtypeSize(array.dtype()));
  }
  return payload;
}

}  // namespace

// -------------------------------------------------------------------------------------------------
// Public API
// -------------------------------------------------------------------------------------------------

TensorData parseNpy(const std::string& bytes, const std::string& context) {
  auto [header, dataOffset] = readNpyPreamble(bytes, context);
  NpyElementType elementType = parseDescr(header.descr, context);
  const size_t elementSize = dtypeSize(elementType.dtype);
  uint64_t expectedBytes = checkedByteCount(header.shape, elementSize, context);
  uint64_t actualBytes = bytes.size() - dataOffset;
  if (actualBytes != expectedBytes) {
    throw Error(context + ": array of shape " + shapeToString(header.shape) + " and type " + quoted(header.descr) +
                " needs " + std::to_string(expectedBytes) + " data bytes, found " + std::to_string(actualBytes));
  }
  std::string_view payload = std::string_view(bytes).substr(static_cast<size_t>(dataOffset));
  TensorData array(elementType.dtype, header.shape);
  if (header.fortranOrder) {
    copyFortranToRowMajor(payload, array);
  } else if (!payload.empty()) {
    std::memcpy(array.data(), payload.data(), payload.size());
  }
  if (elementType.fileIsLittleEndian != kHostIsLittleEndian) {
    reverseEachElement(array.data(), static_cast<size_t>(array.size()), elementSize);
  }
  if (array.dtype() == DType::Bool) {  // NumPy treats any non-zero byte as True
    for (int64_t i = 0; i < array.size(); ++i) array.setInt(i, array.getInt(i) != 0);
  }
  return array;
}

std::string serializeNpy(const TensorData& array) {
  if (array.dtype() == DType::BFloat16) return serializeNpy(array.castTo(DType::Float32));
  std::string dictionary = npyHeaderDictionary(npyDescrFor(array.dtype()), array.shape());
  // Version 1.0 has a 16-bit header length; 2.0 only for absurdly many dimensions.
  static constexpr size_t kAlignment = 64;
  static constexpr size_t kMagicAndVersionSize = 8;
  size_t unpaddedV1 = kMagicAndVersionSize + 2 + dictionary.size() + 1;  // + '\n'
  bool version1 = unpaddedV1 + kAlignment <= 0xFFFF;
  size_t prefixSize = kMagicAndVersionSize + (version1 ? 2 : 4);
  size_t padding = (kAlignment - (prefixSize + dictionary.size() + 1) % kAlignment) % kAlignment;
  std::string header = dictionary + std::string(padding, ' ') + "\n";

  std::string out = "\x93NUMPY";
  out.push_back(static_cast<char>(version1 ? 1 : 2));
  out.push_back('\0');
  appendLittleEndian(out, header.size(), version1 ? 2 : 4);
  out += header;
  out += littleEndianPayload(array);
  return out;
}

NamedArrays readNpz(const std::string& path) { return parseNpz(readWholeFile(path), path); }

NamedArrays parseNpz(const std::string& archive, const std::string& origin) {
  const std::string context = quoted(origin);
  NamedArrays arrays;
  std::set<std::string> names;
  for (const ZipMember& member : readCentralDirectory(archive, context)) {
    std::string name = arrayNameOf(member, context);
    if (!names.insert(name).second) throw Error(context + ": array " + quoted(name) + " appears twice");
    std::string npy = extractMember(archive, member, context);
    arrays.emplace_back(name, parseNpy(npy, context + " member " + quoted(member.name)));
  }
  return arrays;
}

void writeNpz(const std::string& path, const NamedArrays& arrays) {
  const std::string context = quoted(path);
  requireBelow(arrays.size(), kMax16, "number of arrays", context);
  std::string archive;
  std::vector<WrittenMember> written;
  std::set<std::string> names;
  for (const auto& [name, array] : arrays) {
    if (!names.insert(name).second) throw Error(context + ": array name " + quoted(name) + " is used twice");
    if (array.dtype() == DType::Undefined)
      throw Error(context + ": array " + quoted(name) + " has undefined element type");
    std::string memberName = name + ".npy";
    requireBelow(memberName.size(), kMax16 + 1u, "length of member name", context);
    std::string npy = serializeNpy(array);
    requireBelow(npy.size(), kMax32, "size of array " + quoted(name), context);
    std::string compressed = deflateRaw(npy, context);
    requireBelow(compressed.size(), kMax32, "compressed size of array " + quoted(name), context);
    requireBelow(archive.size(), kMax32, "archive size", context);
    WrittenMember member{memberName, 0, crc32Of(npy), compressed.size(), npy.size(), archive.size()};
    if (hasNonAsciiByte(member.name)) member.flags |= kFlagUtf8Name;
    appendLocalHeader(archive, member);
    archive += compressed;
    written.push_back(std::move(member));
  }
  uint64_t directoryOffset = archive.size();
  for (const WrittenMember& member : written) appendCentralHeader(archive, member);
  requireBelow(archive.size(), kMax32, "archive size", context);
  appendEndOfCentralDirectory(archive, written.size(), directoryOffset, archive.size() - directoryOffset);
  writeWholeFile(path, archive);
}

}  // namespace deeploy
